#pragma once
// Which DNS servers serve the store's zones, and at which serial: what
// GetChange needs to say INSYNC (docs/design/store.md). Kept in its own SQLite
// file beside the store (`<store>-servers`), so that every process on the same
// data directory sees every server: `zonekeeper api` alone knows what a
// separate `zonekeeper serve` answers.
//
// The state is ephemeral (servers report again when they start), so the file
// is written without fsync and never contends with the zone store's commits.
// A server is live while its heartbeat is recent and its process exists.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace zk::store {

namespace sqlite {
class Database;
}

class ServerRegistry {
 public:
  // zone id -> serial served, per live server name.
  using Served = std::map<std::string, std::map<std::string, std::uint32_t, std::less<>>, std::less<>>;

  struct Options {
    std::string path;
    std::function<std::int64_t()> clock;  // unix seconds; default: the system clock
    std::int64_t staleAfterSeconds = 5;   // a heartbeat older than this: not live
  };
  // How often a serving process should call heartbeat().
  static constexpr int kHeartbeatSeconds = 1;

  static Result<std::unique_ptr<ServerRegistry>> open(Options options);
  ~ServerRegistry();
  ServerRegistry(const ServerRegistry&) = delete;
  ServerRegistry& operator=(const ServerRegistry&) = delete;

  // Registers (or re-registers, forgetting what it served) this process's server.
  Status registerServer(std::string_view name);
  // Keeps a registration live; registers again when it was dropped.
  Status heartbeat(std::string_view name);
  Status unregisterServer(std::string_view name);
  // The server now answers with `serial` for the zone (kept only when later
  // than what it reported before, RFC 1982).
  Status markServed(std::string_view name, std::string_view zoneId, std::uint32_t serial);
  // The server does not serve the zone (a name conflict); kept until it
  // registers afresh, unregisters, or reports the zone served. A server dropped
  // as stale and live again keeps it (it still declines the zone).
  Status markDeclined(std::string_view name, std::string_view zoneId);
  // Servers that declined the zone.
  Result<std::set<std::string, std::less<>>> decliners(std::string_view zoneId);
  // Live servers and what they serve; registrations of dead processes are removed.
  Result<Served> live();

 private:
  ServerRegistry(std::unique_ptr<sqlite::Database> db, Options options);
  [[nodiscard]] std::int64_t now() const;
  Status insert(std::string_view name);
  Status forget(std::string_view name);

  std::mutex mutex_;
  std::unique_ptr<sqlite::Database> db_;
  Options options_;
};

}  // namespace zk::store
