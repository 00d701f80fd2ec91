#include "store/server_registry.h"

#include <unistd.h>
#include <csignal>

#include <cerrno>
#include <chrono>
#include <vector>

#include "store/route53_names.h"
#include "store/sqlite.h"

namespace zk::store {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS servers(
  name TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  heartbeat INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS served(
  server TEXT NOT NULL,
  zone TEXT NOT NULL,
  serial INTEGER NOT NULL,
  PRIMARY KEY(server, zone)
);
CREATE TABLE IF NOT EXISTS declined(
  server TEXT NOT NULL,
  zone TEXT NOT NULL,
  PRIMARY KEY(server, zone)
);
)";

bool processExists(std::int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

Result<std::unique_ptr<ServerRegistry>> ServerRegistry::open(Options options) {
  auto db = sqlite::Database::open(options.path);
  if (!db) return db.error();
  // Ephemeral state: no fsync (servers report again after a crash); WAL so that
  // readers in other processes never wait; a short busy wait for writers.
  if (auto st = (*db)->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"); !st) return st.error();
  if (auto st = (*db)->exec(kSchema); !st) return st.error();
  return std::unique_ptr<ServerRegistry>(new ServerRegistry(std::move(*db), std::move(options)));
}

ServerRegistry::ServerRegistry(std::unique_ptr<sqlite::Database> db, Options options)
    : db_(std::move(db)), options_(std::move(options)) {}

ServerRegistry::~ServerRegistry() = default;

std::int64_t ServerRegistry::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status ServerRegistry::insert(std::string_view name) {
  auto st = db_->prepare("INSERT OR REPLACE INTO servers(name, pid, heartbeat) VALUES(?1, ?2, ?3)");
  if (!st) return st.error();
  return (*st)->bind(1, name).bind(2, std::int64_t{::getpid()}).bind(3, now()).run();
}

Status ServerRegistry::registerServer(std::string_view name) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  sqlite::Transaction txn(*db_);
  if (auto st = txn.begin(); !st) return st;
  for (const char* sql : {"DELETE FROM served WHERE server=?1", "DELETE FROM declined WHERE server=?1"}) {
    auto del = db_->prepare(sql);
    if (!del) return del.error();
    if (auto st = (*del)->bind(1, name).run(); !st) return st;
  }
  if (auto st = insert(name); !st) return st;
  return txn.commit();
}

Status ServerRegistry::heartbeat(std::string_view name) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  auto up = db_->prepare("UPDATE servers SET heartbeat=?2, pid=?3 WHERE name=?1");
  if (!up) return up.error();
  if (auto st = (*up)->bind(1, name).bind(2, now()).bind(3, std::int64_t{::getpid()}).run(); !st) return st;
  if (db_->changes() != 0) return {};
  return insert(name);  // dropped as stale (a long pause): live again
}

Status ServerRegistry::forget(std::string_view name) {
  for (const char* sql : {"DELETE FROM served WHERE server=?1", "DELETE FROM servers WHERE name=?1"}) {
    auto st = db_->prepare(sql);
    if (!st) return st.error();
    if (auto r = (*st)->bind(1, name).run(); !r) return r;
  }
  return {};
}

Status ServerRegistry::unregisterServer(std::string_view name) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  auto del = db_->prepare("DELETE FROM declined WHERE server=?1");
  if (!del) return del.error();
  if (auto st = (*del)->bind(1, name).run(); !st) return st;
  return forget(name);
}

Status ServerRegistry::markDeclined(std::string_view name, std::string_view zoneId) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  auto put = db_->prepare("INSERT OR IGNORE INTO declined(server, zone) VALUES(?1, ?2)");
  if (!put) return put.error();
  return (*put)->bind(1, name).bind(2, zoneId).run();
}

Result<std::set<std::string, std::less<>>> ServerRegistry::decliners(std::string_view zoneId) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  auto get = db_->prepare("SELECT server FROM declined WHERE zone=?1");
  if (!get) return get.error();
  (*get)->bind(1, zoneId);
  std::set<std::string, std::less<>> out;
  while ((*get)->step()) out.emplace((*get)->columnText(0));
  if (!(*get)->status()) return (*get)->status().error();
  return out;
}

Status ServerRegistry::markServed(std::string_view name, std::string_view zoneId, std::uint32_t serial) {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  sqlite::Transaction txn(*db_);
  if (auto st = txn.begin(); !st) return st;
  auto get = db_->prepare("SELECT serial FROM served WHERE server=?1 AND zone=?2");
  if (!get) return get.error();
  (*get)->bind(1, name).bind(2, zoneId);
  if ((*get)->step()) {
    const auto old = static_cast<std::uint32_t>((*get)->columnInt(0));
    if (!serialGreater(serial, old)) return {};  // RFC 1982: not later
  } else if (!(*get)->status()) {
    return (*get)->status();
  }
  (*get)->reset();
  auto put = db_->prepare("INSERT OR REPLACE INTO served(server, zone, serial) VALUES(?1, ?2, ?3)");
  if (!put) return put.error();
  if (auto st = (*put)->bind(1, name).bind(2, zoneId).bind(3, std::int64_t{serial}).run(); !st) return st;
  auto undecline = db_->prepare("DELETE FROM declined WHERE server=?1 AND zone=?2");
  if (!undecline) return undecline.error();
  if (auto st = (*undecline)->bind(1, name).bind(2, zoneId).run(); !st) return st;
  return txn.commit();
}

Result<ServerRegistry::Served> ServerRegistry::live() {
  std::lock_guard lock(mutex_);
  sqlite::StatementScope scope(*db_);
  Served out;
  std::vector<std::string> dead;
  auto servers = db_->prepare("SELECT name, pid, heartbeat FROM servers");
  if (!servers) return servers.error();
  const std::int64_t t = now();
  while ((*servers)->step()) {
    std::string name((*servers)->columnText(0));
    const bool fresh = t - (*servers)->columnInt(2) <= options_.staleAfterSeconds;
    if (fresh && processExists((*servers)->columnInt(1))) {
      out.try_emplace(std::move(name));
    } else {
      dead.push_back(std::move(name));
    }
  }
  if (!(*servers)->status()) return (*servers)->status().error();
  auto served = db_->prepare("SELECT server, zone, serial FROM served");
  if (!served) return served.error();
  while ((*served)->step()) {
    auto it = out.find((*served)->columnText(0));
    if (it == out.end()) continue;
    it->second.emplace(std::string((*served)->columnText(1)),
                       static_cast<std::uint32_t>((*served)->columnInt(2)));
  }
  if (!(*served)->status()) return (*served)->status().error();
  // Forget the dead (a crashed server never unregisters); a failure here only
  // means they are skipped again next time.
  for (const auto& name : dead) (void)forget(name);
  return out;
}

}  // namespace zk::store
