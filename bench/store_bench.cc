// SqliteZoneStore::applyChanges latency and throughput: batches of 1, 10 and
// 1000 UPSERTs against a zone of 100,000 record sets, on a real file (the
// fsync at every commit is part of the cost). Reports record sets per second
// and p50/p99 batch latency.
//
//   build/release/bench/store_bench [--benchmark_filter=Apply/1000]
//   ZK_BENCH_DIR=/some/disk build/release/bench/store_bench   (default: $TMPDIR or /tmp)
//   ZK_BENCH_CHECKPOINT=0 ...   checkpoints in the committing call (SQLite's default)

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "store/sqlite_zone_store.h"

namespace {

using zk::store::ChangeAction;
using zk::store::ChangeBatch;
using zk::store::RecordSet;
using zk::wire::RRType;

constexpr int kZoneRecords = 100000;

zk::wire::Name name(const std::string& text) { return *zk::wire::Name::fromText(text); }

zk::wire::Bytes ipv4(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

struct Fixture {
  std::string dir;
  std::unique_ptr<zk::store::SqliteZoneStore> store;
  std::string zoneId;

  Fixture() {
    const char* base = std::getenv("ZK_BENCH_DIR");
    if (base == nullptr) base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/zkstorebench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    zk::store::SqliteStoreOptions o;
    o.path = dir + "/zones.db";
    // ZK_BENCH_CHECKPOINT=0: SQLite's own checkpoint in the committing call.
    if (const char* c = std::getenv("ZK_BENCH_CHECKPOINT")) o.checkpointPages = std::atoi(c);
    auto s = zk::store::SqliteZoneStore::open(o);
    if (!s) std::abort();
    store = std::move(*s);
    std::vector<RecordSet> sets;
    sets.reserve(kZoneRecords);
    for (int i = 0; i < kZoneRecords; ++i) {
      RecordSet rs;
      rs.name = name(fmt::format("host{}.bench.test.", i));
      rs.type = RRType::A;
      rs.ttl = 300;
      rs.rdata.push_back(ipv4(0x0a000000U + static_cast<std::uint32_t>(i)));
      sets.push_back(std::move(rs));
    }
    auto z = store->importZone({name("bench.test."), "bench", ""}, sets);
    if (z.index() != 0) std::abort();
    zoneId = std::get<0>(z).id;
  }
  ~Fixture() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// Alternates a batch that CREATEs `changes` new record sets with one that
// DELETEs them again, so the zone stays at 100k record sets. (1000 UPSERTs
// would be 2000 records by Route53's count, over the per-batch limit.)
void BM_Apply(benchmark::State& state) {
  auto& f = fixture();
  const auto changes = static_cast<std::size_t>(state.range(0));
  std::vector<double> micros;
  bool create = true;
  std::vector<RecordSet> sets(changes);
  for (std::size_t i = 0; i < changes; ++i) {
    sets[i].name = name(fmt::format("new{}.bench.test.", i));
    sets[i].type = RRType::A;
    sets[i].ttl = 300;
    sets[i].rdata.push_back(ipv4(0xc0000000U + static_cast<std::uint32_t>(i)));
  }
  for (auto _ : state) {
    state.PauseTiming();
    ChangeBatch b;
    b.changes.reserve(changes);
    for (const auto& rs : sets)
      b.changes.push_back({create ? ChangeAction::Create : ChangeAction::Delete, rs});
    create = !create;
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = f.store->applyChanges(f.zoneId, b);
    const auto t1 = std::chrono::steady_clock::now();
    if (r.index() != 0) {
      state.SkipWithError(std::get<1>(r).messages.empty() ? "applyChanges failed"
                                                          : std::get<1>(r).messages.front().c_str());
      break;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  if (!create) {  // leave the zone as it was for the next benchmark
    ChangeBatch b;
    for (const auto& rs : sets) b.changes.push_back({ChangeAction::Delete, rs});
    (void)f.store->applyChanges(f.zoneId, b);
  }
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) {
    return micros[std::min(micros.size() - 1,
                           static_cast<std::size_t>(p * static_cast<double>(micros.size())))];
  };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["rrsets/s"] =
      benchmark::Counter(static_cast<double>(changes * micros.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Apply)->Arg(1)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Group commit: N threads each UPSERT one record set per batch at once; their
// batches share commits, so batches/s grows with N while fsyncs do not.
// commits/batch is the fraction of batches that needed their own fsync.
void BM_ConcurrentOneChange(benchmark::State& state) {
  auto& f = fixture();
  static zk::store::GroupCommitStats before;
  if (state.thread_index() == 0) before = f.store->groupCommitStats();
  RecordSet rs;
  rs.name = name(fmt::format("host{}.bench.test.", state.thread_index()));
  rs.type = RRType::A;
  rs.ttl = 300;
  std::uint32_t v = 0;
  for (auto _ : state) {
    rs.rdata = {ipv4(0xac100000U + ++v)};
    ChangeBatch b;
    b.changes.push_back({ChangeAction::Upsert, rs});
    auto r = f.store->applyChanges(f.zoneId, b);
    if (r.index() != 0) {
      state.SkipWithError("applyChanges failed");
      break;
    }
  }
  state.counters["batches/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    // Read after this thread's loop; other threads may still be finishing theirs.
    const auto after = f.store->groupCommitStats();
    const auto batches = static_cast<double>(after.batches - before.batches);
    if (batches > 0)
      state.counters["commits/batch"] = static_cast<double>(after.commits - before.commits) / batches;
  }
}
BENCHMARK(BM_ConcurrentOneChange)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The read side for comparison: one page of 300 record sets from the middle.
void BM_ListPage(benchmark::State& state) {
  auto& f = fixture();
  zk::store::RecordSetKey start{name("host50000.bench.test."), std::nullopt};
  for (auto _ : state) {
    auto r = f.store->listRecordSets(f.zoneId, start, 300);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ListPage)->Unit(benchmark::kMicrosecond);

// What a server pays to rebuild a snapshot from scratch (100k record sets)...
void BM_ZoneContents(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto r = f.store->zoneContents(f.zoneId);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ZoneContents)->Unit(benchmark::kMillisecond);

// ...and to read one batch's diff from the journal instead.
void BM_JournalOneBatch(benchmark::State& state) {
  auto& f = fixture();
  ChangeBatch b;
  RecordSet rs;
  rs.name = name("journal.bench.test.");
  rs.type = RRType::A;
  rs.ttl = 60;
  rs.rdata.push_back(ipv4(0x7f000001U));
  b.changes.push_back({ChangeAction::Upsert, rs});
  auto r = f.store->applyChanges(f.zoneId, b);
  if (r.index() != 0) {
    state.SkipWithError("applyChanges failed");
    return;
  }
  const std::uint32_t before = std::get<0>(r).serial - 1;
  for (auto _ : state) {
    auto j = f.store->journal(f.zoneId, before);
    benchmark::DoNotOptimize(j);
  }
}
BENCHMARK(BM_JournalOneBatch)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
