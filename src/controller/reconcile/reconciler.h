#pragma once
// One reconcile cycle: source list -> desired endpoints -> provider adjustments
// -> registry records -> plan -> safety limit -> registry apply (unless dry run).
// run() repeats it every interval and early after a source event (no closer
// together than minEventInterval). A source that fails to list makes the cycle
// change nothing.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "controller/plan/plan.h"
#include "controller/registry/registry.h"
#include "controller/source/endpoints.h"
#include "controller/source/manifest_dir.h"

namespace zk::controller {

struct ReconcileOptions {
  SourceOptions source;
  PlanOptions plan;  // ownerId is taken from the registry
  DeleteLimit deleteLimit;
  bool dryRun = false;
};

struct CycleResult {
  Changes changes;
  bool applied = false;
  Warnings warnings;
};

struct ReconcileStats {
  std::uint64_t cycles = 0;
  std::uint64_t failures = 0;
  std::uint64_t changesApplied = 0;
  std::int64_t lastSuccessUnix = 0;
  std::int64_t lastFailureUnix = 0;
};

class Reconciler {
 public:
  using Logger = std::function<void(std::string_view)>;
  Reconciler(ObjectSource& source, Registry& registry, ReconcileOptions options, Logger log);

  Result<CycleResult> runOnce();
  // Loops until stop is set; `interval` full reconciles, events in between.
  void run(std::chrono::milliseconds interval, std::chrono::milliseconds minEventInterval,
           const std::atomic<bool>& stop);
  // Asks run() for an early cycle (thread-safe; called from source watchers).
  void notify();
  void wake();
  [[nodiscard]] ReconcileStats stats();

 private:
  ObjectSource& source_;
  Registry& registry_;
  ReconcileOptions options_;
  Logger log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool eventPending_ = false;
  ReconcileStats stats_;
};

}  // namespace zk::controller
