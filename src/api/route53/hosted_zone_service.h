#pragma once
// HostedZoneService: the Route53 operations on a store::ZoneStore, with
// Route53's validation, paging and error codes. No HTTP, no XML: the codec and
// the router sit in front of it (api/route53/router.h).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/route53/errors.h"
#include "api/route53/model.h"
#include "store/zone_store.h"

namespace zk::api {

inline constexpr std::size_t kMaxRecordsPerBatch = 1000;  // Route53 quota
inline constexpr std::size_t kMaxValueCharsPerBatch = 32000;

class HostedZoneService {
 public:
  struct Options {
    std::function<std::int64_t()> now;         // unix seconds (tests inject a clock)
    std::function<std::string()> newChangeId;  // ids when a store reports no change for a zone
  };
  HostedZoneService(store::ZoneStore& store, Options options);

  ApiResult<CreateHostedZoneOutput> createHostedZone(const CreateHostedZoneInput& in);
  ApiResult<store::HostedZone> getHostedZone(std::string_view id);
  // hostedZoneType: the `hostedzonetype` parameter (only "PrivateHostedZone" is valid).
  ApiResult<ListHostedZonesOutput> listHostedZones(std::optional<std::string_view> marker,
                                                   std::optional<std::string_view> maxItems,
                                                   std::optional<std::string_view> hostedZoneType = {});
  ApiResult<ListHostedZonesByNameOutput> listHostedZonesByName(std::optional<std::string_view> dnsName,
                                                               std::optional<std::string_view> hostedZoneId,
                                                               std::optional<std::string_view> maxItems);
  ApiResult<std::uint64_t> getHostedZoneCount();
  ApiResult<store::HostedZone> updateHostedZoneComment(std::string_view id, std::string_view comment);
  ApiResult<store::ChangeInfo> deleteHostedZone(std::string_view id);
  ApiResult<store::ChangeInfo> changeResourceRecordSets(std::string_view zoneId, const ChangeBatchInput& in);
  ApiResult<ListRecordSetsOutput> listResourceRecordSets(std::string_view zoneId,
                                                         std::optional<std::string_view> startName,
                                                         std::optional<std::string_view> startType,
                                                         std::optional<std::string_view> startIdentifier,
                                                         std::optional<std::string_view> maxItems);
  ApiResult<store::ChangeInfo> getChange(std::string_view id);
  ApiResult<bool> changeTagsForResource(std::string_view resourceType, std::string_view id,
                                        const ChangeTagsInput& in);
  ApiResult<TagSet> listTagsForResource(std::string_view resourceType, std::string_view id);
  ApiResult<std::vector<TagSet>> listTagsForResources(std::string_view resourceType,
                                                      const std::vector<std::string>& ids);

  // Batch validation and conversion to the store's form (exposed for tests):
  // InvalidInput for malformed requests, InvalidChangeBatch listing every bad record.
  ApiResult<store::ChangeBatch> convertBatch(const store::HostedZone& hz, const ChangeBatchInput& in) const;

 private:
  ApiResult<store::HostedZone> zone(std::string_view id);
  std::string nextChangeId() const;

  store::ZoneStore& store_;
  Options options_;
};

// "Z123" from "Z123" or "/hostedzone/Z123"; "C1" from "/change/C1".
std::string_view stripIdPrefix(std::string_view id, std::string_view prefix);

}  // namespace zk::api
