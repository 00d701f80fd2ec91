#pragma once
// What the API needs from the store beyond store::ZoneStore (asked of the store
// owner; until it is in ZoneStore, stores that can do it also implement this).

#include <string_view>

#include "store/zone_store.h"

namespace zk::api {

class ZoneStoreExtensions {
 public:
  virtual ~ZoneStoreExtensions() = default;
  // UpdateHostedZoneComment.
  virtual store::StoreResult<store::HostedZone> updateComment(std::string_view zoneId,
                                                              std::string_view comment) = 0;
};

}  // namespace zk::api
