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
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

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
  std::uint64_t refusedPlans = 0;  // over the delete limit
  std::uint64_t created = 0;       // record sets applied, by action
  std::uint64_t updated = 0;
  std::uint64_t deleted = 0;
  std::int64_t lastSuccessUnix = 0;
  std::int64_t lastFailureUnix = 0;
  std::int64_t failingSinceUnix = 0;  // first failure after the last success; 0 = healthy
  std::string lastError;
  // From the last successful cycle.
  std::size_t sourceEndpoints = 0;
  std::size_t warnings = 0;
  std::size_t skippedOwnerMismatch = 0;  // desired names held by another owner or by hand
  std::map<std::string, std::size_t> ownedByType;
};

// Prometheus text exposition (format 0.0.4) of the stats.
std::string renderMetrics(const ReconcileStats& stats);
// /healthz: unhealthy when syncs have been failing for longer than maxFailing.
bool healthy(const ReconcileStats& stats, std::int64_t nowUnix, std::int64_t maxFailingSeconds);

class Reconciler {
 public:
  using Logger = std::function<void(std::string_view)>;
  using UnixClock = std::function<std::int64_t()>;
  Reconciler(ObjectSource& source, Registry& registry, ReconcileOptions options, Logger log,
             UnixClock clock = {});

  // A full cycle. With narrow set, an event cycle: only the names whose desired
  // endpoints changed since the last successful cycle are planned (every
  // desired and current endpoint at those names, so conflicts resolve as in a
  // full cycle); falls back to a full cycle when there is no previous one.
  Result<CycleResult> runOnce(bool narrow = false);
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
  UnixClock clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool eventPending_ = false;
  ReconcileStats stats_;

  // Desired endpoints per object group (a pure function of the group, the
  // options and the zones), reused while the source returns the same group.
  struct GroupEndpoints {
    ObjectGroup objects;              // keeps the group, and so its address, alive
    std::vector<Endpoint> endpoints;  // desired, adjusted for the provider
    Warnings warnings;
  };
  using GroupList = std::vector<std::shared_ptr<const GroupEndpoints>>;
  std::unordered_map<const Objects*, std::shared_ptr<const GroupEndpoints>> groupCache_;
  std::vector<wire::Name> cacheZones_;  // the zones groupCache_ was adjusted for
  GroupList desiredGroups_;             // the groups desired_ points into
  std::vector<const Endpoint*> desired_;
  std::optional<GroupList> lastDesired_;  // after the last successful applied cycle
};

}  // namespace zk::controller
