#pragma once
// Zone file -> ZoneSnapshot: the zone-file parser feeding a ZoneBuilder.

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "wire/name.h"
#include "zone/snapshot.h"

namespace zk::zone {

// Parses `path` with `origin` as the initial $ORIGIN and builds a snapshot.
// The error lists the first problems found (file:line:col: message).
Result<std::shared_ptr<const ZoneSnapshot>> loadZoneFile(const std::string& path, const wire::Name& origin);
// The same from text in memory (`displayName` is used in messages).
Result<std::shared_ptr<const ZoneSnapshot>> loadZoneText(std::string_view text, std::string_view displayName,
                                                         const wire::Name& origin);

}  // namespace zk::zone
