#include "store/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace zk::store::sqlite {

Stmt& Stmt::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK && status_.ok()) {
    status_ = Error(fmt::format("sqlite bind: {}", sqlite3_errmsg(db_)));
  }
  return *this;
}

Stmt& Stmt::bind(int index, std::string_view text) {
  if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) !=
          SQLITE_OK &&
      status_.ok()) {
    status_ = Error(fmt::format("sqlite bind: {}", sqlite3_errmsg(db_)));
  }
  return *this;
}

Stmt& Stmt::bindBlob(int index, std::span<const std::uint8_t> blob) {
  // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
  static const std::uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  if (sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT) != SQLITE_OK && status_.ok()) {
    status_ = Error(fmt::format("sqlite bind: {}", sqlite3_errmsg(db_)));
  }
  return *this;
}

Stmt& Stmt::bindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Stmt::step() {
  if (!status_.ok()) return false;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = Error(fmt::format("sqlite step: {}", sqlite3_errmsg(db_)));
  return false;
}

Status Stmt::run() {
  while (step()) {
  }
  return status_;
}

std::int64_t Stmt::columnInt(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::string_view Stmt::columnText(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::span<const std::uint8_t> Stmt::columnBlob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(n)};
}

bool Stmt::columnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = Status();
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  // Create the file ourselves so it is owner-only from the first byte
  // (SQLite would create it with the umask's mode).
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  ::close(fd);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Error(fmt::format("cannot open database {}: {}", path, msg));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<Database>(new Database(db));
}

Database::~Database() {
  cache_.clear();  // Stmt does not own; finalize below
  sqlite3_stmt* s = nullptr;
  while ((s = sqlite3_next_stmt(db_, nullptr)) != nullptr) sqlite3_finalize(s);
  sqlite3_close_v2(db_);
}

Status Database::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Error(fmt::format("sqlite: {}", msg));
  }
  return {};
}

Result<Stmt*> Database::prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end()) {
    it->second->reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                         nullptr) != SQLITE_OK) {
    return Error(fmt::format("sqlite prepare: {}", sqlite3_errmsg(db_)));
  }
  auto owned = std::make_unique<Stmt>(db_, stmt);
  Stmt* raw = owned.get();
  cache_.emplace(std::string(sql), std::move(owned));
  return raw;
}

std::string Database::lastError() const {
  return sqlite3_errmsg(db_);
}

int Database::changes() const {
  return sqlite3_changes(db_);
}

Transaction::~Transaction() {
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Transaction::begin() {
  auto st = db_.exec("BEGIN IMMEDIATE");
  open_ = st.ok();
  return st;
}

Status Transaction::commit() {
  auto st = db_.exec("COMMIT");
  if (st.ok()) open_ = false;
  return st;
}

}  // namespace zk::store::sqlite
