#pragma once
// ApiRequestMetrics: how long the API server takes per request, by Route53
// operation, as the Prometheus histogram zonekeeper_api_request_duration_seconds
// (rendered on `serve --metrics-listen` and `api --metrics-listen`). ApiServer
// measures from the moment cpp-httplib has read the request's headers (before
// the body) until the response has been written to the socket.

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "api/route53/router.h"
#include "common/latency_histogram.h"

namespace zk::api {

class ApiRequestMetrics {
 public:
  // Bucket bounds: fine around 1 ms so that a p50 there can be read off.
  static constexpr std::array<double, 14> kBoundsSeconds = {
      0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};
  static constexpr std::size_t kOperations = 13;  // Operation's enumerators

  ApiRequestMetrics();

  // `operation` unset: the request was not routed to an operation (unknown
  // path or method, unreadable body); counted as operation="Other".
  void observe(std::optional<Operation> operation, std::chrono::nanoseconds duration);

  // HELP, TYPE and one series per operation (all of them, so that the series
  // exist before the first request), then "Other".
  [[nodiscard]] std::string render() const;

  [[nodiscard]] const common::LatencyHistogram& histogram(std::optional<Operation> operation) const;

 private:
  std::array<std::optional<common::LatencyHistogram>, kOperations + 1> byOperation_;
};

}  // namespace zk::api
