#include "api/route53/hosted_zone_service.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "api/route53/text.h"
#include "store/route53_names.h"

namespace zk::api {
namespace {

template <class T>
bool failed(const store::StoreResult<T>& r) {
  return r.index() == 1;
}

// Parses MaxItems: a positive integer; values above `limit` are capped as Route53 does.
ApiResult<std::size_t> parseMaxItems(std::optional<std::string_view> text, std::size_t fallback,
                                     std::size_t limit) {
  if (!text) return fallback;
  std::size_t value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || value == 0) {
    return invalidInput(fmt::format("MaxItems must be a positive integer, not '{}'", *text));
  }
  return std::min(value, limit);
}

// Route53's RRType enum (API 2013-04-01, botocore's route53 service-2.json): any
// other type, DNAME, HINFO, LOC or a TYPEnnn included, is refused as Route53 refuses it.
bool typeAllowed(wire::RRType type) {
  using wire::RRType;
  switch (type) {
    case RRType::SOA:
    case RRType::A:
    case RRType::TXT:
    case RRType::NS:
    case RRType::CNAME:
    case RRType::MX:
    case RRType::NAPTR:
    case RRType::PTR:
    case RRType::SRV:
    case RRType::SPF:
    case RRType::AAAA:
    case RRType::CAA:
    case RRType::DS:
    case RRType::TLSA:
    case RRType::SSHFP:
      return true;
    default:  // SVCB (64) and HTTPS (65), RFC 9460, have no RRType name here yet
      return static_cast<std::uint16_t>(type) == 64 || static_cast<std::uint16_t>(type) == 65;
  }
}

ApiError noSuchZone(std::string_view id) {
  return makeError(404, "NoSuchHostedZone", fmt::format("No hosted zone found with ID: {}", id));
}

}  // namespace

std::string_view stripIdPrefix(std::string_view id, std::string_view prefix) {
  if (id.starts_with(prefix)) id.remove_prefix(prefix.size());
  return id;
}

HostedZoneService::HostedZoneService(store::ZoneStore& store, Options options)
    : store_(store), options_(std::move(options)) {}

std::string HostedZoneService::nextChangeId() const { return options_.newChangeId(); }

ApiResult<store::HostedZone> HostedZoneService::zone(std::string_view id) {
  id = stripIdPrefix(id, "/hostedzone/");
  if (id.empty() || id.size() > 32) return noSuchZone(id);
  auto r = store_.getZone(id);
  if (failed(r)) {
    const auto& e = std::get<store::StoreError>(r);
    if (e.code == store::ErrorCode::NoSuchHostedZone) return noSuchZone(id);
    return fromStoreError(e);
  }
  return std::get<store::HostedZone>(std::move(r));
}

ApiResult<CreateHostedZoneOutput> HostedZoneService::createHostedZone(const CreateHostedZoneInput& in) {
  auto name = parseRoute53Name(in.name);
  if (!name) return makeError(400, "InvalidDomainName", name.error().message);
  if (name->isRoot() || name->labelCount() < 1) {
    return makeError(400, "InvalidDomainName", "a hosted zone cannot be created for the root domain");
  }
  if (in.privateZone || in.hasVpc) return invalidInput("private hosted zones (VPC) are not supported");
  if (!in.delegationSetId.empty()) return invalidInput("reusable delegation sets are not supported");
  if (in.comment && in.comment->size() > 256) return invalidInput("Comment is longer than 256 characters");
  store::NewZone nz{*name, in.callerReference, in.comment.value_or("")};
  auto r = store_.createZone(nz);
  if (failed(r)) {
    const auto& e = std::get<store::StoreError>(r);
    if (e.code == store::ErrorCode::HostedZoneAlreadyExists) {
      return makeError(
          409, "HostedZoneAlreadyExists",
          fmt::format("A hosted zone has already been created with the specified caller reference "
                      "'{}'.",
                      in.callerReference));
    }
    return fromStoreError(e);
  }
  CreateHostedZoneOutput out;
  out.zone = std::get<store::HostedZone>(std::move(r));
  if (!out.zone.changeId.empty()) {
    auto change = store_.getChange(out.zone.changeId);
    if (!failed(change)) {
      out.change = std::get<store::ChangeInfo>(std::move(change));
      return out;
    }
  }
  out.change.id = nextChangeId();
  out.change.status = store::ChangeStatus::Pending;
  out.change.submittedAt = options_.now();
  out.change.zoneId = out.zone.id;
  out.change.serial = out.zone.serial;
  return out;
}

ApiResult<store::HostedZone> HostedZoneService::getHostedZone(std::string_view id) { return zone(id); }

ApiResult<ListHostedZonesOutput> HostedZoneService::listHostedZones(
    std::optional<std::string_view> marker, std::optional<std::string_view> maxItems,
    std::optional<std::string_view> hostedZoneType) {
  auto max = parseMaxItems(maxItems, 100, 100);
  if (isError(max)) return std::get<ApiError>(max);
  // hostedzonetype: the API reference's only valid value is PrivateHostedZone.
  bool privateOnly = false;
  if (hostedZoneType) {
    if (*hostedZoneType != "PrivateHostedZone") {
      return invalidInput(fmt::format(
          "HostedZoneType '{}' is not valid; the only valid value is PrivateHostedZone", *hostedZoneType));
    }
    privateOnly = true;
  }
  auto r = store_.listZones();
  if (failed(r)) return fromStoreError(std::get<store::StoreError>(r));
  // In ListHostedZonesByName's order (ZoneStore::listZones), which pages both listings.
  auto& zones = std::get<std::vector<store::HostedZone>>(r);
  if (privateOnly) {
    std::erase_if(zones, [](const store::HostedZone& z) { return !z.privateZone; });
  }
  ListHostedZonesOutput out;
  out.maxItems = std::get<std::size_t>(max);
  std::size_t start = 0;
  if (marker) {
    out.marker = std::string(*marker);
    const auto id = stripIdPrefix(*marker, "/hostedzone/");
    auto it = std::find_if(zones.begin(), zones.end(), [&](const auto& z) { return z.id == id; });
    if (it == zones.end()) return invalidInput(fmt::format("Marker '{}' is not a hosted zone ID", *marker));
    start = static_cast<std::size_t>(it - zones.begin());
  }
  const std::size_t end = std::min(zones.size(), start + out.maxItems);
  for (std::size_t i = start; i < end; ++i) out.zones.push_back(std::move(zones[i]));
  if (end < zones.size()) out.nextMarker = zones[end].id;
  return out;
}

ApiResult<ListHostedZonesByNameOutput> HostedZoneService::listHostedZonesByName(
    std::optional<std::string_view> dnsName, std::optional<std::string_view> hostedZoneId,
    std::optional<std::string_view> maxItems) {
  auto max = parseMaxItems(maxItems, 100, 100);
  if (isError(max)) return std::get<ApiError>(max);
  ListHostedZonesByNameOutput out;
  out.maxItems = std::get<std::size_t>(max);
  if (hostedZoneId && !dnsName) return invalidInput("HostedZoneId requires DNSName");
  std::string startKey;
  if (dnsName) {
    auto name = parseRoute53Name(*dnsName);
    if (!name) return makeError(400, "InvalidDomainName", name.error().message);
    out.dnsName = *name;
    startKey = store::route53NameKey(*name);
  }
  if (hostedZoneId) out.hostedZoneId = std::string(stripIdPrefix(*hostedZoneId, "/hostedzone/"));
  auto r = store_.listZones();
  if (failed(r)) return fromStoreError(std::get<store::StoreError>(r));
  // The store lists in the API reference's order for this operation (ZoneStore::listZones):
  // names with the labels reversed, compared as Route53's escaped text with the trailing dot
  // ("test.a-b." before "test.a.": '-' < '.'), then hosted zone IDs.
  const auto& zones = std::get<std::vector<store::HostedZone>>(r);
  // The first zone at or after (DNSName, HostedZoneId) in that order.
  auto before = [&](const store::HostedZone& z) {
    if (!out.dnsName) return false;
    if (const std::string key = store::route53NameKey(z.name); key != startKey) return key < startKey;
    return out.hostedZoneId && z.id < *out.hostedZoneId;
  };
  std::size_t i = 0;
  while (i < zones.size() && before(zones[i])) ++i;
  for (; i < zones.size() && out.zones.size() < out.maxItems; ++i) out.zones.push_back(zones[i]);
  if (i < zones.size()) {
    out.nextDnsName = zones[i].name;
    out.nextHostedZoneId = zones[i].id;
  }
  return out;
}

ApiResult<std::uint64_t> HostedZoneService::getHostedZoneCount() {
  auto r = store_.listZones();
  if (failed(r)) return fromStoreError(std::get<store::StoreError>(r));
  return static_cast<std::uint64_t>(std::get<std::vector<store::HostedZone>>(r).size());
}

ApiResult<store::HostedZone> HostedZoneService::updateHostedZoneComment(std::string_view id,
                                                                        std::string_view comment) {
  auto z = zone(id);
  if (isError(z)) return z;
  if (comment.size() > 256) return invalidInput("Comment is longer than 256 characters");
  auto r = store_.updateZoneComment(std::get<store::HostedZone>(z).id, comment);
  if (failed(r)) return fromStoreError(std::get<store::StoreError>(r));
  return std::get<store::HostedZone>(std::move(r));
}

ApiResult<store::ChangeInfo> HostedZoneService::deleteHostedZone(std::string_view id) {
  auto z = zone(id);
  if (isError(z)) return std::get<ApiError>(z);
  const auto& hz = std::get<store::HostedZone>(z);
  auto r = store_.removeZone(hz.id);
  if (failed(r)) {
    const auto& e = std::get<store::StoreError>(r);
    if (e.code == store::ErrorCode::HostedZoneNotEmpty) {
      return makeError(
          400, "HostedZoneNotEmpty",
          "The specified hosted zone contains non-required resource record sets and so cannot be "
          "deleted.");
    }
    return fromStoreError(e);
  }
  return std::get<store::ChangeInfo>(std::move(r));
}

ApiResult<store::ChangeBatch> HostedZoneService::convertBatch(const store::HostedZone& hz,
                                                              const ChangeBatchInput& in) const {
  if (in.comment.size() > 256) return invalidInput("Comment is longer than 256 characters");
  store::ChangeBatch batch;
  batch.comment = in.comment;
  std::vector<std::string> problems;
  std::size_t records = 0;
  std::size_t valueChars = 0;
  for (const auto& c : in.changes) {
    const auto& rs = c.recordSet;
    store::Change change;
    if (c.action == "CREATE") {
      change.action = store::ChangeAction::Create;
    } else if (c.action == "DELETE") {
      change.action = store::ChangeAction::Delete;
    } else if (c.action == "UPSERT") {
      change.action = store::ChangeAction::Upsert;
    } else {
      return invalidInput(
          fmt::format("Invalid XML ; Action '{}' is not one of CREATE, DELETE, UPSERT", c.action));
    }
    if (!rs.unsupported.empty()) {
      return invalidInput(
          fmt::format("routing policies are not supported yet ({} in the record set for '{}')",
                      rs.unsupported.front(), rs.name));
    }
    if (rs.name.empty() || rs.type.empty())
      return invalidInput("a ResourceRecordSet needs a Name and a Type");
    auto type = wire::typeFromText(rs.type);
    if (!type || !typeAllowed(*type)) {
      return invalidInput(fmt::format("Invalid XML ; value '{}' is not a supported record type", rs.type));
    }
    const bool hasRecords = rs.ttl.has_value() || rs.hasResourceRecords;
    if (rs.alias.has_value() == hasRecords || (!rs.alias && !(rs.ttl && rs.hasResourceRecords))) {
      return invalidInput(
          fmt::format("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and "
                      "ResourceRecords]], but found {} "
                      "in Change with [Action={}, Name={}, Type={}]",
                      rs.alias && hasRecords ? "more than one" : "none", c.action, rs.name, rs.type));
    }
    if (rs.hasResourceRecords && rs.values.empty()) {
      return invalidInput(fmt::format("ResourceRecords of '{}' {} is empty", rs.name, rs.type));
    }
    auto name = parseRoute53Name(rs.name);
    if (!name) {
      problems.push_back(fmt::format("FATAL problem: DomainNameInvalid ({}) encountered with '{}'",
                                     name.error().message, rs.name));
      continue;
    }
    change.recordSet.name = *name;
    change.recordSet.type = *type;
    if (!name->isSubdomainOf(hz.name)) {
      problems.push_back(fmt::format("RRSet with DNS name {} is not permitted in zone {}",
                                     formatRoute53Name(*name), formatRoute53Name(hz.name)));
      continue;
    }
    if (*type == wire::RRType::NS && name->isWildcard()) {
      // Route53 Developer Guide: "You can't use the * wildcard for resource records sets that have a
      // type of NS" (RFC 4592 section 4.2 leaves wildcard NS sets undefined).
      problems.push_back(fmt::format(
          "RRSet of type NS with DNS name {} is not permitted: the * wildcard cannot be used for NS records",
          formatRoute53Name(*name)));
      continue;
    }
    if (rs.alias) {
      auto target = parseRoute53Name(rs.alias->dnsName);
      if (!target) {
        problems.push_back(
            fmt::format("Invalid alias target name '{}': {}", rs.alias->dnsName, target.error().message));
        continue;
      }
      change.recordSet.alias =
          store::AliasTarget{std::string(stripIdPrefix(rs.alias->hostedZoneId, "/hostedzone/")), *target,
                             rs.alias->evaluateTargetHealth};
      ++records;
    } else {
      change.recordSet.ttl = static_cast<std::uint32_t>(*rs.ttl);
      // Route53 quotas count every record and value character of an UPSERT twice.
      const std::size_t weight = change.action == store::ChangeAction::Upsert ? 2 : 1;
      bool asWritten = true;  // every value prints back as the client wrote it
      for (const auto& v : rs.values) {
        records += weight;
        valueChars += v.size() * weight;
        auto rdata = parseRecordValue(*type, v);
        if (!rdata) {
          problems.push_back(fmt::format("Invalid Resource Record: 'FATAL problem: {} encountered with '{}''",
                                         rdata.error().message, v));
          continue;
        }
        asWritten = asWritten && formatRecordValue(*type, *rdata) == v;
        change.recordSet.rdata.push_back(std::move(*rdata));
      }
      // Route53 lists values as they were written ("www.example.org", no dot);
      // keep the text only when it differs from the presentation form.
      if (!asWritten) change.recordSet.valueText.assign(rs.values.begin(), rs.values.end());
    }
    batch.changes.push_back(std::move(change));
  }
  if (records > kMaxRecordsPerBatch) {
    problems.insert(problems.begin(),
                    fmt::format("Number of records limit of {} exceeded.", kMaxRecordsPerBatch));
  }
  if (valueChars > kMaxValueCharsPerBatch) {
    problems.insert(problems.begin(), fmt::format("Number of characters in values limit of {} exceeded.",
                                                  kMaxValueCharsPerBatch));
  }
  if (!problems.empty()) return invalidChangeBatch(std::move(problems));
  return batch;
}

ApiResult<store::ChangeInfo> HostedZoneService::changeResourceRecordSets(std::string_view zoneId,
                                                                         const ChangeBatchInput& in) {
  auto z = zone(zoneId);
  if (isError(z)) return std::get<ApiError>(z);
  const auto& hz = std::get<store::HostedZone>(z);
  auto batch = convertBatch(hz, in);
  if (isError(batch)) return std::get<ApiError>(batch);
  auto r = store_.applyChanges(hz.id, std::get<store::ChangeBatch>(batch));
  if (failed(r)) return fromStoreError(std::get<store::StoreError>(r));
  return std::get<store::ChangeInfo>(std::move(r));
}

ApiResult<ListRecordSetsOutput> HostedZoneService::listResourceRecordSets(
    std::string_view zoneId, std::optional<std::string_view> startName,
    std::optional<std::string_view> startType, std::optional<std::string_view> startIdentifier,
    std::optional<std::string_view> maxItems) {
  auto max = parseMaxItems(maxItems, 300, 300);
  if (isError(max)) return std::get<ApiError>(max);
  if (startIdentifier) return invalidInput("StartRecordIdentifier: routing policies are not supported yet");
  if (startType && !startName) return invalidInput("StartRecordType requires StartRecordName");
  std::optional<store::RecordSetKey> start;
  if (startName) {
    auto name = parseRoute53Name(*startName);
    if (!name) return invalidInput(fmt::format("StartRecordName: {}", name.error().message));
    start = store::RecordSetKey{*name, std::nullopt};
    if (startType) {
      auto type = wire::typeFromText(*startType);
      if (!type || !typeAllowed(*type)) {
        return invalidInput(fmt::format("StartRecordType '{}' is not a supported record type", *startType));
      }
      start->type = *type;
    }
  }
  auto z = zone(zoneId);
  if (isError(z)) return std::get<ApiError>(z);
  ListRecordSetsOutput out;
  out.maxItems = std::get<std::size_t>(max);
  auto r = store_.listRecordSets(std::get<store::HostedZone>(z).id, start, out.maxItems);
  if (failed(r)) return fromStoreError(std::get<store::StoreError>(r));
  auto& page = std::get<store::RecordSetPage>(r);
  out.recordSets = std::move(page.recordSets);
  out.next = std::move(page.next);
  return out;
}

ApiResult<store::ChangeInfo> HostedZoneService::getChange(std::string_view id) {
  id = stripIdPrefix(id, "/change/");
  auto r = store_.getChange(id);
  if (failed(r)) {
    const auto& e = std::get<store::StoreError>(r);
    if (e.code == store::ErrorCode::NoSuchChange) {
      return makeError(404, "NoSuchChange",
                       fmt::format("A change with the specified change ID does not exist: {}", id));
    }
    return fromStoreError(e);
  }
  return std::get<store::ChangeInfo>(std::move(r));
}

namespace {

ApiResult<store::TagResource> tagResource(std::string_view type) {
  if (type == "hostedzone") return store::TagResource::HostedZone;
  if (type == "healthcheck") return store::TagResource::HealthCheck;
  return invalidInput(fmt::format("ResourceType '{}' is not one of hostedzone, healthcheck", type));
}

}  // namespace

ApiResult<bool> HostedZoneService::changeTagsForResource(std::string_view resourceType, std::string_view id,
                                                         const ChangeTagsInput& in) {
  auto kind = tagResource(resourceType);
  if (isError(kind)) return std::get<ApiError>(kind);
  if (std::get<store::TagResource>(kind) == store::TagResource::HealthCheck) {
    return makeError(404, "NoSuchHealthCheck", fmt::format("No health check exists with the ID {}", id));
  }
  for (const auto& [k, v] : in.add) {
    if (k.size() > 128) return invalidInput(fmt::format("tag key '{}' is longer than 128 characters", k));
    if (v.size() > 256)
      return invalidInput(fmt::format("the value of tag '{}' is longer than 256 characters", k));
  }
  auto z = zone(id);
  if (isError(z)) return std::get<ApiError>(z);
  // Both AddTags and RemoveTagKeys are optional (botocore's model); neither is a no-op.
  if (in.add.empty() && in.removeKeys.empty()) return true;
  auto r = store_.changeTags(store::TagResource::HostedZone, std::get<store::HostedZone>(z).id, in.add,
                             in.removeKeys);
  if (failed(r)) return fromStoreError(std::get<store::StoreError>(r));
  return true;
}

ApiResult<TagSet> HostedZoneService::listTagsForResource(std::string_view resourceType, std::string_view id) {
  auto kind = tagResource(resourceType);
  if (isError(kind)) return std::get<ApiError>(kind);
  if (std::get<store::TagResource>(kind) == store::TagResource::HealthCheck) {
    return makeError(404, "NoSuchHealthCheck", fmt::format("No health check exists with the ID {}", id));
  }
  auto z = zone(id);
  if (isError(z)) return std::get<ApiError>(z);
  const auto& hz = std::get<store::HostedZone>(z);
  auto r = store_.tags(store::TagResource::HostedZone, hz.id);
  if (failed(r)) return fromStoreError(std::get<store::StoreError>(r));
  return TagSet{"hostedzone", hz.id, std::get<store::Tags>(std::move(r))};
}

ApiResult<std::vector<TagSet>> HostedZoneService::listTagsForResources(std::string_view resourceType,
                                                                       const std::vector<std::string>& ids) {
  std::vector<TagSet> out;
  for (const auto& id : ids) {
    auto t = listTagsForResource(resourceType, id);
    if (isError(t)) return std::get<ApiError>(t);
    out.push_back(std::get<TagSet>(std::move(t)));
  }
  return out;
}

}  // namespace zk::api
