// Controller: one reconcile cycle with 10,000 Ingresses (in-process, inmemory
// provider, TXT registry): the cold sync into an empty zone, and a no-change cycle.
// Run: build/release/bench/controller_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "controller/provider/inmemory.h"
#include "controller/reconcile/reconciler.h"
#include "controller/registry/txt.h"

namespace zk::controller {
namespace {

namespace fs = std::filesystem;
constexpr int kObjects = 10000;

struct Setup {
  fs::path dir;
  InMemoryProvider provider;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<ManifestDirectory> source;
  std::unique_ptr<Reconciler> reconciler;

  Setup() {
    dir = fs::temp_directory_path() / fmt::format("zk-controller-bench-{}", static_cast<long>(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "m");
    {
      std::ofstream z(dir / "bench.zone");
      z << "$ORIGIN bench.example.\n$TTL 300\n@ 900 IN SOA ns1 hostmaster 1 7200 900 1209600 86400\n"
           "@ IN NS ns1\nns1 IN A 192.0.2.53\n";
    }
    for (int f = 0; f < 10; ++f) {
      std::ofstream m(dir / "m" / fmt::format("ing{}.yaml", f));
      for (int i = f * kObjects / 10; i < (f + 1) * kObjects / 10; ++i) {
        m << fmt::format(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app{0}\n  namespace: bench\n"
            "spec:\n  rules:\n    - host: app{0}.bench.example\nstatus:\n  loadBalancer:\n    ingress:\n"
            "      - ip: 198.51.{1}.{2}\n---\n",
            i, (i >> 8) & 255, i & 255);
      }
    }
    auto origin = wire::Name::fromText("bench.example.");
    if (!loadZoneFile(provider, (dir / "bench.zone").string(), *origin).ok()) std::abort();
    auto reg = TxtRegistry::make(provider, {"bench", "zk-%{record_type}.", "", ""});
    if (!reg.ok()) std::abort();
    registry = std::move(*reg);
    source = std::make_unique<ManifestDirectory>((dir / "m").string(), std::chrono::milliseconds(20));
    if (!source->reload().ok()) std::abort();
    ReconcileOptions o;
    o.plan.policy = Policy::Sync;
    o.plan.domainFilter = *DomainFilter::make({"bench.example"}, {});
    reconciler = std::make_unique<Reconciler>(*source, *registry, o, [](std::string_view) {});
  }
  ~Setup() { fs::remove_all(dir); }
};

void BM_ColdSync(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto s = std::make_unique<Setup>();
    state.ResumeTiming();
    auto r = s->reconciler->runOnce();
    if (!r.ok() || r->changes.create.size() != kObjects) state.SkipWithError("cold sync failed");
    state.PauseTiming();
    s.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_ColdSync)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_NoChangeReconcile(benchmark::State& state) {
  Setup s;
  if (!s.reconciler->runOnce().ok()) state.SkipWithError("cold sync failed");
  for (auto _ : state) {
    auto r = s.reconciler->runOnce();
    if (!r.ok() || !r->changes.empty()) state.SkipWithError("not a no-change cycle");
  }
}
BENCHMARK(BM_NoChangeReconcile)->Unit(benchmark::kMillisecond);

// An event cycle after one Ingress's address changed in one of the 10 files:
// the source re-read of that file (as the watch does after its events) and the
// narrowed cycle that plans and applies the one update.
void BM_EventCycleOneEdit(benchmark::State& state) {
  Setup s;
  if (!s.reconciler->runOnce().ok()) state.SkipWithError("cold sync failed");
  const auto file = s.dir / "m" / "ing3.yaml";
  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string from = "ip: 198.51.11.185";  // app3001 (3001 = 11 * 256 + 185)
  const auto at = text.find(from);
  if (at == std::string::npos) state.SkipWithError("address not found");
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string edited = text;
    edited.replace(at, from.size(), fmt::format("ip: 203.0.113.{}", round++ % 200));
    std::ofstream(file, std::ios::trunc) << edited;
    state.ResumeTiming();
    // As the watch does after the inotify events for this file.
    if (!s.source->reloadFiles({"ing3.yaml"}).ok()) state.SkipWithError("reload failed");
    auto r = s.reconciler->runOnce(/*narrow=*/true);
    if (!r.ok() || r->changes.updateNew.size() != 1) state.SkipWithError("not a one-update cycle");
  }
}
BENCHMARK(BM_EventCycleOneEdit)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zk::controller

BENCHMARK_MAIN();
