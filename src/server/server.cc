#include "server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <unordered_map>

#include <fmt/format.h>

namespace zk::server {
namespace {

constexpr std::size_t kUdpInSize = 4096;
constexpr std::size_t kUdpOutSize = 4096;
constexpr std::size_t kTcpMaxMessage = 65535;
constexpr std::size_t kTcpMaxPendingOut =
    std::size_t{256} * 1024;  // stop reading a client that does not read
constexpr int kPollMs = 200;  // how often loops look at the stop flag

std::string errnoText(int e) { return std::strerror(e); }

}  // namespace

Result<ListenAddress> ListenAddress::parse(std::string_view text) {
  ListenAddress a;
  std::string host;
  std::string_view portText;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error(fmt::format("bad listen address '{}': expected [IPV6]:PORT", text));
    }
    host = std::string(text.substr(1, close - 1));
    portText = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return Error(fmt::format("bad listen address '{}': expected ADDR:PORT or [IPV6]:PORT", text));
    }
    host = std::string(text.substr(0, colon));
    portText = text.substr(colon + 1);
  }
  unsigned port = 0;
  if (portText.empty() || portText.size() > 5) return Error(fmt::format("bad port in '{}'", text));
  for (char c : portText) {
    if (c < '0' || c > '9') return Error(fmt::format("bad port in '{}'", text));
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return Error(fmt::format("port out of range in '{}'", text));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    a.length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    a.length = sizeof(sockaddr_in6);
  } else {
    return Error(fmt::format("bad IP address '{}' in '{}'", host, text));
  }
  return a;
}

std::string ListenAddress::toText() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof buf);
    return fmt::format("{}:{}", buf, port());
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
  inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof buf);
  return fmt::format("[{}]:{}", buf, port());
}

std::uint16_t ListenAddress::port() const {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
}

void ListenAddress::setPort(std::uint16_t p) {
  if (addr.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(p);
  } else {
    reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(p);
  }
}

Server::Server(const zone::ZoneTable& zones, ServerOptions options, query::AliasResolver* aliasResolver)
    : zones_(zones), options_(std::move(options)), aliasResolver_(aliasResolver) {}

Server::~Server() { stop(); }

namespace {

Result<int> openSocket(ListenAddress& a, int type) {
  int fd = ::socket(a.addr.ss_family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(fmt::format("socket: {}", errnoText(errno)));
  int one = 1;
  // TCP: SO_REUSEADDR tolerates TIME_WAIT left by an earlier run. Never on UDP:
  // there it would let any other SO_REUSEADDR socket (dig's random source port
  // included) bind our port too, and a query sent from that very port would be
  // delivered back to its sender. The workers share the port with SO_REUSEPORT.
  if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int e = errno;
    ::close(fd);
    return Error(fmt::format("SO_REUSEPORT: {}", errnoText(e)));
  }
  if (a.addr.ss_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.length) != 0) {
    int e = errno;
    ::close(fd);
    return Error(
        fmt::format("bind {} ({}): {}", a.toText(), type == SOCK_DGRAM ? "udp" : "tcp", errnoText(e)));
  }
  if (a.port() == 0) {
    sockaddr_storage got{};
    socklen_t len = sizeof got;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&got), &len);
    a.setPort(got.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&got)->sin_port)
                                       : ntohs(reinterpret_cast<sockaddr_in6*>(&got)->sin6_port));
  }
  return fd;
}

// SO_REUSEPORT would let this process share a port another one already
// serves (the kernel then splits the queries between them). A plain bind,
// without SO_REUSEPORT (and, for UDP, without SO_REUSEADDR), fails with
// EADDRINUSE when anything holds the address.
Status probeFree(const ListenAddress& a) {
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    int fd = ::socket(a.addr.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return Error(fmt::format("socket: {}", errnoText(errno)));
    int one = 1;
    // TCP: tolerate TIME_WAIT left by an earlier run; a listener still conflicts.
    if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a.addr.ss_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.length);
    int e = errno;
    ::close(fd);
    if (rc != 0 && e == EADDRINUSE) {
      return Error(fmt::format("{} is already in use ({}; another zonekeeper or DNS server?)", a.toText(),
                               type == SOCK_DGRAM ? "udp" : "tcp"));
    }
    if (rc != 0) {
      return Error(
          fmt::format("bind {} ({}): {}", a.toText(), type == SOCK_DGRAM ? "udp" : "tcp", errnoText(e)));
    }
  }
  return {};
}

}  // namespace

namespace {

// A port for "port 0": a free one below the kernel's ephemeral range, so that
// no client socket can ever get it as its own source port. dig's sockets set
// SO_REUSEPORT, and one autobound to our port (same user) would join our
// group and receive its own query. Falls back to the kernel's choice (0)
// when the ephemeral range leaves no room below it.
std::uint16_t pickServicePort(std::mt19937& rng) {
  unsigned low = 32768;
  if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    unsigned hi = 0;
    if (std::fscanf(f, "%u %u", &low, &hi) != 2) low = 32768;
    std::fclose(f);
  }
  constexpr unsigned kFloor = 10000;
  if (low <= kFloor + 1000) return 0;
  return static_cast<std::uint16_t>(std::uniform_int_distribution<unsigned>(kFloor, low - 1)(rng));
}

}  // namespace

Status Server::start() {
  if (options_.listen.empty()) return Error("no listen address");
  if (options_.workers == 0) options_.workers = 1;
  std::vector<int> udpFds;
  std::vector<int> tcpFds;
  auto fail = [&](const Error& e) -> Status {
    for (int fd : udpFds) ::close(fd);
    for (int fd : tcpFds) ::close(fd);
    return e;
  };
  for (const ListenAddress& a : options_.listen) {
    if (a.port() == 0) continue;  // the kernel picks a free port
    if (auto st = probeFree(a); !st) return st;
  }
  std::mt19937 rng(std::random_device{}());
  for (ListenAddress& a : options_.listen) {
    bool wantedAny = a.port() == 0;
    // With port 0: a free port outside the ephemeral range (or, failing that,
    // the kernel's pick); retry if UDP or TCP cannot have it.
    for (int attempt = 0;; ++attempt) {
      if (wantedAny) {
        a.setPort(attempt < 32 ? pickServicePort(rng) : 0);
        if (a.port() != 0 && !probeFree(a)) continue;
      }
      std::size_t udpMark = udpFds.size();
      auto first = openSocket(a, SOCK_DGRAM);
      if (!first) {
        if (wantedAny && attempt < 40) continue;
        return fail(first.error());
      }
      udpFds.push_back(*first);
      auto tcp = openSocket(a, SOCK_STREAM);
      if (!tcp) {
        for (std::size_t i = udpMark; i < udpFds.size(); ++i) ::close(udpFds[i]);
        udpFds.resize(udpMark);
        if (wantedAny && attempt < 40) continue;
        return fail(tcp.error());
      }
      tcpFds.push_back(*tcp);
      // One UDP and one TCP socket per worker on the same address: the kernel
      // spreads datagrams and new connections over them (SO_REUSEPORT).
      for (unsigned w = 1; w < options_.workers; ++w) {
        auto fd = openSocket(a, SOCK_DGRAM);
        if (!fd) return fail(fd.error());
        udpFds.push_back(*fd);
        auto tfd = openSocket(a, SOCK_STREAM);
        if (!tfd) return fail(tfd.error());
        tcpFds.push_back(*tfd);
      }
      break;
    }
  }
  for (int fd : tcpFds) {
    if (::listen(fd, 1024) != 0) return fail(Error(fmt::format("listen: {}", errnoText(errno))));
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  timeval tv{0, static_cast<suseconds_t>(kPollMs) * 1000};
  const int bufBytes = 4 << 20;  // absorb bursts instead of dropping (capped by net.core.*mem_max)
  for (int fd : udpFds) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufBytes, sizeof bufBytes);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufBytes, sizeof bufBytes);
  }
  stopping_ = false;
  tcpOpen_ = 0;
  fds_ = udpFds;
  fds_.insert(fds_.end(), tcpFds.begin(), tcpFds.end());
  counters_.clear();
  for (std::size_t i = 0; i < udpFds.size() + tcpFds.size(); ++i) {
    counters_.push_back(std::make_unique<ThreadCounters>());
    counters_.back()->transport = i < udpFds.size() ? query::Transport::Udp : query::Transport::Tcp;
  }
  std::size_t k = 0;
  for (int fd : udpFds) {
    ThreadCounters* c = counters_[k++].get();
    threads_.emplace_back([this, fd, c] { udpLoop(fd, *c); });
  }
  for (int fd : tcpFds) {
    ThreadCounters* c = counters_[k++].get();
    threads_.emplace_back([this, fd, c] { tcpLoop(fd, *c); });
  }
  return {};
}

void Server::stop() {
  stopping_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  closeAll();
}

CounterTotals Server::totals(query::Transport transport) const {
  CounterTotals t;
  for (const auto& c : counters_) {
    if (c->transport != transport) continue;
    t.queries += c->queries.load(std::memory_order_relaxed);
    t.responses += c->responses.load(std::memory_order_relaxed);
    t.dropped += c->dropped.load(std::memory_order_relaxed);
    t.truncated += c->truncated.load(std::memory_order_relaxed);
    t.connections += c->connections.load(std::memory_order_relaxed);
    t.cacheHits += c->cacheHits.load(std::memory_order_relaxed);
    for (int i = 0; i < 16; ++i) t.rcodes[i] += c->rcodes[i].load(std::memory_order_relaxed);
  }
  return t;
}

void Server::closeAll() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
}

void Server::udpLoop(int fd, ThreadCounters& counters) {
  query::QueryProcessor qp(zones_, aliasResolver_, options_.processor);
  const unsigned batch = options_.udpBatch == 0 ? 1 : options_.udpBatch;
  std::vector<std::uint8_t> inBuf(batch * kUdpInSize);
  std::vector<std::uint8_t> outBuf(batch * kUdpOutSize);
  std::vector<sockaddr_storage> peers(batch);
  std::vector<iovec> inIov(batch);
  std::vector<iovec> outIov(batch);
  std::vector<mmsghdr> inMsgs(batch);
  std::vector<mmsghdr> outMsgs(batch);
  for (unsigned i = 0; i < batch; ++i) {
    inIov[i] = {inBuf.data() + i * kUdpInSize, kUdpInSize};
    inMsgs[i].msg_hdr = {};
    inMsgs[i].msg_hdr.msg_name = &peers[i];
    inMsgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    inMsgs[i].msg_hdr.msg_iov = &inIov[i];
    inMsgs[i].msg_hdr.msg_iovlen = 1;
    outMsgs[i].msg_hdr = {};
    outMsgs[i].msg_hdr.msg_iov = &outIov[i];
    outMsgs[i].msg_hdr.msg_iovlen = 1;
  }
  while (!stopping_.load(std::memory_order_relaxed)) {
    int n = ::recvmmsg(fd, inMsgs.data(), batch, MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;  // timeout (EAGAIN) or EINTR: look at the stop flag
    // Load the batch's packet-cache slots first, so their cache misses overlap.
    for (int i = 0; i < n; ++i) {
      auto k = static_cast<unsigned>(i);
      qp.prefetch({inBuf.data() + k * kUdpInSize, inMsgs[k].msg_len});
    }
    unsigned out = 0;
    for (int i = 0; i < n; ++i) {
      auto k = static_cast<unsigned>(i);
      std::span<const std::uint8_t> q(inBuf.data() + k * kUdpInSize, inMsgs[k].msg_len);
      std::span<std::uint8_t> o(outBuf.data() + out * kUdpOutSize, kUdpOutSize);
      std::size_t len = qp.process(q, o, query::Transport::Udp);
      if (len == 0) {
        ThreadCounters::add(counters.dropped);
        continue;
      }
      if (qp.lastFromCache()) ThreadCounters::add(counters.cacheHits);
      if (o[2] & 0x02) ThreadCounters::add(counters.truncated);
      ThreadCounters::add(counters.rcodes[o[3] & 0x0F]);
      outIov[out] = {o.data(), len};
      outMsgs[out].msg_hdr.msg_name = &peers[k];
      outMsgs[out].msg_hdr.msg_namelen = inMsgs[k].msg_hdr.msg_namelen;
      ++out;
    }
    // Only the headers the kernel filled need resetting for the next batch.
    for (int i = 0; i < n; ++i)
      inMsgs[static_cast<unsigned>(i)].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    ThreadCounters::add(counters.queries, static_cast<std::uint64_t>(n));
    unsigned sent = 0;
    while (sent < out) {
      int s = ::sendmmsg(fd, outMsgs.data() + sent, out - sent, 0);
      if (s < 0) {
        if (errno == EINTR) continue;
        ++sent;  // skip the message that failed (e.g. unreachable peer), keep the rest
        continue;
      }
      sent += static_cast<unsigned>(s);
    }
    ThreadCounters::add(counters.responses, out);
  }
}

namespace {

struct Connection {
  int fd = -1;
  std::vector<std::uint8_t> in;
  std::vector<std::uint8_t> out;
  std::size_t outOffset = 0;
  std::chrono::steady_clock::time_point lastActive;
  bool wantWrite = false;
  bool readClosed = false;  // peer shut down its side: finish sending, then close
};

}  // namespace

void Server::tcpLoop(int listenFd, ThreadCounters& counters) {
  query::ProcessorOptions tcpOptions = options_.processor;
  tcpOptions.packetCacheSlots = 0;  // the packet cache replays UDP answers only
  query::QueryProcessor qp(zones_, aliasResolver_, tcpOptions);
  std::vector<std::uint8_t> answer(kTcpMaxMessage);
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listenFd;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, listenFd, &ev);
  std::unordered_map<int, Connection> conns;
  const auto idle = std::chrono::milliseconds(options_.tcpIdleTimeoutMs);
  auto closeConn = [&](int fd) {
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns.erase(fd);
    tcpOpen_.fetch_sub(1, std::memory_order_relaxed);
    counters.connections.store(conns.size(), std::memory_order_relaxed);
  };
  auto updateInterest = [&](Connection& c) {
    bool want = c.outOffset < c.out.size();
    epoll_event e{};
    // Backpressure: stop reading while much output is queued.
    e.events = (!c.readClosed && c.out.size() - c.outOffset < kTcpMaxPendingOut ? EPOLLIN : 0U) |
               (want ? EPOLLOUT : 0U);
    e.data.fd = c.fd;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &e);
    c.wantWrite = want;
  };
  auto flush = [&](Connection& c) -> bool {
    while (c.outOffset < c.out.size()) {
      ssize_t w = ::send(c.fd, c.out.data() + c.outOffset, c.out.size() - c.outOffset, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return false;
      }
      c.outOffset += static_cast<std::size_t>(w);
    }
    if (c.outOffset == c.out.size()) {
      c.out.clear();
      c.outOffset = 0;
    }
    return true;
  };
  // RFC 7766 section 8: each message is preceded by a 2-octet length; several
  // queries may be in flight on one connection (pipelining).
  auto processInput = [&](Connection& c) {
    std::size_t pos = 0;
    while (c.in.size() - pos >= 2) {
      std::size_t len = (std::size_t{c.in[pos]} << 8) | c.in[pos + 1];
      if (c.in.size() - pos - 2 < len) break;
      ThreadCounters::add(counters.queries);
      std::size_t n = qp.process({c.in.data() + pos + 2, len}, answer, query::Transport::Tcp);
      pos += 2 + len;
      if (n == 0) {
        ThreadCounters::add(counters.dropped);
        continue;
      }
      c.out.push_back(static_cast<std::uint8_t>(n >> 8));
      c.out.push_back(static_cast<std::uint8_t>(n));
      c.out.insert(c.out.end(), answer.begin(), answer.begin() + static_cast<std::ptrdiff_t>(n));
      ThreadCounters::add(counters.responses);
      ThreadCounters::add(counters.rcodes[answer[3] & 0x0F]);
      if (c.out.size() - c.outOffset >= kTcpMaxPendingOut) break;
    }
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(pos));
  };

  epoll_event events[64];
  auto lastSweep = std::chrono::steady_clock::now();
  while (!stopping_.load(std::memory_order_relaxed)) {
    int n = ::epoll_wait(ep, events, 64, kPollMs);
    auto now = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listenFd) {
        for (;;) {
          int cfd = ::accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (cfd < 0) break;
          // The cap counts every worker's connections: over it, refuse rather
          // than starve the open ones.
          if (tcpOpen_.fetch_add(1, std::memory_order_relaxed) >= options_.tcpMaxConnections) {
            tcpOpen_.fetch_sub(1, std::memory_order_relaxed);
            ::close(cfd);
            continue;
          }
          int one = 1;
          ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          Connection& c = conns[cfd];
          counters.connections.store(conns.size(), std::memory_order_relaxed);
          c.fd = cfd;
          c.lastActive = now;
          epoll_event ce{};
          ce.events = EPOLLIN;
          ce.data.fd = cfd;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ce);
        }
        continue;
      }
      auto it = conns.find(fd);
      if (it == conns.end()) continue;
      Connection& c = it->second;
      c.lastActive = now;
      bool alive = true;
      if (!c.readClosed && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        std::uint8_t buf[16384];
        for (;;) {
          ssize_t r = ::recv(fd, buf, sizeof buf, 0);
          if (r > 0) {
            c.in.insert(c.in.end(), buf, buf + r);
            if (c.in.size() > 4 * (kTcpMaxMessage + 2)) break;
            continue;
          }
          if (r == 0) {
            alive = false;  // peer closed; answers already queued are still sent below
          } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            alive = false;
          }
          break;
        }
        processInput(c);
      }
      if (!alive) c.readClosed = true;
      bool ok = flush(c);
      if (!ok || (c.readClosed && c.out.empty())) {
        closeConn(fd);
        continue;
      }
      updateInterest(c);
    }
    if (now - lastSweep > std::chrono::milliseconds(kPollMs)) {
      lastSweep = now;
      std::vector<int> expired;
      for (auto& [fd, c] : conns) {
        if (now - c.lastActive > idle) expired.push_back(fd);
      }
      for (int fd : expired) closeConn(fd);  // RFC 7766 section 6.2.3 idle timeout
    }
  }
  for (auto& [fd, c] : conns) ::close(fd);
  tcpOpen_.fetch_sub(static_cast<unsigned>(conns.size()), std::memory_order_relaxed);
  ::close(ep);
}

}  // namespace zk::server
