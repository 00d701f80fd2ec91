#pragma once
// UpstreamAliasResolver: answers ALIAS targets outside the served zones from a
// cache filled by asking an upstream recursive resolver (`--alias-resolver`).
//
// The query path only reads: lookup() finds the target in an immutable cache
// snapshot (published with one atomic pointer swap, like zones) and never
// waits for the network. A background thread resolves new targets and
// refreshes entries before their TTL runs out. A target seen for the first
// time on the query path is queued and answered SERVFAIL until resolved;
// targets found in zone files are resolved before serving starts (prime()),
// and targets of zones published later (the store: an API change adding an
// alias) are resolved as soon as targetsChanged() says the zones changed.
// When the upstream fails, an expired entry is served with TTL 30 for up to
// an hour (RFC 8767 serve-stale); after that the answer is SERVFAIL.

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "query/processor.h"
#include "zone/zone_table.h"

namespace zk::query {

struct UpstreamOptions {
  sockaddr_storage upstream{};
  socklen_t upstreamLength = 0;
  std::chrono::milliseconds timeout{1500};
  std::uint32_t minTtl = 5;  // floor, so a TTL of 0 does not mean a query per query
  std::uint32_t maxTtl = 86400;
  std::uint32_t negativeTtl = 60;  // NXDOMAIN / no addresses
  std::chrono::seconds staleFor{3600};
};

class UpstreamAliasResolver : public AliasResolver {
 public:
  explicit UpstreamAliasResolver(UpstreamOptions options);
  ~UpstreamAliasResolver() override;
  UpstreamAliasResolver(const UpstreamAliasResolver&) = delete;
  UpstreamAliasResolver& operator=(const UpstreamAliasResolver&) = delete;

  // Keeps A and AAAA of this lower-cased wire name resolved.
  void watch(std::span<const std::uint8_t> lowerTarget);
  // Where the targets to keep resolved come from (lower-cased wire names):
  // called on the background thread after targetsChanged(), at most every
  // kRescanInterval; its result replaces the watched list, so targets no zone
  // uses any more stop being refreshed.
  using TargetSource = std::function<std::vector<std::string>()>;
  static constexpr std::chrono::milliseconds kRescanInterval{20};
  void setTargetSource(TargetSource source);
  // The served zones changed: re-read the targets soon. Cheap, any thread.
  void targetsChanged();
  // Re-reads the targets now, on the calling thread (startup, before prime()).
  void readTargets();
  // Resolves every watched target not yet cached, spending at most `budget`.
  void prime(std::chrono::milliseconds budget);
  void start();
  void stop();

  bool lookup(std::span<const std::uint8_t> target, wire::RRType type, AliasAnswer& out) override;

  // One upstream exchange: A or AAAA addresses of `lowerTarget` (concatenated)
  // and their TTL; false when the upstream did not give a usable answer.
  // `negative` is set for NXDOMAIN or no addresses.
  bool resolve(std::span<const std::uint8_t> lowerTarget, wire::RRType type, std::vector<std::uint8_t>& addrs,
               std::uint32_t& ttl, bool& negative);

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::vector<std::uint8_t> addresses;
    std::uint32_t ttl = 0;
    Clock::time_point expires;
  };
  struct Hash {
    // The standard library looks for this exact name (heterogeneous lookup).
    using is_transparent = void;  // NOLINT(readability-identifier-naming)
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;

  static std::string key(std::span<const std::uint8_t> target, wire::RRType type);
  void refreshLoop();
  // Makes `targets` (lower-cased wire names) the watched list; drops cached
  // entries for any other target.
  void watchOnly(const std::vector<std::string>& targets);
  // Resolves `keys` and publishes a new cache snapshot.
  void refresh(const std::vector<std::string>& keys);

  UpstreamOptions options_;
  std::atomic<std::shared_ptr<const Map>> cache_;
  std::mutex mutex_;  // guards watched_, pending_; writers of cache_
  std::condition_variable wake_;
  std::vector<std::string> watched_;  // keys
  std::vector<std::string> pending_;  // keys first seen on the query path
  TargetSource targetSource_;         // guarded by mutex_
  bool targetsDirty_ = false;         // guarded by mutex_
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::atomic<std::uint16_t> nextId_{1};
};

// ALIAS targets in `zones` that are not inside any served zone (lower-cased wire form).
std::vector<std::string> externalAliasTargets(const zone::ZoneSet& zones);

}  // namespace zk::query
