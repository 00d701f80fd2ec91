#include "query/upstream_alias.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace zk::query {
namespace {

std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}

// Case-insensitive comparison of an uncompressed wire name with the
// (possibly compressed) name at `off` in `msg`; advances `off` past it.
bool skipAndCompare(std::span<const std::uint8_t> msg, std::size_t& off, std::span<const std::uint8_t> want) {
  auto name = wire::readName(msg, off);
  if (!name) return false;
  return wire::wireNamesEqual(name->bytes(), want);
}

}  // namespace

UpstreamAliasResolver::UpstreamAliasResolver(UpstreamOptions options)
    : options_(options), cache_(std::make_shared<const Map>()) {}

UpstreamAliasResolver::~UpstreamAliasResolver() { stop(); }

std::string UpstreamAliasResolver::key(std::span<const std::uint8_t> target, wire::RRType type) {
  std::string k(reinterpret_cast<const char*>(target.data()), target.size());
  k.push_back(type == wire::RRType::A ? 'A' : '6');
  return k;
}

void UpstreamAliasResolver::watch(std::span<const std::uint8_t> lowerTarget) {
  std::lock_guard lock(mutex_);
  for (wire::RRType t : {wire::RRType::A, wire::RRType::AAAA}) {
    std::string k = key(lowerTarget, t);
    if (std::find(watched_.begin(), watched_.end(), k) == watched_.end()) watched_.push_back(std::move(k));
  }
}

void UpstreamAliasResolver::setTargetSource(TargetSource source) {
  std::lock_guard lock(mutex_);
  targetSource_ = std::move(source);
}

void UpstreamAliasResolver::targetsChanged() {
  {
    std::lock_guard lock(mutex_);
    targetsDirty_ = true;
  }
  wake_.notify_all();
}

bool UpstreamAliasResolver::lookup(std::span<const std::uint8_t> target, wire::RRType type,
                                   AliasAnswer& out) {
  if (target.size() > wire::kMaxNameLength) return false;
  // Keeps the snapshot the returned span points into alive until this thread's next lookup.
  thread_local std::shared_ptr<const Map> held;
  held = cache_.load(std::memory_order_acquire);
  char buf[wire::kMaxNameLength + 1];
  std::memcpy(buf, target.data(), target.size());
  buf[target.size()] = type == wire::RRType::A ? 'A' : '6';
  std::string_view k(buf, target.size() + 1);
  auto it = held->find(k);
  auto now = Clock::now();
  if (it == held->end() || now > it->second.expires + options_.staleFor) {
    std::lock_guard lock(mutex_);
    if (pending_.size() < 1024 && std::find(pending_.begin(), pending_.end(), k) == pending_.end()) {
      pending_.emplace_back(k);  // allocation only for a target not yet known
      wake_.notify_one();
    }
    return false;
  }
  const Entry& e = it->second;
  if (now >= e.expires) {
    out.ttl = 30;  // RFC 8767 section 4: stale answers carry a short TTL
  } else {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(e.expires - now).count();
    out.ttl = static_cast<std::uint32_t>(std::clamp<long long>(left, 1, e.ttl));
  }
  out.addresses = e.addresses;
  return true;
}

bool UpstreamAliasResolver::resolve(std::span<const std::uint8_t> lowerTarget, wire::RRType type,
                                    std::vector<std::uint8_t>& addrs, std::uint32_t& ttl, bool& negative) {
  addrs.clear();
  negative = false;
  auto t = static_cast<std::uint16_t>(type);
  std::uint16_t id = nextId_.fetch_add(7919, std::memory_order_relaxed);
  std::vector<std::uint8_t> q;
  put16(q, id);
  put16(q, 0x0100);  // RD: the upstream is a recursive resolver
  put16(q, 1);
  put16(q, 0);
  put16(q, 0);
  put16(q, 1);
  q.insert(q.end(), lowerTarget.begin(), lowerTarget.end());
  put16(q, t);
  put16(q, 1);
  const std::uint8_t opt[] = {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0};  // EDNS, 1232
  q.insert(q.end(), opt, opt + sizeof opt);

  int fd = ::socket(options_.upstream.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = false;
  std::vector<std::uint8_t> buf(4096);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&options_.upstream), options_.upstreamLength) == 0 &&
      ::send(fd, q.data(), q.size(), 0) == static_cast<ssize_t>(q.size())) {
    auto deadline = Clock::now() + options_.timeout;
    while (!ok) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) != 1) break;
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n < 12) continue;
      std::span<const std::uint8_t> m(buf.data(), static_cast<std::size_t>(n));
      if (get16(m.data()) != id || !(m[2] & 0x80) || get16(m.data() + 4) != 1) continue;  // not our answer
      std::size_t off = 12;
      if (!skipAndCompare(m, off, lowerTarget) || off + 4 > m.size() || get16(m.data() + off) != t) continue;
      off += 4;
      unsigned rcode = m[3] & 0x0F;
      if (rcode == 3) {  // NXDOMAIN
        negative = true;
        ok = true;
        break;
      }
      if (rcode != 0 || (m[2] & 0x02)) break;  // SERVFAIL, REFUSED, truncated: no usable answer
      std::uint32_t minTtl = UINT32_MAX;
      std::uint16_t an = get16(m.data() + 6);
      std::size_t width = type == wire::RRType::A ? 4 : 16;
      bool parsed = true;
      for (std::uint16_t i = 0; i < an && parsed; ++i) {
        auto owner = wire::readName(m, off);
        if (!owner || off + 10 > m.size()) {
          parsed = false;
          break;
        }
        std::uint16_t rt = get16(m.data() + off);
        std::uint32_t rttl = (std::uint32_t{get16(m.data() + off + 4)} << 16) | get16(m.data() + off + 6);
        std::uint16_t rdlen = get16(m.data() + off + 8);
        off += 10;
        if (off + rdlen > m.size()) {
          parsed = false;
          break;
        }
        // The chain (CNAMEs) leads to the addresses; their TTLs bound the answer's.
        minTtl = std::min(minTtl, rttl);
        if (rt == t && rdlen == width)
          addrs.insert(addrs.end(), m.begin() + static_cast<std::ptrdiff_t>(off),
                       m.begin() + static_cast<std::ptrdiff_t>(off + rdlen));
        off += rdlen;
      }
      if (!parsed) break;
      negative = addrs.empty();
      ttl = negative ? options_.negativeTtl : std::clamp(minTtl, options_.minTtl, options_.maxTtl);
      ok = true;
    }
  }
  ::close(fd);
  if (ok && negative) ttl = options_.negativeTtl;
  return ok;
}

void UpstreamAliasResolver::refresh(const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  std::vector<std::pair<std::string, Entry>> results;
  for (const std::string& k : keys) {
    std::span<const std::uint8_t> name(reinterpret_cast<const std::uint8_t*>(k.data()), k.size() - 1);
    wire::RRType type = k.back() == 'A' ? wire::RRType::A : wire::RRType::AAAA;
    Entry e;
    bool negative = false;
    if (!resolve(name, type, e.addresses, e.ttl, negative)) continue;  // keep the old entry (serve-stale)
    e.expires = Clock::now() + std::chrono::seconds(e.ttl);
    results.emplace_back(k, std::move(e));
  }
  if (results.empty()) return;
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<Map>(*cache_.load(std::memory_order_acquire));
  for (auto& [k, e] : results) (*next)[k] = std::move(e);
  cache_.store(std::move(next), std::memory_order_release);
}

void UpstreamAliasResolver::prime(std::chrono::milliseconds budget) {
  auto deadline = Clock::now() + budget;
  std::vector<std::string> keys;
  {
    std::lock_guard lock(mutex_);
    auto cache = cache_.load();
    for (const auto& k : watched_) {
      if (cache->find(k) == cache->end()) keys.push_back(k);
    }
  }
  for (const auto& k : keys) {
    if (Clock::now() >= deadline) break;
    refresh({k});
  }
}

void UpstreamAliasResolver::start() {
  stopping_ = false;
  thread_ = std::thread([this] { refreshLoop(); });
}

void UpstreamAliasResolver::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UpstreamAliasResolver::readTargets() {
  TargetSource source;
  {
    std::lock_guard lock(mutex_);
    source = targetSource_;
  }
  if (source) watchOnly(source());
}

// Read by the caller without the lock: lookups on the query path never wait for it.
void UpstreamAliasResolver::watchOnly(const std::vector<std::string>& targets) {
  std::vector<std::string> keys;
  for (const std::string& t : targets) {
    std::span<const std::uint8_t> lw(reinterpret_cast<const std::uint8_t*>(t.data()), t.size());
    for (wire::RRType type : {wire::RRType::A, wire::RRType::AAAA}) keys.push_back(key(lw, type));
  }
  std::sort(keys.begin(), keys.end());
  std::lock_guard lock(mutex_);
  // Every target a zone uses is watched, so a cached one that is not is no
  // longer used: forget it rather than refresh it forever.
  auto cache = cache_.load(std::memory_order_acquire);
  bool unused = std::any_of(cache->begin(), cache->end(), [&](const auto& kv) {
    return !std::binary_search(keys.begin(), keys.end(), kv.first);
  });
  if (unused) {
    auto next = std::make_shared<Map>();
    for (const auto& [k, e] : *cache) {
      if (std::binary_search(keys.begin(), keys.end(), k)) next->emplace(k, e);
    }
    cache_.store(std::move(next), std::memory_order_release);
  }
  watched_ = std::move(keys);
}

void UpstreamAliasResolver::refreshLoop() {
  auto lastScan = Clock::now() - kRescanInterval;
  while (!stopping_.load()) {
    std::vector<std::string> due;
    TargetSource source;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(1),
                     [&] { return stopping_.load() || !pending_.empty() || targetsDirty_; });
      if (stopping_.load()) return;
      if (targetsDirty_ && targetSource_) {
        // At most one rescan per interval however often zones are published.
        auto left = kRescanInterval - (Clock::now() - lastScan);
        if (left > Clock::duration::zero()) wake_.wait_for(lock, left, [&] { return stopping_.load(); });
        if (stopping_.load()) return;
        targetsDirty_ = false;
        source = targetSource_;
      }
    }
    if (source) {
      lastScan = Clock::now();
      watchOnly(source());
    }
    {
      std::unique_lock lock(mutex_);
      due.swap(pending_);
      auto cache = cache_.load();
      auto now = Clock::now();
      for (const auto& k : watched_) {
        auto it = cache->find(k);
        // Refresh a little before expiry so answers never go stale while the upstream works.
        if (it == cache->end() || now + std::chrono::seconds(1 + it->second.ttl / 10) >= it->second.expires) {
          due.push_back(k);
        }
      }
      for (const auto& [k, e] : *cache) {
        if (std::find(watched_.begin(), watched_.end(), k) == watched_.end() &&
            now + std::chrono::seconds(1 + e.ttl / 10) >= e.expires && now < e.expires + options_.staleFor) {
          due.push_back(k);  // learnt on the query path: keep it fresh too
        }
      }
    }
    std::sort(due.begin(), due.end());
    due.erase(std::unique(due.begin(), due.end()), due.end());
    refresh(due);
  }
}

std::vector<std::string> externalAliasTargets(const zone::ZoneSet& zones) {
  std::vector<std::string> out;
  for (const auto& z : zones.zones()) {
    for (std::size_t i = 0; i < z->nodeCount(); ++i) {
      const zone::Node& n = z->node(static_cast<std::uint32_t>(i));
      if (!(n.flags & zone::kFlagAlias)) continue;
      const zone::RRsetRef* set = z->findRRset(n, wire::RRType::ALIAS);
      auto data = z->rrsetData(*set);
      std::string lower(data.size() - 10, '\0');
      for (std::size_t k = 10; k < data.size(); ++k)
        lower[k - 10] = static_cast<char>(wire::asciiLower(data[k]));
      std::span<const std::uint8_t> lw(reinterpret_cast<const std::uint8_t*>(lower.data()), lower.size());
      if (zones.findZone(lw) == nullptr) out.push_back(std::move(lower));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace zk::query
