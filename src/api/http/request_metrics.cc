#include "api/http/request_metrics.h"

#include <fmt/format.h>

namespace zk::api {
namespace {

static_assert(static_cast<std::size_t>(Operation::ListTagsForResources) + 1 ==
              ApiRequestMetrics::kOperations);

std::size_t indexOf(std::optional<Operation> op) {
  return op ? static_cast<std::size_t>(*op) : ApiRequestMetrics::kOperations;
}

}  // namespace

ApiRequestMetrics::ApiRequestMetrics() {
  for (auto& h : byOperation_) h.emplace(kBoundsSeconds);
}

void ApiRequestMetrics::observe(std::optional<Operation> operation, std::chrono::nanoseconds duration) {
  byOperation_[indexOf(operation)]->observe(duration);
}

const common::LatencyHistogram& ApiRequestMetrics::histogram(std::optional<Operation> operation) const {
  return *byOperation_[indexOf(operation)];
}

std::string ApiRequestMetrics::render() const {
  static constexpr std::string_view kName = "zonekeeper_api_request_duration_seconds";
  std::string out = fmt::format(
      "# HELP {} Route53 API requests by operation: from the request's headers read to the response "
      "written.\n# TYPE {} histogram\n",
      kName, kName);
  for (std::size_t i = 0; i <= kOperations; ++i) {
    const std::string_view op = i < kOperations ? operationName(static_cast<Operation>(i)) : "Other";
    byOperation_[i]->render(out, kName, fmt::format("operation=\"{}\"", op));
  }
  return out;
}

}  // namespace zk::api
