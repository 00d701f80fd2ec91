#include "store/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace zk::store::sqlite {

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

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

std::int64_t Stmt::columnInt(int col) const { return sqlite3_column_int64(stmt_, col); }

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

bool Stmt::columnIsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = Status();
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  // Create the file ourselves so it is owner-only from the first byte
  // (SQLite would create it with the umask's mode). An existing file is never
  // opened and closed here: closing any descriptor of a file drops every POSIX
  // lock this process holds on it, including those of SQLite connections that
  // already have it open (the WAL would then be deleted under them).
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    return Error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  } else {
    // An existing file readable by others (copied in, restored) is tightened.
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 0077) != 0) (void)::chmod(path.c_str(), 0600);
  }
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
  cache_.clear();  // finalizes every statement before the connection closes
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

void Database::resetAll() {
  for (auto& [sql, stmt] : cache_) stmt->reset();
}

std::string Database::lastError() const { return sqlite3_errmsg(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

Transaction::~Transaction() {
  if (open_) {
    db_.resetAll();
    (void)db_.exec("ROLLBACK");
  }
}

Status Transaction::begin() {
  auto st = db_.exec("BEGIN IMMEDIATE");
  open_ = st.ok();
  return st;
}

Status Transaction::commit() {
  db_.resetAll();  // no statement may keep a read snapshot past the commit
  auto st = db_.exec("COMMIT");
  if (st.ok()) open_ = false;
  return st;
}

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(Database& writer, const std::string& path,
                                                          int pages) {
  auto own = Database::open(path);
  if (!own) return own.error();
  if (auto st = (*own)->exec("PRAGMA synchronous=FULL"); !st) return st.error();
  std::unique_ptr<Checkpointer> c(new Checkpointer(writer, std::move(*own), pages));
  // Replaces SQLite's automatic checkpoint on the writer (sqlite3_wal_hook
  // overrides sqlite3_wal_autocheckpoint).
  sqlite3_wal_hook(writer.handle(), &Checkpointer::onCommit, c.get());
  return c;
}

Checkpointer::Checkpointer(Database& writer, std::unique_ptr<Database> own, int pages)
    : writer_(writer), db_(std::move(own)), threshold_(pages), thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::uint64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return done_;
}

int Checkpointer::onCommit(void* self, sqlite3* db, const char* /*schema*/, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (pages >= kHardLimitFactor * c->threshold_) {
    // Under continuous writes the background checkpoint never catches up at
    // the moment a write begins, so the WAL cannot restart from the top and
    // grows. Finish the (mostly done) backfill here, as SQLite's own
    // automatic checkpoint would, so the next write restarts the WAL.
    (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (pages >= c->threshold_) {
    {
      std::lock_guard lock(c->mutex_);
      c->pending_ = true;
    }
    c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return pending_ || stop_; });
    if (stop_) return;
    pending_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, takes no writer lock. A
    // failure (busy) is retried after the next commit over the threshold.
    const int rc =
        sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    if (rc == SQLITE_OK) ++done_;
  }
}

}  // namespace zk::store::sqlite
