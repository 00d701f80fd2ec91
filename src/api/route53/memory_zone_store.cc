#include "api/route53/memory_zone_store.h"

#include <algorithm>

#include <fmt/format.h>

#include "api/route53/text.h"
#include "store/change_rules.h"
#include "store/route53_names.h"

namespace zk::api {
namespace {

store::StoreError err(store::ErrorCode code, std::string message) { return {code, {std::move(message)}}; }

std::string describe(const store::RecordSet& rs) {
  return fmt::format("[name='{}', type='{}']", formatRoute53Name(rs.name), wire::typeToText(rs.type));
}

// store::AliasTarget has no operator== yet (so RecordSet's defaulted one is deleted).
bool sameAlias(const std::optional<store::AliasTarget>& a, const std::optional<store::AliasTarget>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->hostedZoneId == b->hostedZoneId && a->dnsName == b->dnsName &&
         a->evaluateTargetHealth == b->evaluateTargetHealth;
}

bool sameValues(const store::RecordSet& a, const store::RecordSet& b) {
  if (!sameAlias(a.alias, b.alias)) return false;
  if (a.alias) return true;
  if (a.ttl != b.ttl) return false;
  // Same values in any order (is_permutation: sorting byte vectors trips a GCC 12 -O3 false warning).
  return a.rdata.size() == b.rdata.size() &&
         std::is_permutation(a.rdata.begin(), a.rdata.end(), b.rdata.begin());
}

}  // namespace

MemoryZoneStore::MemoryZoneStore() : MemoryZoneStore(Options{}) {}
MemoryZoneStore::MemoryZoneStore(Options options) : options_(std::move(options)) {}

std::string MemoryZoneStore::newId(char prefix) {
  // Route53-looking ids: a letter and 14 upper-case base-36 digits.
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::uint64_t v = ++counter_ * 0x9E3779B97F4A7C15ull;
  std::string id(1, prefix);
  for (int i = 0; i < 14; ++i) {
    id += kDigits[v % 36];
    v /= 36;
  }
  return id;
}

store::StoreResult<store::HostedZone> MemoryZoneStore::createZone(const store::NewZone& nz) {
  std::lock_guard lock(mu_);
  for (const auto& [id, z] : zones_) {
    if (z.info.callerReference == nz.callerReference) {
      return err(store::ErrorCode::HostedZoneAlreadyExists, "caller reference already used");
    }
  }
  Zone z;
  z.info.id = newId('Z');
  z.info.name = nz.name;
  z.info.callerReference = nz.callerReference;
  z.info.comment = nz.comment;
  z.info.createdAt = options_.now();
  z.info.serial = 1;
  std::vector<wire::Name> ns;
  for (const auto& text : options_.nameServers) {
    auto n = wire::Name::fromText(text);
    if (!n) return err(store::ErrorCode::Internal, n.error().message);
    ns.push_back(*n);
  }
  z.info.nameServers = ns;
  store::RecordSet nsSet{nz.name, wire::RRType::NS, 172800, {}, std::nullopt, {}};
  for (const auto& n : ns) nsSet.rdata.emplace_back(n.bytes().begin(), n.bytes().end());
  store::RecordSet soa{nz.name, wire::RRType::SOA, 900, {}, std::nullopt, {}};
  auto soaData =
      parseRecordValue(wire::RRType::SOA, fmt::format("{} hostmaster.{} 1 7200 900 1209600 86400",
                                                      options_.nameServers.front(), nz.name.toText()));
  if (!soaData) return err(store::ErrorCode::Internal, soaData.error().message);
  soa.rdata.push_back(*soaData);
  z.sets[{nz.name, "NS"}] = nsSet;
  z.sets[{nz.name, "SOA"}] = soa;
  z.info.recordSetCount = 2;
  z.info.changeId = recordChange(z.info.id, z.info.serial, nz.comment).id;
  auto info = z.info;
  zones_.emplace(info.id, std::move(z));
  if (listener_) listener_(info.id, info.serial);
  return info;
}

store::StoreResult<store::HostedZone> MemoryZoneStore::getZone(std::string_view zoneId) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(std::string(zoneId));
  if (it == zones_.end()) return err(store::ErrorCode::NoSuchHostedZone, fmt::format("no zone {}", zoneId));
  return it->second.info;
}

store::StoreResult<std::vector<store::HostedZone>> MemoryZoneStore::listZones() {
  std::lock_guard lock(mu_);
  std::vector<store::HostedZone> out;
  // The SQLite store's order: Route53's name key (labels reversed, escaped
  // text, trailing dot), then the id.
  std::vector<std::pair<std::string, const store::HostedZone*>> keyed;
  keyed.reserve(zones_.size());
  for (const auto& [id, z] : zones_) keyed.emplace_back(store::route53NameKey(z.info.name), &z.info);
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->id < b.second->id;
  });
  out.reserve(keyed.size());
  for (const auto& [key, z] : keyed) out.push_back(*z);
  return out;
}

store::StoreResult<bool> MemoryZoneStore::deleteZone(std::string_view zoneId) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(std::string(zoneId));
  if (it == zones_.end()) return err(store::ErrorCode::NoSuchHostedZone, fmt::format("no zone {}", zoneId));
  for (const auto& [key, rs] : it->second.sets) {
    const bool apexRequired = key.name == it->second.info.name && (key.type == "SOA" || key.type == "NS");
    if (!apexRequired) return err(store::ErrorCode::HostedZoneNotEmpty, "zone has record sets");
  }
  zones_.erase(it);
  if (listener_) listener_(std::string(zoneId), 0);
  return true;
}

store::StoreResult<store::ChangeInfo> MemoryZoneStore::applyChanges(std::string_view zoneId,
                                                                    const store::ChangeBatch& batch) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(std::string(zoneId));
  if (it == zones_.end()) return err(store::ErrorCode::NoSuchHostedZone, fmt::format("no zone {}", zoneId));
  Zone& zone = it->second;
  auto sets = zone.sets;  // all or nothing: work on a copy
  std::vector<std::string> problems;
  const std::string zoneText = formatRoute53Name(zone.info.name);
  for (const auto& change : batch.changes) {
    const auto& rs = change.recordSet;
    const Key key{rs.name, wire::typeToText(rs.type)};
    auto found = sets.find(key);
    switch (change.action) {
      case store::ChangeAction::Create:
        if (found != sets.end()) {
          problems.push_back(
              fmt::format("Tried to create resource record set {} but it already exists", describe(rs)));
        } else {
          sets.emplace(key, rs);
        }
        break;
      case store::ChangeAction::Delete:
        if (found == sets.end()) {
          problems.push_back(
              fmt::format("Tried to delete resource record set {} but it was not found", describe(rs)));
        } else if (!sameValues(found->second, rs)) {
          problems.push_back(
              fmt::format("Tried to delete resource record set {} but the values provided do not match the "
                          "current values",
                          describe(rs)));
        } else if (rs.name == zone.info.name &&
                   (rs.type == wire::RRType::SOA || rs.type == wire::RRType::NS)) {
          problems.push_back(
              fmt::format("A HostedZone must contain at least one NS record for the zone itself and exactly "
                          "one SOA record; "
                          "cannot delete {}",
                          describe(rs)));
        } else {
          sets.erase(found);
        }
        break;
      case store::ChangeAction::Upsert:
        sets[key] = rs;
        break;
    }
  }
  // CNAME rules (RFC 1034 section 3.6.2): alone at its name, never at the apex.
  for (const auto& change : batch.changes) {
    const auto& name = change.recordSet.name;
    bool hasCname = false;
    std::string other;
    for (auto s = sets.lower_bound(Key{name, ""}); s != sets.end() && s->first.name == name; ++s) {
      if (s->first.type == "CNAME") {
        hasCname = true;
      } else {
        other = s->first.type;
      }
    }
    if (!hasCname) continue;
    if (name == zone.info.name) {
      problems.push_back(
          fmt::format("RRSet of type CNAME with DNS name {} is not permitted at apex in zone {}",
                      formatRoute53Name(name), zoneText));
    } else if (!other.empty()) {
      problems.push_back(
          fmt::format("RRSet of type CNAME with DNS name {} is not permitted because a conflicting RRSet of "
                      "type {} with the "
                      "same DNS name already exists in zone {}",
                      formatRoute53Name(name), other, zoneText));
    }
  }
  // The rules on the zone the batch leaves (store/change_rules.h), as the SQLite store applies them.
  auto findSet = [&](const std::map<Key, store::RecordSet>& in, const wire::Name& name,
                     wire::RRType type) -> std::optional<store::RecordSet> {
    auto s = in.find(Key{name, wire::typeToText(type)});
    if (s == in.end()) return std::nullopt;
    return s->second;
  };
  for (const auto& change : batch.changes) {
    const auto& name = change.recordSet.name;
    for (auto& m : store::aliasServingProblems(findSet(sets, name, wire::RRType::A),
                                               findSet(sets, name, wire::RRType::AAAA)))
      problems.push_back(std::move(m));
  }
  auto zoneName = [&](std::string_view id) -> std::optional<wire::Name> {
    auto z = zones_.find(std::string(id));
    if (z == zones_.end()) return std::nullopt;
    return z->second.info.name;
  };
  auto exists = [&](std::string_view id, const wire::Name& name, wire::RRType type) {
    if (id == zone.info.id) return findSet(sets, name, type).has_value();
    auto z = zones_.find(std::string(id));
    return z != zones_.end() && findSet(z->second.sets, name, type).has_value();
  };
  for (const auto& change : batch.changes) {
    if (change.action == store::ChangeAction::Delete || !change.recordSet.alias) continue;
    auto current = findSet(sets, change.recordSet.name, change.recordSet.type);
    if (!current || !current->alias) continue;  // replaced later in the batch
    for (auto& m : store::aliasTargetProblems(*current, zoneName, exists)) problems.push_back(std::move(m));
  }
  if (!problems.empty()) {
    std::sort(problems.begin(), problems.end());
    problems.erase(std::unique(problems.begin(), problems.end()), problems.end());
    return store::StoreError{store::ErrorCode::InvalidChangeBatch, problems};
  }
  zone.sets = std::move(sets);
  zone.info.serial += 1;
  zone.info.recordSetCount = zone.sets.size();
  const store::ChangeInfo info = recordChange(zone.info.id, zone.info.serial, batch.comment);
  if (listener_) listener_(info.zoneId, info.serial);
  return info;
}

store::StoreResult<store::RecordSetPage> MemoryZoneStore::listRecordSets(
    std::string_view zoneId, const std::optional<store::RecordSetKey>& start, std::size_t maxItems) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(std::string(zoneId));
  if (it == zones_.end()) return err(store::ErrorCode::NoSuchHostedZone, fmt::format("no zone {}", zoneId));
  const auto& sets = it->second.sets;
  auto pos = sets.begin();
  if (start) pos = sets.lower_bound(Key{start->name, start->type ? wire::typeToText(*start->type) : ""});
  store::RecordSetPage page;
  for (; pos != sets.end() && page.recordSets.size() < maxItems; ++pos)
    page.recordSets.push_back(pos->second);
  if (pos != sets.end()) page.next = store::RecordSetKey{pos->second.name, pos->second.type};
  return page;
}

store::StoreResult<store::ZoneStore::ZoneContents> MemoryZoneStore::zoneContents(std::string_view zoneId) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(std::string(zoneId));
  if (it == zones_.end()) return err(store::ErrorCode::NoSuchHostedZone, fmt::format("no zone {}", zoneId));
  ZoneContents out;
  out.zone = it->second.info;
  for (const auto& [k, rs] : it->second.sets) out.recordSets.push_back(rs);
  return out;
}

store::StoreResult<store::Tags> MemoryZoneStore::tags(store::TagResource resource, std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(std::string(id));
  if (resource != store::TagResource::HostedZone || it == zones_.end()) {
    return err(store::ErrorCode::NoSuchHostedZone, fmt::format("no zone {}", id));
  }
  return it->second.tags;
}

store::StoreResult<bool> MemoryZoneStore::changeTags(store::TagResource resource, std::string_view id,
                                                     const store::Tags& add,
                                                     const std::vector<std::string>& removeKeys) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(std::string(id));
  if (resource != store::TagResource::HostedZone || it == zones_.end()) {
    return err(store::ErrorCode::NoSuchHostedZone, fmt::format("no zone {}", id));
  }
  auto& tags = it->second.tags;
  for (const auto& key : removeKeys) {
    std::erase_if(tags, [&](const auto& kv) { return kv.first == key; });
  }
  for (const auto& tag : add) {
    auto t = std::find_if(tags.begin(), tags.end(), [&](const auto& kv) { return kv.first == tag.first; });
    if (t != tags.end()) {
      t->second = tag.second;
    } else {
      tags.push_back(tag);
    }
  }
  if (tags.size() > 50) return err(store::ErrorCode::InvalidInput, "a resource can have at most 50 tags");
  return true;
}

store::StoreResult<store::ChangeInfo> MemoryZoneStore::getChange(std::string_view changeId) {
  std::lock_guard lock(mu_);
  auto it = changes_.find(std::string(changeId));
  if (it == changes_.end()) return err(store::ErrorCode::NoSuchChange, fmt::format("no change {}", changeId));
  return it->second;
}

void MemoryZoneStore::markServed(std::string_view zoneId, std::uint32_t serial) {
  std::lock_guard lock(mu_);
  for (auto& [id, c] : changes_) {
    if (c.zoneId == zoneId && c.serial <= serial) c.status = store::ChangeStatus::InSync;
  }
}

void MemoryZoneStore::setListener(store::ChangeListener listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

store::ChangeInfo MemoryZoneStore::recordChange(const std::string& zoneId, std::uint32_t serial,
                                                const std::string& comment) {
  store::ChangeInfo info;
  info.id = newId('C');
  info.status =
      options_.changesInSyncImmediately ? store::ChangeStatus::InSync : store::ChangeStatus::Pending;
  info.submittedAt = options_.now();
  info.comment = comment;
  info.zoneId = zoneId;
  info.serial = serial;
  changes_[info.id] = info;
  return info;
}

store::StoreResult<store::ChangeInfo> MemoryZoneStore::removeZone(std::string_view zoneId) {
  auto r = deleteZone(zoneId);
  if (r.index() == 1) return std::get<store::StoreError>(r);
  std::lock_guard lock(mu_);
  return recordChange(std::string(zoneId), 0, "");
}

void MemoryZoneStore::registerServer(std::string_view) {}
void MemoryZoneStore::unregisterServer(std::string_view) {}
void MemoryZoneStore::markServedBy(std::string_view, std::string_view zoneId, std::uint32_t serial) {
  markServed(zoneId, serial);
}

store::StoreResult<std::vector<store::JournalEntry>> MemoryZoneStore::journal(std::string_view,
                                                                              std::uint32_t) {
  return std::vector<store::JournalEntry>{};  // no journal: IXFR falls back to AXFR
}

store::StoreResult<store::HostedZone> MemoryZoneStore::updateZoneComment(std::string_view zoneId,
                                                                         std::string_view comment) {
  std::lock_guard lock(mu_);
  auto it = zones_.find(std::string(zoneId));
  if (it == zones_.end()) return err(store::ErrorCode::NoSuchHostedZone, fmt::format("no zone {}", zoneId));
  it->second.info.comment = std::string(comment);
  return it->second.info;
}

}  // namespace zk::api
