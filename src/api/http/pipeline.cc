#include "api/http/pipeline.h"

#include <strings.h>
#include <array>

#include <fmt/format.h>

#include "api/auth/crypto.h"

namespace zk::api {

std::string newRequestId() {
  std::array<std::uint8_t, 16> b{};
  if (!auth::randomBytes(b)) b.fill(0);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // RFC 9562 version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  const std::string hex = auth::toHex(b);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

std::string principalArn(const auth::AccessKey& key) {
  return fmt::format("arn:aws:iam::000000000000:user/{}", key.name.empty() ? key.id : key.name);
}

ApiPipeline::ApiPipeline(Route53Handler& handler, auth::KeyCache& keys, std::function<std::int64_t()> now)
    : handler_(handler),
      keys_(keys),
      now_(std::move(now)),
      verifier_(
          [this](std::string_view id) -> std::optional<std::string> {
            auto entry = keys_.find(id);
            if (!entry) return std::nullopt;
            return entry->key.secret;
          },
          now_, auth::SigV4Verifier::Options{}) {}

ApiResponse ApiPipeline::handle(const RawRequest& raw) {
  const std::string requestId = newRequestId();
  auto finish = [&](ApiResponse r) {
    r.headers.emplace_back("x-amz-request-id", requestId);
    r.headers.emplace_back("Content-Type", "text/xml");
    return r;
  };

  auth::SignedRequest signedReq;
  signedReq.method = raw.method;
  const std::size_t q = raw.target.find('?');
  signedReq.rawPath = raw.target.substr(0, q);
  if (q != std::string::npos) signedReq.rawQuery = raw.target.substr(q + 1);
  signedReq.headers = raw.headers;
  signedReq.body = raw.body;

  auto verified = verifier_.verify(signedReq);
  if (const auto* e = std::get_if<auth::AuthError>(&verified)) {
    ApiResponse refused = errorResponse(makeError(e->httpStatus, e->code, e->message), requestId);
    // Refused requests are still counted under the operation they named.
    auto routed = route(raw.method, auth::percentDecode(signedReq.rawPath));
    if (const auto* r = std::get_if<Route>(&routed)) refused.operation = r->operation;
    return finish(std::move(refused));
  }
  const auto caller = keys_.find(std::get<auth::VerifiedCaller>(verified).accessKeyId);
  if (!caller) return finish(errorResponse(internalError("the access key vanished"), requestId));

  Authorizer authorize = [&caller](std::string_view action, std::string_view arn) -> std::optional<ApiError> {
    if (!caller->policy) return std::nullopt;
    const auto decision = caller->policy->evaluate(action, arn);
    if (decision == auth::Decision::Allow) return std::nullopt;
    const std::string why =
        decision == auth::Decision::ExplicitDeny
            ? "with an explicit deny in an identity-based policy"
            : fmt::format("because no identity-based policy allows the {} action", action);
    return makeError(403, "AccessDenied",
                     fmt::format("User: {} is not authorized to perform: {} on resource: {} {}",
                                 principalArn(caller->key), action, arn, why));
  };

  ApiRequest req;
  req.method = raw.method;
  req.path = auth::percentDecode(signedReq.rawPath);
  auth::forEachQueryParam(signedReq.rawQuery, [&](std::string_view key, std::string_view value) {
    req.query.emplace(auth::percentDecode(key), auth::percentDecode(value));
  });
  req.body = raw.body;
  req.scheme = raw.tls ? "https" : "http";
  for (const auto& [k, v] : raw.headers) {
    if (k.size() == 4 && strncasecmp(k.c_str(), "host", 4) == 0) {
      req.host = v;
      break;
    }
  }
  ApiResponse out = handler_.handle(req, authorize, requestId);
  out.accessKeyId = caller->key.id;
  return finish(std::move(out));
}

}  // namespace zk::api
