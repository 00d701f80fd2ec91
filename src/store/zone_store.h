#pragma once
// The hosted-zone store: the durable state behind the Route53-compatible API and
// the `local` provider, and the source of the DNS server's zone snapshots.
//
// Data flows one way: API / controller -> ZoneStore::applyChanges (one atomic
// transaction, SOA serial bumped, journal entry written) -> ChangeListener ->
// the server builds a new immutable ZoneSnapshot and swaps it in.
//
// Implementations: sqlite/ (embedded default, WAL, fsync on commit); later an
// etcd-backed replicated store behind the same interface.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

namespace zk::store {

// Route53 error codes the store can produce; the API maps them to HTTP statuses.
enum class ErrorCode : std::uint8_t {
  InvalidInput,
  InvalidChangeBatch,  // a batch that fails Route53's rules (messages listed)
  NoSuchHostedZone,
  HostedZoneAlreadyExists,  // same CallerReference
  HostedZoneNotEmpty,       // delete with records other than apex SOA/NS
  NoSuchChange,
  PriorRequestNotComplete,
  Internal,           // I/O or database failure: nothing was changed
  NoSuchHealthCheck,  // tags on a health check (none exist yet)
};

struct StoreError {
  ErrorCode code;
  std::vector<std::string> messages;  // InvalidChangeBatch lists every problem
};

template <class T>
using StoreResult = std::variant<T, StoreError>;

// Route53 "AliasTarget": answered by the DNS server as the target's A/AAAA.
struct AliasTarget {
  std::string hostedZoneId;
  wire::Name dnsName;
  bool evaluateTargetHealth = false;
  friend bool operator==(const AliasTarget&, const AliasTarget&) = default;
};

// One record set as Route53 models it: name + type, TTL and values, or an alias.
struct RecordSet {
  wire::Name name;
  wire::RRType type = wire::RRType::A;
  std::uint32_t ttl = 0;           // unused for aliases
  std::vector<wire::Bytes> rdata;  // uncompressed wire RDATA, one per value
  std::optional<AliasTarget> alias;
  // The values as the API client wrote them, one per `rdata` entry and in the
  // same order, when that differs from their presentation form (Route53 lists
  // a value back as it was written, e.g. a CNAME target without the trailing
  // dot; Terraform compares them as text). Empty: list the presentation form.
  // Never read by the DNS side.
  std::vector<std::string> valueText;
  // No SetIdentifier: Route53 routing policies (weighted, failover, ...) are
  // not supported yet; the api rejects them as InvalidInput when it parses the
  // request, so they never reach the store.
  friend bool operator==(const RecordSet&, const RecordSet&) = default;
};

enum class ChangeAction : std::uint8_t { Create, Delete, Upsert };

struct Change {
  ChangeAction action = ChangeAction::Create;
  RecordSet recordSet;
};

struct ChangeBatch {
  std::string comment;
  std::vector<Change> changes;
};

enum class ChangeStatus : std::uint8_t { Pending, InSync };

// One committed batch as the journal keeps it (for GetChange and IXFR):
// the record sets it removed and added, SOA excluded (RFC 1995 section 4: the
// IXFR builder frames each difference with the old and new SOA itself).
struct JournalEntry {
  std::string changeId;
  std::uint32_t serialBefore = 0;
  std::uint32_t serial = 0;  // after the batch
  std::vector<RecordSet> removed;
  std::vector<RecordSet> added;
};

struct ChangeInfo {
  std::string id;  // "C" + base32, as Route53
  ChangeStatus status = ChangeStatus::Pending;
  std::int64_t submittedAt = 0;  // unix seconds
  std::string comment;
  std::string zoneId;
  std::uint32_t serial = 0;  // SOA serial this batch produced (RFC 1982)
};

struct HostedZone {
  std::string id;  // "Z" + 13-21 uppercase alphanumerics
  wire::Name name;
  std::string callerReference;
  std::string comment;
  bool privateZone = false;
  std::uint64_t recordSetCount = 0;
  std::vector<wire::Name> nameServers;  // the zone's delegation set
  std::int64_t createdAt = 0;
  std::uint32_t serial = 0;
  // Set by createZone only: the change that created the zone (getChange(changeId)
  // gives CreateHostedZone's ChangeInfo).
  std::string changeId;
};

struct NewZone {
  wire::Name name;
  std::string callerReference;
  std::string comment;
};

// Where a ListResourceRecordSets page starts (StartRecordName/Type/Identifier).
struct RecordSetKey {
  wire::Name name;
  std::optional<wire::RRType> type;
};

struct RecordSetPage {
  std::vector<RecordSet> recordSets;
  std::optional<RecordSetKey> next;  // set when IsTruncated
};

enum class TagResource : std::uint8_t { HostedZone, HealthCheck };
using Tags = std::vector<std::pair<std::string, std::string>>;

// Called after a batch commits (and after create/delete of a zone), from the
// committing thread; the server uses it to publish a new snapshot.
using ChangeListener = std::function<void(const std::string& zoneId, std::uint32_t serial)>;

class ZoneStore {
 public:
  virtual ~ZoneStore() = default;

  virtual StoreResult<HostedZone> createZone(const NewZone& zone) = 0;
  virtual StoreResult<HostedZone> getZone(std::string_view zoneId) = 0;
  // Every zone, ordered by route53NameKey(name) (Route53's order: labels
  // reversed, escaped text, trailing dot), then id; the api pages
  // ListHostedZones and ListHostedZonesByName over it as it is.
  virtual StoreResult<std::vector<HostedZone>> listZones() = 0;
  virtual StoreResult<bool> deleteZone(std::string_view zoneId) = 0;
  // deleteZone returning the ChangeInfo DeleteHostedZone answers with.
  // (Non-pure with a fallback so that other implementations keep compiling.)
  virtual StoreResult<ChangeInfo> removeZone(std::string_view zoneId) {
    auto r = deleteZone(zoneId);
    if (r.index() != 0) return std::get<1>(std::move(r));
    ChangeInfo info;
    info.status = ChangeStatus::InSync;
    info.zoneId = std::string(zoneId);
    return info;
  }
  // UpdateHostedZoneComment.
  virtual StoreResult<HostedZone> updateZoneComment(std::string_view zoneId, std::string_view comment) {
    (void)zoneId;
    (void)comment;
    return StoreError{ErrorCode::InvalidInput, {"UpdateHostedZoneComment is not supported by this store"}};
  }

  // Route53 ChangeResourceRecordSets semantics, all or nothing.
  virtual StoreResult<ChangeInfo> applyChanges(std::string_view zoneId, const ChangeBatch& batch) = 0;
  // Record sets in Route53's ListResourceRecordSets order (names with labels
  // reversed, then type), from `start` on, at most `maxItems`.
  virtual StoreResult<RecordSetPage> listRecordSets(std::string_view zoneId,
                                                    const std::optional<RecordSetKey>& start,
                                                    std::size_t maxItems) = 0;
  // The whole zone as DNS records with its serial, for building a snapshot
  // (aliases as ALIAS records) and for `zonekeeper zone export`.
  struct ZoneContents {
    HostedZone zone;
    std::vector<RecordSet> recordSets;
  };
  virtual StoreResult<ZoneContents> zoneContents(std::string_view zoneId) = 0;

  virtual StoreResult<Tags> tags(TagResource resource, std::string_view id) = 0;
  virtual StoreResult<bool> changeTags(TagResource resource, std::string_view id, const Tags& add,
                                       const std::vector<std::string>& removeKeys) = 0;

  virtual StoreResult<ChangeInfo> getChange(std::string_view changeId) = 0;
  // The DNS servers report what they serve; changes become INSYNC when every
  // serving server has a serial at or past theirs.
  // The two-argument form reports for the in-process server, named "local"
  // (registered by its first report).
  virtual void markServed(std::string_view zoneId, std::uint32_t serial) = 0;
  // Servers register by name; with none registered, changes are INSYNC as
  // soon as they commit (SqliteZoneStore keeps registrations in ServerRegistry,
  // beside the store, so that every process on the data directory sees them).
  virtual void registerServer(std::string_view server) { (void)server; }
  virtual void unregisterServer(std::string_view server) { (void)server; }
  // A registered server is still up (call every ServerRegistry::kHeartbeatSeconds).
  virtual void heartbeat(std::string_view server) { (void)server; }
  virtual void markServedBy(std::string_view server, std::string_view zoneId, std::uint32_t serial) {
    (void)server;
    markServed(zoneId, serial);
  }
  // The server does not serve this zone (another hosted zone of the same name
  // is served there): its changes do not wait for that server. Undone by the
  // server's next markServedBy for the zone.
  virtual void markDeclinedBy(std::string_view server, std::string_view zoneId) {
    (void)server;
    (void)zoneId;
  }

  // Journal entries of a zone with serial after `sinceSerial` (RFC 1982), in
  // commit order: what an IXFR from `sinceSerial` sends. When the first
  // entry's serialBefore is not `sinceSerial`, the journal does not reach back
  // that far (the zone was imported or created later): fall back to AXFR.
  virtual StoreResult<std::vector<JournalEntry>> journal(std::string_view zoneId, std::uint32_t sinceSerial) {
    (void)zoneId;
    (void)sinceSerial;
    return std::vector<JournalEntry>{};  // no journal: callers fall back to AXFR
  }

  virtual void setListener(ChangeListener listener) = 0;
};

}  // namespace zk::store
