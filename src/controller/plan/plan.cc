#include "controller/plan/plan.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace zk::controller {
namespace {

bool managed(const Endpoint& e, const PlanOptions& o) {
  return std::find(o.managedTypes.begin(), o.managedTypes.end(), e.type) != o.managedTypes.end() &&
         o.domainFilter.matches(e.dnsName);
}

bool ownedBy(const Endpoint& e, std::string_view ownerId) {
  return ownerId.empty() || e.label(kOwnerLabel) == ownerId;
}

using Candidates = std::span<const Endpoint* const>;

// ExternalDNS PerResource resolver: the candidate whose resource sorts first
// (the first such in input order).
const Endpoint& resolveCreate(Candidates candidates) {
  return **std::min_element(candidates.begin(), candidates.end(), [](const Endpoint* a, const Endpoint* b) {
    return a->label(kResourceLabel) < b->label(kResourceLabel);
  });
}

const Endpoint& resolveUpdate(const Endpoint& current, Candidates candidates) {
  const std::string_view res = current.label(kResourceLabel);
  for (const auto* c : candidates) {
    if (!res.empty() && c->label(kResourceLabel) == res) return *c;
  }
  return resolveCreate(candidates);
}

bool needsUpdate(const Endpoint& desired, const Endpoint& current) {
  if (!sameTargets(desired.targets, current.targets)) return true;
  if (desired.ttl && desired.ttl != current.ttl) return true;
  return desired.alias != current.alias;
}

// One managed endpoint placed in the plan's table: its row (name), type, side
// and input position. Sorting by (row, type, side, seq) groups each name's
// record types, and keeps the input order inside a group.
struct Entry {
  std::uint32_t row;
  wire::RRType type;
  bool desired;
  std::uint32_t seq;
  const Endpoint* endpoint;
};

// Row numbers by name: an open-addressing table of row indices (no node per
// name), probed linearly; Name's hash and == ignore ASCII case. Sized for at
// least twice the names it can get (one per endpoint), so it never fills up.
class RowIndex {
 public:
  explicit RowIndex(std::size_t expected) {
    std::size_t size = 16;
    while (size < 2 * expected) size *= 2;
    slots_.assign(size, kEmpty);
  }
  // The row of `name`, a new one when the name is new.
  std::uint32_t rowOf(const wire::Name& name) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = name.hash() & mask;; i = (i + 1) & mask) {
      if (slots_[i] == kEmpty) {
        slots_[i] = static_cast<std::uint32_t>(names_.size());
        names_.push_back(&name);
        return static_cast<std::uint32_t>(names_.size() - 1);
      }
      if (*names_[slots_[i]] == name) return slots_[i];
    }
  }
  [[nodiscard]] const wire::Name& name(std::uint32_t row) const { return *names_[row]; }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffU;
  std::vector<std::uint32_t> slots_;
  std::vector<const wire::Name*> names_;
};

// Changes of one row, emitted in canonical name order at the end.
struct RowChanges {
  std::uint32_t row = 0;
  std::vector<const Endpoint*> create;
  std::vector<std::pair<const Endpoint*, const Endpoint*>> update;  // current, desired winner
  std::vector<const Endpoint*> remove;
};

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
  std::vector<const Endpoint*> c;
  std::vector<const Endpoint*> d;
  c.reserve(current.size());
  d.reserve(desired.size());
  for (const auto& e : current) c.push_back(&e);
  for (const auto& e : desired) d.push_back(&e);
  return calculatePlan(std::span<const Endpoint* const>(c), std::span<const Endpoint* const>(d), options);
}

Changes calculatePlan(std::span<const Endpoint* const> current, std::span<const Endpoint* const> desired,
                      const PlanOptions& options) {
  // Rows keyed by name (case-insensitive), hashed; only rows that produce
  // changes are sorted, so that the output is in canonical name order.
  RowIndex index(current.size() + desired.size());
  std::vector<Entry> entries;
  entries.reserve(current.size() + desired.size());
  std::uint32_t seq = 0;
  auto place = [&](const Endpoint& e, bool isDesired) {
    if (!managed(e, options)) return;
    entries.push_back(Entry{index.rowOf(e.dnsName), e.type, isDesired, seq++, &e});
  };
  for (const auto* e : current) place(*e, false);
  for (const auto* e : desired) place(*e, true);
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.row != b.row) return a.row < b.row;
    if (a.type != b.type) return a.type < b.type;
    if (a.desired != b.desired) return !a.desired;
    return a.seq < b.seq;
  });

  std::vector<RowChanges> rows;
  std::vector<const Endpoint*> currents;
  std::vector<const Endpoint*> candidates;
  struct TypeGroup {
    wire::RRType type;
    const Endpoint* current = nullptr;  // the last current of this type, as a map would keep it
    std::size_t begin = 0;              // candidates[begin, end)
    std::size_t end = 0;
  };
  std::vector<TypeGroup> types;
  std::vector<std::uint32_t> currentSeq;
  for (std::size_t i = 0; i < entries.size();) {
    const std::uint32_t row = entries[i].row;
    currents.clear();
    candidates.clear();
    types.clear();
    currentSeq.clear();
    for (; i < entries.size() && entries[i].row == row; ++i) {
      const auto& en = entries[i];
      if (types.empty() || types.back().type != en.type) {
        types.push_back(TypeGroup{en.type, nullptr, candidates.size(), candidates.size()});
      }
      if (en.desired) {
        candidates.push_back(en.endpoint);
        types.back().end = candidates.size();
      } else {
        currents.push_back(en.endpoint);
        currentSeq.push_back(en.seq);
        types.back().current = en.endpoint;
      }
    }
    RowChanges out;
    out.row = row;
    // A/AAAA (any non-CNAME type) beat CNAME: drop CNAME candidates, keep the
    // current CNAME so that it gets deleted.
    bool cname = false;
    bool other = false;
    for (const auto& t : types) {
      if (t.begin == t.end) continue;
      (t.type == wire::RRType::CNAME ? cname : other) = true;
    }
    if (cname && other) {
      for (auto& t : types) {
        if (t.type == wire::RRType::CNAME) t.end = t.begin;
      }
    }
    auto cands = [&](const TypeGroup& t) { return Candidates(candidates.data() + t.begin, t.end - t.begin); };
    if (currents.empty()) {
      for (const auto& t : types) {
        if (t.begin != t.end) out.create.push_back(&resolveCreate(cands(t)));
      }
    } else if (candidates.empty()) {
      // Every current record at the name, in input order.
      std::vector<std::size_t> order(currents.size());
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return currentSeq[a] < currentSeq[b]; });
      for (const auto k : order) out.remove.push_back(currents[k]);
    } else {
      std::vector<const Endpoint*> creates;
      for (const auto& t : types) {
        const bool hasCandidates = t.begin != t.end;
        if (t.current && !hasCandidates) out.remove.push_back(t.current);
        if (!t.current && hasCandidates) creates.push_back(&resolveCreate(cands(t)));
        if (t.current && hasCandidates) {
          const Endpoint& winner = resolveUpdate(*t.current, cands(t));
          if (needsUpdate(winner, *t.current)) out.update.emplace_back(t.current, &winner);
        }
      }
      // Creates at a taken name need an ownership claim on every record there.
      const bool ownsAll = std::all_of(currents.begin(), currents.end(),
                                       [&](const Endpoint* e) { return ownedBy(*e, options.ownerId); });
      if (ownsAll) out.create.insert(out.create.end(), creates.begin(), creates.end());
    }
    // Policies, and never touching what another owner (or nobody) owns.
    if (options.policy != Policy::Sync) out.remove.clear();
    if (options.policy == Policy::CreateOnly) out.update.clear();
    std::erase_if(out.remove, [&](const Endpoint* e) { return !ownedBy(*e, options.ownerId); });
    std::erase_if(out.update, [&](const auto& u) { return !ownedBy(*u.first, options.ownerId); });
    if (!out.create.empty() || !out.update.empty() || !out.remove.empty()) rows.push_back(std::move(out));
  }

  std::sort(rows.begin(), rows.end(),
            [&](const RowChanges& a, const RowChanges& b) { return index.name(a.row) < index.name(b.row); });
  Changes changes;
  for (const auto& r : rows) {
    for (const auto* e : r.create) changes.create.push_back(*e);
    for (const auto& [cur, want] : r.update) {
      Endpoint update = *want;
      update.labels.insert_or_assign(std::string(kOwnerLabel), std::string(cur->label(kOwnerLabel)));
      changes.updateOld.push_back(*cur);
      changes.updateNew.push_back(std::move(update));
    }
    for (const auto* e : r.remove) changes.remove.push_back(*e);
  }
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
    if (names.count(e.dnsName)) out.push_back(e);  // the set's order ignores case
  }
  return out;
}

std::vector<const Endpoint*> restrictToNames(std::span<const Endpoint* const> endpoints,
                                             const NameSet& names) {
  std::vector<const Endpoint*> out;
  for (const auto* e : endpoints) {
    if (names.count(e->dnsName)) out.push_back(e);
  }
  return out;
}

Changes restrictToNames(const Changes& changes, const NameSet& names) {
  Changes out;
  out.create = restrictToNames(changes.create, names);
  out.remove = restrictToNames(changes.remove, names);
  for (std::size_t i = 0; i < changes.updateNew.size(); ++i) {
    if (names.count(changes.updateNew[i].dnsName)) {
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
