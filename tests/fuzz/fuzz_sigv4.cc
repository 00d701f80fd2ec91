// Fuzzes SigV4 parsing and canonicalization, header and presigned forms.
// Input: sections separated by '\n': Authorization header value (no header
// when empty), raw path, raw query (X-Amz-* parameters make it presigned),
// X-Amz-Date (or, after a leading '@', the Date header), then the body. Invariants: nothing crashes; a parsed
// header or presigned query has a 64-hex signature and five credential fields; canonical URIs start with '/'
// and are stable under a second canonicalization (after decoding); the verifier returns either a caller or an
// error with a code, and never accepts a signature it did not compute.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/auth/sigv4.h"

using namespace zk::api::auth;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::string_view nextSection(std::string_view& in) {
  const std::size_t nl = in.find('\n');
  std::string_view out = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string_view authorization = nextSection(in);
  const std::string_view path = nextSection(in);
  const std::string_view query = nextSection(in);
  std::string_view date = nextSection(in);
  const bool dateHeader = !date.empty() && date.front() == '@';
  if (dateHeader) date.remove_prefix(1);
  const std::string_view body = in;

  auto parsed = parseAuthorizationHeader(authorization);
  if (parsed.ok()) {
    check(parsed->signature.size() == 64);
    check(!parsed->credential.accessKeyId.empty());
    check(!parsed->signedHeaders.empty());
  }
  const std::string uri = canonicalUri(path);
  check(!uri.empty() && uri[0] == '/');
  check(canonicalUri(percentDecode(uri)) == uri);
  const std::string q = canonicalQuery(query);
  check(canonicalQuery(q) == q);
  auto presigned = parsePresignedQuery(query);
  if (presigned.ok()) {
    check(presigned->signature.size() == 64);
    check(!presigned->credential.accessKeyId.empty());
    check(presigned->expiresSeconds >= 1 && presigned->expiresSeconds <= kMaxPresignedExpires);
    check(isPresigned(query));
  }
  (void)parseAmzDate(date);
  const auto httpDate = parseDateHeader(date);
  if (httpDate) check(parseAmzDate(formatAmzDate(*httpDate)) == httpDate);
  // The time the string to sign carries.
  const std::string signedTime = dateHeader && httpDate ? formatAmzDate(*httpDate) : std::string(date);

  SignedRequest req;
  req.method = "POST";
  req.rawPath = std::string(path);
  req.rawQuery = std::string(query);
  req.body = std::string(body);
  req.headers = {{"Host", "localhost"}, {dateHeader ? "Date" : "X-Amz-Date", std::string(date)}};
  if (!authorization.empty()) req.headers.emplace_back("Authorization", std::string(authorization));
  const std::int64_t now = (dateHeader ? httpDate : parseAmzDate(date)).value_or(0);
  SigV4Verifier verifier([](std::string_view) -> std::optional<std::string> { return std::string("secret"); },
                         [now] { return now; }, SigV4Verifier::Options{});
  auto result = verifier.verify(req);
  if (const auto* e = std::get_if<AuthError>(&result)) {
    check(!e->code.empty() && !e->message.empty());
  } else if (authorization.empty()) {
    // Accepted presigned: the signature is the one computed from the secret
    // over the query without X-Amz-Signature, with the body's hash or (empty
    // body only) UNSIGNED-PAYLOAD.
    check(presigned.ok());
    SignedRequest stripped = req;
    stripped.rawQuery = canonicalQuery(query, "X-Amz-Signature");
    const Credential& c = presigned->credential;
    const std::string scope = c.date + "/" + c.region + "/" + c.service + "/aws4_request";
    bool match = false;
    const std::string bodyHash = sha256Hex(req.body);
    for (const std::string_view hash : {std::string_view(bodyHash), kUnsignedPayload}) {
      if (hash == kUnsignedPayload && !req.body.empty()) continue;
      const auto canonical = canonicalRequest(stripped, presigned->signedHeaders, hash);
      check(canonical.ok());
      match = match ||
              toHex(hmacSha256(signingKey("secret", c.date, c.region, c.service),
                               stringToSign(presigned->amzDate, scope, *canonical))) == presigned->signature;
    }
    check(match);
  } else {
    // Accepted: the signature must be the one computed from the secret.
    check(parsed.ok());
    const auto canonical = canonicalRequest(req, parsed->signedHeaders, sha256Hex(req.body));
    check(canonical.ok());
    const Credential& c = parsed->credential;
    const std::string scope = c.date + "/" + c.region + "/" + c.service + "/aws4_request";
    check(toHex(hmacSha256(signingKey("secret", c.date, c.region, c.service),
                           stringToSign(signedTime, scope, *canonical))) == parsed->signature);
  }
  return 0;
}
