#pragma once
// The `local` provider: the ZoneStore of the same process (src/store). Each
// zone's changes become one Route53-style ChangeBatch (deletes first, then
// creates, then upserts), applied atomically by the store. Aliases become
// AliasTarget record sets (the DNS server answers them with the target's
// addresses); unset TTLs get kDefaultTtl as ExternalDNS's aws provider does.

#include <map>
#include <memory>
#include <string>

#include "controller/provider/provider.h"
#include "store/zone_store.h"

namespace zk::store {
class SqliteZoneStore;
}

namespace zk::controller {

inline constexpr std::uint32_t kDefaultTtl = 300;

class LocalProvider final : public Provider {
 public:
  explicit LocalProvider(store::ZoneStore& store) : store_(store) {}
  // Opens (or creates) the SQLite store in `dataDir` and owns it. When
  // `zonesDir` is set, every *.zone file there whose zone (its SOA owner) is
  // not in the store yet is imported as a new hosted zone.
  static Result<std::unique_ptr<LocalProvider>> open(const std::string& dataDir,
                                                     const std::string& zonesDir = {});
  // The same on a store the caller owns (shared with other components).
  static Result<std::unique_ptr<LocalProvider>> attach(store::SqliteZoneStore& store,
                                                       const std::string& zonesDir = {});

  Result<std::vector<wire::Name>> zones() override;
  Result<std::vector<Endpoint>> records() override;
  Status applyChanges(const Changes& changes) override;
  // Every hosted zone's id, SOA serial and record set count: the store bumps
  // the serial (RFC 1982, forward only) in the transaction of every change
  // batch, whoever sends it (API, other processes on the same store).
  Result<std::optional<std::string>> recordsVersion() override;
  // Continuity: the zones' versions matched `expected` before, and after the
  // batch each zone's serial moved by exactly the number of batches sent to it
  // (any other commit in between moves it further).
  Result<std::optional<std::string>> applyChangesAt(const Changes& changes,
                                                    const std::string& expected) override;
  Result<std::vector<Endpoint>> recordsAt(std::span<const wire::Name> names) override;

 private:
  Result<std::vector<store::HostedZone>> hostedZones();
  // Sends the batches; counts committed batches per zone index.
  Status applyTo(const std::vector<store::HostedZone>& zones, const Changes& changes,
                 std::map<std::size_t, std::uint32_t>& committed);
  std::unique_ptr<store::ZoneStore> owned_;
  store::ZoneStore& store_;
};

// Route53 record set <-> endpoint conversions (shared with the route53 provider).
Endpoint endpointFromRecordSet(const store::RecordSet& rs);
Result<store::RecordSet> recordSetFromEndpoint(const Endpoint& e, std::span<const store::HostedZone> zones);
std::string storeErrorText(const store::StoreError& e);

}  // namespace zk::controller
