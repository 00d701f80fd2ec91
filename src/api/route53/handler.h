#pragma once
// Route53Handler: one decoded, authenticated REST request -> the operation on
// HostedZoneService -> status, headers and XML body. No sockets: the HTTP glue
// (api/http) authenticates, then calls handle().

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/route53/errors.h"
#include "api/route53/hosted_zone_service.h"
#include "api/route53/router.h"

namespace zk::api {

struct ApiRequest {
  std::string method;
  std::string path;                          // percent-decoded
  std::map<std::string, std::string> query;  // percent-decoded; first value of each name
  std::string body;
  // The Host header as sent (empty without one) and the scheme the API is
  // served with: CreateHostedZone's Location is built from them.
  std::string host;
  std::string scheme = "http";
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The operation the request was routed to (for metrics); unset when the
  // method and path name none.
  std::optional<Operation> operation;
  // For the access log: the error code of a refused request (empty when none)
  // and the access key whose signature was verified (empty when none was).
  std::string errorCode;
  std::string accessKeyId;
};

// Decides whether the caller may perform `action` on `resourceArn`; an error
// (AccessDenied) when not. Called once per resource the request touches.
using Authorizer =
    std::function<std::optional<ApiError>(std::string_view action, std::string_view resourceArn)>;

class Route53Handler {
 public:
  explicit Route53Handler(HostedZoneService& service) : service_(service) {}

  ApiResponse handle(const ApiRequest& request, const Authorizer& authorize, std::string_view requestId);

 private:
  ApiResult<ApiResponse> dispatch(const Route& route, const ApiRequest& request, const Authorizer& authorize);

  HostedZoneService& service_;
};

ApiResponse errorResponse(const ApiError& error, std::string_view requestId);

// An absolute URL for `path` from the request's scheme and Host header
// ("http://127.0.0.1:8053/2013-04-01/hostedzone/Z1"); `path` as it is when the
// request has no usable Host header.
std::string locationUrl(const ApiRequest& request, std::string_view path);

}  // namespace zk::api
