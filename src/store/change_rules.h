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
#include <optional>
#include <string>
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
};

BatchPlan planBatch(const wire::Name& zoneName, const ChangeBatch& batch, RecordSetView& view,
                    const RuleOptions& options = {});

// "CREATE", "DELETE", "UPSERT".
const char* actionText(ChangeAction action);

}  // namespace zk::store
