// ApiStack over real sockets: listens on a free loopback port, answers with
// Route53 XML, stops cleanly.

#include "api/http/api_stack.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/resource.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api/http/request_metrics.h"
#include "api/route53/memory_zone_store.h"

#include "api_test_util.h"

namespace zk::api {
namespace {

using testing::TempDir;

ApiStackOptions onAnyPort(const std::string& dataDir) {
  ApiStackOptions options;
  options.dataDir = dataDir;
  options.server.port = 0;  // any free port
  return options;
}

TEST(ApiStack, ServesOnAnyPortAndStops) {
  TempDir tmp;
  ASSERT_FALSE(tmp.path.empty());
  const std::string& dir = tmp.path;
  MemoryZoneStore store;
  ApiStackOptions options = onAnyPort(dir);
  auto stack = ApiStack::start(store, options);
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  ASSERT_GT((*stack)->port(), 0);
  EXPECT_FALSE((*stack)->tls());
  httplib::Client client("127.0.0.1", (*stack)->port());
  auto res = client.Get("/2013-04-01/hostedzone");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_NE(res->body.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos);
  EXPECT_EQ(res->get_header_value("x-amz-request-id").size(), 36u);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/xml");
  // No metrics given: nothing recorded, nothing breaks.
  (*stack)->stop();
  EXPECT_FALSE(client.Get("/2013-04-01/hostedzone"));
}

// An idle keep-alive client does not hold stop() for the keep-alive timeout
// (cpp-httplib 0.11 would wait that long before its threads return).
TEST(ApiStack, StopDoesNotWaitForIdleKeepAliveClients) {
  TempDir tmp;
  ASSERT_FALSE(tmp.path.empty());
  MemoryZoneStore store;
  ApiStackOptions options = onAnyPort(tmp.path);
  options.server.keepAliveSeconds = 60;
  auto stack = ApiStack::start(store, options);
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  httplib::Client client("127.0.0.1", (*stack)->port());
  client.set_keep_alive(true);
  auto res = client.Get("/2013-04-01/hostedzone");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  const auto before = std::chrono::steady_clock::now();
  (*stack)->stop();
  const auto took = std::chrono::steady_clock::now() - before;
  // Far below the 60 s keep-alive, far above any scheduling delay.
  EXPECT_LT(took, std::chrono::seconds(20));
}

TEST(ApiStack, CompressesOnlyLargeBodies) {
  TempDir tmp;
  ASSERT_FALSE(tmp.path.empty());
  const std::string& dir = tmp.path;
  MemoryZoneStore store;
  for (std::size_t minBytes : {std::size_t{4096}, std::size_t{100}}) {
    ApiStackOptions options = onAnyPort(dir);
    options.server.compressMinBytes = minBytes;
    auto stack = ApiStack::start(store, options);
    ASSERT_TRUE(stack.ok()) << stack.error().message;
    httplib::Client client("127.0.0.1", (*stack)->port());
    client.set_decompress(false);
    auto res = client.Get("/2013-04-01/hostedzone", {{"Accept-Encoding", "gzip, deflate"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/xml");
    EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(res->body.size()));
    if (minBytes == 4096) {
      // A few hundred bytes of error XML: sent as is, whatever the client accepts.
      EXPECT_FALSE(res->has_header("Content-Encoding"));
      EXPECT_NE(res->body.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos);
    } else {
      EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
      EXPECT_EQ(res->body.find("MissingAuthenticationToken"), std::string::npos);
    }
    (*stack)->stop();
  }
}

TEST(ApiStack, RecordsRequestDurationsByOperation) {
  TempDir tmp;
  ASSERT_FALSE(tmp.path.empty());
  const std::string& dir = tmp.path;
  MemoryZoneStore store;
  ApiRequestMetrics metrics;
  ApiStackOptions options = onAnyPort(dir);
  options.server.metrics = &metrics;
  auto stack = ApiStack::start(store, options);
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  httplib::Client client("127.0.0.1", (*stack)->port());
  const auto before = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    auto res = client.Get("/2013-04-01/hostedzone");  // ListHostedZones, refused (unsigned)
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403);
  }
  auto post = client.Post("/2013-04-01/hostedzone/Z1/rrset/", "<x/>", "text/xml");
  ASSERT_TRUE(post);
  auto other = client.Get("/elsewhere");
  ASSERT_TRUE(other);
  // The logger runs after the response is written: the client may see it
  // first, and the requests may have been served by different pool threads.
  auto logged = [&metrics] {
    return metrics.histogram(Operation::ListHostedZones).snapshot().count +
           metrics.histogram(Operation::ChangeResourceRecordSets).snapshot().count +
           metrics.histogram(std::nullopt).snapshot().count;
  };
  for (int i = 0; i < 400 && logged() < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - before).count();
  const auto list = metrics.histogram(Operation::ListHostedZones).snapshot();
  EXPECT_EQ(list.count, 3u);
  EXPECT_GT(list.sumSeconds, 0.0);
  EXPECT_LE(list.sumSeconds, elapsed);
  EXPECT_EQ(metrics.histogram(Operation::ChangeResourceRecordSets).snapshot().count, 1u);
  EXPECT_EQ(metrics.histogram(std::nullopt).snapshot().count, 1u);
  EXPECT_EQ(metrics.histogram(Operation::GetChange).snapshot().count, 0u);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("# TYPE zonekeeper_api_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("zonekeeper_api_request_duration_seconds_count{operation=\"ListHostedZones\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("zonekeeper_api_request_duration_seconds_bucket{operation=\"ListHostedZones\",le=\"+Inf\"} "
                "3\n"),
      std::string::npos);
  EXPECT_NE(text.find("zonekeeper_api_request_duration_seconds_count{operation=\"Other\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("zonekeeper_api_request_duration_seconds_bucket{operation=\"GetChange\",le=\"0.001\"} 0\n"),
      std::string::npos);
  (*stack)->stop();
}

TEST(ApiRequestMetrics, RendersEveryOperationWithFineBuckets) {
  ApiRequestMetrics m;
  m.observe(Operation::ChangeResourceRecordSets, std::chrono::microseconds(900));
  m.observe(Operation::ChangeResourceRecordSets, std::chrono::microseconds(1200));
  m.observe(std::nullopt, std::chrono::milliseconds(2000));
  const std::string text = m.render();
  const std::string p = "zonekeeper_api_request_duration_seconds";
  for (const char* line :
       {"_bucket{operation=\"ChangeResourceRecordSets\",le=\"0.00075\"} 0\n",
        "_bucket{operation=\"ChangeResourceRecordSets\",le=\"0.001\"} 1\n",
        "_bucket{operation=\"ChangeResourceRecordSets\",le=\"0.0015\"} 2\n",
        "_bucket{operation=\"ChangeResourceRecordSets\",le=\"1\"} 2\n",
        "_sum{operation=\"ChangeResourceRecordSets\"} 0.0021\n",
        "_count{operation=\"ChangeResourceRecordSets\"} 2\n", "_bucket{operation=\"Other\",le=\"1\"} 0\n",
        "_bucket{operation=\"Other\",le=\"+Inf\"} 1\n", "_count{operation=\"ListTagsForResources\"} 0\n",
        "_count{operation=\"CreateHostedZone\"} 0\n"}) {
    EXPECT_NE(text.find(p + line), std::string::npos) << line << "\n" << text;
  }
  // 14 bounds + Inf + sum + count for 13 operations and Other, plus HELP and TYPE.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 14 * 17 + 2);
}

// Threads of this process at nice value `nice` (/proc/self/task/*/stat field 19).
int threadsAtNice(int nice) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 2));
    std::string f;
    for (int i = 0; i < 17 && fields >> f; ++i) {
    }
    if (f == std::to_string(nice)) ++n;
  }
  return n;
}

TEST(ApiStack, RequestThreadsRunAtThreadNiceFromTheStart) {
  const int base = ::getpriority(PRIO_PROCESS, 0);
  const int target = base < 19 ? base + 1 : 18;  // 18 from 19 needs CAP_SYS_NICE
  ASSERT_EQ(threadsAtNice(target), 0);
  TempDir tmp;
  ASSERT_FALSE(tmp.path.empty());
  const std::string& dir = tmp.path;
  MemoryZoneStore store;
  ApiStackOptions options = onAnyPort(dir);
  options.server.threads = 3;
  options.server.threadNice = target;
  auto stack = ApiStack::start(store, options);
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  httplib::Client client("127.0.0.1", (*stack)->port());
  ASSERT_TRUE(client.Get("/2013-04-01/hostedzone"));  // the pool exists once the listener accepts
  const int at = threadsAtNice(target);
  (*stack)->stop();
  if (at == 0 && target < base) GTEST_SKIP() << "cannot lower the nice value here (no CAP_SYS_NICE)";
  // The listening thread and every pool thread, not only those that served a request.
  EXPECT_EQ(at, 4);
}

TEST(ApiStack, RefusesBadListenAndTlsConfig) {
  MemoryZoneStore store;
  ApiStackOptions options;
  options.dataDir = "/nonexistent-zk-dir";
  options.server.host = "192.0.2.1";  // not a local address
  options.server.port = 0;
  EXPECT_FALSE(ApiStack::start(store, options).ok());
  options.server.host = "127.0.0.1";
  options.server.tlsCertFile = "/nonexistent.pem";
  EXPECT_FALSE(ApiStack::start(store, options).ok());
  options.server.tlsKeyFile = "/nonexistent.key";
  EXPECT_FALSE(ApiStack::start(store, options).ok());
}

TEST(ListenAddress, Parse) {
  auto a = parseListenAddress("127.0.0.1:8053");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 8053);
  auto b = parseListenAddress("[::1]:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->first, "::1");
  EXPECT_EQ(b->second, 0);
  for (const char* bad :
       {"", "127.0.0.1", ":80", "host:", "host:65536", "host:-1", "[::1]80", "[::1", "h:8x"}) {
    EXPECT_FALSE(parseListenAddress(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace zk::api
