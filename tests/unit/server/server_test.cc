// Transport tests on loopback with port 0: UDP batches, TCP framing and
// pipelining (RFC 7766), idle timeout, connection cap, garbage input.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "../query/golden_util.h"
#include "query/upstream_alias.h"
#include "server/server.h"
#include "zone/loader.h"

namespace zk::server {
namespace {

using query::testing::buildQuery;
using query::testing::QuerySpec;

constexpr std::string_view kZone =
    "$TTL 300\n@ SOA ns1 host 1 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto z = zone::loadZoneText(kZone, "test", *wire::Name::fromText("example.com."));
    ASSERT_TRUE(z.ok());
    table_.upsert(*z);
  }
  void startServer(ServerOptions opts) {
    if (opts.listen.empty()) opts.listen.push_back(*ListenAddress::parse("127.0.0.1:0"));
    server_ = std::make_unique<Server>(table_, opts);
    auto st = server_->start();
    ASSERT_TRUE(st.ok()) << st.error().message;
    addr_ = server_->boundAddresses()[0];
  }
  static std::vector<std::uint8_t> query(const std::string& name, std::uint16_t id = 0x4242) {
    QuerySpec s;
    s.name = name;
    s.id = id;
    return buildQuery(s);
  }
  int connectTcp() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr_.addr), addr_.length), 0);
    return fd;
  }
  static bool readFull(int fd, std::uint8_t* p, std::size_t n, int timeoutMs = 2000) {
    while (n > 0) {
      pollfd pf{fd, POLLIN, 0};
      if (::poll(&pf, 1, timeoutMs) != 1) return false;
      ssize_t r = ::recv(fd, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }
  // Reads one framed TCP message; empty on EOF/timeout.
  static std::vector<std::uint8_t> readMessage(int fd, int timeoutMs = 2000) {
    std::uint8_t len[2];
    if (!readFull(fd, len, 2, timeoutMs)) return {};
    std::vector<std::uint8_t> m((std::size_t{len[0]} << 8) | len[1]);
    if (!readFull(fd, m.data(), m.size(), timeoutMs)) return {};
    return m;
  }
  // A TCP-framed message (RFC 7766 section 8). A std::string: GCC 12 at -O3
  // reports false overflows and null dereferences for the vector forms.
  static std::string frame(const std::vector<std::uint8_t>& q) {
    std::string f;
    f.push_back(static_cast<char>(q.size() >> 8));
    f.push_back(static_cast<char>(q.size() & 0xFF));
    f.append(reinterpret_cast<const char*>(q.data()), q.size());
    return f;
  }
  static bool peerClosed(int fd, int timeoutMs) {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, timeoutMs) != 1) return false;
    std::uint8_t b;
    return ::recv(fd, &b, 1, 0) == 0;
  }

  zone::ZoneTable table_;
  std::unique_ptr<Server> server_;
  ListenAddress addr_;
};

TEST(ListenAddress, Parses) {
  EXPECT_EQ(ListenAddress::parse("127.0.0.1:53")->toText(), "127.0.0.1:53");
  EXPECT_EQ(ListenAddress::parse("[::1]:5353")->toText(), "[::1]:5353");
  EXPECT_FALSE(ListenAddress::parse("127.0.0.1").ok());
  EXPECT_FALSE(ListenAddress::parse("::1:53").ok());
  EXPECT_FALSE(ListenAddress::parse("127.0.0.1:65536").ok());
  EXPECT_FALSE(ListenAddress::parse("host:53").ok());
  EXPECT_FALSE(ListenAddress::parse("[::1]53").ok());
}

TEST_F(ServerTest, UdpAnswersManyQueries) {
  ServerOptions o;
  o.workers = 2;
  startServer(o);
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  for (std::uint16_t i = 0; i < 200; ++i) {
    auto q = query("www.example.com.", i);
    ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&addr_.addr), addr_.length);
  }
  int got = 0;
  std::uint8_t buf[1500];
  for (;;) {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 1000) != 1) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 12 && (buf[2] & 0x80) && (buf[3] & 0x0F) == 0) ++got;
    if (got == 200) break;
  }
  ::close(fd);
  EXPECT_EQ(got, 200);  // loopback does not drop at this rate
}

TEST_F(ServerTest, TcpPipelinedQueriesInOneWrite) {
  startServer({});
  int fd = connectTcp();
  std::string all;
  for (std::uint16_t i = 1; i <= 20; ++i) {
    auto f = frame(query(i % 2 ? "www.example.com." : "nothere.example.com.", i));
    all += f;
  }
  ASSERT_EQ(::send(fd, all.data(), all.size(), 0), static_cast<ssize_t>(all.size()));
  for (std::uint16_t i = 1; i <= 20; ++i) {
    auto m = readMessage(fd);
    ASSERT_GE(m.size(), 12U);
    EXPECT_EQ((m[0] << 8) | m[1], i);
    EXPECT_EQ(m[3] & 0x0F, i % 2 ? 0 : 3);  // NOERROR / NXDOMAIN
  }
  ::close(fd);
}

TEST_F(ServerTest, TcpHalfClosedClientStillGetsAllAnswers) {
  startServer({});
  int fd = connectTcp();
  std::string all;
  for (std::uint16_t i = 1; i <= 50; ++i) {
    auto f = frame(query("www.example.com.", i));
    all += f;
  }
  ASSERT_EQ(::send(fd, all.data(), all.size(), 0), static_cast<ssize_t>(all.size()));
  ::shutdown(fd, SHUT_WR);
  int got = 0;
  while (!readMessage(fd).empty()) ++got;
  EXPECT_EQ(got, 50);
  ::close(fd);
}

TEST_F(ServerTest, TcpMessageSplitAcrossWrites) {
  startServer({});
  int fd = connectTcp();
  auto f = frame(query("www.example.com."));
  for (char b : f) {
    ASSERT_EQ(::send(fd, &b, 1, 0), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto m = readMessage(fd);
  ASSERT_GE(m.size(), 12U);
  EXPECT_EQ(m[3] & 0x0F, 0);
  ::close(fd);
}

TEST_F(ServerTest, TcpIdleConnectionIsClosed) {
  ServerOptions o;
  o.tcpIdleTimeoutMs = 300;
  startServer(o);
  int fd = connectTcp();
  EXPECT_TRUE(peerClosed(fd, 3000));
  ::close(fd);
}

TEST_F(ServerTest, TcpConnectionCap) {
  ServerOptions o;
  o.tcpMaxConnections = 2;
  startServer(o);
  int a = connectTcp();
  int b = connectTcp();
  auto fa = frame(query("www.example.com."));
  ::send(a, fa.data(), fa.size(), 0);
  ::send(b, fa.data(), fa.size(), 0);
  EXPECT_FALSE(readMessage(a).empty());
  EXPECT_FALSE(readMessage(b).empty());
  int c = connectTcp();  // accepted by the kernel, closed by the server
  EXPECT_TRUE(peerClosed(c, 2000));
  ::close(a);
  ::close(b);
  ::close(c);
}

// The cap holds over all workers' listening sockets, whichever one the kernel
// hands each connection to.
TEST_F(ServerTest, TcpConnectionCapCountsEveryWorker) {
  ServerOptions o;
  o.workers = 4;
  o.tcpMaxConnections = 3;
  startServer(o);
  auto fq = frame(query("www.example.com."));
  std::vector<int> open;
  for (int i = 0; i < 3; ++i) {
    int fd = connectTcp();
    ::send(fd, fq.data(), fq.size(), 0);
    EXPECT_FALSE(readMessage(fd).empty()) << "connection " << i;
    open.push_back(fd);
  }
  int refused = 0;
  for (int i = 0; i < 8; ++i) {  // 8 more: whichever worker takes them, all are over the cap
    int fd = connectTcp();
    if (peerClosed(fd, 2000)) ++refused;
    ::close(fd);
  }
  EXPECT_EQ(refused, 8);
  ::close(open.back());  // one slot frees up
  open.pop_back();
  bool answered = false;
  for (int attempt = 0; attempt < 50 && !answered; ++attempt) {  // the close reaches the server soon
    int fd = connectTcp();
    ::send(fd, fq.data(), fq.size(), 0);
    answered = !readMessage(fd, 200).empty();
    ::close(fd);
  }
  EXPECT_TRUE(answered);
  for (int fd : open) ::close(fd);
}

// With several workers each has its own TCP listening socket; every connection
// is served, and the connections gauge adds them up.
TEST_F(ServerTest, TcpConnectionsSpreadOverWorkers) {
  ServerOptions o;
  o.workers = 4;
  startServer(o);
  std::vector<int> fds;
  for (std::uint16_t i = 0; i < 32; ++i) {
    int fd = connectTcp();
    auto f = frame(query("www.example.com.", i));
    ASSERT_EQ(::send(fd, f.data(), f.size(), 0), static_cast<ssize_t>(f.size()));
    fds.push_back(fd);
  }
  for (std::uint16_t i = 0; i < 32; ++i) {
    auto m = readMessage(fds[i]);
    ASSERT_GE(m.size(), 12U);
    EXPECT_EQ((m[0] << 8) | m[1], i);
  }
  EXPECT_EQ(server_->totals(query::Transport::Tcp).connections, 32U);
  EXPECT_EQ(server_->totals(query::Transport::Tcp).responses, 32U);
  for (int fd : fds) ::close(fd);
}

TEST_F(ServerTest, GarbageDoesNotStopAnswers) {
  startServer({});
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  std::vector<std::uint8_t> junk(300);
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<std::uint8_t>(i * 37 + 11);
  for (std::size_t len = 0; len < junk.size(); len += 3) {
    ::sendto(fd, junk.data(), len, 0, reinterpret_cast<const sockaddr*>(&addr_.addr), addr_.length);
  }
  // TCP: a bogus length prefix followed by a close.
  int t = connectTcp();
  std::uint8_t bogus[] = {0xFF, 0xFF, 1, 2, 3};
  ::send(t, bogus, sizeof bogus, 0);
  ::close(t);
  auto q = query("www.example.com.", 0x7777);
  ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&addr_.addr), addr_.length);
  bool answered = false;
  std::uint8_t buf[1500];
  for (int i = 0; i < 200 && !answered; ++i) {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 1000) != 1) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    answered = n > 12 && buf[0] == 0x77 && buf[1] == 0x77 && (buf[3] & 0x0F) == 0;
  }
  EXPECT_TRUE(answered);
  ::close(fd);
}

query::UpstreamOptions upstreamAt(const ListenAddress& a, std::chrono::milliseconds timeout) {
  query::UpstreamOptions uo;
  uo.upstream = a.addr;
  uo.upstreamLength = a.length;
  uo.timeout = timeout;
  return uo;
}

TEST_F(ServerTest, UpstreamAliasResolverLearnsAndCaches) {
  startServer({});  // our own server is the "upstream" for www.example.com
  query::UpstreamOptions uo = upstreamAt(addr_, std::chrono::milliseconds(500));
  query::UpstreamAliasResolver r(uo);
  auto www = wire::Name::fromText("www.example.com.")->lowercased();
  auto nx = wire::Name::fromText("nothere.example.com.")->lowercased();

  std::vector<std::uint8_t> addrs;
  std::uint32_t ttl = 0;
  bool negative = true;
  ASSERT_TRUE(r.resolve(www.bytes(), wire::RRType::A, addrs, ttl, negative));
  EXPECT_FALSE(negative);
  EXPECT_EQ(addrs, (std::vector<std::uint8_t>{192, 0, 2, 2}));
  EXPECT_EQ(ttl, 300U);
  ASSERT_TRUE(r.resolve(nx.bytes(), wire::RRType::A, addrs, ttl, negative));
  EXPECT_TRUE(negative);

  // Unknown on the query path: no answer now, learnt in the background.
  query::AliasAnswer ans;
  EXPECT_FALSE(r.lookup(www.bytes(), wire::RRType::A, ans));
  r.start();
  bool learnt = false;
  for (int i = 0; i < 100 && !learnt; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    learnt = r.lookup(www.bytes(), wire::RRType::A, ans);
  }
  ASSERT_TRUE(learnt);
  EXPECT_EQ(ans.addresses.size(), 4U);
  EXPECT_LE(ans.ttl, 300U);
  r.stop();

  // watch + prime resolves before serving.
  query::UpstreamAliasResolver primed(uo);
  primed.watch(www.bytes());
  primed.prime(std::chrono::milliseconds(2000));
  EXPECT_TRUE(primed.lookup(www.bytes(), wire::RRType::A, ans));
  EXPECT_TRUE(primed.lookup(www.bytes(), wire::RRType::AAAA, ans));  // negative entry: known, no addresses
  EXPECT_TRUE(ans.addresses.empty());
}

// A target that appears in a zone published later (an API change adding an
// alias) is resolved after targetsChanged(), before any query asks for it; a
// target no zone uses any more is forgotten.
TEST_F(ServerTest, UpstreamAliasResolverFollowsTargetSource) {
  startServer({});
  query::UpstreamOptions uo = upstreamAt(addr_, std::chrono::milliseconds(500));
  query::UpstreamAliasResolver r(uo);
  auto www = wire::Name::fromText("www.example.com.")->lowercased();
  auto ns1 = wire::Name::fromText("ns1.example.com.")->lowercased();
  auto asString = [](const wire::Name& n) {
    return std::string(reinterpret_cast<const char*>(n.bytes().data()), n.bytes().size());
  };
  std::mutex m;
  std::vector<std::string> targets;
  int scans = 0;
  r.setTargetSource([&] {
    std::lock_guard lock(m);
    ++scans;
    return targets;
  });
  r.start();
  query::AliasAnswer ans;
  // One lookup after a pause: a miss would only queue the target (learning on
  // the query path), so a hit shows the source made it known beforehand.
  auto known = [&](const wire::Name& n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    return r.lookup(n.bytes(), wire::RRType::A, ans);
  };
  {
    std::lock_guard lock(m);
    targets = {asString(www)};
  }
  r.targetsChanged();
  ASSERT_TRUE(known(www));  // never looked up before: resolved because a zone uses it
  EXPECT_EQ(std::vector<std::uint8_t>(ans.addresses.begin(), ans.addresses.end()),
            (std::vector<std::uint8_t>{192, 0, 2, 2}));
  {
    std::lock_guard lock(m);
    targets = {asString(ns1)};
  }
  r.targetsChanged();
  ASSERT_TRUE(known(ns1));
  bool forgotten = false;
  for (int i = 0; i < 100 && !forgotten; ++i) {
    forgotten = !r.lookup(www.bytes(), wire::RRType::A, ans);
    if (!forgotten) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(forgotten);
  // Many notifications in a burst cost few rescans (one per kRescanInterval).
  int before = 0;
  {
    std::lock_guard lock(m);
    before = scans;
  }
  for (int i = 0; i < 1000; ++i) r.targetsChanged();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  {
    std::lock_guard lock(m);
    EXPECT_GE(scans - before, 1);
    EXPECT_LE(scans - before, 10);
  }
  r.stop();
}

TEST_F(ServerTest, UpstreamAliasResolverWithoutUpstreamFails) {
  // The discard port: nobody answers.
  query::UpstreamOptions uo =
      upstreamAt(*ListenAddress::parse("127.0.0.1:9"), std::chrono::milliseconds(200));
  query::UpstreamAliasResolver r(uo);
  std::vector<std::uint8_t> addrs;
  std::uint32_t ttl = 0;
  bool negative = false;
  auto www = wire::Name::fromText("www.example.com.")->lowercased();
  EXPECT_FALSE(r.resolve(www.bytes(), wire::RRType::A, addrs, ttl, negative));
}

TEST_F(ServerTest, StopIsPromptAndIdempotent) {
  startServer({});
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

}  // namespace
}  // namespace zk::server

namespace zk::server {
namespace {

// A second server on an address already served must not start (SO_REUSEPORT
// would otherwise share the port silently); port 0 still works.
TEST_F(ServerTest, RefusesAddressAlreadyServed) {
  startServer({});
  ServerOptions second;
  second.listen.push_back(addr_);
  Server other(table_, second);
  auto st = other.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find(addr_.toText() + " is already in use"), std::string::npos)
      << st.error().message;
  int fd = connectTcp();  // the first server still answers
  std::string f = frame(query("www.example.com."));
  ASSERT_EQ(::send(fd, f.data(), f.size(), 0), static_cast<ssize_t>(f.size()));
  EXPECT_FALSE(readMessage(fd).empty());
  ::close(fd);
}

// Our UDP port must not be joinable through SO_REUSEADDR: dig's random
// source socket sets it, and when it drew our port, its query to us came
// straight back to it (seen once in CI as a "response" without QR).
TEST_F(ServerTest, UdpPortIsNotSharedWithSoReuseaddrSockets) {
  startServer({});
  for (std::uint32_t host : {INADDR_LOOPBACK, INADDR_ANY}) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(host);
    sa.sin_port = htons(addr_.port());
    int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    int e = errno;
    ::close(fd);
    EXPECT_NE(rc, 0) << "host " << host;
    EXPECT_EQ(e, EADDRINUSE) << "host " << host;
  }
}

// Port 0 picks a port below the ephemeral range: no client's autobound source
// socket (dig's sets SO_REUSEPORT and could join our group) can have it.
TEST_F(ServerTest, PortZeroIsBelowTheEphemeralRange) {
  unsigned low = 32768;
  unsigned high = 60999;
  if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    ASSERT_EQ(std::fscanf(f, "%u %u", &low, &high), 2);
    std::fclose(f);
  }
  if (low <= 11000) GTEST_SKIP() << "the ephemeral range leaves no room below it";
  for (int i = 0; i < 5; ++i) {
    ServerOptions opts;
    opts.listen.push_back(*ListenAddress::parse("127.0.0.1:0"));
    opts.workers = 2;
    Server s(table_, opts);
    ASSERT_TRUE(s.start().ok());
    EXPECT_GE(s.boundAddresses()[0].port(), 10000U);
    EXPECT_LT(s.boundAddresses()[0].port(), low);
    s.stop();
  }
}

TEST_F(ServerTest, RefusesPortHeldByPlainUdpSocket) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa), 0);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ServerOptions opts;
  opts.listen.push_back(*ListenAddress::parse("127.0.0.1:" + std::to_string(ntohs(sa.sin_port))));
  Server s(table_, opts);
  auto st = s.start();
  ::close(fd);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("already in use (udp"), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace zk::server
