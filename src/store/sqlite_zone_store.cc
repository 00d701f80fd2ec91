#include "store/sqlite_zone_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "store/codec.h"
#include "store/route53_names.h"
#include "store/sqlite.h"

namespace zk::store {
namespace {

constexpr std::uint32_t kSoaRefresh = 7200;
constexpr std::uint32_t kSoaRetry = 900;
constexpr std::uint32_t kSoaExpire = 1209600;
constexpr std::uint32_t kSoaMinimum = 86400;
constexpr std::uint32_t kSoaTtl = 900;
constexpr std::uint32_t kNsTtl = 172800;
constexpr std::size_t kMaxCallerReference = 128;  // Route53 limits
constexpr std::size_t kMaxComment = 256;
constexpr std::size_t kMaxTagKey = 128;
constexpr std::size_t kMaxTagValue = 256;
constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // RFC 4648 section 6

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS zones(
  id TEXT PRIMARY KEY,
  name BLOB NOT NULL,
  name_key TEXT NOT NULL,
  caller_reference TEXT NOT NULL UNIQUE,
  comment TEXT NOT NULL,
  private INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  serial INTEGER NOT NULL,
  record_set_count INTEGER NOT NULL,
  name_servers BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS zones_by_name ON zones(name_key, id);
CREATE TABLE IF NOT EXISTS record_sets(
  zone_id TEXT NOT NULL,
  name_key TEXT NOT NULL,
  type_key TEXT NOT NULL,
  name BLOB NOT NULL,
  type INTEGER NOT NULL,
  ttl INTEGER NOT NULL,
  rdata BLOB NOT NULL,
  alias_zone TEXT,
  alias_name BLOB,
  alias_eth INTEGER,
  PRIMARY KEY(zone_id, name_key, type_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  zone_id TEXT NOT NULL,
  insync INTEGER NOT NULL,
  submitted_at INTEGER NOT NULL,
  comment TEXT NOT NULL,
  serial_before INTEGER NOT NULL,
  serial INTEGER NOT NULL,
  diff BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS changes_by_zone ON changes(zone_id, seq);
CREATE TABLE IF NOT EXISTS tags(
  resource_type INTEGER NOT NULL,
  resource_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(resource_type, resource_id, key)) WITHOUT ROWID;
)sql";

constexpr const char* kZoneColumns =
    "id, name, caller_reference, comment, private, created_at, serial, record_set_count, name_servers";
constexpr const char* kSetColumns = "name, type, ttl, rdata, alias_zone, alias_name, alias_eth";

StoreError internal(const Error& e) { return {ErrorCode::Internal, {e.message}}; }
StoreError internal(const Status& s) { return internal(s.error()); }
StoreError noSuchZone(std::string_view id) {
  return {ErrorCode::NoSuchHostedZone, {fmt::format("No hosted zone found with ID: {}", id)}};
}

template <class T>
bool failed(const StoreResult<T>& r) {
  return r.index() == 1;
}
template <class T>
StoreError errorOf(StoreResult<T>&& r) {
  return std::get<1>(std::move(r));
}

void putU32(wire::Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// Offset of the SERIAL field in SOA RDATA (after MNAME and RNAME), if well formed.
std::optional<std::size_t> soaSerialOffset(std::span<const std::uint8_t> rdata) {
  std::size_t pos = 0;
  for (int names = 0; names < 2; ++names) {
    while (true) {
      if (pos >= rdata.size()) return std::nullopt;
      const std::size_t len = rdata[pos];
      if (len > wire::kMaxLabelLength) return std::nullopt;
      pos += len + 1;
      if (len == 0) break;
    }
  }
  if (rdata.size() < pos + 20) return std::nullopt;
  return pos;
}

std::uint32_t readU32(std::span<const std::uint8_t> b, std::size_t pos) {
  return (std::uint32_t{b[pos]} << 24) | (std::uint32_t{b[pos + 1]} << 16) |
         (std::uint32_t{b[pos + 2]} << 8) | std::uint32_t{b[pos + 3]};
}

Result<RecordSet> readSet(const sqlite::Stmt& st) {
  RecordSet rs;
  auto name = wire::Name::fromWire(st.columnBlob(0));
  if (!name) return Error("damaged record set name in the database");
  rs.name = std::move(*name);
  rs.type = static_cast<wire::RRType>(st.columnInt(1));
  rs.ttl = static_cast<std::uint32_t>(st.columnInt(2));
  auto values = decodeValues(st.columnBlob(3), &rs.valueText);
  if (!values) return values.error();
  rs.rdata = std::move(*values);
  if (!st.columnIsNull(4)) {
    AliasTarget a;
    a.hostedZoneId = std::string(st.columnText(4));
    auto target = wire::Name::fromWire(st.columnBlob(5));
    if (!target) return Error("damaged alias target in the database");
    a.dnsName = std::move(*target);
    a.evaluateTargetHealth = st.columnInt(6) != 0;
    rs.alias = std::move(a);
  }
  return rs;
}

Result<HostedZone> readZone(const sqlite::Stmt& st) {
  HostedZone z;
  z.id = std::string(st.columnText(0));
  auto name = wire::Name::fromWire(st.columnBlob(1));
  if (!name) return Error("damaged zone name in the database");
  z.name = std::move(*name);
  z.callerReference = std::string(st.columnText(2));
  z.comment = std::string(st.columnText(3));
  z.privateZone = st.columnInt(4) != 0;
  z.createdAt = st.columnInt(5);
  z.serial = static_cast<std::uint32_t>(st.columnInt(6));
  z.recordSetCount = static_cast<std::uint64_t>(st.columnInt(7));
  auto servers = decodeValues(st.columnBlob(8));
  if (!servers) return servers.error();
  for (const auto& w : *servers) {
    auto ns = wire::Name::fromWire(w);
    if (!ns) return Error("damaged name server in the database");
    z.nameServers.push_back(std::move(*ns));
  }
  return z;
}

// The committed zone as the rules see it, read inside the batch's transaction.
class SqliteView final : public RecordSetView {
 public:
  SqliteView(sqlite::Database& db, std::string zoneId) : db_(db), zoneId_(std::move(zoneId)) {}

  std::optional<RecordSet> find(const wire::Name& name, wire::RRType type) override {
    return findInZone(zoneId_, name, type);
  }

  std::string zoneId() override { return zoneId_; }

  std::optional<wire::Name> hostedZoneName(std::string_view id) override {
    auto st = db_.prepare("SELECT name FROM zones WHERE id=?1");
    if (!st) return fail(st.error());
    (*st)->bind(1, std::string(id));
    if (!(*st)->step()) {
      if (!(*st)->status()) fail((*st)->status().error());
      return std::nullopt;
    }
    auto name = wire::Name::fromWire((*st)->columnBlob(0));
    if (!name) return fail(Error("damaged zone name in the database"));
    return std::move(*name);
  }

  std::optional<RecordSet> findInZone(std::string_view zoneId, const wire::Name& name,
                                      wire::RRType type) override {
    auto st = db_.prepare(fmt::format(
        "SELECT {} FROM record_sets WHERE zone_id=?1 AND name_key=?2 AND type_key=?3", kSetColumns));
    if (!st) return fail(st.error());
    (*st)->bind(1, std::string(zoneId)).bind(2, route53NameKey(name)).bind(3, route53TypeKey(type));
    if (!(*st)->step()) {
      if (!(*st)->status()) fail((*st)->status().error());
      return std::nullopt;
    }
    auto rs = readSet(**st);
    if (!rs) return fail(rs.error());
    return std::move(*rs);
  }

  std::vector<wire::RRType> typesAt(const wire::Name& name) override {
    std::vector<wire::RRType> out;
    auto st = db_.prepare("SELECT type FROM record_sets WHERE zone_id=?1 AND name_key=?2");
    if (!st) {
      fail(st.error());
      return out;
    }
    (*st)->bind(1, zoneId_).bind(2, route53NameKey(name));
    while ((*st)->step()) out.push_back(static_cast<wire::RRType>((*st)->columnInt(0)));
    if (!(*st)->status()) fail((*st)->status().error());
    return out;
  }

  // The first database failure, if any: the batch is then abandoned.
  [[nodiscard]] const std::optional<std::string>& error() const { return error_; }

 private:
  std::nullopt_t fail(const Error& e) {
    if (!error_) error_ = e.message;
    return std::nullopt;
  }
  sqlite::Database& db_;
  std::string zoneId_;
  std::optional<std::string> error_;
};

Status writeSet(sqlite::Database& db, const std::string& zoneId, const RecordSet& rs) {
  auto st = db.prepare(
      "INSERT OR REPLACE INTO record_sets(zone_id, name_key, type_key, name, type, ttl, rdata, alias_zone, "
      "alias_name, alias_eth) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!st) return st.error();
  auto& s = **st;
  s.bind(1, zoneId)
      .bind(2, route53NameKey(rs.name))
      .bind(3, route53TypeKey(rs.type))
      .bindBlob(4, rs.name.bytes())
      .bind(5, static_cast<std::int64_t>(rs.type))
      .bind(6, static_cast<std::int64_t>(rs.ttl))
      .bindBlob(7, encodeValues(rs.rdata, rs.valueText));
  if (rs.alias) {
    s.bind(8, rs.alias->hostedZoneId)
        .bindBlob(9, rs.alias->dnsName.bytes())
        .bind(10, rs.alias->evaluateTargetHealth);
  } else {
    s.bindNull(8).bindNull(9).bindNull(10);
  }
  return s.run();
}

Status deleteSet(sqlite::Database& db, const std::string& zoneId, const RecordSet& rs) {
  auto st = db.prepare("DELETE FROM record_sets WHERE zone_id=?1 AND name_key=?2 AND type_key=?3");
  if (!st) return st.error();
  (*st)->bind(1, zoneId).bind(2, route53NameKey(rs.name)).bind(3, route53TypeKey(rs.type));
  return (*st)->run();
}

}  // namespace

Result<std::string> SqliteZoneStore::prepareDataDir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return Error(fmt::format("cannot create data directory {}: {}", dir, std::strerror(errno)));
    }
    // Make the new directory's entry durable (SQLite syncs the directory's
    // own entries, not its parent's).
    auto parent = std::filesystem::path(dir).parent_path();
    if (parent.empty()) parent = ".";
    const int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pfd >= 0) {
      (void)::fsync(pfd);
      ::close(pfd);
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error(fmt::format("data directory {} is not a directory", dir));
  }
  if ((st.st_mode & 0077) != 0) {
    return Error(fmt::format("data directory {} is accessible by other users (mode {:o}); chmod 700 it", dir,
                             st.st_mode & 0777));
  }
  return (std::filesystem::path(dir) / kDatabaseFile).string();
}

Result<std::unique_ptr<SqliteZoneStore>> SqliteZoneStore::open(SqliteStoreOptions options) {
  auto suffix = wire::Name::fromText(options.nameServerSuffix);
  if (!suffix)
    return Error(
        fmt::format("bad name-server suffix '{}': {}", options.nameServerSuffix, suffix.error().message));
  std::vector<wire::Name> servers = options.nameServers;
  if (servers.empty()) {
    for (int i = 1; i <= 4; ++i) {
      auto ns = suffix->prepend(fmt::format("ns-{}", i));
      if (!ns) return Error(fmt::format("name-server suffix too long: {}", ns.error().message));
      servers.push_back(std::move(*ns));
    }
  }
  auto hostmaster = suffix->prepend("hostmaster");
  if (!hostmaster) return Error(fmt::format("name-server suffix too long: {}", hostmaster.error().message));

  auto db = sqlite::Database::open(options.path);
  if (!db) return db.error();
  auto& d = **db;
  // WAL: readers never block the writer; FULL: the WAL is fsynced at every
  // COMMIT, so an acknowledged batch survives a crash or power loss.
  if (auto st = d.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"); !st) {
    return st.error();
  }
  {
    sqlite::Transaction txn(d);
    if (auto st = txn.begin(); !st) return st.error();
    if (auto st = d.exec(kSchema); !st) return st.error();
    auto q = d.prepare("SELECT version FROM schema_version");
    if (!q) return q.error();
    if ((*q)->step()) {
      const auto version = (*q)->columnInt(0);
      if (version > kSchemaVersion) {
        return Error(fmt::format("database {} has schema version {}, newer than this zonekeeper's {}",
                                 options.path, version, kSchemaVersion));
      }
    } else {
      if (!(*q)->status()) return (*q)->status().error();
      auto ins = d.prepare("INSERT INTO schema_version(version) VALUES(?1)");
      if (!ins) return ins.error();
      if (auto st = (*ins)->bind(1, std::int64_t{kSchemaVersion}).run(); !st) return st.error();
    }
    if (auto st = txn.commit(); !st) return st.error();
  }
  ServerRegistry::Options ro;
  ro.path = options.path + "-servers";
  ro.clock = options.clock;
  auto registry = ServerRegistry::open(std::move(ro));
  if (!registry) return registry.error();
  std::unique_ptr<sqlite::Checkpointer> checkpointer;
  if (options.checkpointPages > 0) {
    auto c = sqlite::Checkpointer::start(d, options.path, options.checkpointPages);
    if (!c) return c.error();
    checkpointer = std::move(*c);
  }
  return std::unique_ptr<SqliteZoneStore>(new SqliteZoneStore(std::move(*db), std::move(checkpointer),
                                                              std::move(*registry), std::move(options),
                                                              std::move(servers), std::move(*hostmaster)));
}

SqliteZoneStore::SqliteZoneStore(std::unique_ptr<sqlite::Database> db,
                                 std::unique_ptr<sqlite::Checkpointer> checkpointer,
                                 std::unique_ptr<ServerRegistry> registry, SqliteStoreOptions options,
                                 std::vector<wire::Name> nameServers, wire::Name hostmaster)
    : db_(std::move(db)),
      checkpointer_(std::move(checkpointer)),
      options_(std::move(options)),
      nameServers_(std::move(nameServers)),
      hostmaster_(std::move(hostmaster)),
      random_(options_.seed != 0 ? options_.seed
                                 : (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()),
      registry_(std::move(registry)) {}

SqliteZoneStore::~SqliteZoneStore() = default;

std::int64_t SqliteZoneStore::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string SqliteZoneStore::randomId(char prefix, std::size_t length, std::string_view alphabet) {
  std::string id(1, prefix);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (std::size_t i = 0; i < length; ++i) id.push_back(alphabet[pick(random_)]);
  return id;
}

void SqliteZoneStore::setListener(ChangeListener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void SqliteZoneStore::notify(const std::string& zoneId, std::uint32_t serial) {
  ChangeListener l;
  {
    std::lock_guard lock(mutex_);
    l = listener_;
  }
  if (l) l(zoneId, serial);
}

StoreResult<HostedZone> SqliteZoneStore::loadZone(std::string_view zoneId) {
  auto st = db_->prepare(fmt::format("SELECT {} FROM zones WHERE id=?1", kZoneColumns));
  if (!st) return internal(st.error());
  (*st)->bind(1, zoneId);
  if (!(*st)->step()) {
    if (!(*st)->status()) return internal((*st)->status());
    return noSuchZone(zoneId);
  }
  auto z = readZone(**st);
  if (!z) return internal(z.error());
  return std::move(*z);
}

Status SqliteZoneStore::writeChange(const ChangeInfo& info, std::uint32_t serialBefore,
                                    const std::vector<RecordSet>& removed,
                                    const std::vector<RecordSet>& added) {
  auto ins = db_->prepare(
      "INSERT INTO changes(id, zone_id, insync, submitted_at, comment, serial_before, serial, diff) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!ins) return ins.error();
  auto st = (*ins)
                ->bind(1, info.id)
                .bind(2, info.zoneId)
                .bind(3, info.status == ChangeStatus::InSync)
                .bind(4, info.submittedAt)
                .bind(5, info.comment)
                .bind(6, std::int64_t{serialBefore})
                .bind(7, std::int64_t{info.serial})
                .bindBlob(8, encodeDiff(removed, added))
                .run();
  if (!st) return st;
  // The journal is bounded: every kPruneEvery batches of a zone, its changes
  // older than the last journalKeep go (so 1000 to 1015 are kept by default).
  // GetChange of a pruned id is then NoSuchChange, as AWS answers for old
  // changes; a server further behind sees a gap and reloads the whole zone.
  if (options_.journalKeep <= 0 || info.serial % kPruneEvery != 0) return {};
  auto prune = db_->prepare(
      "DELETE FROM changes WHERE zone_id=?1 AND seq <= (SELECT seq FROM changes WHERE zone_id=?1 "
      "ORDER BY seq DESC LIMIT 1 OFFSET ?2)");
  if (!prune) return prune.error();
  return (*prune)->bind(1, info.zoneId).bind(2, options_.journalKeep).run();
}

StoreResult<HostedZone> SqliteZoneStore::insertZone(const NewZone& zone) {
  if (zone.name.isRoot())
    return StoreError{ErrorCode::InvalidInput, {"The root zone cannot be a hosted zone"}};
  if (zone.callerReference.empty() || zone.callerReference.size() > kMaxCallerReference) {
    return StoreError{ErrorCode::InvalidInput,
                      {fmt::format("CallerReference must be 1 to {} characters", kMaxCallerReference)}};
  }
  if (zone.comment.size() > kMaxComment) {
    return StoreError{ErrorCode::InvalidInput,
                      {fmt::format("Comment must be at most {} characters", kMaxComment)}};
  }
  {
    auto st = db_->prepare("SELECT id FROM zones WHERE caller_reference=?1");
    if (!st) return internal(st.error());
    (*st)->bind(1, zone.callerReference);
    if ((*st)->step()) {
      return StoreError{
          ErrorCode::HostedZoneAlreadyExists,
          {fmt::format("A hosted zone has already been created with the specified caller reference "
                       "'{}' (hosted zone {})",
                       zone.callerReference, (*st)->columnText(0))}};
    }
    if (!(*st)->status()) return internal((*st)->status());
  }
  HostedZone z;
  // "Z" + 20 uppercase alphanumerics, as Route53's current ids; retried on the
  // (unlikely) collision.
  for (int attempt = 0;; ++attempt) {
    z.id = randomId('Z', 20, kUpperAlnum);
    auto st = db_->prepare("SELECT 1 FROM zones WHERE id=?1");
    if (!st) return internal(st.error());
    (*st)->bind(1, z.id);
    if (!(*st)->step()) {
      if (!(*st)->status()) return internal((*st)->status());
      break;
    }
    if (attempt > 8) return StoreError{ErrorCode::Internal, {"cannot allocate a hosted zone id"}};
  }
  z.name = zone.name.lowercased();
  z.callerReference = zone.callerReference;
  z.comment = zone.comment;
  z.createdAt = now();
  z.serial = 1;
  z.nameServers = nameServers_;
  z.recordSetCount = 2;

  // Route53's defaults: SOA "<ns> <hostmaster> 1 7200 900 1209600 86400" TTL 900, NS TTL 172800.
  RecordSet soa{z.name, wire::RRType::SOA, kSoaTtl, {}, std::nullopt, {}};
  wire::Bytes soaData(nameServers_.front().bytes().begin(), nameServers_.front().bytes().end());
  soaData.insert(soaData.end(), hostmaster_.bytes().begin(), hostmaster_.bytes().end());
  for (std::uint32_t v : {z.serial, kSoaRefresh, kSoaRetry, kSoaExpire, kSoaMinimum}) putU32(soaData, v);
  soa.rdata.push_back(std::move(soaData));
  RecordSet ns{z.name, wire::RRType::NS, kNsTtl, {}, std::nullopt, {}};
  std::vector<wire::Bytes> serverWire;
  for (const auto& n : nameServers_) {
    ns.rdata.emplace_back(n.bytes().begin(), n.bytes().end());
    serverWire.emplace_back(n.bytes().begin(), n.bytes().end());
  }

  auto st = db_->prepare(
      "INSERT INTO zones(id, name, name_key, caller_reference, comment, private, created_at, serial, "
      "record_set_count, name_servers) VALUES(?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9)");
  if (!st) return internal(st.error());
  if (auto r = (*st)
                   ->bind(1, z.id)
                   .bindBlob(2, z.name.bytes())
                   .bind(3, route53NameKey(z.name))
                   .bind(4, z.callerReference)
                   .bind(5, z.comment)
                   .bind(6, z.createdAt)
                   .bind(7, std::int64_t{z.serial})
                   .bind(8, static_cast<std::int64_t>(z.recordSetCount))
                   .bindBlob(9, encodeValues(serverWire))
                   .run();
      !r) {
    return internal(r);
  }
  if (auto r = writeSet(*db_, z.id, soa); !r) return internal(r);
  if (auto r = writeSet(*db_, z.id, ns); !r) return internal(r);

  ChangeInfo info;
  info.id = randomId('C', 13, kBase32);
  info.status = statusAtCommit();
  info.submittedAt = z.createdAt;
  info.comment = z.comment;
  info.zoneId = z.id;
  info.serial = z.serial;
  if (auto r = writeChange(info, 0, {}, {ns}); !r) return internal(r);
  z.changeId = info.id;
  return z;
}

StoreResult<HostedZone> SqliteZoneStore::createZone(const NewZone& zone) {
  StoreResult<HostedZone> out = StoreError{ErrorCode::Internal, {}};
  {
    std::lock_guard lock(mutex_);
    sqlite::StatementScope scope(*db_);
    sqlite::Transaction txn(*db_);
    if (auto st = txn.begin(); !st) return internal(st);
    out = insertZone(zone);
    if (failed(out)) return out;
    if (auto st = txn.commit(); !st) return internal(st);
  }
  const auto& z = std::get<HostedZone>(out);
  notify(z.id, z.serial);
  return out;
}

StoreResult<HostedZone> SqliteZoneStore::importZone(const NewZone& zone,
                                                    const std::vector<RecordSet>& recordSets) {
  StoreResult<HostedZone> out = StoreError{ErrorCode::Internal, {}};
  {
    std::lock_guard lock(mutex_);
    sqlite::StatementScope scope(*db_);
    sqlite::Transaction txn(*db_);
    if (auto st = txn.begin(); !st) return internal(st);
    out = insertZone(zone);
    if (failed(out)) return out;
    auto& z = std::get<HostedZone>(out);
    ChangeBatch batch;
    batch.comment = "zone file import";
    for (const auto& rs : recordSets) {
      const bool apexDefault =
          rs.name == z.name && (rs.type == wire::RRType::SOA || rs.type == wire::RRType::NS);
      batch.changes.push_back({apexDefault ? ChangeAction::Upsert : ChangeAction::Create, rs});
      auto& added = batch.changes.back().recordSet;
      if (added.alias && added.alias->hostedZoneId.empty()) added.alias->hostedZoneId = z.id;
    }
    if (!batch.changes.empty()) {
      RuleOptions rules;
      rules.enforceBatchLimits = false;
      // A zone file's ALIAS records name targets anywhere (an ELB's name, or an
      // in-zone name with only an A set): imported as given, as before.
      rules.checkAliasTargets = false;
      auto info = applyInTransaction(z, batch, rules);
      if (failed(info)) return errorOf(std::move(info));
      auto reloaded = loadZone(z.id);
      if (failed(reloaded)) return reloaded;
      const std::string changeId = z.changeId;
      z = std::get<HostedZone>(std::move(reloaded));
      z.changeId = changeId;
    }
    if (auto st = txn.commit(); !st) return internal(st);
  }
  const auto& z = std::get<HostedZone>(out);
  notify(z.id, z.serial);
  return out;
}

StoreResult<HostedZone> SqliteZoneStore::getZone(std::string_view zoneId) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  return loadZone(zoneId);
}

StoreResult<std::vector<HostedZone>> SqliteZoneStore::listZones() {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  auto st = db_->prepare(fmt::format("SELECT {} FROM zones ORDER BY name_key, id", kZoneColumns));
  if (!st) return internal(st.error());
  std::vector<HostedZone> out;
  while ((*st)->step()) {
    auto z = readZone(**st);
    if (!z) return internal(z.error());
    out.push_back(std::move(*z));
  }
  if (!(*st)->status()) return internal((*st)->status());
  return out;
}

StoreResult<HostedZone> SqliteZoneStore::updateZoneComment(std::string_view zoneId,
                                                           std::string_view comment) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  if (comment.size() > kMaxComment) {
    return StoreError{ErrorCode::InvalidInput,
                      {fmt::format("Comment must be at most {} characters", kMaxComment)}};
  }
  auto st = db_->prepare("UPDATE zones SET comment=?2 WHERE id=?1");
  if (!st) return internal(st.error());
  if (auto r = (*st)->bind(1, zoneId).bind(2, comment).run(); !r) return internal(r);
  if (db_->changes() == 0) return noSuchZone(zoneId);
  return loadZone(zoneId);
}

StoreResult<bool> SqliteZoneStore::deleteZone(std::string_view zoneId) {
  auto r = removeZone(zoneId);
  if (failed(r)) return errorOf(std::move(r));
  return true;
}

StoreResult<ChangeInfo> SqliteZoneStore::removeZone(std::string_view zoneId) {
  ChangeInfo info;
  {
    std::lock_guard lock(mutex_);
    sqlite::StatementScope scope(*db_);
    sqlite::Transaction txn(*db_);
    if (auto st = txn.begin(); !st) return internal(st);
    auto zr = loadZone(zoneId);
    if (failed(zr)) return errorOf(std::move(zr));
    const auto& z = std::get<HostedZone>(zr);
    {
      // Only the apex SOA and NS may remain (Route53 HostedZoneNotEmpty).
      auto st = db_->prepare(
          "SELECT COUNT(*) FROM record_sets WHERE zone_id=?1 AND NOT (name_key=?2 AND type_key IN ('SOA', "
          "'NS'))");
      if (!st) return internal(st.error());
      (*st)->bind(1, z.id).bind(2, route53NameKey(z.name));
      if (!(*st)->step()) {
        return StoreError{ErrorCode::Internal,
                          {(*st)->status() ? "no row from COUNT" : (*st)->status().error().message}};
      }
      if ((*st)->columnInt(0) != 0) {
        return StoreError{
            ErrorCode::HostedZoneNotEmpty,
            {"The specified hosted zone contains non-required resource record sets and so cannot be "
             "deleted."}};
      }
    }
    for (const char* sql : {"DELETE FROM record_sets WHERE zone_id=?1", "DELETE FROM zones WHERE id=?1"}) {
      auto st = db_->prepare(sql);
      if (!st) return internal(st.error());
      if (auto r = (*st)->bind(1, z.id).run(); !r) return internal(r);
    }
    {
      auto st = db_->prepare("DELETE FROM tags WHERE resource_type=?1 AND resource_id=?2");
      if (!st) return internal(st.error());
      if (auto r =
              (*st)->bind(1, std::int64_t{static_cast<int>(TagResource::HostedZone)}).bind(2, z.id).run();
          !r) {
        return internal(r);
      }
    }
    info.id = randomId('C', 13, kBase32);
    info.status = ChangeStatus::InSync;  // nothing is left to serve
    info.submittedAt = now();
    info.zoneId = z.id;
    info.serial = z.serial;
    if (auto r = writeChange(info, z.serial, {}, {}); !r) return internal(r);
    if (auto st = txn.commit(); !st) return internal(st);
  }
  notify(info.zoneId, info.serial);  // getZone now answers NoSuchHostedZone
  return info;
}

StoreResult<ChangeInfo> SqliteZoneStore::applyInTransaction(const HostedZone& zone, const ChangeBatch& batch,
                                                            const RuleOptions& rules) {
  SqliteView view(*db_, zone.id);
  BatchPlan plan = planBatch(zone.name, batch, view, rules);
  if (view.error()) return StoreError{ErrorCode::Internal, {*view.error()}};
  if (!plan.ok()) return StoreError{plan.code, std::move(plan.messages)};

  // RFC 1982 serial: +1, or the SOA's own serial when an UPSERT of the SOA
  // moves it forward (as RFC 2136 section 3.6 accepts a larger serial).
  std::uint32_t serial = serialNext(zone.serial);
  std::vector<RecordSet> removed;
  std::vector<RecordSet> added;
  std::int64_t countDelta = 0;
  for (const auto& eff : plan.effects) {
    const bool isSoa = (eff.after ? eff.after->type : eff.before->type) == wire::RRType::SOA;
    if (isSoa && eff.after && eff.after->rdata.size() == 1) {
      if (auto off = soaSerialOffset(eff.after->rdata[0])) {
        const std::uint32_t given = readU32(eff.after->rdata[0], *off);
        if (serialGreater(given, serial)) serial = given;
      }
    }
    if (eff.after) {
      if (auto st = writeSet(*db_, zone.id, *eff.after); !st) return internal(st);
    } else {
      if (auto st = deleteSet(*db_, zone.id, *eff.before); !st) return internal(st);
    }
    countDelta += (eff.after ? 1 : 0) - (eff.before ? 1 : 0);
    if (isSoa || eff.before == eff.after) continue;  // the journal frames diffs with SOAs itself
    if (eff.before) removed.push_back(*eff.before);
    if (eff.after) added.push_back(*eff.after);
  }

  // Write the new serial into the apex SOA.
  {
    auto soa = view.find(zone.name, wire::RRType::SOA);
    if (view.error()) return StoreError{ErrorCode::Internal, {*view.error()}};
    if (!soa || soa->rdata.size() != 1)
      return StoreError{ErrorCode::Internal, {"the zone has no SOA record"}};
    auto off = soaSerialOffset(soa->rdata[0]);
    if (!off) return StoreError{ErrorCode::Internal, {"the zone's SOA record is malformed"}};
    for (int i = 0; i < 4; ++i) {
      soa->rdata[0][*off + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(serial >> (24 - 8 * i));
    }
    if (auto st = writeSet(*db_, zone.id, *soa); !st) return internal(st);
  }
  {
    auto st = db_->prepare("UPDATE zones SET serial=?2, record_set_count=record_set_count+?3 WHERE id=?1");
    if (!st) return internal(st.error());
    if (auto r = (*st)->bind(1, zone.id).bind(2, std::int64_t{serial}).bind(3, countDelta).run(); !r) {
      return internal(r);
    }
  }
  ChangeInfo info;
  info.id = randomId('C', 13, kBase32);
  info.status = statusAtCommit();
  info.submittedAt = now();
  info.comment = batch.comment;
  info.zoneId = zone.id;
  info.serial = serial;
  if (auto st = writeChange(info, zone.serial, removed, added); !st) return internal(st);
  return info;
}

StoreResult<ChangeInfo> SqliteZoneStore::applyChanges(std::string_view zoneId, const ChangeBatch& batch) {
  // Group commit: whoever finds no leader at work takes every queued batch
  // (its own included) into one transaction; batches that arrive meanwhile
  // wait for the next group. Each caller is answered only after the COMMIT
  // that holds its batch returned (WAL fsynced): acknowledged = durable.
  QueuedBatch me;
  me.zoneId = zoneId;
  me.batch = &batch;
  {
    std::unique_lock lock(groupMutex_);
    queue_.push_back(&me);
    while (!me.done) {
      if (leaderActive_) {
        groupCv_.wait(lock);
        continue;
      }
      leaderActive_ = true;
      std::vector<QueuedBatch*> group;
      group.swap(queue_);
      lock.unlock();
      commitGroup(group);
      lock.lock();
      leaderActive_ = false;
      for (QueuedBatch* q : group) q->done = true;
      groupCv_.notify_all();
    }
  }
  if (failed(me.result)) return std::move(me.result);
  const auto& info = std::get<ChangeInfo>(me.result);
  notify(info.zoneId, info.serial);
  return std::move(me.result);
}

void SqliteZoneStore::commitGroup(std::span<QueuedBatch* const> group) {
  auto failAll = [&](const StoreError& e) {
    for (QueuedBatch* q : group) q->result = e;
  };
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  sqlite::Transaction txn(*db_);
  if (auto st = txn.begin(); !st) return failAll(StoreError{ErrorCode::Internal, {st.error().message}});
  const bool savepoints = group.size() > 1;
  std::size_t applied = 0;
  for (QueuedBatch* q : group) {
    if (savepoints) {
      if (auto st = db_->exec("SAVEPOINT batch"); !st) {
        return failAll(StoreError{ErrorCode::Internal, {st.error().message}});
      }
    }
    auto zr = loadZone(q->zoneId);
    if (failed(zr)) {
      q->result = errorOf(std::move(zr));
    } else {
      q->result = applyInTransaction(std::get<HostedZone>(zr), *q->batch, RuleOptions{});
    }
    if (!savepoints) break;
    // A failed batch is undone alone (ROLLBACK TO keeps the savepoint, RELEASE ends it).
    const char* end = failed(q->result) ? "ROLLBACK TO batch; RELEASE batch" : "RELEASE batch";
    db_->resetAll();  // no statement left mid-step across the savepoint's end
    if (auto st = db_->exec(end); !st) {
      // The transaction itself is gone (I/O error): nothing of the group commits.
      return failAll(StoreError{ErrorCode::Internal, {st.error().message}});
    }
    if (!failed(q->result)) ++applied;
  }
  if (!savepoints) {
    if (failed(group[0]->result)) return;  // the transaction rolls back
    applied = 1;
  }
  if (applied == 0) return;  // nothing to commit: the transaction rolls back
  if (options_.beforeGroupCommit) options_.beforeGroupCommit(group.size());
  if (auto st = txn.commit(); !st) {
    for (QueuedBatch* q : group) {
      if (!failed(q->result)) q->result = StoreError{ErrorCode::Internal, {st.error().message}};
    }
    return;
  }
  groupStats_.batches += group.size();
  ++groupStats_.commits;
}

GroupCommitStats SqliteZoneStore::groupCommitStats() {
  std::lock_guard lock(mutex_);
  return groupStats_;
}

std::size_t SqliteZoneStore::queuedBatches() {
  std::lock_guard lock(groupMutex_);
  return queue_.size();
}

StoreResult<RecordSetPage> SqliteZoneStore::listRecordSets(std::string_view zoneId,
                                                           const std::optional<RecordSetKey>& start,
                                                           std::size_t maxItems) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  auto zr = loadZone(zoneId);
  if (failed(zr)) return errorOf(std::move(zr));
  maxItems = std::max<std::size_t>(maxItems, 1);
  // Route53: name >= StartRecordName, and type >= StartRecordType within that name.
  auto st = db_->prepare(fmt::format(
      "SELECT {} FROM record_sets WHERE zone_id=?1 AND (name_key > ?2 OR (name_key = ?2 AND type_key >= ?3)) "
      "ORDER BY name_key, type_key LIMIT ?4",
      kSetColumns));
  if (!st) return internal(st.error());
  (*st)
      ->bind(1, zoneId)
      .bind(2, start ? route53NameKey(start->name) : std::string())
      .bind(3, start && start->type ? route53TypeKey(*start->type) : std::string())
      .bind(4, static_cast<std::int64_t>(maxItems + 1));
  RecordSetPage page;
  while ((*st)->step()) {
    auto rs = readSet(**st);
    if (!rs) return internal(rs.error());
    if (page.recordSets.size() == maxItems) {
      page.next = RecordSetKey{rs->name, rs->type};
      break;
    }
    page.recordSets.push_back(std::move(*rs));
  }
  if (!(*st)->status()) return internal((*st)->status());
  return page;
}

StoreResult<ZoneStore::ZoneContents> SqliteZoneStore::zoneContents(std::string_view zoneId) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  // One read transaction, so the zone row and its record sets agree.
  if (auto st = db_->exec("BEGIN"); !st) return internal(st);
  struct EndRead {
    sqlite::Database& db;
    ~EndRead() { (void)db.exec("COMMIT"); }
  } endRead{*db_};
  auto zr = loadZone(zoneId);
  if (failed(zr)) return errorOf(std::move(zr));
  ZoneContents out;
  out.zone = std::get<HostedZone>(std::move(zr));
  auto st = db_->prepare(
      fmt::format("SELECT {} FROM record_sets WHERE zone_id=?1 ORDER BY name_key, type_key", kSetColumns));
  if (!st) return internal(st.error());
  (*st)->bind(1, zoneId);
  out.recordSets.reserve(out.zone.recordSetCount);
  while ((*st)->step()) {
    auto rs = readSet(**st);
    if (!rs) return internal(rs.error());
    out.recordSets.push_back(std::move(*rs));
  }
  if (!(*st)->status()) return internal((*st)->status());
  return out;
}

StoreResult<Tags> SqliteZoneStore::tags(TagResource resource, std::string_view id) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  if (resource == TagResource::HealthCheck) {
    return StoreError{ErrorCode::NoSuchHealthCheck,
                      {fmt::format("No health check exists with the ID {}", id)}};
  }
  auto zr = loadZone(id);
  if (failed(zr)) return errorOf(std::move(zr));
  auto st =
      db_->prepare("SELECT key, value FROM tags WHERE resource_type=?1 AND resource_id=?2 ORDER BY key");
  if (!st) return internal(st.error());
  (*st)->bind(1, std::int64_t{static_cast<int>(resource)}).bind(2, id);
  Tags out;
  while ((*st)->step())
    out.emplace_back(std::string((*st)->columnText(0)), std::string((*st)->columnText(1)));
  if (!(*st)->status()) return internal((*st)->status());
  return out;
}

StoreResult<bool> SqliteZoneStore::changeTags(TagResource resource, std::string_view id, const Tags& add,
                                              const std::vector<std::string>& removeKeys) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  if (resource == TagResource::HealthCheck) {
    return StoreError{ErrorCode::NoSuchHealthCheck,
                      {fmt::format("No health check exists with the ID {}", id)}};
  }
  std::vector<std::string> problems;
  for (const auto& [k, v] : add) {
    if (k.empty() || k.size() > kMaxTagKey) {
      problems.push_back(fmt::format("Tag key '{}' must be 1 to {} characters", k, kMaxTagKey));
    }
    if (v.size() > kMaxTagValue) {
      problems.push_back(
          fmt::format("Tag value for key '{}' must be at most {} characters", k, kMaxTagValue));
    }
  }
  if (!problems.empty()) return StoreError{ErrorCode::InvalidInput, std::move(problems)};
  sqlite::Transaction txn(*db_);
  if (auto st = txn.begin(); !st) return internal(st);
  auto zr = loadZone(id);
  if (failed(zr)) return errorOf(std::move(zr));
  for (const auto& k : removeKeys) {
    auto st = db_->prepare("DELETE FROM tags WHERE resource_type=?1 AND resource_id=?2 AND key=?3");
    if (!st) return internal(st.error());
    if (auto r = (*st)->bind(1, std::int64_t{static_cast<int>(resource)}).bind(2, id).bind(3, k).run(); !r) {
      return internal(r);
    }
  }
  for (const auto& [k, v] : add) {
    auto st = db_->prepare(
        "INSERT OR REPLACE INTO tags(resource_type, resource_id, key, value) VALUES(?1, ?2, ?3, ?4)");
    if (!st) return internal(st.error());
    if (auto r =
            (*st)->bind(1, std::int64_t{static_cast<int>(resource)}).bind(2, id).bind(3, k).bind(4, v).run();
        !r) {
      return internal(r);
    }
  }
  if (auto st = txn.commit(); !st) return internal(st);
  return true;
}

StoreResult<ChangeInfo> SqliteZoneStore::getChange(std::string_view changeId) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  auto st =
      db_->prepare("SELECT id, zone_id, insync, submitted_at, comment, serial FROM changes WHERE id=?1");
  if (!st) return internal(st.error());
  (*st)->bind(1, changeId);
  if (!(*st)->step()) {
    if (!(*st)->status()) return internal((*st)->status());
    return StoreError{ErrorCode::NoSuchChange,
                      {fmt::format("A change with the specified change ID does not exist: {}", changeId)}};
  }
  ChangeInfo info;
  info.id = std::string((*st)->columnText(0));
  info.zoneId = std::string((*st)->columnText(1));
  const bool insync = (*st)->columnInt(2) != 0;
  info.submittedAt = (*st)->columnInt(3);
  info.comment = std::string((*st)->columnText(4));
  info.serial = static_cast<std::uint32_t>((*st)->columnInt(5));
  if (insync) {
    info.status = ChangeStatus::InSync;
    return info;
  }
  // INSYNC once every live server that serves the zone serves this serial or
  // a later one; servers that declined the zone (its name is served from
  // another hosted zone there) are not waited for.
  auto live = registry_->live();
  auto decliners = registry_->decliners(info.zoneId);
  bool all = live.ok() && decliners.ok();
  if (all) {
    for (const auto& [server, zones] : *live) {
      if (decliners->contains(server)) continue;
      auto it = zones.find(info.zoneId);
      if (it == zones.end() || !serialAtOrAfter(it->second, info.serial)) {
        all = false;
        break;
      }
    }
  }
  if (!all) {
    // A deleted zone is served by nobody: nothing left to wait for.
    auto zr = loadZone(info.zoneId);
    if (!failed(zr)) {
      info.status = ChangeStatus::Pending;
      return info;
    }
  }
  info.status = ChangeStatus::InSync;
  // Remember it, so it stays INSYNC when servers come and go.
  auto up = db_->prepare("UPDATE changes SET insync=1 WHERE id=?1");
  if (up) (void)(*up)->bind(1, info.id).run();
  return info;
}

ChangeStatus SqliteZoneStore::statusAtCommit() {
  // A registry that cannot be read never makes a change INSYNC early.
  auto live = registry_->live();
  return live && live->empty() ? ChangeStatus::InSync : ChangeStatus::Pending;
}

// Registration failures are not fatal to the server; GetChange then waits
// (PENDING) rather than claiming INSYNC, and the heartbeat retries.
void SqliteZoneStore::registerServer(std::string_view server) { (void)registry_->registerServer(server); }

void SqliteZoneStore::unregisterServer(std::string_view server) { (void)registry_->unregisterServer(server); }

void SqliteZoneStore::heartbeat(std::string_view server) { (void)registry_->heartbeat(server); }

void SqliteZoneStore::markServedBy(std::string_view server, std::string_view zoneId, std::uint32_t serial) {
  (void)registry_->markServed(server, zoneId, serial);
}

void SqliteZoneStore::markDeclinedBy(std::string_view server, std::string_view zoneId) {
  (void)registry_->markDeclined(server, zoneId);
}

void SqliteZoneStore::markServed(std::string_view zoneId, std::uint32_t serial) {
  markServedBy("local", zoneId, serial);
}

StoreResult<std::vector<JournalEntry>> SqliteZoneStore::journal(std::string_view zoneId,
                                                                std::uint32_t sinceSerial) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  auto zr = loadZone(zoneId);
  if (failed(zr)) return errorOf(std::move(zr));
  auto st =
      db_->prepare("SELECT id, serial_before, serial, diff FROM changes WHERE zone_id=?1 ORDER BY seq DESC");
  if (!st) return internal(st.error());
  (*st)->bind(1, zoneId);
  std::vector<JournalEntry> out;
  while ((*st)->step()) {
    const auto serial = static_cast<std::uint32_t>((*st)->columnInt(2));
    if (!serialGreater(serial, sinceSerial)) break;
    JournalEntry e;
    e.changeId = std::string((*st)->columnText(0));
    e.serialBefore = static_cast<std::uint32_t>((*st)->columnInt(1));
    e.serial = serial;
    if (auto d = decodeDiff((*st)->columnBlob(3), e.removed, e.added); !d) return internal(d);
    out.push_back(std::move(e));
  }
  if (!(*st)->status()) return internal((*st)->status());
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace zk::store
