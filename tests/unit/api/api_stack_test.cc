// ApiStack over real sockets: listens on a free loopback port, answers with
// Route53 XML, stops cleanly.

#include "api/http/api_stack.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api/route53/memory_zone_store.h"

namespace zk::api {
namespace {

TEST(ApiStack, ServesOnAnyPortAndStops) {
  char tmpl[] = "/tmp/zk_stack_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  MemoryZoneStore store;
  ApiStackOptions options;
  options.dataDir = dir;
  options.server.port = 0;
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
  (*stack)->stop();
  EXPECT_FALSE(client.Get("/2013-04-01/hostedzone"));
  std::filesystem::remove_all(dir);
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
