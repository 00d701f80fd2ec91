#include "controller/reconcile/reconciler.h"

#include <algorithm>
#include <ctime>
#include <unordered_set>

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
  auto groups = source_.groups();
  if (!groups) return fail(fmt::format("source listing failed, nothing changed: {}", groups.error().message));
  CycleResult result;
  auto zones = registry_.provider().zones();
  if (!zones) return fail(fmt::format("listing zones failed: {}", zones.error().message));
  // Desired endpoints: computed only for groups the cache does not hold.
  if (*zones != cacheZones_) {
    groupCache_.clear();
    cacheZones_ = *zones;
  }
  GroupList now;
  now.reserve(groups->size());
  std::unordered_map<const Objects*, std::shared_ptr<const GroupEndpoints>> nextCache;
  for (auto& g : *groups) {
    std::shared_ptr<const GroupEndpoints> ge;
    if (auto it = groupCache_.find(g.get()); it != groupCache_.end() && it->second->objects == g) {
      ge = it->second;
    } else {
      auto fresh = std::make_shared<GroupEndpoints>();
      fresh->objects = g;
      fresh->endpoints = registry_.provider().adjustEndpoints(
          desiredEndpoints(*g, options_.source, fresh->warnings), *zones);
      ge = std::move(fresh);
    }
    nextCache.emplace(g.get(), ge);
    result.warnings.insert(result.warnings.end(), ge->warnings.begin(), ge->warnings.end());
    now.push_back(std::move(ge));
  }
  groupCache_ = std::move(nextCache);
  if (now != desiredGroups_) {
    desired_.clear();
    for (const auto& ge : now) {
      for (const auto& e : ge->endpoints) desired_.push_back(&e);
    }
    desiredGroups_ = now;
  }
  const std::vector<const Endpoint*>& desired = desired_;

  auto current = registry_.sharedRecords();
  if (!current) return fail(fmt::format("listing records failed: {}", current.error().message));
  const std::vector<Endpoint>& currentList = **current;
  std::vector<const Endpoint*> currentPtrs;
  currentPtrs.reserve(currentList.size());
  for (const auto& e : currentList) currentPtrs.push_back(&e);
  if (narrow && previous && !options_.dryRun) {
    // Only groups that are new or gone since the last successful cycle can
    // change a name's desired endpoints (the others are the same endpoints).
    std::unordered_map<const GroupEndpoints*, int> delta;
    for (const auto& ge : *previous) --delta[ge.get()];
    for (const auto& ge : now) ++delta[ge.get()];
    std::vector<Endpoint> before;
    std::vector<Endpoint> after;
    auto add = [](std::vector<Endpoint>& to, const GroupEndpoints& ge, int times) {
      for (int t = 0; t < times; ++t) to.insert(to.end(), ge.endpoints.begin(), ge.endpoints.end());
    };
    for (const auto& ge : *previous) {
      if (auto& d = delta[ge.get()]; d < 0) {
        add(before, *ge, -d);
        d = 0;
      }
    }
    for (const auto& ge : now) {
      if (auto& d = delta[ge.get()]; d > 0) {
        add(after, *ge, d);
        d = 0;
      }
    }
    const auto names = changedNames(before, after);
    result.changes =
        calculatePlan(restrictToNames(currentPtrs, names), restrictToNames(desired, names), options_.plan);
  } else {
    result.changes = calculatePlan(currentPtrs, desired, options_.plan);
  }
  if (auto limit = checkDeleteLimit(result.changes, currentList, options_.plan.ownerId, options_.deleteLimit);
      !limit) {
    refused = true;
    return fail(limit.error().message);
  }
  // Bookkeeping for /metrics: owned records by type, desired names someone else holds.
  std::map<wire::RRType, std::size_t> ownedCount;
  std::unordered_set<wire::Name> foreign;  // Name's hash and == ignore case
  for (const auto& e : currentList) {
    const bool owned = options_.plan.ownerId.empty() || e.label(kOwnerLabel) == options_.plan.ownerId;
    if (owned && options_.plan.domainFilter.matches(e.dnsName)) ++ownedCount[e.type];
    const bool managedType = std::find(options_.plan.managedTypes.begin(), options_.plan.managedTypes.end(),
                                       e.type) != options_.plan.managedTypes.end();
    if (!owned && managedType) foreign.insert(e.dnsName);
  }
  std::unordered_set<wire::Name> skipped;
  if (!foreign.empty()) {
    for (const auto* d : desired) {
      if (foreign.count(d->dnsName) && options_.plan.domainFilter.matches(d->dnsName))
        skipped.insert(d->dnsName);
    }
  }
  std::map<std::string, std::size_t> ownedByType;
  for (const auto& [type, n] : ownedCount) ownedByType[wire::typeToText(type)] += n;
  if (!options_.dryRun && !result.changes.empty()) {
    currentPtrs.clear();
    current->reset();  // let go of the listing: the registry may update it in place
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
  if (!options_.dryRun) lastDesired_ = std::move(now);
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
