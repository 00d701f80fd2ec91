// QueryProcessor::process() alone (no sockets), per kind of answer, on a zone
// shaped like ../shared/bench/gen_zone.py's: hosts with A and AAAA, a wildcard,
// delegations with glue, a CNAME, the apex. Run under callgrind for
// instruction counts that do not depend on the machine's load:
//   valgrind --tool=callgrind --toggle-collect='*QueryProcessor::process*'
//     build/release/bench/query_bench --benchmark_filter=NxDomain --benchmark_min_time=0.01
// (one command line), then divide the instructions by the iterations printed.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "query/processor.h"
#include "wire/name.h"
#include "zone/loader.h"

namespace zk::query {

std::string benchZone() {
  std::string z =
      "$TTL 3600\n"
      "@ SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300\n"
      "@ NS ns1.example.com.\n@ NS ns2.example.com.\n"
      "@ A 192.0.2.1\n@ MX 10 mail.example.com.\n"
      "ns1 A 192.0.2.53\nns2 A 192.0.2.54\nmail A 192.0.2.25\n"
      "*.wild A 192.0.2.99\n"
      "www CNAME h0001.example.com.\n";
  for (int i = 0; i < 10000; ++i) {
    z += fmt::format("h{:04} A 10.{}.{}.{}\n", i, i >> 16, (i >> 8) & 255, i & 255);
    if (i % 2 == 0) z += fmt::format("h{:04} AAAA 2001:db8::{:x}\n", i, i);
  }
  for (int i = 0; i < 10; ++i) {
    z += fmt::format("deleg{0:04} NS ns.deleg{0:04}.example.com.\nns.deleg{0:04} A 198.51.100.{0}\n", i);
  }
  return z;
}

// A query with EDNS (payload 1232), as dnsperf sends them with -e, or without.
std::vector<std::uint8_t> makeQuery(const std::string& name, std::uint16_t type, bool edns) {
  std::vector<std::uint8_t> q = {0x12, 0x34, 0x00, 0x00, 0, 1,
                                 0,    0,    0,    0,    0, static_cast<std::uint8_t>(edns)};
  auto n = wire::Name::fromText(name);
  for (char c : n->wire()) q.push_back(static_cast<std::uint8_t>(c));
  q.insert(q.end(), {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type), 0, 1});
  if (edns) q.insert(q.end(), {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});
  return q;
}

void runQuery(benchmark::State& state, const std::string& name, std::uint16_t type) {
  static const auto snapshot =
      zone::loadZoneText(benchZone(), "bench", *wire::Name::fromText("example.com."));
  zone::ZoneTable table;
  table.upsert(*snapshot);
  QueryProcessor qp(table);
  auto q = makeQuery(name, type, state.range(0) != 0);
  std::vector<std::uint8_t> out(1232);
  std::size_t len = 0;
  for (auto _ : state) {
    len = qp.process(q, out, Transport::Udp);
    benchmark::DoNotOptimize(out.data());
  }
  if (len < 12) state.SkipWithError("no answer");
  state.counters["answer_bytes"] = static_cast<double>(len);
}

// The bench mix (shaped like gen_zone.py's query file: 100,000 queries, about 28k
// distinct, each distinct one asked ~3 times): existing A and AAAA, unique
// NXDOMAIN names, wildcard hits and referrals, answered in batches of 64 the
// way a UDP worker does (prefetch the batch's cache slots, then answer each).
// Args: packet cache slots (0 = off), prefetch (0/1). Reports ns per query.
void runMix(benchmark::State& state) {
  static const auto snapshot =
      zone::loadZoneText(benchZone(), "bench", *wire::Name::fromText("example.com."));
  zone::ZoneTable table;
  table.upsert(*snapshot);
  ProcessorOptions options;
  options.packetCacheSlots = static_cast<std::size_t>(state.range(0));
  QueryProcessor qp(table, nullptr, options);
  std::vector<std::vector<std::uint8_t>> queries;
  std::uint32_t seed = 7;
  auto next = [&seed] { return (seed = seed * 1664525U + 1013904223U) >> 8; };
  for (int i = 0; i < 100000; ++i) {
    std::uint32_t r = next() % 100;
    if (r < 60) {
      queries.push_back(makeQuery(fmt::format("h{:04}.example.com.", next() % 10000), 1, false));
    } else if (r < 80) {
      queries.push_back(makeQuery(fmt::format("h{:04}.example.com.", next() % 10000), 28, false));
    } else if (r < 88) {
      queries.push_back(makeQuery(fmt::format("nx{}.example.com.", i), 1, false));
    } else if (r < 94) {
      queries.push_back(makeQuery(fmt::format("w{}.wild.example.com.", next() % 5000), 1, false));
    } else {
      queries.push_back(
          makeQuery(fmt::format("www{}.deleg{:04}.example.com.", next() % 1000, next() % 10), 1, false));
    }
  }
  constexpr std::size_t kBatch = 64;
  std::vector<std::uint8_t> out(kBatch * 4096);
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (std::size_t b = 0; b < queries.size(); b += kBatch) {
      const std::size_t e = std::min(queries.size(), b + kBatch);
      if (state.range(1) != 0) {
        for (std::size_t i = b; i < e; ++i) qp.prefetch(queries[i]);
      }
      for (std::size_t i = b; i < e; ++i) {
        bytes += qp.process(queries[i], {out.data() + (i - b) * 4096, 4096}, Transport::Udp);
      }
    }
    benchmark::DoNotOptimize(out.data());
  }
  if (bytes == 0) state.SkipWithError("no answers");
  state.counters["ns_per_query"] =
      benchmark::Counter(static_cast<double>(queries.size()) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

struct Kind {
  const char* label;
  const char* name;
  std::uint16_t type;
};
constexpr Kind kKinds[] = {
    {"ExistingA", "h0042.example.com.", 1},
    {"NoData", "h0043.example.com.", 28},
    {"NxDomain", "h99999.example.com.", 1},
    {"Wildcard", "anything.wild.example.com.", 1},
    {"Referral", "www.deleg0003.example.com.", 1},
    {"Cname", "www.example.com.", 1},
    {"ApexMx", "example.com.", 15},
};

}  // namespace zk::query

// ZK_BENCH_ITERATIONS=N runs each case exactly N times, so that an instruction
// count under callgrind divides by a known number of calls.
int main(int argc, char** argv) {
  const char* fixed = std::getenv("ZK_BENCH_ITERATIONS");
  for (const auto& k : zk::query::kKinds) {
    auto* b = benchmark::RegisterBenchmark((std::string("BM_") + k.label).c_str(), [k](benchmark::State& s) {
      zk::query::runQuery(s, k.name, k.type);
    });
    b->Arg(0)->Arg(1);
    if (fixed != nullptr) b->Iterations(std::strtoll(fixed, nullptr, 10));
  }
  auto* mix = benchmark::RegisterBenchmark("BM_Mix", zk::query::runMix);
  mix->Args({0, 0})->Args({65536, 0})->Args({65536, 1})->Unit(benchmark::kMillisecond);
  if (fixed != nullptr) mix->Iterations(std::strtoll(fixed, nullptr, 10));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
