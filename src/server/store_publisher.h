#pragma once
// StorePublisher: serves the hosted zones of a ZoneStore through a ZoneTable.
//
// At start() every hosted zone is read once (ZoneStore::zoneContents), turned
// into a ZoneSnapshot and published. Afterwards each committed batch is taken
// from the change journal (ZoneStore::journal: the record sets it removed and
// added) and applied to the publisher's in-memory copy of the zone, from which
// the new snapshot is built and swapped in with one pointer store; only then
// is the store told (markServedBy), so GetChange turns INSYNC only once the
// server answers with the change.
//
// Two ways of hearing about commits, both feeding one worker thread:
//  - the store's ChangeListener (commits made through this process's store
//    object, e.g. the API in the same process): the worker wakes at once;
//  - polling listZones() every `pollInterval` (commits made by other
//    processes on the same database: the CLI, a separate `zonekeeper api`).
// The listener only queues the zone id, so commits never wait for a build.
//
// Route53 alias record sets (AliasTarget) are served as ALIAS records (type
// 65401) whose RDATA is the target name, which the query processor answers
// with the target's A/AAAA. Thread-safe.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "store/zone_store.h"
#include "zone/snapshot.h"
#include "zone/zone_table.h"

namespace zk::server {

struct StorePublisherOptions {
  // The name this server registers with the store (GetChange waits for it).
  std::string serverName = "local";
  // How often the store is checked for commits made by other processes
  // (0: never; only this process's commits are seen, through the listener).
  std::chrono::milliseconds pollInterval{100};
  // Zones served from elsewhere (zone files): store zones with these names are
  // not published (the caller refuses them at startup; later ones are logged).
  std::vector<wire::Name> reservedOrigins;
  std::function<void(const std::string&)> log;  // one line per call; default: stderr
  // Called on the worker thread after each publication (tests, measurements).
  std::function<void(const std::string& zoneId, std::uint32_t serial)> onPublished;
  // Nonzero: the publisher thread's nice value (serve publishes ahead of query
  // load; negative needs CAP_SYS_NICE, else ignored).
  int threadNice = 0;
};

struct StorePublisherStats {
  std::uint64_t publications = 0;
  std::uint64_t journalUpdates = 0;  // published from journal diffs
  std::uint64_t fullLoads = 0;       // published from zoneContents (start, gaps)
  std::uint64_t derived = 0;         // snapshots derived from the previous one
  std::uint64_t reused = 0;          // of those, spares brought forward in place (no copy)
  std::uint64_t failures = 0;        // store read or snapshot build failed
};

// Turns record sets into a snapshot (exposed for tests). Aliases become one
// ALIAS record per name; an alias beside plain A/AAAA records at the same name,
// or two aliases to different targets, cannot be served that way: the extra
// alias is dropped and described in `warnings`.
// The records served at one name from its record sets (same rules).
std::vector<zone::UpdateRecord> nameRecords(std::span<const store::RecordSet* const> sets,
                                            std::vector<std::string>* warnings);
Result<std::shared_ptr<const zone::ZoneSnapshot>> buildSnapshot(
    const wire::Name& origin, const std::vector<const store::RecordSet*>& sets,
    std::vector<std::string>* warnings);

class StorePublisher {
 public:
  StorePublisher(store::ZoneStore& store, zone::ZoneTable& table, StorePublisherOptions options = {});
  ~StorePublisher();
  StorePublisher(const StorePublisher&) = delete;
  StorePublisher& operator=(const StorePublisher&) = delete;

  // Registers with the store, loads and publishes every hosted zone, then
  // starts the worker. Fails only when the store cannot list its zones.
  Status start();
  // Stops the worker, detaches the listener and unregisters. Published zones
  // stay in the table.
  void stop();

  // Waits until `zoneId` is published at `serial` or later (RFC 1982), or the
  // zone is gone when `serial` is nullopt. False on timeout.
  bool waitPublished(const std::string& zoneId, std::optional<std::uint32_t> serial,
                     std::chrono::milliseconds timeout);
  // Serial published for a zone, if it is served.
  std::optional<std::uint32_t> publishedSerial(const std::string& zoneId) const;
  StorePublisherStats stats() const;

 private:
  using SetKey = std::pair<wire::Name, std::uint16_t>;  // lower-cased owner, type
  struct ZoneState {
    std::string id;
    wire::Name origin;
    std::uint32_t serial = 0;
    std::map<SetKey, store::RecordSet> sets;
    std::shared_ptr<const zone::ZoneSnapshot> snapshot;  // as published
    // Snapshot reuse (ZoneBuilder::rederive): earlier snapshots kept as
    // spares, and the updates that led from each version to the next, so a
    // spare no reader holds any more is brought forward in place instead of
    // copying the current snapshot's arrays for every batch.
    std::uint64_t version = 0;  // of `snapshot`; spares and steps count from it
    struct Spare {
      std::shared_ptr<const zone::ZoneSnapshot> snapshot;
      std::uint64_t version = 0;
    };
    std::vector<Spare> spares;  // oldest first, at most kSpares
    std::deque<std::pair<std::uint64_t, std::vector<zone::NameUpdate>>> steps;  // version -> version + 1
  };
  static constexpr std::size_t kSpares = 2;
  struct Inbox {  // shared with the store's listener, which may outlive us
    std::mutex mutex;
    std::condition_variable cv;
    std::set<std::string> pending;
    bool stop = false;
  };

  void run();
  void poll();
  void syncZone(const std::string& zoneId);
  bool fullLoad(const store::HostedZone& zone);
  // Applies the journal after the published serial; false when the journal
  // does not reach back (then fullLoad).
  bool applyJournal(ZoneState& state);
  // Builds and publishes the state's snapshot: derived from the previous one
  // when `touched` (lower-cased names whose record sets changed, in canonical
  // order, each once) is given.
  bool publish(ZoneState& state, std::uint64_t StorePublisherStats::*counter,
               const std::vector<wire::Name>* touched = nullptr);
  bool hasDescendants(const ZoneState& state, const wire::Name& name) const;
  void dropZone(const std::string& zoneId);
  bool originTaken(const wire::Name& origin, const std::string& zoneId) const;
  void logLine(const std::string& line) const;
  void setPublished(const std::string& zoneId, std::optional<std::uint32_t> serial);

  store::ZoneStore& store_;
  zone::ZoneTable& table_;
  StorePublisherOptions options_;
  std::shared_ptr<Inbox> inbox_;
  std::thread worker_;
  bool started_ = false;

  // Worker-thread state (start() fills it before the thread runs).
  std::map<std::string, ZoneState> zones_;
  std::set<std::string> skipped_;  // ids not served (name conflict), already logged

  mutable std::mutex publishedMutex_;
  std::condition_variable publishedCv_;
  std::map<std::string, std::uint32_t> published_;
  StorePublisherStats stats_;
};

}  // namespace zk::server
