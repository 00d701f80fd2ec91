#include "controller/provider/inmemory.h"

#include <optional>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "controller/provider/rdata_convert.h"
#include "zonefile/parser.h"

namespace zk::controller {
namespace {

std::string bare(const wire::Name& n) {
  std::string s = n.toText();
  if (s.size() > 1) s.pop_back();
  return s;
}

}  // namespace

Status InMemoryProvider::createZone(const wire::Name& zone) {
  std::lock_guard lock(mu_);
  zones_.try_emplace(zone.lowercased());
  ++version_;
  return {};
}

Status InMemoryProvider::put(const Endpoint& e) {
  std::lock_guard lock(mu_);
  std::vector<wire::Name> names;
  for (const auto& [z, _] : zones_) names.push_back(z);
  auto zone = findZone(e.dnsName, names);
  if (!zone) return Error(fmt::format("{}: no zone for this name", bare(e.dnsName)));
  auto& recs = zones_[names[*zone]];
  ++version_;
  Endpoint copy = e;
  copy.normalize();
  copy.labels.clear();
  auto key = keyOf(copy);
  auto it = recs.find(key);
  if (it != recs.end() && !copy.alias) {  // zone files list one record per line: merge
    for (auto& t : copy.targets) it->second.targets.push_back(t);
    it->second.normalize();
    return {};
  }
  recs.insert_or_assign(key, std::move(copy));
  return {};
}

Result<std::vector<wire::Name>> InMemoryProvider::zones() {
  std::lock_guard lock(mu_);
  std::vector<wire::Name> out;
  for (const auto& [z, _] : zones_) out.push_back(z);
  return out;
}

Result<std::vector<Endpoint>> InMemoryProvider::records() {
  std::lock_guard lock(mu_);
  std::vector<Endpoint> out;
  for (const auto& [_, recs] : zones_) {
    for (const auto& entry : recs) out.push_back(entry.second);
  }
  return out;
}

Status InMemoryProvider::applyChanges(const Changes& changes) {
  std::lock_guard lock(mu_);
  return applyLocked(changes);
}

Result<std::optional<std::string>> InMemoryProvider::applyChangesAt(const Changes& changes,
                                                                    const std::string& expected) {
  std::lock_guard lock(mu_);
  const bool continuous = std::to_string(version_) == expected;
  if (auto s = applyLocked(changes); !s) return s.error();
  return continuous ? std::optional<std::string>(std::to_string(version_)) : std::nullopt;
}

Result<std::vector<Endpoint>> InMemoryProvider::recordsAt(std::span<const wire::Name> names) {
  std::lock_guard lock(mu_);
  std::vector<wire::Name> zoneNames;
  for (const auto& [z, _] : zones_) zoneNames.push_back(z);
  std::vector<Endpoint> out;
  std::unordered_set<wire::Name> seen;  // each name once (hash and == ignore case)
  for (const auto& n : names) {
    if (!seen.insert(n).second) continue;
    auto z = findZone(n, zoneNames);
    if (!z) continue;
    const auto& recs = zones_[zoneNames[*z]];
    const auto lower = n.lowercased();
    for (auto it = recs.lower_bound(RecordKey{lower, wire::RRType{0}});
         it != recs.end() && it->first.name == lower; ++it) {
      out.push_back(it->second);
    }
  }
  return out;
}

Status InMemoryProvider::applyLocked(const Changes& changes) {
  // Applied in place with an undo log, rolled back unless all of it is valid
  // (no copy of every zone per batch).
  auto& next = zones_;
  struct Undo {
    ZoneRecords* zone;
    RecordKey key;
    std::optional<Endpoint> old;  // unset: the key did not exist
  };
  std::vector<Undo> undo;
  std::vector<wire::Name> names;
  names.reserve(next.size());
  for (const auto& [z, _] : next) names.push_back(z);
  std::vector<std::string> problems;
  auto zoneOf = [&](const Endpoint& e) -> ZoneRecords* {
    auto z = findZone(e.dnsName, names);
    if (!z) {
      problems.push_back(fmt::format("{}: not inside any zone of the provider", bare(e.dnsName)));
      return nullptr;
    }
    return &next[names[*z]];
  };
  auto stored = [](const Endpoint& e) {
    Endpoint c = e;
    c.labels.clear();
    c.providerSpecific = {};
    c.normalize();
    return c;
  };
  for (const auto& e : changes.remove) {
    auto* z = zoneOf(e);
    if (!z) continue;
    auto it = z->find(keyOf(e));
    if (it == z->end()) {
      problems.push_back(fmt::format("delete {}: no such record set", e.toString()));
    } else if (!sameTargets(it->second.targets, e.targets) || it->second.alias != e.alias) {
      problems.push_back(fmt::format("delete {}: values do not match the current set", e.toString()));
    } else {
      undo.push_back({z, it->first, std::move(it->second)});
      z->erase(it);
    }
  }
  for (const auto& e : changes.create) {
    if (auto s = e.validate(); !s) {
      problems.push_back(s.error().message);
      continue;
    }
    auto* z = zoneOf(e);
    if (!z) continue;
    if (auto [it, added] = z->emplace(keyOf(e), stored(e)); added) {
      undo.push_back({z, it->first, std::nullopt});
    } else {
      problems.push_back(fmt::format("create {}: record set already exists", e.toString()));
    }
  }
  for (std::size_t i = 0; i < changes.updateNew.size(); ++i) {
    const auto& e = changes.updateNew[i];
    if (auto s = e.validate(); !s) {
      problems.push_back(s.error().message);
      continue;
    }
    auto* z = zoneOf(e);
    if (!z) continue;
    if (i < changes.updateOld.size() && !(keyOf(changes.updateOld[i]) == keyOf(e))) {
      problems.push_back(fmt::format("update {}: old and new differ in name or type", e.toString()));
      continue;
    }
    auto it = z->find(keyOf(e));
    if (it == z->end()) {
      problems.push_back(fmt::format("update {}: no such record set", e.toString()));
      continue;
    }
    undo.push_back({z, it->first, std::exchange(it->second, stored(e))});
  }
  // RFC 1034 3.6.2: a CNAME owner holds no other data.
  for (const auto& [_, recs] : next) {
    for (auto it = recs.begin(); it != recs.end(); ++it) {
      if (it->first.type != wire::RRType::CNAME) continue;
      auto lo = recs.lower_bound(RecordKey{it->first.name, wire::RRType{0}});
      for (; lo != recs.end() && lo->first.name == it->first.name; ++lo) {
        if (lo->first.type != wire::RRType::CNAME) {
          problems.push_back(fmt::format("{}: CNAME beside {} data", bare(it->first.name),
                                         wire::typeToText(lo->first.type)));
        }
      }
    }
  }
  if (!problems.empty()) {
    for (auto u = undo.rbegin(); u != undo.rend(); ++u) {
      if (u->old) {
        u->zone->insert_or_assign(u->key, std::move(*u->old));
      } else {
        u->zone->erase(u->key);
      }
    }
    std::string msg = "invalid change batch:";
    for (const auto& p : problems) msg += "\n  " + p;
    return Error(msg);
  }
  ++applies_;
  ++version_;
  return {};
}

Result<std::optional<std::string>> InMemoryProvider::recordsVersion() {
  std::lock_guard lock(mu_);
  return std::optional<std::string>(std::to_string(version_));
}

Status loadZoneFile(InMemoryProvider& provider, const std::string& path, const wire::Name& origin) {
  zonefile::ParseOptions opts;
  opts.origin = origin;
  std::vector<Endpoint> recs;
  std::optional<wire::Name> apex;
  auto result = zonefile::parseZoneFile(path, opts, [&](const zonefile::RecordView& rr) {
    if (rr.type == wire::RRType::SOA && !apex) apex = rr.owner;
    Endpoint e;
    e.dnsName = rr.owner;
    e.type = rr.type;
    e.ttl = rr.ttl;
    e.targets.push_back(targetFromRdata(rr.type, rr.rdata));
    recs.push_back(std::move(e));
  });
  if (!result.ok()) {
    std::string msg = fmt::format("{}: {} error(s) in the zone file", path, result.errors);
    if (!result.diagnostics.empty())
      msg += ": " + zonefile::formatDiagnostic(result.files, result.diagnostics[0]);
    return Error(msg);
  }
  // The zone is the SOA owner ($ORIGIN may differ from the file name).
  if (auto s = provider.createZone(apex.value_or(origin)); !s) return s;
  for (const auto& e : recs) {
    if (auto s = provider.put(e); !s) return s;
  }
  return {};
}

}  // namespace zk::controller
