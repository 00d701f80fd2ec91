#pragma once
// ApiPipeline: one raw HTTP request -> SigV4 verification -> per-key IAM policy
// -> Route53Handler -> response with x-amz-request-id. No sockets, so the whole
// request path is unit-testable; ApiServer feeds it from cpp-httplib.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "api/auth/key_store.h"
#include "api/auth/sigv4.h"
#include "api/route53/handler.h"

namespace zk::api {

struct RawRequest {
  std::string method;
  std::string target;  // request-target as sent: percent-encoded path [+ '?' + query]
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool tls = false;  // served over HTTPS (for absolute URLs in responses)
};

class ApiPipeline {
 public:
  ApiPipeline(Route53Handler& handler, auth::KeyCache& keys, std::function<std::int64_t()> now);

  ApiResponse handle(const RawRequest& raw);

 private:
  Route53Handler& handler_;
  auth::KeyCache& keys_;
  std::function<std::int64_t()> now_;
  auth::SigV4Verifier verifier_;
};

// A random request id in the UUID text form AWS uses.
std::string newRequestId();
// The principal ARN printed in AccessDenied messages.
std::string principalArn(const auth::AccessKey& key);

}  // namespace zk::api
