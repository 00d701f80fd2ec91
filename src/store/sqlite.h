#pragma once
// Thin RAII layer over the SQLite C API: a connection, cached prepared
// statements and a transaction guard that rolls back unless committed.
// Errors are values (Status / Result), never exceptions.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace zk::store::sqlite {

// One prepared statement, finalized by the destructor; reset (bindings
// cleared) when re-fetched from the Database's cache.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int index, std::int64_t value);
  Stmt& bind(int index, std::string_view text);
  Stmt& bindBlob(int index, std::span<const std::uint8_t> blob);
  Stmt& bindNull(int index);

  // Steps once: true when a row is available, false when done; errors set
  // `status()` and return false.
  bool step();
  // Steps to completion (statements without rows).
  Status run();
  [[nodiscard]] const Status& status() const { return status_; }

  [[nodiscard]] std::int64_t columnInt(int col) const;
  [[nodiscard]] std::string_view columnText(int col) const;
  [[nodiscard]] std::span<const std::uint8_t> columnBlob(int col) const;
  [[nodiscard]] bool columnIsNull(int col) const;

  void reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

class Database {
 public:
  // Opens (creating when missing) the database at `path` with mode 0600.
  static Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results (schema, pragmas).
  Status exec(const std::string& sql);
  // A cached prepared statement, reset and ready to bind; valid until the
  // next prepare() of the same SQL text.
  Result<Stmt*> prepare(std::string_view sql);
  // Resets every cached statement. A statement stepped to a row but not to
  // the end keeps its read snapshot open, and an open snapshot stops WAL
  // checkpoints from finishing (the WAL then grows without bound).
  void resetAll();
  [[nodiscard]] std::string lastError() const;
  [[nodiscard]] int changes() const;
  [[nodiscard]] sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// Resets every cached statement when it goes out of scope: one at the top of
// each store operation, after the lock.
class StatementScope {
 public:
  explicit StatementScope(Database& db) : db_(db) {}
  ~StatementScope() { db_.resetAll(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  Database& db_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status begin();
  // With synchronous=FULL in WAL mode, COMMIT returns after the WAL is fsynced.
  Status commit();

 private:
  Database& db_;
  bool open_ = false;
};

// Moves WAL checkpoints off the committing thread. SQLite's automatic
// checkpoint runs inside the COMMIT that crosses the threshold (copying pages
// and fsyncing the database file while the caller waits); instead, a commit
// hook on the writer wakes a thread that runs a PASSIVE checkpoint on its own
// connection, which never blocks writers.
class Checkpointer {
 public:
  static constexpr int kDefaultPages = 1000;  // SQLite's autocheckpoint default
  // Past this many times the threshold, the committing call checkpoints itself.
  static constexpr int kHardLimitFactor = 4;
  static Result<std::unique_ptr<Checkpointer>> start(Database& writer, const std::string& path,
                                                     int pages = kDefaultPages);
  ~Checkpointer();  // detaches from the writer, stops and joins the thread
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  [[nodiscard]] std::uint64_t checkpoints() const;

 private:
  Checkpointer(Database& writer, std::unique_ptr<Database> own, int pages);
  static int onCommit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  Database& writer_;
  std::unique_ptr<Database> db_;
  int threshold_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stop_ = false;
  std::uint64_t done_ = 0;
  std::thread thread_;
};

}  // namespace zk::store::sqlite
