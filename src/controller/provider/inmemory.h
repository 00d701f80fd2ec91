#pragma once
// In-memory provider for tests and dry runs. Validates a batch the way Route53
// does before applying any of it: every change inside a zone, no create over an
// existing record set, no update/delete of a missing one, a delete must match
// the current set, no CNAME beside other data (RFC 1034 3.6.2).

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "controller/provider/provider.h"

namespace zk::controller {

class InMemoryProvider final : public Provider {
 public:
  Status createZone(const wire::Name& zone);
  // Adds or replaces a record set without the batch rules (test setup, zone files).
  Status put(const Endpoint& e);

  Result<std::vector<wire::Name>> zones() override;
  Result<std::vector<Endpoint>> records() override;
  Status applyChanges(const Changes& changes) override;
  // Counts every change (createZone, put, applied batches).
  Result<std::optional<std::string>> recordsVersion() override;
  Result<std::optional<std::string>> applyChangesAt(const Changes& changes,
                                                    const std::string& expected) override;
  Result<std::vector<Endpoint>> recordsAt(std::span<const wire::Name> names) override;

  [[nodiscard]] std::size_t applyCount() const { return applies_; }

 private:
  Status applyLocked(const Changes& changes);  // mu_ held
  using ZoneRecords = std::map<RecordKey, Endpoint>;
  std::mutex mu_;
  std::map<wire::Name, ZoneRecords> zones_;  // key: lower-cased apex
  std::size_t applies_ = 0;
  std::uint64_t version_ = 0;
};

// Loads a zone file into the provider (zone created when missing); records of
// types the controller does not model are kept as presentation text.
Status loadZoneFile(InMemoryProvider& provider, const std::string& path, const wire::Name& origin);

}  // namespace zk::controller
