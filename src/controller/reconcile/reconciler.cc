#include "controller/reconcile/reconciler.h"

#include <ctime>

#include <fmt/format.h>

namespace zk::controller {

Reconciler::Reconciler(ObjectSource& source, Registry& registry, ReconcileOptions options, Logger log)
    : source_(source), registry_(registry), options_(std::move(options)), log_(std::move(log)) {
  options_.plan.ownerId = registry_.ownerId();
}

Result<CycleResult> Reconciler::runOnce() {
  auto fail = [&](std::string msg) -> Result<CycleResult> {
    std::lock_guard lock(mu_);
    ++stats_.cycles;
    ++stats_.failures;
    stats_.lastFailureUnix = std::time(nullptr);
    return Error(std::move(msg));
  };
  auto objects = source_.list();
  if (!objects)
    return fail(fmt::format("source listing failed, nothing changed: {}", objects.error().message));
  CycleResult result;
  auto desired = desiredEndpoints(*objects, options_.source, result.warnings);
  auto zones = registry_.provider().zones();
  if (!zones) return fail(fmt::format("listing zones failed: {}", zones.error().message));
  desired = registry_.provider().adjustEndpoints(std::move(desired), *zones);
  auto current = registry_.records();
  if (!current) return fail(fmt::format("listing records failed: {}", current.error().message));
  result.changes = calculatePlan(*current, desired, options_.plan);
  if (auto limit = checkDeleteLimit(result.changes, *current, options_.plan.ownerId, options_.deleteLimit);
      !limit) {
    return fail(limit.error().message);
  }
  if (!options_.dryRun && !result.changes.empty()) {
    if (auto s = registry_.applyChanges(result.changes); !s) {
      return fail(fmt::format("applying changes failed: {}", s.error().message));
    }
    result.applied = true;
  }
  std::lock_guard lock(mu_);
  ++stats_.cycles;
  stats_.lastSuccessUnix = std::time(nullptr);
  if (result.applied) stats_.changesApplied += result.changes.size();
  return result;
}

void Reconciler::notify() {
  {
    std::lock_guard lock(mu_);
    eventPending_ = true;
  }
  cv_.notify_all();
}

void Reconciler::wake() { cv_.notify_all(); }

ReconcileStats Reconciler::stats() {
  std::lock_guard lock(mu_);
  return stats_;
}

void Reconciler::run(std::chrono::milliseconds interval, std::chrono::milliseconds minEventInterval,
                     const std::atomic<bool>& stop) {
  using Clock = std::chrono::steady_clock;
  auto lastRun = Clock::now() - minEventInterval;
  while (!stop.load()) {
    lastRun = Clock::now();
    auto r = runOnce();
    if (!r) {
      log_(fmt::format("sync failed: {}", r.error().message));
    } else {
      for (const auto& w : r->warnings) log_(fmt::format("warning: {}", w));
      if (!r->changes.empty()) {
        log_(fmt::format("{}{}", options_.dryRun ? "planned (dry run):\n" : "applied:\n",
                         formatPlan(r->changes)));
      }
    }
    std::unique_lock lock(mu_);
    const auto deadline = lastRun + interval;
    cv_.wait_until(lock, deadline, [&] { return stop.load() || eventPending_; });
    if (stop.load()) break;
    if (eventPending_) {
      // Rate-limit event-driven cycles (ExternalDNS --min-event-sync-interval).
      const auto earliest = lastRun + minEventInterval;
      cv_.wait_until(lock, earliest, [&] { return stop.load(); });
      eventPending_ = false;
    }
  }
}

}  // namespace zk::controller
