#pragma once
// LatencyHistogram: a Prometheus histogram of durations with fixed bucket
// bounds, safe to observe from many threads at once (relaxed atomics; a scrape
// may see one observation in a bucket before it is in the sum).
//
//   LatencyHistogram h(kBoundsSeconds);
//   h.observe(std::chrono::microseconds(900));
//   h.render(out, "zonekeeper_api_request_duration_seconds", "operation=\"GetChange\"");

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zk::common {

class LatencyHistogram {
 public:
  // Upper bounds in seconds, ascending (an implicit +Inf bucket follows).
  explicit LatencyHistogram(std::span<const double> upperBoundsSeconds);

  void observe(std::chrono::nanoseconds duration);

  struct Snapshot {
    std::vector<double> upperBoundsSeconds;
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
    std::uint64_t count = 0;
    double sumSeconds = 0;
  };
  [[nodiscard]] Snapshot snapshot() const;

  // Appends NAME_bucket{LABELS,le="B"} V for every bound and +Inf, NAME_sum and
  // NAME_count (Prometheus text exposition format 0.0.4). `labels` is the
  // label list without braces, possibly empty.
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::vector<double> boundsSeconds_;
  std::vector<std::int64_t> boundsNanos_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // boundsNanos_.size() + 1, not cumulative
  std::atomic<std::uint64_t> sumNanos_{0};
};

}  // namespace zk::common
