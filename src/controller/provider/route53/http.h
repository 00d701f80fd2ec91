#pragma once
// A minimal blocking HTTP client over libcurl (one request at a time).

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace zk::controller::route53 {

struct HttpResponse {
  long status = 0;
  std::string body;
};

struct HttpRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

class CurlClient final : public HttpClient {
 public:
  explicit CurlClient(std::chrono::milliseconds timeout = std::chrono::seconds(30)) : timeout_(timeout) {}
  Result<HttpResponse> send(const HttpRequest& request) override;

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace zk::controller::route53
