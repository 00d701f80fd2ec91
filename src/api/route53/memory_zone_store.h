#pragma once
// MemoryZoneStore: a small in-memory store::ZoneStore with Route53's change-batch
// rules, for unit tests of the API and for running `zonekeeper api --store memory`
// before the durable SQLite store is merged. Nothing survives the process.

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/zone_store.h"

namespace zk::api {

class MemoryZoneStore final : public store::ZoneStore {
 public:
  struct Options {
    std::vector<std::string> nameServers = {"ns1.zonekeeper.test.", "ns2.zonekeeper.test."};
    bool changesInSyncImmediately = true;  // no DNS server reports what it serves
    std::function<std::int64_t()> now = [] { return std::int64_t{1700000000}; };  // SubmittedAt clock
  };
  MemoryZoneStore();
  explicit MemoryZoneStore(Options options);

  store::StoreResult<store::HostedZone> createZone(const store::NewZone& nz) override;
  store::StoreResult<store::HostedZone> getZone(std::string_view zoneId) override;
  store::StoreResult<std::vector<store::HostedZone>> listZones() override;
  store::StoreResult<bool> deleteZone(std::string_view zoneId) override;
  store::StoreResult<store::ChangeInfo> removeZone(std::string_view zoneId) override;
  store::StoreResult<store::HostedZone> updateZoneComment(std::string_view zoneId,
                                                          std::string_view comment) override;
  store::StoreResult<store::ChangeInfo> applyChanges(std::string_view zoneId,
                                                     const store::ChangeBatch& batch) override;
  store::StoreResult<store::RecordSetPage> listRecordSets(std::string_view zoneId,
                                                          const std::optional<store::RecordSetKey>& start,
                                                          std::size_t maxItems) override;
  store::StoreResult<ZoneContents> zoneContents(std::string_view zoneId) override;
  store::StoreResult<store::Tags> tags(store::TagResource resource, std::string_view id) override;
  store::StoreResult<bool> changeTags(store::TagResource resource, std::string_view id,
                                      const store::Tags& add,
                                      const std::vector<std::string>& removeKeys) override;
  store::StoreResult<store::ChangeInfo> getChange(std::string_view changeId) override;
  void markServed(std::string_view zoneId, std::uint32_t serial) override;
  void registerServer(std::string_view server) override;
  void unregisterServer(std::string_view server) override;
  void markServedBy(std::string_view server, std::string_view zoneId, std::uint32_t serial) override;
  store::StoreResult<std::vector<store::JournalEntry>> journal(std::string_view zoneId,
                                                               std::uint32_t sinceSerial) override;
  void setListener(store::ChangeListener listener) override;

 private:
  // Record sets keyed by (name, type mnemonic): Route53 lists names in DNS order
  // (labels reversed), then types alphabetically.
  struct Key {
    wire::Name name;
    std::string type;
    friend bool operator<(const Key& a, const Key& b) {
      const auto c = a.name <=> b.name;
      return std::is_neq(c) ? std::is_lt(c) : a.type < b.type;
    }
  };
  struct Zone {
    store::HostedZone info;
    std::map<Key, store::RecordSet> sets;
    store::Tags tags;
  };
  std::string newId(char prefix);
  store::ChangeInfo recordChange(const std::string& zoneId, std::uint32_t serial, const std::string& comment);

  Options options_;
  std::mutex mu_;
  std::map<std::string, Zone> zones_;
  std::map<std::string, store::ChangeInfo> changes_;
  store::ChangeListener listener_;
  std::uint64_t counter_ = 0;
};

}  // namespace zk::api
