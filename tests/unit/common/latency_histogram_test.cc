#include "common/latency_histogram.h"

#include <array>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace zk::common {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

constexpr std::array<double, 3> kBounds = {0.0005, 0.001, 0.002};

TEST(LatencyHistogram, PlacesValuesInTheFirstBucketWhoseBoundIsNotBelowThem) {
  LatencyHistogram h(kBounds);
  h.observe(microseconds(0));
  h.observe(microseconds(500));     // == 0.5 ms: "le" includes the bound
  h.observe(nanoseconds(500'001));  // just above: next bucket
  h.observe(microseconds(1000));    // == 1 ms
  h.observe(microseconds(1999));
  h.observe(microseconds(2001));  // above every bound: +Inf only
  h.observe(std::chrono::seconds(3));
  h.observe(nanoseconds(-5));  // a clock step back counts as 0
  const auto s = h.snapshot();
  ASSERT_EQ(s.cumulative.size(), 4u);
  EXPECT_EQ(s.cumulative[0], 3u);  // 0, 0.5 ms, -5 ns
  EXPECT_EQ(s.cumulative[1], 5u);  // + 0.500001, 1 ms
  EXPECT_EQ(s.cumulative[2], 6u);  // + 1.999 ms
  EXPECT_EQ(s.cumulative[3], 8u);
  EXPECT_EQ(s.count, 8u);
  EXPECT_NEAR(s.sumSeconds, 0.0005 + 0.000500001 + 0.001 + 0.001999 + 0.002001 + 3.0, 1e-12);
}

TEST(LatencyHistogram, RendersPrometheusText) {
  LatencyHistogram h(kBounds);
  h.observe(microseconds(750));
  h.observe(microseconds(1500));
  h.observe(microseconds(1500));
  std::string out;
  h.render(out, "x_seconds", "op=\"A\"");
  EXPECT_EQ(out,
            "x_seconds_bucket{op=\"A\",le=\"0.0005\"} 0\n"
            "x_seconds_bucket{op=\"A\",le=\"0.001\"} 1\n"
            "x_seconds_bucket{op=\"A\",le=\"0.002\"} 3\n"
            "x_seconds_bucket{op=\"A\",le=\"+Inf\"} 3\n"
            "x_seconds_sum{op=\"A\"} 0.00375\n"
            "x_seconds_count{op=\"A\"} 3\n");
  std::string bare;
  LatencyHistogram(kBounds).render(bare, "y", "");
  EXPECT_EQ(bare,
            "y_bucket{le=\"0.0005\"} 0\ny_bucket{le=\"0.001\"} 0\ny_bucket{le=\"0.002\"} 0\n"
            "y_bucket{le=\"+Inf\"} 0\ny_sum 0\ny_count 0\n");
}

TEST(LatencyHistogram, CountsEveryObservationFromManyThreads) {
  LatencyHistogram h(kBounds);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 10000; ++i) h.observe(microseconds(t * 700));
    });
  }
  for (auto& t : threads) t.join();
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.cumulative[0], 10000u);  // 0
  EXPECT_EQ(s.cumulative[1], 20000u);  // 0.7 ms
  EXPECT_EQ(s.cumulative[2], 30000u);  // 1.4 ms
  EXPECT_NEAR(s.sumSeconds, 10000 * (0.0007 + 0.0014 + 0.0021), 1e-9);
}

}  // namespace
}  // namespace zk::common
