// dnsdiff: sends the same queries to two DNS servers and compares the answers
// in presentation form (records sorted within each section, since RRset order
// is not significant). Used by diff_knot_test.sh against Knot DNS.
//
//   dnsdiff HOST:PORT HOST:PORT QUERYFILE [--allow FILE]
//
// QUERYFILE: one query per line, "NAME TYPE [options]" as in the golden files
// (tests/golden/server/README.md). --allow lists titles of known, explained
// differences: lines "QUERY-LINE-PREFIX # why"; queries starting with a
// listed prefix are not compared.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../unit/query/golden_util.h"

namespace {

using zk::query::testing::QuerySpec;

struct Target {
  sockaddr_in addr{};
};

bool parseTarget(const std::string& s, Target& t) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  t.addr.sin_family = AF_INET;
  t.addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(s.substr(colon + 1))));
  return inet_pton(AF_INET, s.substr(0, colon).c_str(), &t.addr.sin_addr) == 1;
}

std::vector<std::uint8_t> exchangeUdp(const Target& t, const std::vector<std::uint8_t>& q) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  std::vector<std::uint8_t> buf(65535);
  std::vector<std::uint8_t> out;
  for (int attempt = 0; attempt < 3 && out.empty(); ++attempt) {
    ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&t.addr), sizeof t.addr);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) == 1) {
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n > 0) out.assign(buf.begin(), buf.begin() + n);
    }
  }
  ::close(fd);
  return out;
}

bool readFull(int fd, std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 2000) != 1) return false;
    ssize_t r = ::recv(fd, p, n, 0);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

std::vector<std::uint8_t> exchangeTcp(const Target& t, const std::vector<std::uint8_t>& q) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  std::vector<std::uint8_t> out;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&t.addr), sizeof t.addr) == 0) {
    const std::uint8_t prefix[2] = {static_cast<std::uint8_t>(q.size() >> 8),
                                    static_cast<std::uint8_t>(q.size())};
    ::send(fd, prefix, 2, MSG_NOSIGNAL | MSG_MORE);  // length prefix, then the message (RFC 7766 section 8)
    ::send(fd, q.data(), q.size(), MSG_NOSIGNAL);
    std::uint8_t len[2];
    if (readFull(fd, len, 2)) {
      out.resize((std::size_t{len[0]} << 8) | len[1]);
      if (!readFull(fd, out.data(), out.size())) out.clear();
    }
  }
  ::close(fd);
  return out;
}

// Sorts the record lines inside each section so RRset order does not matter,
// and lower-cases them.
std::string normalise(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string out;
  std::vector<std::string> section;
  auto flush = [&] {
    std::sort(section.begin(), section.end());
    for (auto& l : section) out += l + "\n";
    section.clear();
  };
  bool inSection = false;
  while (std::getline(in, line)) {
    if (line == "answer:" || line == "authority:" || line == "additional:") {
      flush();
      out += line + "\n";
      inSection = true;
      continue;
    }
    if (inSection) {
      // Names in records compare case-insensitively (RFC 4343): compression may
      // point at a differently-cased copy. The golden tests check case preservation.
      for (char& ch : line) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      section.push_back(line);
    } else {
      out += line + "\n";
    }
  }
  flush();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: dnsdiff HOST:PORT HOST:PORT QUERYFILE [--allow FILE]\n");
    return 2;
  }
  Target a, b;
  if (!parseTarget(argv[1], a) || !parseTarget(argv[2], b)) {
    std::fprintf(stderr, "dnsdiff: bad HOST:PORT\n");
    return 2;
  }
  std::set<std::string> allowed;
  if (argc >= 6 && std::string(argv[4]) == "--allow") {
    std::ifstream al(argv[5]);
    std::string line;
    while (std::getline(al, line)) {
      auto hash = line.find(" #");
      if (line.empty() || line[0] == '#') continue;
      std::string key = line.substr(0, hash);
      while (!key.empty() && key.back() == ' ') key.pop_back();
      allowed.insert(key);
    }
  }
  std::ifstream in(argv[3]);
  std::string line;
  int total = 0, diffs = 0, skipped = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    QuerySpec spec;
    std::string err;
    if (!zk::query::testing::parseQuerySpec(line, spec, err)) {
      std::fprintf(stderr, "dnsdiff: %s: %s\n", line.c_str(), err.c_str());
      return 2;
    }
    ++total;
    bool explained = false;
    for (const std::string& prefix : allowed) explained = explained || line.starts_with(prefix);
    if (explained) {
      ++skipped;
      continue;
    }
    auto q = zk::query::testing::buildQuery(spec);
    auto ra = spec.tcp ? exchangeTcp(a, q) : exchangeUdp(a, q);
    auto rb = spec.tcp ? exchangeTcp(b, q) : exchangeUdp(b, q);
    std::string ta = ra.empty() ? "no response\n" : normalise(zk::query::testing::formatResponse(ra));
    std::string tb = rb.empty() ? "no response\n" : normalise(zk::query::testing::formatResponse(rb));
    if (ta != tb) {
      ++diffs;
      std::printf("=== %s\n--- %s\n%s--- %s\n%s\n", line.c_str(), argv[1], ta.c_str(), argv[2], tb.c_str());
    }
  }
  std::printf("%d queries, %d differ, %d skipped as explained\n", total, diffs, skipped);
  return diffs == 0 ? 0 : 1;
}
