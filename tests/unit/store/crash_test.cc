// Durability and atomicity under SIGKILL: a child process applies a stream of
// batches and reports each acknowledged one to the parent through a pipe; the
// parent kills it mid-stream, reopens the store and checks that every
// acknowledged batch is there and that no batch is there in part.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "store/sqlite.h"
#include "store_test_util.h"

namespace zk::store {
namespace {

using namespace zk::store::testing;
using wire::RRType;

constexpr int kSetsPerBatch = 3;

// Runs in the child: never returns.
// Forks a child that runs `child` (which must not return) with the write end
// of a pipe; the parent gets the read end in `readFd`. Returns the child's pid,
// or -1 when the pipe or the fork failed.
template <class Child>
pid_t forkChild(int& readFd, Child&& child) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    child(fds[1]);
    std::_Exit(3);  // not reached: the writers end with _exit
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return -1;
  }
  readFd = fds[0];
  return pid;
}

[[noreturn]] void writer(const std::string& path, const std::string& zoneId, int firstBatch, int fd) {
  SqliteStoreOptions o;
  o.path = path;
  auto s = SqliteZoneStore::open(o);
  if (!s.ok()) ::_exit(3);
  for (int i = firstBatch;; ++i) {
    ChangeBatch b;
    b.comment = fmt::format("batch {}", i);
    for (int k = 0; k < kSetsPerBatch; ++k) {
      b.changes.push_back({ChangeAction::Create,
                           rset(fmt::format("b{}-{}.example.com.", i, k), RRType::A, 60, {"192.0.2.1"})});
    }
    // And one set every batch rewrites, so a torn batch would show as a mismatch.
    b.changes.push_back(
        {ChangeAction::Upsert, rset("last.example.com.", RRType::TXT, 60, {fmt::format("\"{}\"", i)})});
    auto r = (*s)->applyChanges(zoneId, b);
    if (r.index() != 0) ::_exit(4);
    const std::int32_t acked = i;
    if (::write(fd, &acked, sizeof acked) != static_cast<ssize_t>(sizeof acked)) ::_exit(5);
  }
}

TEST(StoreCrash, KilledWriterLosesNoAcknowledgedBatch) {
  TempDir dir;
  const std::string path = dir.file("zones.db");
  std::string zoneId;
  {
    auto s = openStore(path);
    zoneId = ok(s->createZone({name("example.com."), "crash", ""})).id;
  }
  std::mt19937 rng(12345);
  int nextBatch = 0;
  int lastAcked = -1;
  for (int round = 0; round < 4; ++round) {
    int readFd = -1;
    const pid_t pid = forkChild(readFd, [&](int fd) { writer(path, zoneId, nextBatch, fd); });
    ASSERT_GE(pid, 0);
    // Wait for some acknowledgements, then kill at a random moment.
    const int want = 5 + static_cast<int>(rng() % 20);
    int got = 0;
    while (got < want) {
      std::int32_t acked = 0;
      const auto n = ::read(readFd, &acked, sizeof acked);
      if (n != static_cast<ssize_t>(sizeof acked)) break;
      EXPECT_EQ(acked, lastAcked + 1);
      lastAcked = acked;
      ++got;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    ::kill(pid, SIGKILL);
    // Acknowledgements written before the kill still count.
    std::int32_t acked = 0;
    while (::read(readFd, &acked, sizeof acked) == static_cast<ssize_t>(sizeof acked)) lastAcked = acked;
    ::close(readFd);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited with " << WEXITSTATUS(status);
    ASSERT_GE(lastAcked, nextBatch) << "round " << round << ": no batch acknowledged";

    // Reopen and check.
    auto s = openStore(path);
    ASSERT_NE(s, nullptr);
    const auto contents = ok(s->zoneContents(zoneId));
    std::map<int, int> setsPerBatch;
    std::string last;
    for (const auto& rs : contents.recordSets) {
      const std::string n = rs.name.toText();
      int b = 0;
      int k = 0;
      if (std::sscanf(n.c_str(), "b%d-%d.", &b, &k) == 2) ++setsPerBatch[b];
      if (n == "last.example.com.") last = wire::rdataToText(RRType::TXT, rs.rdata[0]);
    }
    int committed = -1;
    for (const auto& [b, count] : setsPerBatch) {
      EXPECT_EQ(count, kSetsPerBatch) << "batch " << b << " is there in part";
      EXPECT_EQ(b, committed + 1) << "batches commit in order";
      committed = b;
    }
    EXPECT_GE(committed, lastAcked) << "an acknowledged batch was lost";
    EXPECT_LE(committed, lastAcked + 1) << "at most the batch in flight may be there unacknowledged";
    EXPECT_EQ(last, fmt::format("\"{}\"", committed));
    EXPECT_EQ(contents.zone.serial, static_cast<std::uint32_t>(committed + 2));  // 1 at creation
    EXPECT_EQ(contents.zone.recordSetCount, contents.recordSets.size());
    EXPECT_EQ(ok(s->journal(zoneId, 1)).size(), static_cast<std::size_t>(committed + 1));
    nextBatch = committed + 1;
    lastAcked = committed;
  }
  auto db = sqlite::Database::open(path);
  ASSERT_TRUE(db.ok());
  auto st = (*db)->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE((*st)->step());
  EXPECT_EQ((*st)->columnText(0), "ok");
}

// The same with four writer threads whose batches share commits (group
// commit): every acknowledged batch of every thread survives, none in part.
constexpr int kWriters = 4;

[[noreturn]] void groupWriter(const std::string& path, const std::string& zoneId, const int* firstBatch,
                              int fd) {
  SqliteStoreOptions o;
  o.path = path;
  auto s = SqliteZoneStore::open(o);
  if (!s.ok()) ::_exit(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = firstBatch[t];; ++i) {
        ChangeBatch b;
        for (int k = 0; k < kSetsPerBatch; ++k) {
          b.changes.push_back({ChangeAction::Create, rset(fmt::format("g{}-{}-{}.example.com.", t, i, k),
                                                          RRType::A, 60, {"192.0.2.1"})});
        }
        auto r = (*s)->applyChanges(zoneId, b);
        if (r.index() != 0) ::_exit(4);
        const std::int32_t acked[2] = {t, i};  // one pipe write under PIPE_BUF: atomic
        if (::write(fd, acked, sizeof acked) != static_cast<ssize_t>(sizeof acked)) ::_exit(5);
      }
    });
  }
  for (auto& th : threads) th.join();
  ::_exit(6);
}

TEST(StoreCrash, KilledGroupCommitLosesNoAcknowledgedBatch) {
  TempDir dir;
  const std::string path = dir.file("zones.db");
  std::string zoneId;
  {
    auto s = openStore(path);
    zoneId = ok(s->createZone({name("example.com."), "crash", ""})).id;
  }
  std::mt19937 rng(54321);
  int next[kWriters] = {};
  for (int round = 0; round < 3; ++round) {
    int lastAcked[kWriters];
    for (int t = 0; t < kWriters; ++t) lastAcked[t] = next[t] - 1;
    int readFd = -1;
    const pid_t pid = forkChild(readFd, [&](int fd) { groupWriter(path, zoneId, next, fd); });
    ASSERT_GE(pid, 0);
    const int want = 20 + static_cast<int>(rng() % 40);
    auto readAck = [&] {
      std::int32_t acked[2] = {};
      if (::read(readFd, acked, sizeof acked) != static_cast<ssize_t>(sizeof acked)) return false;
      if (acked[0] < 0 || acked[0] >= kWriters) return false;
      EXPECT_EQ(acked[1], lastAcked[acked[0]] + 1) << "thread " << acked[0];
      lastAcked[acked[0]] = acked[1];
      return true;
    };
    for (int got = 0; got < want && readAck(); ++got) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    ::kill(pid, SIGKILL);
    while (readAck()) {
    }
    ::close(readFd);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited with " << WEXITSTATUS(status);

    auto s = openStore(path);
    ASSERT_NE(s, nullptr);
    const auto contents = ok(s->zoneContents(zoneId));
    std::map<std::pair<int, int>, int> sets;  // (thread, batch) -> sets present
    for (const auto& rs : contents.recordSets) {
      int t = 0;
      int b = 0;
      int k = 0;
      if (std::sscanf(rs.name.toText().c_str(), "g%d-%d-%d.", &t, &b, &k) == 3) ++sets[{t, b}];
    }
    std::size_t batches = 0;
    for (int t = 0; t < kWriters; ++t) {
      int committed = -1;
      for (const auto& [key, count] : sets) {
        if (key.first != t) continue;
        EXPECT_EQ(count, kSetsPerBatch) << "batch " << t << "/" << key.second << " is there in part";
        EXPECT_EQ(key.second, committed + 1) << "a thread's batches commit in order";
        committed = key.second;
      }
      EXPECT_GE(committed, lastAcked[t]) << "an acknowledged batch of thread " << t << " was lost";
      EXPECT_LE(committed, lastAcked[t] + 1) << "at most the batch in flight may be there unacknowledged";
      next[t] = committed + 1;
      batches += static_cast<std::size_t>(committed + 1);
    }
    EXPECT_EQ(contents.zone.serial, static_cast<std::uint32_t>(batches + 1));
    EXPECT_EQ(contents.zone.recordSetCount, contents.recordSets.size());
  }
  auto db = sqlite::Database::open(path);
  ASSERT_TRUE(db.ok());
  auto st = (*db)->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE((*st)->step());
  EXPECT_EQ((*st)->columnText(0), "ok");
}

}  // namespace
}  // namespace zk::store
