// api_replay: the 1-change round trip of an HTTP change API measured by a lean client,
// the same for any server. bench/api_bench.py (zonekeeper: SigV4-signed
// ChangeResourceRecordSets) and `api_bench.py pdns-plan` (PowerDNS: PATCH with X-API-Key)
// write a plan of ready-made requests; this program sends them one at a time on one
// keep-alive connection and, after each response, asks the DNS server over UDP until the
// answer carries the new address, as api_bench.py's latency loop does, but without a
// Python interpreter between the wire and the clock (on a 2-core machine shared with
// dnsperf, the Python client's own CPU and wake-ups were most of the measured round trip).
//
// Plan file: a first line "zkreplay 1", then per change a line "NAME IPV4 NBYTES" and
// NBYTES of the raw HTTP/1.1 request (with Host, Content-Length and keep-alive).
//
// Usage: api_replay --api 127.0.0.1:PORT --dns 127.0.0.1:PORT --plan FILE [--label L]
//                   [--poll-timeout SECONDS]
// Output: one line "RESULT {json}" (kind replay_change_latency) and a human line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Change {
  std::string name;
  std::uint32_t address = 0;  // network order
  std::string address_text;
  std::string request;
};

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

std::vector<Change> readPlan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open plan " + path);
  std::string line;
  if (!std::getline(in, line) || line != "zkreplay 1") fail(path + ": not a plan (first line)");
  std::vector<Change> out;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Change c;
    std::size_t n = 0;
    if (!(fields >> c.name >> c.address_text >> n) || n == 0 || n > (1U << 20))
      fail(path + ": bad item line: " + line);
    in_addr a{};
    if (inet_pton(AF_INET, c.address_text.c_str(), &a) != 1) fail(path + ": bad address " + c.address_text);
    c.address = a.s_addr;
    c.request.resize(n);
    if (!in.read(c.request.data(), static_cast<std::streamsize>(n))) fail(path + ": truncated request");
    out.push_back(std::move(c));
  }
  if (out.empty()) fail(path + ": no changes");
  return out;
}

sockaddr_in parseAddr(std::string_view hostport) {
  const auto colon = hostport.rfind(':');
  if (colon == std::string_view::npos) fail("expected ADDR:PORT, got " + std::string(hostport));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  const std::string host(hostport.substr(0, colon));
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) fail("bad IPv4 address " + host);
  sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(std::string(hostport.substr(colon + 1)))));
  return sa;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {
    if (fd_ < 0) fail(std::string("socket: ") + std::strerror(errno));
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { ::close(fd_); }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

void connectTo(const Fd& fd, const sockaddr_in& sa) {
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    fail(std::string("connect: ") + std::strerror(errno));
  }
}

// One HTTP/1.1 connection, kept alive while the server keeps it: write a request, read
// one whole response. A server that answers "Connection: close" (PowerDNS's web server
// does, every time) gets a new connection before the next request, made by connect()
// before that request's clock starts, so neither side pays the handshake in the figure.
class Http {
 public:
  explicit Http(const sockaddr_in& sa) : sa_(sa) { connect(); }

  void connect() {
    if (fd_) return;
    fd_ = std::make_unique<Fd>(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    connectTo(*fd_, sa_);
    const int one = 1;
    ::setsockopt(fd_->get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    buf_.clear();
    ++connections_;
  }

  [[nodiscard]] unsigned connections() const { return connections_; }

  // Returns the status code; the body is read and dropped (kept for an error message).
  int roundTrip(std::string_view request, std::string& body) {
    if (!fd_) fail("not connected");
    for (std::size_t off = 0; off < request.size();) {
      const auto n = ::send(fd_->get(), request.data() + off, request.size() - off, MSG_NOSIGNAL);
      if (n <= 0) fail(std::string("send: ") + std::strerror(errno));
      off += static_cast<std::size_t>(n);
    }
    std::size_t head_end = 0;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) fill();
    const std::string head = buf_.substr(0, head_end + 2);
    buf_.erase(0, head_end + 4);
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0)
      fail("not an HTTP response: " + head.substr(0, 80));
    const int status = std::stoi(head.substr(9, 3));
    body.clear();
    if (const auto cl = header(head, "content-length")) {
      const auto n = static_cast<std::size_t>(std::stoul(*cl));
      while (buf_.size() < n) fill();
      body = buf_.substr(0, n);
      buf_.erase(0, n);
    } else if (const auto te = header(head, "transfer-encoding");
               te && te->find("chunked") != std::string::npos) {
      readChunked(body);
    }  // else no body (204, 304)
    if (const auto conn = header(head, "connection"); conn && conn->find("close") != std::string::npos) {
      fd_.reset();
    }
    return status;
  }

 private:
  static std::optional<std::string> header(const std::string& head, std::string_view name) {
    std::string lower(head);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    const auto at = lower.find("\r\n" + std::string(name) + ":");
    if (at == std::string::npos) return std::nullopt;
    auto v = at + 2 + name.size() + 1;
    const auto end = head.find("\r\n", v);
    while (v < end && head[v] == ' ') ++v;
    return head.substr(v, end - v);
  }

  void readChunked(std::string& body) {
    for (;;) {
      std::size_t eol = 0;
      while ((eol = buf_.find("\r\n")) == std::string::npos) fill();
      const auto size = static_cast<std::size_t>(std::stoul(buf_.substr(0, eol), nullptr, 16));
      buf_.erase(0, eol + 2);
      while (buf_.size() < size + 2) fill();
      body.append(buf_, 0, size);
      buf_.erase(0, size + 2);
      if (size == 0) return;  // no trailers expected
    }
  }

  void fill() {
    std::array<char, 16384> chunk{};
    const auto n = ::recv(fd_->get(), chunk.data(), chunk.size(), 0);
    if (n == 0) fail("the server closed the connection");
    if (n < 0) fail(std::string("recv: ") + std::strerror(errno));
    buf_.append(chunk.data(), static_cast<std::size_t>(n));
  }

  sockaddr_in sa_;
  std::unique_ptr<Fd> fd_;
  std::string buf_;
  unsigned connections_ = 0;
};

// RFC 1035 4.1: an A question over a connected UDP socket; the answer section's A
// addresses (network order), or nullopt on a timeout / a malformed answer.
class Dns {
 public:
  explicit Dns(const sockaddr_in& sa) : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    connectTo(fd_, sa);
    timeval tv{.tv_sec = 1, .tv_usec = 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  std::optional<std::vector<std::uint32_t>> queryA(std::string_view name) {
    const std::uint16_t id = ++id_;
    std::vector<std::uint8_t> q = {
        static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    std::size_t start = 0;
    while (start < name.size()) {
      auto dot = name.find('.', start);
      if (dot == std::string_view::npos) dot = name.size();
      q.push_back(static_cast<std::uint8_t>(dot - start));
      q.insert(q.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
               name.begin() + static_cast<std::ptrdiff_t>(dot));
      start = dot + 1;
    }
    q.insert(q.end(), {0, 0, 1, 0, 1});
    if (::send(fd_.get(), q.data(), q.size(), 0) < 0) fail(std::string("udp send: ") + std::strerror(errno));
    std::array<std::uint8_t, 4096> r{};
    for (int stray = 0; stray < 16; ++stray) {
      const auto n = ::recv(fd_.get(), r.data(), r.size(), 0);
      if (n < 0) return std::nullopt;
      const std::span<const std::uint8_t> msg(r.data(), static_cast<std::size_t>(n));
      if (msg.size() < 12 || ((msg[0] << 8) | msg[1]) != id) continue;
      return answers(msg);
    }
    return std::nullopt;
  }

 private:
  static std::optional<std::size_t> skipName(std::span<const std::uint8_t> m, std::size_t off) {
    for (int labels = 0; labels < 128 && off < m.size(); ++labels) {
      const auto len = m[off];
      if ((len & 0xC0) == 0xC0) return off + 2;
      if (len == 0) return off + 1;
      off += 1 + len;
    }
    return std::nullopt;
  }

  static std::optional<std::vector<std::uint32_t>> answers(std::span<const std::uint8_t> m) {
    const auto count = [&](std::size_t at) { return static_cast<unsigned>((m[at] << 8) | m[at + 1]); };
    std::size_t off = 12;
    for (unsigned i = 0; i < count(4); ++i) {
      const auto next = skipName(m, off);
      if (!next) return std::nullopt;
      off = *next + 4;
    }
    std::vector<std::uint32_t> out;
    for (unsigned i = 0; i < count(6); ++i) {
      const auto next = skipName(m, off);
      if (!next || *next + 10 > m.size()) return std::nullopt;
      off = *next;
      const unsigned type = count(off);
      const std::size_t rdlen = count(off + 8);
      off += 10;
      if (off + rdlen > m.size()) return std::nullopt;
      if (type == 1 && rdlen == 4) {
        std::uint32_t a = 0;
        std::memcpy(&a, m.data() + off, 4);
        out.push_back(a);
      }
      off += rdlen;
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Fd fd_;
  std::uint16_t id_ = 0x5a00;
};

// Nearest-rank percentile, as api_bench.py and pdns_api_bench.py compute it.
double pct(std::vector<double> v, double p) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const auto rank = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))));
  return v[rank - 1];
}

std::string summary(const std::vector<double>& ms) {
  const double mean =
      ms.empty() ? 0 : std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  return fmt::format(
      R"({{"n": {}, "p50_ms": {:.3f}, "p99_ms": {:.3f}, "min_ms": {:.3f}, "max_ms": {:.3f}, "mean_ms": {:.3f}}})",
      ms.size(), pct(ms, 50), pct(ms, 99), ms.empty() ? 0 : *std::min_element(ms.begin(), ms.end()),
      ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()), mean);
}

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int run(int argc, char** argv) {
  std::string api;
  std::string dns;
  std::string plan;
  std::string label = "replay";
  double poll_timeout = 30.0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) fail("missing value after " + std::string(arg));
    const std::string value = argv[++i];
    if (arg == "--api") {
      api = value;
    } else if (arg == "--dns") {
      dns = value;
    } else if (arg == "--plan") {
      plan = value;
    } else if (arg == "--label") {
      label = value;
    } else if (arg == "--poll-timeout") {
      poll_timeout = std::stod(value);
    } else {
      fail("unknown argument " + std::string(arg));
    }
  }
  if (api.empty() || dns.empty() || plan.empty())
    fail("usage: api_replay --api ADDR:PORT --dns ADDR:PORT --plan FILE");
  const auto changes = readPlan(plan);
  Http http(parseAddr(api));
  Dns resolver(parseAddr(dns));

  const std::string first = changes.front().name;
  std::vector<double> dns_rtt;
  for (int i = 0; i < 500; ++i) {
    const auto t = Clock::now();
    resolver.queryA(first);
    dns_rtt.push_back(msSince(t));
  }
  std::vector<double> change_rtt;
  std::vector<double> visible;
  unsigned timeouts = 0;
  unsigned stale_iterations = 0;
  std::string body;
  for (const auto& c : changes) {
    resolver.queryA(c.name);  // the current answer, twice (a miss, then a hit), as the Python loops do
    resolver.queryA(c.name);
    http.connect();  // only after a "Connection: close"
    const auto t0 = Clock::now();
    const int status = http.roundTrip(c.request, body);
    const auto t1 = Clock::now();
    if (status < 200 || status > 299)
      fail(fmt::format("{} {}: HTTP {} {}", c.name, c.address_text, status, body.substr(0, 300)));
    bool ok = false;
    unsigned stale = 0;
    Clock::time_point t2;
    for (;;) {
      const auto got = resolver.queryA(c.name);
      t2 = Clock::now();
      if (got && got->size() == 1 && got->front() == c.address) {
        ok = true;
        break;
      }
      ++stale;
      if (std::chrono::duration<double>(t2 - t1).count() > poll_timeout) break;
    }
    if (!ok) {
      ++timeouts;
      continue;
    }
    change_rtt.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    visible.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    stale_iterations += stale > 0 ? 1 : 0;
  }
  std::printf(
      "RESULT {\"kind\": \"replay_change_latency\", \"label\": \"%s\", \"n\": %zu, "
      "\"not_visible_within_timeout\": %u, "
      "\"iterations_with_stale_answer\": %u, \"connections\": %u, \"change_rtt\": %s, \"visible_after_200\": "
      "%s, \"dns_rtt\": %s}\n",
      label.c_str(), change_rtt.size(), timeouts, stale_iterations, http.connections(),
      summary(change_rtt).c_str(), summary(visible).c_str(), summary(dns_rtt).c_str());
  std::printf(
      "[%s] lean client: change rtt p50/p99 %.2f/%.2f ms; answered after the 2xx p50/p99 %.3f/%.3f ms; "
      "stale iterations %u/%zu; DNS rtt p50 %.3f ms; %u connection(s)\n",
      label.c_str(), pct(change_rtt, 50), pct(change_rtt, 99), pct(visible, 50), pct(visible, 99),
      stale_iterations, change_rtt.size(), pct(dns_rtt, 50), http.connections());
  return timeouts == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_replay: %s\n", e.what());
    return 2;
  }
}
