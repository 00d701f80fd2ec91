#include "common/latency_histogram.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace zk::common {

LatencyHistogram::LatencyHistogram(std::span<const double> upperBoundsSeconds)
    : boundsSeconds_(upperBoundsSeconds.begin(), upperBoundsSeconds.end()),
      counts_(new std::atomic<std::uint64_t>[upperBoundsSeconds.size() + 1]) {
  boundsNanos_.reserve(boundsSeconds_.size());
  for (double s : boundsSeconds_) boundsNanos_.push_back(std::llround(s * 1e9));
  for (std::size_t i = 0; i <= boundsNanos_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void LatencyHistogram::observe(std::chrono::nanoseconds duration) {
  const std::int64_t ns = std::max<std::int64_t>(0, duration.count());
  // Prometheus buckets count values <= their bound ("le").
  const auto it = std::lower_bound(boundsNanos_.begin(), boundsNanos_.end(), ns);
  const auto index = static_cast<std::size_t>(it - boundsNanos_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sumNanos_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
  Snapshot s;
  s.upperBoundsSeconds = boundsSeconds_;
  s.cumulative.reserve(boundsNanos_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= boundsNanos_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sumSeconds = static_cast<double>(sumNanos_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

void LatencyHistogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  const Snapshot s = snapshot();
  const std::string_view sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < s.upperBoundsSeconds.size(); ++i) {
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, s.upperBoundsSeconds[i],
                       s.cumulative[i]);
  }
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, s.count);
  const std::string braces = labels.empty() ? std::string() : fmt::format("{{{}}}", labels);
  out += fmt::format("{}_sum{} {}\n", name, braces, s.sumSeconds);
  out += fmt::format("{}_count{} {}\n", name, braces, s.count);
}

}  // namespace zk::common
