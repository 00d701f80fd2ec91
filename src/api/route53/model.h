#pragma once
// Requests as the XML body spells them (text not yet validated) and the results
// of the operations, shared by XmlCodec and HostedZoneService.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/zone_store.h"

namespace zk::api {

inline constexpr std::string_view kXmlns = "https://route53.amazonaws.com/doc/2013-04-01/";

// ---- request bodies ----

struct CreateHostedZoneInput {
  std::string name;
  std::string callerReference;
  std::optional<std::string> comment;
  bool privateZone = false;
  bool hasVpc = false;
  std::string delegationSetId;
};

struct AliasInput {
  std::string hostedZoneId;
  std::string dnsName;
  bool evaluateTargetHealth = false;
};

struct RecordSetInput {
  std::string name;
  std::string type;
  std::optional<std::int64_t> ttl;
  bool hasResourceRecords = false;
  std::vector<std::string> values;
  std::optional<AliasInput> alias;
  // Elements of routing policies and features not supported yet
  // (SetIdentifier, Weight, Region, Failover, GeoLocation, MultiValueAnswer, ...).
  std::vector<std::string> unsupported;
};

struct ChangeInput {
  std::string action;
  RecordSetInput recordSet;
};

struct ChangeBatchInput {
  std::string comment;
  std::vector<ChangeInput> changes;
};

struct ChangeTagsInput {
  store::Tags add;
  std::vector<std::string> removeKeys;
};

// ---- operation results ----

struct CreateHostedZoneOutput {
  store::HostedZone zone;
  store::ChangeInfo change;
};

struct ListHostedZonesOutput {
  std::vector<store::HostedZone> zones;
  std::string marker;
  std::optional<std::string> nextMarker;
  std::size_t maxItems = 100;
};

struct ListHostedZonesByNameOutput {
  std::vector<store::HostedZone> zones;
  std::optional<wire::Name> dnsName;
  std::optional<std::string> hostedZoneId;
  std::optional<wire::Name> nextDnsName;
  std::optional<std::string> nextHostedZoneId;
  std::size_t maxItems = 100;
};

struct ListRecordSetsOutput {
  std::vector<store::RecordSet> recordSets;
  std::optional<store::RecordSetKey> next;
  std::size_t maxItems = 300;
};

struct TagSet {
  std::string resourceType;  // "hostedzone" | "healthcheck"
  std::string resourceId;
  store::Tags tags;
};

}  // namespace zk::api
