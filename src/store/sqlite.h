#pragma once
// Thin RAII layer over the SQLite C API: a connection, cached prepared
// statements and a transaction guard that rolls back unless committed.
// Errors are values (Status / Result), never exceptions.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace zk::store::sqlite {

// One prepared statement; reset (bindings cleared) when a Stmt is re-fetched
// from the cache, finalized with the database.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

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
  [[nodiscard]] std::string lastError() const;
  [[nodiscard]] int changes() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
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

}  // namespace zk::store::sqlite
