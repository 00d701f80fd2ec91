#include "store/change_rules.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "store/route53_names.h"
#include "wire/rdata.h"

namespace zk::store {
namespace {

using Key = std::pair<std::string, std::uint16_t>;  // lower-case wire name, type

Key keyOf(const wire::Name& name, wire::RRType type) {
  return {std::string(name.lowercased().wire()), static_cast<std::uint16_t>(type)};
}

bool sameAlias(const std::optional<AliasTarget>& a, const std::optional<AliasTarget>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->hostedZoneId == b->hostedZoneId && a->dnsName == b->dnsName &&
         a->evaluateTargetHealth == b->evaluateTargetHealth;
}

// DELETE must match the current set exactly: TTL, alias and values (in any order).
bool sameContents(const RecordSet& current, const RecordSet& given) {
  if (!sameAlias(current.alias, given.alias)) return false;
  if (current.alias) return true;  // TTL is not part of an alias record set
  if (current.ttl != given.ttl || current.rdata.size() != given.rdata.size()) return false;
  // As strings: GCC 12 at -O3 warns (falsely) on sorting vectors of byte vectors.
  auto sorted = [](const std::vector<wire::Bytes>& values) {
    std::vector<std::string> out;
    out.reserve(values.size());
    for (const auto& v : values) out.emplace_back(v.begin(), v.end());
    std::sort(out.begin(), out.end());
    return out;
  };
  return sorted(current.rdata) == sorted(given.rdata);
}

bool supportedType(wire::RRType type) {
  using wire::RRType;
  if (wire::isMetaType(type)) return false;
  switch (type) {
    case RRType::ALIAS:  // use an AliasTarget instead
    case RRType::RRSIG:  // DNSSEC records are the signer's, not the API's
    case RRType::NSEC:
    case RRType::DNSKEY:
      return false;
    default:
      return true;
  }
}

class Planner {
 public:
  Planner(const wire::Name& zone, RecordSetView& view, BatchPlan& plan)
      : zone_(zone), zoneText_(route53NameText(zone)), view_(view), plan_(plan) {}

  void change(const Change& ch) {
    const RecordSet& rs = ch.recordSet;
    const std::string name = route53NameText(rs.name);
    const std::string type = route53TypeKey(rs.type);
    const std::size_t before = plan_.messages.size();

    if (!rs.name.isSubdomainOf(zone_)) {
      add(fmt::format("RRSet with DNS name {} is not permitted in zone {}", name, zoneText_));
      return;
    }
    if (!supportedType(rs.type)) {
      add(fmt::format("RRSet of type {} with DNS name {} is not permitted: the type is not supported", type,
                      name));
      return;
    }
    const bool apex = rs.name == zone_;
    if (rs.alias && rs.type != wire::RRType::A && rs.type != wire::RRType::AAAA) {
      add(fmt::format(
          "RRSet of type {} with DNS name {} cannot be an alias: alias record sets must be of type A or "
          "AAAA",
          type, name));
    }
    if (!rs.alias && rs.ttl > kMaxTtl) {
      add(fmt::format("Invalid TTL {} for RRSet of type {} with DNS name {}: TTL must be between 0 and {}",
                      rs.ttl, type, name, kMaxTtl));
    }
    checkValues(rs, name, type);
    if (rs.type == wire::RRType::SOA && !apex) {
      add(fmt::format(
          "RRSet of type SOA with DNS name {} is not permitted: SOA is only permitted at the apex of zone {}",
          name, zoneText_));
    }
    if (rs.type == wire::RRType::CNAME && apex) {
      add(fmt::format("RRSet of type CNAME with DNS name {} is not permitted at apex in zone {}", name,
                      zoneText_));
    }
    if (apex && ch.action == ChangeAction::Delete) {
      if (rs.type == wire::RRType::SOA) add("A HostedZone must contain exactly one SOA record.");
      if (rs.type == wire::RRType::NS)
        add("A HostedZone must contain at least one NS record for the zone itself.");
    }

    // Two changes to one set: only DELETE followed by CREATE (a replacement).
    const Key key = keyOf(rs.name, rs.type);
    auto prior = lastAction_.find(key);
    if (prior != lastAction_.end() &&
        !(prior->second == ChangeAction::Delete && ch.action == ChangeAction::Create)) {
      add(fmt::format("The request contains an invalid set of changes for a resource record set '{} {}'",
                      type, name));
      return;
    }

    const std::optional<RecordSet> current = find(key, rs);
    switch (ch.action) {
      case ChangeAction::Create:
        if (current) {
          add(fmt::format("Tried to create resource record set [name='{}', type='{}'] but it already exists",
                          name, type));
        }
        break;
      case ChangeAction::Delete:
        if (!current) {
          add(fmt::format("Tried to delete resource record set [name='{}', type='{}'] but it was not found",
                          name, type));
        } else if (!sameContents(*current, rs)) {
          add(fmt::format(
              "Tried to delete resource record set [name='{}', type='{}'] but the values provided do not "
              "match the current values",
              name, type));
        }
        break;
      case ChangeAction::Upsert:
        break;
    }
    if (ch.action != ChangeAction::Delete) checkCname(rs, name, type);

    if (plan_.messages.size() != before) return;  // this change is not applied
    lastAction_[key] = ch.action;
    std::optional<RecordSet> next;
    if (ch.action != ChangeAction::Delete) {
      next = rs;
      next->name = rs.name.lowercased();
      if (next->alias) next->ttl = 0;
    }
    setWorking(key, current, std::move(next));
  }

  // Rules on the zone as the whole batch leaves it (a batch may replace an
  // alias by plain records, or create an alias's target after the alias).
  void finish(bool checkAliasTargets) {
    for (const auto& [nameKey, touched] : byName_) {
      const SetEffect& eff = plan_.effects[touched.front().first];
      const wire::Name& name = eff.after ? eff.after->name : eff.before->name;
      for (auto& m : aliasServingProblems(findSet(name, wire::RRType::A), findSet(name, wire::RRType::AAAA)))
        add(std::move(m));
    }
    if (!checkAliasTargets) return;
    const std::string ownId = view_.zoneId();
    auto zoneName = [&](std::string_view id) -> std::optional<wire::Name> {
      if (!ownId.empty() && id == ownId) return zone_;
      return view_.hostedZoneName(id);
    };
    auto exists = [&](std::string_view id, const wire::Name& name, wire::RRType type) {
      if (!ownId.empty() && id == ownId) return findSet(name, type).has_value();
      return view_.findInZone(id, name, type).has_value();
    };
    for (const auto& effect : plan_.effects) {
      const auto& after = effect.after;
      if (!after || !after->alias) continue;
      for (auto& m : aliasTargetProblems(*after, zoneName, exists)) add(std::move(m));
    }
  }

 private:
  void add(std::string message) { plan_.messages.push_back(std::move(message)); }

  void checkValues(const RecordSet& rs, const std::string& name, const std::string& type) {
    if ((rs.type == wire::RRType::CNAME || rs.type == wire::RRType::SOA) && rs.rdata.size() > 1) {
      add(fmt::format("RRSet of type {} with DNS name {} has {} values: a {} record set holds exactly one",
                      type, name, rs.rdata.size(), type));
    }
    for (std::size_t i = 0; i < rs.rdata.size(); ++i) {
      const auto& v = rs.rdata[i];
      if (auto st = wire::validateRdata(rs.type, v); !st) {
        add(fmt::format("Invalid Resource Record: 'FATAL problem: {} encountered with '{}''",
                        st.error().message, wire::rdataToGeneric(v)));
        continue;
      }
      for (std::size_t j = 0; j < i; ++j) {
        if (rs.rdata[j] == v) {
          add(fmt::format("Duplicate Resource Record: '{}'", wire::rdataToText(rs.type, v)));
          break;
        }
      }
    }
  }

  // RFC 1034 section 3.6.2 / RFC 2181 section 10.1: a CNAME owns its name alone.
  void checkCname(const RecordSet& rs, const std::string& name, const std::string& type) {
    const auto types = typesAt(rs.name);
    if (rs.type == wire::RRType::CNAME) {
      const bool others =
          std::any_of(types.begin(), types.end(), [](wire::RRType t) { return t != wire::RRType::CNAME; });
      if (others) {
        add(fmt::format(
            "RRSet of type CNAME with DNS name {} is not permitted as it conflicts with other records "
            "with the same DNS name in zone {}",
            name, zoneText_));
      }
    } else if (std::find(types.begin(), types.end(), wire::RRType::CNAME) != types.end()) {
      // Route53's text has two spaces before CNAME; clients may match on it.
      add(fmt::format(
          "RRSet of type {} with DNS name {} is not permitted because a conflicting RRSet of type  CNAME "
          "with the same DNS name already exists in zone {}",
          type, name, zoneText_));
    }
  }

  std::optional<RecordSet> find(const Key& key, const RecordSet& rs) {
    auto it = index_.find(key);
    if (it != index_.end()) return plan_.effects[it->second].after;
    return view_.find(rs.name, rs.type);
  }

  std::optional<RecordSet> findSet(const wire::Name& name, wire::RRType type) {
    RecordSet probe;
    probe.name = name;
    probe.type = type;
    return find(keyOf(name, type), probe);
  }

  std::vector<wire::RRType> typesAt(const wire::Name& name) {
    auto types = view_.typesAt(name);
    auto it = byName_.find(std::string(name.lowercased().wire()));
    if (it == byName_.end()) return types;
    for (const auto& [idx, t] : it->second) {
      std::erase(types, t);
      if (plan_.effects[idx].after) types.push_back(t);
    }
    return types;
  }

  void setWorking(const Key& key, const std::optional<RecordSet>& current, std::optional<RecordSet> next) {
    auto it = index_.find(key);
    if (it == index_.end()) {
      index_.emplace(key, plan_.effects.size());
      byName_[key.first].emplace_back(plan_.effects.size(), static_cast<wire::RRType>(key.second));
      plan_.effects.push_back({current, std::move(next)});
    } else {
      plan_.effects[it->second].after = std::move(next);
    }
  }

  const wire::Name& zone_;
  std::string zoneText_;
  RecordSetView& view_;
  BatchPlan& plan_;
  std::map<Key, std::size_t> index_;                                                 // key -> effects index
  std::map<std::string, std::vector<std::pair<std::size_t, wire::RRType>>> byName_;  // name -> effects
  std::map<Key, ChangeAction> lastAction_;
};

}  // namespace

std::vector<std::string> aliasServingProblems(const std::optional<RecordSet>& a,
                                              const std::optional<RecordSet>& aaaa) {
  std::vector<std::string> out;
  const RecordSet* alias = a && a->alias ? &*a : (aaaa && aaaa->alias ? &*aaaa : nullptr);
  if (alias == nullptr) return out;
  const std::string name = route53NameText(alias->name);
  for (const auto* other : {a ? &*a : nullptr, aaaa ? &*aaaa : nullptr}) {
    if (other == nullptr || other == alias) continue;
    if (!other->alias) {
      out.push_back(fmt::format(
          "RRSet of type {} with DNS name {} cannot be created beside an alias record set of type {} at the "
          "same name: zonekeeper does not serve alias and plain A/AAAA record sets at one name yet (a "
          "zonekeeper limit; Route53 allows it)",
          route53TypeKey(other->type), name, route53TypeKey(alias->type)));
    } else if (!(other->alias->dnsName == alias->alias->dnsName)) {
      out.push_back(fmt::format(
          "Alias record sets of type A and AAAA with DNS name {} target different names ({} and {}): "
          "zonekeeper serves one alias target per name yet (a zonekeeper limit; Route53 allows it)",
          name, route53NameText(alias->alias->dnsName), route53NameText(other->alias->dnsName)));
    }
  }
  return out;
}

std::vector<std::string> aliasTargetProblems(
    const RecordSet& rs, const std::function<std::optional<wire::Name>(std::string_view)>& zoneName,
    const std::function<bool(std::string_view, const wire::Name&, wire::RRType)>& exists) {
  std::vector<std::string> out;
  if (!rs.alias) return out;
  const auto& target = *rs.alias;
  const auto targetZone = zoneName(target.hostedZoneId);
  if (!targetZone) return out;  // not one of ours (ELB, CloudFront, S3...): taken on trust
  // Route53's messages (quoted in aws-cli #4687, cli53 #213/#227, aws-cdk #19643);
  // like Route53, a name outside the zone is also reported as not found.
  const std::string prefix =
      fmt::format("Tried to create an alias that targets {}, type {} in zone {}, but",
                  route53NameText(target.dnsName), route53TypeKey(rs.type), target.hostedZoneId);
  if (!target.dnsName.isSubdomainOf(*targetZone)) {
    out.push_back(prefix + " the alias target name does not lie within the target zone");
    out.push_back(prefix + " that target was not found");
  } else if (!exists(target.hostedZoneId, target.dnsName, rs.type)) {
    out.push_back(prefix + " that target was not found");
  }
  return out;
}

const char* actionText(ChangeAction action) {
  switch (action) {
    case ChangeAction::Create:
      return "CREATE";
    case ChangeAction::Delete:
      return "DELETE";
    case ChangeAction::Upsert:
      return "UPSERT";
  }
  return "?";
}

BatchPlan planBatch(const wire::Name& zoneName, const ChangeBatch& batch, RecordSetView& view,
                    const RuleOptions& options) {
  BatchPlan plan;
  if (batch.changes.empty()) {
    plan.code = ErrorCode::InvalidInput;
    plan.messages.emplace_back("Invalid request: the change batch must contain at least one change");
    return plan;
  }
  // Request-shape problems (InvalidInput) are reported alone, before the rules.
  // A record set with neither values nor an alias, or both: InvalidInput in Route53.
  for (const auto& ch : batch.changes) {
    const auto& rs = ch.recordSet;
    if (rs.alias.has_value() == !rs.rdata.empty()) {
      plan.messages.push_back(fmt::format(
          "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or "
          "TrafficPolicyInstanceId], but found {} in Change with [Action={}, Name={}, Type={}, "
          "SetIdentifier=null]",
          rs.alias ? "more than one" : "none", actionText(ch.action), route53NameText(rs.name),
          route53TypeKey(rs.type)));
    }
  }
  if (!plan.messages.empty()) {
    plan.code = ErrorCode::InvalidInput;
    return plan;
  }

  if (options.enforceBatchLimits) {
    // Route53 quotas: ResourceRecord elements and Value characters, UPSERT counted twice.
    std::size_t records = 0;
    std::size_t characters = 0;
    for (const auto& ch : batch.changes) {
      const std::size_t weight = ch.action == ChangeAction::Upsert ? 2 : 1;
      records += weight * ch.recordSet.rdata.size();
      for (const auto& v : ch.recordSet.rdata) {
        characters += weight * wire::rdataToText(ch.recordSet.type, v).size();
      }
    }
    if (records > kMaxBatchRecords) {
      plan.messages.push_back(fmt::format("Number of records limit of {} exceeded.", kMaxBatchRecords));
    }
    if (characters > kMaxBatchCharacters) {
      plan.messages.push_back(fmt::format("Number of characters limit of {} exceeded.", kMaxBatchCharacters));
    }
  }

  Planner planner(zoneName, view, plan);
  for (const auto& ch : batch.changes) planner.change(ch);
  if (plan.ok()) planner.finish(options.checkAliasTargets);
  if (!plan.ok()) plan.effects.clear();
  return plan;
}

}  // namespace zk::store
