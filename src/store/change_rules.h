#pragma once
// Route53 ChangeResourceRecordSets rules as a pure function over a view of the
// zone's current record sets, so every store implementation (SQLite now, etcd
// later, an in-memory fake) enforces exactly the same rules and messages.
//
// Changes apply in order to a working copy (as Route53 does: DELETE then
// CREATE of the same set in one batch replaces it); any other pair of changes
// to one set is rejected. Every problem is listed, not only the first.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/zone_store.h"

namespace zk::store {

inline constexpr std::size_t kMaxBatchRecords = 1000;      // UPSERT counts twice
inline constexpr std::size_t kMaxBatchCharacters = 32000;  // value text; UPSERT counts twice
inline constexpr std::uint32_t kMaxTtl = 2147483647;       // RFC 2181 section 8

// Read access to the committed zone.
class RecordSetView {
 public:
  virtual ~RecordSetView() = default;
  virtual std::optional<RecordSet> find(const wire::Name& name, wire::RRType type) = 0;
  // Types of the record sets at `name`.
  virtual std::vector<wire::RRType> typesAt(const wire::Name& name) = 0;
  // Alias targets. The id of the zone being changed ("" if unknown).
  virtual std::string zoneId() { return {}; }
  // The name of hosted zone `id` if this store holds it; nullopt for any other id
  // (an ELB's, CloudFront's or S3's hosted zone), whose targets are not checked.
  virtual std::optional<wire::Name> hostedZoneName(std::string_view /*id*/) { return std::nullopt; }
  // A committed record set in another hosted zone of this store.
  virtual std::optional<RecordSet> findInZone(std::string_view /*zoneId*/, const wire::Name& /*name*/,
                                              wire::RRType /*type*/) {
    return std::nullopt;
  }
};

// One record set the batch touches: its committed state and its final state
// (nullopt = absent). Sets whose final state equals the committed one are kept
// (an UPSERT with the same contents) and have before == after.
struct SetEffect {
  std::optional<RecordSet> before;
  std::optional<RecordSet> after;
};

struct BatchPlan {
  ErrorCode code = ErrorCode::InvalidChangeBatch;
  std::vector<std::string> messages;  // empty: the batch is valid
  std::vector<SetEffect> effects;     // in order of first touch
  [[nodiscard]] bool ok() const { return messages.empty(); }
};

struct RuleOptions {
  bool enforceBatchLimits = true;  // off for `zonekeeper zone import`
  bool checkAliasTargets = true;   // off for `zonekeeper zone import` (zone files' ALIAS records)
};

BatchPlan planBatch(const wire::Name& zoneName, const ChangeBatch& batch, RecordSetView& view,
                    const RuleOptions& options = {});

// Rules on the zone as it stands after a batch, shared by every store.

// zonekeeper limit (not Route53's): the server answers an alias as one ALIAS
// record per name (src/server/store_publisher.cc nameRecords), so an alias A or
// AAAA set cannot be served beside a plain A or AAAA set at its name, nor beside
// an alias of the other type to another target. `a` and `aaaa` are the name's
// final A and AAAA record sets; the result lists what cannot be served.
std::vector<std::string> aliasServingProblems(const std::optional<RecordSet>& a,
                                              const std::optional<RecordSet>& aaaa);

// Route53's alias target rules for alias set `rs`, checked only when its
// HostedZoneId is one of this store's zones (`zoneName` answers it): the target
// name must lie within that zone and a record set of rs's type must exist there
// (`exists(zoneId, name, type)`, after the batch).
std::vector<std::string> aliasTargetProblems(
    const RecordSet& rs, const std::function<std::optional<wire::Name>(std::string_view)>& zoneName,
    const std::function<bool(std::string_view, const wire::Name&, wire::RRType)>& exists);

// "CREATE", "DELETE", "UPSERT".
const char* actionText(ChangeAction action);

}  // namespace zk::store
