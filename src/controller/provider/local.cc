#include "controller/provider/local.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <unordered_set>

#include <fmt/format.h>

#include "controller/provider/rdata_convert.h"
#include "store/route53_names.h"
#include "store/sqlite_zone_store.h"
#include "zonefile/parser.h"

namespace zk::controller {

namespace {

// Imports one zone file unless its zone exists already.
Status importZoneFile(store::SqliteZoneStore& st, const std::filesystem::path& file) {
  auto origin = wire::Name::fromText(file.stem().string());
  if (!origin) return Error(fmt::format("{}: file name is not a zone name", file.string()));
  zonefile::ParseOptions opts;
  opts.origin = *origin;
  std::optional<wire::Name> apex;
  std::map<std::pair<wire::Name, wire::RRType>, store::RecordSet> sets;
  auto result = zonefile::parseZoneFile(file.string(), opts, [&](const zonefile::RecordView& rr) {
    if (rr.type == wire::RRType::SOA && !apex) apex = rr.owner;
    auto& rs = sets[{rr.owner.lowercased(), rr.type}];
    rs.name = rr.owner;
    rs.type = rr.type;
    rs.ttl = rs.rdata.empty() ? rr.ttl : std::min(rs.ttl, rr.ttl);  // RFC 2181 5.2: one TTL per RRset
    rs.rdata.emplace_back(rr.rdata.begin(), rr.rdata.end());
  });
  if (!result.ok()) {
    std::string msg = fmt::format("{}: {} error(s)", file.string(), result.errors);
    if (!result.diagnostics.empty())
      msg += ": " + zonefile::formatDiagnostic(result.files, result.diagnostics[0]);
    return Error(msg);
  }
  const wire::Name zoneName = apex.value_or(*origin);
  auto zones = st.listZones();
  if (auto* err = std::get_if<store::StoreError>(&zones)) return Error(storeErrorText(*err));
  for (const auto& z : std::get<0>(zones)) {
    if (z.name == zoneName) return {};  // already there: the store is the truth now
  }
  std::vector<store::RecordSet> list;
  list.reserve(sets.size());
  for (auto& [_, rs] : sets) list.push_back(std::move(rs));
  auto r = st.importZone(
      {zoneName, "zonekeeper-import-" + zoneName.toText(), "imported from " + file.string()}, list);
  if (auto* err = std::get_if<store::StoreError>(&r)) {
    return Error(fmt::format("importing {}: {}", file.string(), storeErrorText(*err)));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<LocalProvider>> LocalProvider::attach(store::SqliteZoneStore& store,
                                                             const std::string& zonesDir) {
  if (!zonesDir.empty()) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(zonesDir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".zone") files.push_back(it->path());
    }
    if (ec) return Error(fmt::format("zones directory {}: {}", zonesDir, ec.message()));
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (auto st = importZoneFile(store, f); !st) return st.error();
    }
  }
  return std::make_unique<LocalProvider>(store);
}

Result<std::unique_ptr<LocalProvider>> LocalProvider::open(const std::string& dataDir,
                                                           const std::string& zonesDir) {
  auto path = store::SqliteZoneStore::prepareDataDir(dataDir);
  if (!path) return path.error();
  store::SqliteStoreOptions opts;
  opts.path = *path;
  auto s = store::SqliteZoneStore::open(std::move(opts));
  if (!s) return s.error();
  auto p = attach(**s, zonesDir);
  if (!p) return p.error();
  (*p)->owned_ = std::move(*s);
  return std::move(*p);
}

std::string storeErrorText(const store::StoreError& e) {
  std::string out = fmt::format("store error {}", static_cast<int>(e.code));
  for (const auto& m : e.messages) out += ": " + m;
  return out;
}

Endpoint endpointFromRecordSet(const store::RecordSet& rs) {
  Endpoint e;
  e.dnsName = rs.name;
  e.type = rs.type;
  if (rs.alias) {
    e.alias = true;
    e.targets.emplace_back(rs.alias->dnsName);
    return e;
  }
  e.ttl = rs.ttl;
  for (const auto& rd : rs.rdata) e.targets.push_back(targetFromRdata(rs.type, rd));
  e.normalize();
  return e;
}

Result<store::RecordSet> recordSetFromEndpoint(const Endpoint& e, std::span<const store::HostedZone> zones) {
  store::RecordSet rs;
  rs.name = e.dnsName;
  rs.type = e.type;
  if (e.alias) {
    if (auto s = e.validate(); !s) return s.error();
    const auto& target = std::get<wire::Name>(e.targets.front());
    store::AliasTarget at;
    at.dnsName = target;
    at.hostedZoneId = canonicalHostedZone(target);
    if (at.hostedZoneId.empty()) {
      for (const auto& z : zones) {
        if (target.isSubdomainOf(z.name)) at.hostedZoneId = z.id;
      }
    }
    rs.alias = std::move(at);
    return rs;
  }
  rs.ttl = e.ttl.value_or(kDefaultTtl);
  for (const auto& t : e.targets) {
    auto rd = rdataFromTarget(e.type, t);
    if (!rd) return rd.error();
    rs.rdata.push_back(std::move(*rd));
  }
  return rs;
}

Result<std::vector<store::HostedZone>> LocalProvider::hostedZones() {
  auto z = store_.listZones();
  if (auto* err = std::get_if<store::StoreError>(&z)) return Error(storeErrorText(*err));
  return std::get<0>(std::move(z));
}

Result<std::vector<wire::Name>> LocalProvider::zones() {
  auto hz = hostedZones();
  if (!hz) return hz.error();
  std::vector<wire::Name> out;
  for (const auto& z : *hz) out.push_back(z.name.lowercased());
  return out;
}

namespace {

std::string versionOf(const std::vector<store::HostedZone>& hz) {
  std::string v;
  for (const auto& z : hz) v += fmt::format("{}:{}:{};", z.id, z.serial, z.recordSetCount);
  return v;
}

}  // namespace

Result<std::optional<std::string>> LocalProvider::recordsVersion() {
  auto hz = hostedZones();
  if (!hz) return hz.error();
  return std::optional<std::string>(versionOf(*hz));
}

Result<std::optional<std::string>> LocalProvider::applyChangesAt(const Changes& changes,
                                                                 const std::string& expected) {
  auto before = hostedZones();
  if (!before) return before.error();
  std::map<std::size_t, std::uint32_t> committed;
  if (auto s = applyTo(*before, changes, committed); !s) return s.error();
  auto after = hostedZones();
  if (!after) return after.error();
  bool continuous = versionOf(*before) == expected && after->size() == before->size();
  for (std::size_t i = 0; continuous && i < after->size(); ++i) {
    std::uint32_t serial = (*before)[i].serial;
    for (std::uint32_t k = 0; k < committed[i]; ++k) serial = store::serialNext(serial);
    continuous = (*after)[i].id == (*before)[i].id && (*after)[i].serial == serial;
  }
  return continuous ? std::optional<std::string>(versionOf(*after)) : std::nullopt;
}

Result<std::vector<Endpoint>> LocalProvider::recordsAt(std::span<const wire::Name> names) {
  auto hz = hostedZones();
  if (!hz) return hz.error();
  std::vector<wire::Name> zoneNames;
  for (const auto& z : *hz) zoneNames.push_back(z.name);
  std::vector<Endpoint> out;
  std::unordered_set<wire::Name> seen;  // each name once (hash and == ignore case)
  for (const auto& n : names) {
    if (!seen.insert(n).second) continue;
    auto zone = findZone(n, zoneNames);
    if (!zone) continue;
    // Route53 order: a name's record sets are adjacent; page until the name ends.
    std::optional<store::RecordSetKey> start = store::RecordSetKey{n, std::nullopt};
    while (start) {
      auto page = store_.listRecordSets((*hz)[*zone].id, start, 64);
      if (auto* err = std::get_if<store::StoreError>(&page)) return Error(storeErrorText(*err));
      auto& p = std::get<store::RecordSetPage>(page);
      start.reset();
      bool ended = false;
      for (const auto& rs : p.recordSets) {
        if (!(rs.name == n)) {
          ended = true;
          break;
        }
        out.push_back(endpointFromRecordSet(rs));
      }
      if (!ended && p.next && p.next->name == n) start = p.next;
    }
  }
  return out;
}

Result<std::vector<Endpoint>> LocalProvider::records() {
  auto hz = hostedZones();
  if (!hz) return hz.error();
  std::vector<Endpoint> out;
  for (const auto& z : *hz) {
    auto c = store_.zoneContents(z.id);
    if (auto* err = std::get_if<store::StoreError>(&c)) return Error(storeErrorText(*err));
    for (const auto& rs : std::get<0>(c).recordSets) out.push_back(endpointFromRecordSet(rs));
  }
  return out;
}

Status LocalProvider::applyChanges(const Changes& changes) {
  auto hz = hostedZones();
  if (!hz) return hz.error();
  std::map<std::size_t, std::uint32_t> committed;
  return applyTo(*hz, changes, committed);
}

Status LocalProvider::applyTo(const std::vector<store::HostedZone>& zones, const Changes& changes,
                              std::map<std::size_t, std::uint32_t>& committed) {
  const auto* hz = &zones;
  std::vector<wire::Name> names;
  for (const auto& z : *hz) names.push_back(z.name);
  // Per zone: deletes first, then creates, then upserts (Route53 order), split
  // into batches within Route53's size limits; each batch is atomic.
  std::map<std::size_t, std::vector<store::Change>> perZone;
  std::map<std::size_t, std::vector<ChangeCost>> costs;
  std::vector<std::string> problems;
  auto add = [&](store::ChangeAction action, const Endpoint& e) {
    auto zone = findZone(e.dnsName, names);
    if (!zone) {
      problems.push_back(fmt::format("{}: not inside any hosted zone", e.dnsName.toText()));
      return;
    }
    auto rs = recordSetFromEndpoint(e, *hz);
    if (!rs) {
      problems.push_back(rs.error().message);
      return;
    }
    perZone[*zone].push_back({action, std::move(*rs)});
    costs[*zone].push_back(changeCost(e, action == store::ChangeAction::Upsert));
  };
  for (const auto& e : changes.remove) add(store::ChangeAction::Delete, e);
  for (const auto& e : changes.create) add(store::ChangeAction::Create, e);
  for (const auto& e : changes.updateNew) add(store::ChangeAction::Upsert, e);
  if (!problems.empty()) {
    std::string msg = "changes not applied:";
    for (const auto& p : problems) msg += "\n  " + p;
    return Error(msg);
  }
  for (auto& [zone, list] : perZone) {
    std::size_t begin = 0;
    for (const std::size_t end : batchEnds(costs[zone])) {
      store::ChangeBatch batch;
      batch.comment = "zonekeeper sync";
      for (std::size_t i = begin; i < end; ++i) batch.changes.push_back(std::move(list[i]));
      begin = end;
      auto r = store_.applyChanges((*hz)[zone].id, batch);
      if (auto* err = std::get_if<store::StoreError>(&r)) {
        problems.push_back(fmt::format("zone {}: {}", (*hz)[zone].name.toText(), storeErrorText(*err)));
        break;  // later batches may depend on this one
      }
      ++committed[zone];
    }
  }
  if (problems.empty()) return {};
  std::string msg = "some zones were not changed:";
  for (const auto& p : problems) msg += "\n  " + p;
  return Error(msg);
}

}  // namespace zk::controller
