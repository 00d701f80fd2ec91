#include "controller/provider/provider.h"

#include <array>
#include <string_view>
#include <unordered_set>

namespace zk::controller {
namespace {

std::string lowerText(const wire::Name& n) {
  std::string s = n.lowercased().toText();
  if (s.size() > 1) s.pop_back();
  return s;
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Route53 canonical hosted zones of Elastic Load Balancing (classic/ALB and NLB)
// for the regions the reference data uses; others fall back to empty.
struct RegionZone {
  std::string_view region;
  std::string_view elb;
  std::string_view nlb;
};
constexpr std::array kRegionZones{
    RegionZone{"us-east-1", "Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI"},
    RegionZone{"us-east-2", "Z3AADJGX6KTTL2", "ZLMOA37VPKANP"},
    RegionZone{"us-west-1", "Z368ELLRRE2KJ0", "Z24FKFUX50B4VW"},
    RegionZone{"us-west-2", "Z1H1FL5HABSF5", "Z18D5FSROUN65G"},
    RegionZone{"eu-west-1", "Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F"},
    RegionZone{"eu-central-1", "Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90"},
};

}  // namespace

std::vector<Endpoint> Provider::adjustEndpoints(std::vector<Endpoint> desired,
                                                std::span<const wire::Name> zones) {
  return applyAliasRules(std::move(desired), zones);
}

Result<std::optional<std::string>> Provider::applyChangesAt(const Changes& changes,
                                                            const std::string& expected) {
  (void)expected;
  if (auto s = applyChanges(changes); !s) return s.error();
  return std::optional<std::string>();
}

Result<std::vector<Endpoint>> Provider::recordsAt(std::span<const wire::Name> names) {
  auto all = records();
  if (!all) return all.error();
  std::unordered_set<wire::Name> wanted(names.begin(), names.end());  // hash and == ignore case
  std::vector<Endpoint> out;
  for (auto& e : *all) {
    if (wanted.count(e.dnsName)) out.push_back(std::move(e));
  }
  return out;
}

ChangeCost changeCost(const Endpoint& e, bool upsert) {
  ChangeCost c;
  const std::size_t times = upsert ? 2 : 1;
  if (e.alias) {
    c.values = times;
    c.chars = times * targetToText(e.targets.front()).size();
    return c;
  }
  c.values = times * e.targets.size();
  for (const auto& t : e.targets) c.chars += times * (targetToText(t).size() + 2);  // + TXT quotes
  return c;
}

std::vector<std::size_t> batchEnds(std::span<const ChangeCost> costs, std::size_t maxValues,
                                   std::size_t maxChars) {
  std::vector<std::size_t> ends;
  ChangeCost sum;
  for (std::size_t i = 0; i < costs.size(); ++i) {
    const bool empty = ends.empty() ? i == 0 : ends.back() == i;
    if (!empty && (sum.values + costs[i].values > maxValues || sum.chars + costs[i].chars > maxChars)) {
      ends.push_back(i);
      sum = {};
    }
    sum.values += costs[i].values;
    sum.chars += costs[i].chars;
  }
  if (!costs.empty()) ends.push_back(costs.size());
  return ends;
}

std::optional<std::size_t> findZone(const wire::Name& name, std::span<const wire::Name> zones) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (name.isSubdomainOf(zones[i]) && (!best || zones[i].labelCount() > zones[*best].labelCount()))
      best = i;
  }
  return best;
}

bool isCloudAliasTarget(const wire::Name& target) {
  const std::string s = lowerText(target);
  static constexpr std::array<std::string_view, 6> kSuffixes{
      ".elb.amazonaws.com",        ".elb.amazonaws.com.cn",      ".cloudfront.net",
      ".awsglobalaccelerator.com", ".execute-api.amazonaws.com", ".vpce.amazonaws.com"};
  for (auto suffix : kSuffixes) {
    if (endsWith(s, suffix)) return true;
  }
  // Network load balancers: NAME-ID.elb.REGION.amazonaws.com.
  if (s.find(".elb.") != std::string::npos && endsWith(s, ".amazonaws.com")) return true;
  // S3 website endpoints: bucket.s3-website-REGION.amazonaws.com / s3-website.REGION...
  return s.find(".s3-website") != std::string::npos && endsWith(s, ".amazonaws.com");
}

std::string canonicalHostedZone(const wire::Name& target) {
  const std::string s = lowerText(target);
  if (endsWith(s, ".cloudfront.net")) return "Z2FDTNDATAQYW2";
  if (endsWith(s, ".awsglobalaccelerator.com")) return "Z2BJ6XQ5FK7U4H";
  for (const auto& rz : kRegionZones) {
    if (endsWith(s, std::string(".") + std::string(rz.region) + ".elb.amazonaws.com")) {
      // NLB names: NAME-ID.elb.REGION.amazonaws.com; ALB/classic: NAME.REGION.elb...
      return std::string(rz.elb);
    }
    if (endsWith(s, std::string(".elb.") + std::string(rz.region) + ".amazonaws.com"))
      return std::string(rz.nlb);
  }
  return {};
}

std::vector<Endpoint> applyAliasRules(std::vector<Endpoint> desired, std::span<const wire::Name> zones) {
  std::vector<Endpoint> out;
  out.reserve(desired.size());
  for (auto& e : desired) {
    if (e.type != wire::RRType::CNAME || e.targets.size() != 1 ||
        !std::holds_alternative<wire::Name>(e.targets[0])) {
      out.push_back(std::move(e));
      continue;
    }
    const auto zone = findZone(e.dnsName, zones);
    const bool apex = zone && e.dnsName == zones[*zone];
    const auto& target = std::get<wire::Name>(e.targets[0]);
    bool alias = apex;
    if (!alias) alias = e.providerSpecific.alias.value_or(isCloudAliasTarget(target));
    if (!alias) {
      out.push_back(std::move(e));
      continue;
    }
    e.type = wire::RRType::A;
    e.alias = true;
    e.ttl.reset();  // an alias answers with the target's TTL (Route53 has none for it)
    Endpoint v6 = e;
    v6.type = wire::RRType::AAAA;
    out.push_back(std::move(e));
    out.push_back(std::move(v6));
  }
  return out;
}

}  // namespace zk::controller
