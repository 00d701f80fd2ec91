#include "controller/reconcile/reconciler.h"

#include <algorithm>
#include <ctime>
#include <set>

#include <fmt/format.h>

namespace zk::controller {

Reconciler::Reconciler(ObjectSource& source, Registry& registry, ReconcileOptions options, Logger log,
                       UnixClock clock)
    : source_(source),
      registry_(registry),
      options_(std::move(options)),
      log_(std::move(log)),
      clock_(clock ? std::move(clock)
                   : UnixClock([] { return static_cast<std::int64_t>(std::time(nullptr)); })) {
  options_.plan.ownerId = registry_.ownerId();
}

Result<CycleResult> Reconciler::runOnce(bool narrow) {
  bool refused = false;
  auto previous = std::move(lastDesired_);
  lastDesired_.reset();  // set again only when this cycle succeeds
  auto fail = [&](std::string msg) -> Result<CycleResult> {
    std::lock_guard lock(mu_);
    ++stats_.cycles;
    ++stats_.failures;
    if (refused) ++stats_.refusedPlans;
    stats_.lastFailureUnix = clock_();
    if (stats_.failingSinceUnix == 0) stats_.failingSinceUnix = stats_.lastFailureUnix;
    stats_.lastError = msg;
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
  if (narrow && previous && !options_.dryRun) {
    const auto names = changedNames(*previous, desired);
    result.changes =
        calculatePlan(restrictToNames(*current, names), restrictToNames(desired, names), options_.plan);
  } else {
    result.changes = calculatePlan(*current, desired, options_.plan);
  }
  if (auto limit = checkDeleteLimit(result.changes, *current, options_.plan.ownerId, options_.deleteLimit);
      !limit) {
    refused = true;
    return fail(limit.error().message);
  }
  // Bookkeeping for /metrics: owned records by type, desired names someone else holds.
  std::map<std::string, std::size_t> ownedByType;
  std::set<wire::Name> foreign;
  for (const auto& e : *current) {
    const bool owned = options_.plan.ownerId.empty() || e.owner() == options_.plan.ownerId;
    if (owned && options_.plan.domainFilter.matches(e.dnsName)) ++ownedByType[wire::typeToText(e.type)];
    const bool managedType = std::find(options_.plan.managedTypes.begin(), options_.plan.managedTypes.end(),
                                       e.type) != options_.plan.managedTypes.end();
    if (!owned && managedType) foreign.insert(e.dnsName.lowercased());
  }
  std::set<wire::Name> skipped;
  for (const auto& d : desired) {
    if (foreign.count(d.dnsName.lowercased()) && options_.plan.domainFilter.matches(d.dnsName)) {
      skipped.insert(d.dnsName.lowercased());
    }
  }
  if (!options_.dryRun && !result.changes.empty()) {
    if (auto s = registry_.applyChanges(result.changes); !s) {
      return fail(fmt::format("applying changes failed: {}", s.error().message));
    }
    result.applied = true;
  }
  std::lock_guard lock(mu_);
  ++stats_.cycles;
  stats_.lastSuccessUnix = clock_();
  stats_.failingSinceUnix = 0;
  stats_.lastError.clear();
  if (result.applied) {
    // Owned records as they are after this cycle's changes.
    for (const auto& e : result.changes.create) ++ownedByType[wire::typeToText(e.type)];
    for (const auto& e : result.changes.remove) {
      auto& n = ownedByType[wire::typeToText(e.type)];
      if (n > 0) --n;
    }
    stats_.created += result.changes.create.size();
    stats_.updated += result.changes.updateNew.size();
    stats_.deleted += result.changes.remove.size();
  }
  stats_.sourceEndpoints = desired.size();
  if (!options_.dryRun) lastDesired_ = desired;
  stats_.warnings = result.warnings.size();
  stats_.skippedOwnerMismatch = skipped.size();
  stats_.ownedByType = std::move(ownedByType);
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
  auto lastFull = lastRun;
  bool eventCycle = false;
  while (!stop.load()) {
    lastRun = Clock::now();
    if (!eventCycle) lastFull = lastRun;
    auto r = runOnce(eventCycle);
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
    const auto deadline = lastFull + interval;
    cv_.wait_until(lock, deadline, [&] { return stop.load() || eventPending_; });
    if (stop.load()) break;
    eventCycle = eventPending_;
    if (eventPending_) {
      // Rate-limit event-driven cycles (ExternalDNS --min-event-sync-interval).
      const auto earliest = lastRun + minEventInterval;
      cv_.wait_until(lock, earliest, [&] { return stop.load(); });
      eventPending_ = false;
    }
  }
}

std::string renderMetrics(const ReconcileStats& s) {
  std::string out;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  metric("zonekeeper_sync_total", "counter", "Reconcile cycles by result.");
  out += fmt::format("zonekeeper_sync_total{{result=\"success\"}} {}\n", s.cycles - s.failures);
  out += fmt::format("zonekeeper_sync_total{{result=\"failure\"}} {}\n", s.failures);
  metric("zonekeeper_sync_refused_total", "counter", "Plans refused by the delete limit.");
  out += fmt::format("zonekeeper_sync_refused_total {}\n", s.refusedPlans);
  metric("zonekeeper_sync_last_success_timestamp_seconds", "gauge",
         "Unix time of the last successful cycle.");
  out += fmt::format("zonekeeper_sync_last_success_timestamp_seconds {}\n", s.lastSuccessUnix);
  metric("zonekeeper_sync_last_failure_timestamp_seconds", "gauge", "Unix time of the last failed cycle.");
  out += fmt::format("zonekeeper_sync_last_failure_timestamp_seconds {}\n", s.lastFailureUnix);
  metric("zonekeeper_changes_applied_total", "counter", "Record sets changed, by action.");
  out += fmt::format("zonekeeper_changes_applied_total{{action=\"create\"}} {}\n", s.created);
  out += fmt::format("zonekeeper_changes_applied_total{{action=\"update\"}} {}\n", s.updated);
  out += fmt::format("zonekeeper_changes_applied_total{{action=\"delete\"}} {}\n", s.deleted);
  metric("zonekeeper_source_endpoints", "gauge", "Desired endpoints in the last successful cycle.");
  out += fmt::format("zonekeeper_source_endpoints {}\n", s.sourceEndpoints);
  metric("zonekeeper_source_warnings", "gauge", "Objects or values skipped in the last successful cycle.");
  out += fmt::format("zonekeeper_source_warnings {}\n", s.warnings);
  metric("zonekeeper_skipped_owner_mismatch", "gauge", "Desired names held by records of another owner.");
  out += fmt::format("zonekeeper_skipped_owner_mismatch {}\n", s.skippedOwnerMismatch);
  metric("zonekeeper_owned_records", "gauge", "Owned record sets inside the domain filter, by type.");
  for (const auto& [type, n] : s.ownedByType)
    out += fmt::format("zonekeeper_owned_records{{type=\"{}\"}} {}\n", type, n);
  return out;
}

bool healthy(const ReconcileStats& stats, std::int64_t nowUnix, std::int64_t maxFailingSeconds) {
  return stats.failingSinceUnix == 0 || nowUnix - stats.failingSinceUnix <= maxFailingSeconds;
}

}  // namespace zk::controller
