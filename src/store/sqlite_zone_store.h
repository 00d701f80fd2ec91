#pragma once
// ZoneStore on an embedded SQLite database (docs/design/store.md): WAL mode,
// synchronous=FULL (a batch is acknowledged only after its WAL frames are
// fsynced), one IMMEDIATE transaction per batch, prepared statements cached.
// Thread-safe: one connection behind one mutex; the listener runs after the
// commit, outside the lock. Concurrent applyChanges calls share one
// transaction and one fsync (group commit), each batch still all or nothing.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "store/change_rules.h"
#include "store/server_registry.h"
#include "store/zone_store.h"

namespace zk::store {

namespace sqlite {
class Checkpointer;
class Database;
}  // namespace sqlite

struct SqliteStoreOptions {
  std::string path;  // the database file (created 0600 when missing); servers in `path`-servers
  // Name servers of new zones' delegation set; empty: ns-1 .. ns-4 under
  // nameServerSuffix. The first is the SOA MNAME; RNAME is hostmaster.<suffix>.
  std::vector<wire::Name> nameServers;
  std::string nameServerSuffix = "zonekeeper.invalid.";
  std::function<std::int64_t()> clock;  // unix seconds; default: the system clock
  std::uint64_t seed = 0;               // ids' random source; 0: std::random_device
  // WAL pages after which a background thread checkpoints (0: SQLite's own
  // automatic checkpoint, inside the committing call).
  int checkpointPages = 1000;
  // Changes kept per zone for GetChange and the journal (IXFR, the publisher);
  // older ones are deleted every kPruneEvery batches of the zone (0: keep all).
  std::int64_t journalKeep = 1000;
  // Test hook: called by a group's leader inside its transaction, after the
  // group's batches and before COMMIT, with the number of batches in the group.
  std::function<void(std::size_t)> beforeGroupCommit;
};

// How applyChanges calls shared their commits (group commit).
struct GroupCommitStats {
  std::uint64_t batches = 0;  // applyChanges calls that reached the database
  std::uint64_t commits = 0;  // transactions committed (fsyncs) for them
};

class SqliteZoneStore final : public ZoneStore {
 public:
  static constexpr int kSchemaVersion = 1;
  static constexpr const char* kDatabaseFile = "zones.db";
  static constexpr std::uint32_t kPruneEvery = 16;

  static Result<std::unique_ptr<SqliteZoneStore>> open(SqliteStoreOptions options);
  // Creates `dir` with mode 0700 when missing (refuses one that others can
  // read) and returns the database path in it.
  static Result<std::string> prepareDataDir(const std::string& dir);

  ~SqliteZoneStore() override;

  // CreateHostedZone plus every record set in one transaction, without the
  // per-batch limits (zone-file import). Apex SOA and NS replace the defaults;
  // aliases with an empty HostedZoneId point into the new zone.
  StoreResult<HostedZone> importZone(const NewZone& zone, const std::vector<RecordSet>& recordSets);

  StoreResult<HostedZone> createZone(const NewZone& zone) override;
  StoreResult<HostedZone> getZone(std::string_view zoneId) override;
  StoreResult<std::vector<HostedZone>> listZones() override;
  StoreResult<bool> deleteZone(std::string_view zoneId) override;
  StoreResult<ChangeInfo> removeZone(std::string_view zoneId) override;
  StoreResult<HostedZone> updateZoneComment(std::string_view zoneId, std::string_view comment) override;
  StoreResult<ChangeInfo> applyChanges(std::string_view zoneId, const ChangeBatch& batch) override;
  StoreResult<RecordSetPage> listRecordSets(std::string_view zoneId, const std::optional<RecordSetKey>& start,
                                            std::size_t maxItems) override;
  StoreResult<ZoneContents> zoneContents(std::string_view zoneId) override;
  StoreResult<Tags> tags(TagResource resource, std::string_view id) override;
  StoreResult<bool> changeTags(TagResource resource, std::string_view id, const Tags& add,
                               const std::vector<std::string>& removeKeys) override;
  StoreResult<ChangeInfo> getChange(std::string_view changeId) override;
  void markServed(std::string_view zoneId, std::uint32_t serial) override;
  void registerServer(std::string_view server) override;
  void unregisterServer(std::string_view server) override;
  void markServedBy(std::string_view server, std::string_view zoneId, std::uint32_t serial) override;
  void markDeclinedBy(std::string_view server, std::string_view zoneId) override;
  void heartbeat(std::string_view server) override;
  StoreResult<std::vector<JournalEntry>> journal(std::string_view zoneId, std::uint32_t sinceSerial) override;
  void setListener(ChangeListener listener) override;

  GroupCommitStats groupCommitStats();
  // applyChanges calls waiting for the current group's commit (tests).
  std::size_t queuedBatches();

 private:
  // One applyChanges call waiting in the group-commit queue.
  struct QueuedBatch {
    std::string_view zoneId;
    const ChangeBatch* batch = nullptr;
    StoreResult<ChangeInfo> result = StoreError{ErrorCode::Internal, {"not applied"}};
    bool done = false;
  };
  // Applies `group` in one transaction (one fsync), each batch in its own
  // savepoint so that a failing batch is rolled back alone.
  void commitGroup(std::span<QueuedBatch* const> group);

  SqliteZoneStore(std::unique_ptr<sqlite::Database> db, std::unique_ptr<sqlite::Checkpointer> checkpointer,
                  std::unique_ptr<ServerRegistry> registry, SqliteStoreOptions options,
                  std::vector<wire::Name> nameServers, wire::Name hostmaster);
  // A new change is PENDING while some live server serves the store.
  ChangeStatus statusAtCommit();

  // These run inside an open transaction, with mutex_ held.
  StoreResult<HostedZone> insertZone(const NewZone& zone);
  StoreResult<ChangeInfo> applyInTransaction(const HostedZone& zone, const ChangeBatch& batch,
                                             const RuleOptions& rules);
  StoreResult<HostedZone> loadZone(std::string_view zoneId);
  Status writeChange(const ChangeInfo& info, std::uint32_t serialBefore,
                     const std::vector<RecordSet>& removed, const std::vector<RecordSet>& added);
  std::string randomId(char prefix, std::size_t length, std::string_view alphabet);
  std::int64_t now() const;
  void notify(const std::string& zoneId, std::uint32_t serial);

  std::mutex mutex_;
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;  // after db_: destroyed first
  SqliteStoreOptions options_;
  std::vector<wire::Name> nameServers_;
  wire::Name hostmaster_;
  std::mt19937_64 random_;
  ChangeListener listener_;
  // Which servers serve which serial, shared by every process on this store.
  std::unique_ptr<ServerRegistry> registry_;

  // Group commit: callers queue; one of them (the leader) takes the whole
  // queue, applies it in one transaction and wakes the others.
  std::mutex groupMutex_;
  std::condition_variable groupCv_;
  std::vector<QueuedBatch*> queue_;
  bool leaderActive_ = false;
  GroupCommitStats groupStats_;
};

}  // namespace zk::store
