#include "controller/plan/plan.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace zk::controller {
namespace {

struct TypeRow {
  std::optional<Endpoint> current;
  std::vector<Endpoint> candidates;
};

struct NameRow {
  std::vector<const Endpoint*> currents;
  std::map<wire::RRType, TypeRow> types;  // ordered by type code: deterministic output
  bool hasCandidates = false;
};

bool managed(const Endpoint& e, const PlanOptions& o) {
  return std::find(o.managedTypes.begin(), o.managedTypes.end(), e.type) != o.managedTypes.end() &&
         o.domainFilter.matches(e.dnsName);
}

bool ownedBy(const Endpoint& e, std::string_view ownerId) { return ownerId.empty() || e.owner() == ownerId; }

// ExternalDNS PerResource resolver: the candidate whose resource sorts first.
const Endpoint& resolveCreate(const std::vector<Endpoint>& candidates) {
  return *std::min_element(candidates.begin(), candidates.end(),
                           [](const Endpoint& a, const Endpoint& b) { return a.resource() < b.resource(); });
}

const Endpoint& resolveUpdate(const Endpoint& current, const std::vector<Endpoint>& candidates) {
  const std::string res = current.resource();
  for (const auto& c : candidates) {
    if (!res.empty() && c.resource() == res) return c;
  }
  return resolveCreate(candidates);
}

bool needsUpdate(const Endpoint& desired, const Endpoint& current) {
  if (!sameTargets(desired.targets, current.targets)) return true;
  if (desired.ttl && desired.ttl != current.ttl) return true;
  return desired.alias != current.alias;
}

}  // namespace

Result<Policy> policyFromText(std::string_view text) {
  if (text == "sync") return Policy::Sync;
  if (text == "upsert-only") return Policy::UpsertOnly;
  if (text == "create-only") return Policy::CreateOnly;
  return Error(fmt::format("unknown policy '{}' (sync, upsert-only or create-only)", text));
}

std::string_view policyToText(Policy policy) {
  switch (policy) {
    case Policy::Sync:
      return "sync";
    case Policy::UpsertOnly:
      return "upsert-only";
    case Policy::CreateOnly:
      return "create-only";
  }
  return "?";
}

Changes calculatePlan(std::span<const Endpoint> current, std::span<const Endpoint> desired,
                      const PlanOptions& options) {
  std::map<wire::Name, NameRow> rows;
  for (const auto& e : current) {
    if (!managed(e, options)) continue;
    auto& row = rows[e.dnsName.lowercased()];
    row.currents.push_back(&e);
    row.types[e.type].current = e;
  }
  for (const auto& e : desired) {
    if (!managed(e, options)) continue;
    auto& row = rows[e.dnsName.lowercased()];
    row.types[e.type].candidates.push_back(e);
    row.hasCandidates = true;
  }

  Changes changes;
  for (auto& [name, row] : rows) {
    // A/AAAA (any non-CNAME type) beat CNAME: drop CNAME candidates, keep the
    // current CNAME so that it gets deleted.
    bool cname = false;
    bool other = false;
    for (const auto& [type, tr] : row.types) {
      if (tr.candidates.empty()) continue;
      (type == wire::RRType::CNAME ? cname : other) = true;
    }
    if (cname && other) row.types[wire::RRType::CNAME].candidates.clear();

    if (row.currents.empty()) {
      for (const auto& [type, tr] : row.types) {
        if (!tr.candidates.empty()) changes.create.push_back(resolveCreate(tr.candidates));
      }
      continue;
    }
    if (!row.hasCandidates) {
      for (const auto* c : row.currents) changes.remove.push_back(*c);
      continue;
    }
    std::vector<Endpoint> creates;
    for (const auto& [type, tr] : row.types) {
      if (tr.current && tr.candidates.empty()) changes.remove.push_back(*tr.current);
      if (!tr.current && !tr.candidates.empty()) creates.push_back(resolveCreate(tr.candidates));
      if (tr.current && !tr.candidates.empty()) {
        Endpoint update = resolveUpdate(*tr.current, tr.candidates);
        if (needsUpdate(update, *tr.current)) {
          update.labels.insert_or_assign(std::string(kOwnerLabel), tr.current->owner());
          changes.updateOld.push_back(*tr.current);
          changes.updateNew.push_back(std::move(update));
        }
      }
    }
    // Creates at a taken name need an ownership claim on every record there.
    const bool ownsAll = std::all_of(row.currents.begin(), row.currents.end(),
                                     [&](const Endpoint* c) { return ownedBy(*c, options.ownerId); });
    if (ownsAll) {
      for (auto& c : creates) changes.create.push_back(std::move(c));
    }
  }

  switch (options.policy) {
    case Policy::Sync:
      break;
    case Policy::UpsertOnly:
      changes.remove.clear();
      break;
    case Policy::CreateOnly:
      changes.remove.clear();
      changes.updateOld.clear();
      changes.updateNew.clear();
      break;
  }

  // Never touch what another owner (or nobody) owns.
  std::erase_if(changes.remove, [&](const Endpoint& e) { return !ownedBy(e, options.ownerId); });
  Changes kept;
  for (std::size_t i = 0; i < changes.updateOld.size(); ++i) {
    if (ownedBy(changes.updateOld[i], options.ownerId)) {
      kept.updateOld.push_back(std::move(changes.updateOld[i]));
      kept.updateNew.push_back(std::move(changes.updateNew[i]));
    }
  }
  changes.updateOld = std::move(kept.updateOld);
  changes.updateNew = std::move(kept.updateNew);
  return changes;
}

std::string formatPlan(const Changes& changes) {
  if (changes.empty()) return "no changes\n";
  std::string out;
  for (const auto& e : changes.create) out += fmt::format("+ create {}\n", e.toString());
  for (std::size_t i = 0; i < changes.updateNew.size(); ++i) {
    out += fmt::format("~ update {}\n    (was {})\n", changes.updateNew[i].toString(),
                       changes.updateOld[i].toString());
  }
  for (const auto& e : changes.remove) out += fmt::format("- delete {}\n", e.toString());
  out += fmt::format("{} to create, {} to update, {} to delete\n", changes.create.size(),
                     changes.updateNew.size(), changes.remove.size());
  return out;
}

Status checkDeleteLimit(const Changes& changes, std::span<const Endpoint> current, std::string_view ownerId,
                        const DeleteLimit& limit) {
  if (limit.force || changes.remove.empty()) return {};
  const auto owned = static_cast<std::size_t>(
      std::count_if(current.begin(), current.end(), [&](const Endpoint& e) { return ownedBy(e, ownerId); }));
  if (owned < limit.minOwned) return {};
  const double share = static_cast<double>(changes.remove.size()) / static_cast<double>(owned);
  if (share <= limit.maxShare) return {};
  return Error(
      fmt::format("refusing a plan that deletes {} of {} owned records ({:.0f}% > the {:.0f}% limit); check "
                  "the sources, or "
                  "raise --max-delete-share or pass --force-deletes",
                  changes.remove.size(), owned, share * 100, limit.maxShare * 100));
}

std::vector<Endpoint> restrictToNames(std::span<const Endpoint> endpoints, const NameSet& names) {
  std::vector<Endpoint> out;
  for (const auto& e : endpoints) {
    if (names.count(e.dnsName.lowercased())) out.push_back(e);
  }
  return out;
}

Changes restrictToNames(const Changes& changes, const NameSet& names) {
  Changes out;
  out.create = restrictToNames(changes.create, names);
  out.remove = restrictToNames(changes.remove, names);
  for (std::size_t i = 0; i < changes.updateNew.size(); ++i) {
    if (names.count(changes.updateNew[i].dnsName.lowercased())) {
      out.updateOld.push_back(changes.updateOld[i]);
      out.updateNew.push_back(changes.updateNew[i]);
    }
  }
  return out;
}

NameSet changedNames(std::span<const Endpoint> before, std::span<const Endpoint> after) {
  // Group each side by name; a name is changed when its groups differ as multisets.
  auto group = [](std::span<const Endpoint> eps) {
    std::map<wire::Name, std::vector<std::string>> byName;
    for (const auto& e : eps) {
      const auto& hint = e.providerSpecific.alias;
      byName[e.dnsName.lowercased()].push_back(e.toString() +
                                               (hint ? (*hint ? " hint=alias" : " hint=plain") : ""));
    }
    for (auto& [n, v] : byName) std::sort(v.begin(), v.end());
    return byName;
  };
  const auto a = group(before);
  const auto b = group(after);
  NameSet out;
  for (const auto& [n, v] : a) {
    auto it = b.find(n);
    if (it == b.end() || it->second != v) out.insert(n);
  }
  for (const auto& [n, v] : b) {
    if (!a.count(n)) out.insert(n);
  }
  return out;
}

}  // namespace zk::controller
