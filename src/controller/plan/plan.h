#pragma once
// The plan: a pure, deterministic diff from (current records with owners,
// desired endpoints) to changes, with ExternalDNS's conflict rules and policies.
//
// Rules (ExternalDNS plan/plan.go and plan/conflict.go, same outcomes):
// - Only names inside the domain filter and record types in managedTypes are
//   considered, on both sides.
// - Rows are keyed by name. At a free name every desired type is created; when
//   both CNAME and other types are desired at one name, the CNAME is dropped
//   (A/AAAA beat CNAME; RFC 1034 3.6.2 forbids a CNAME beside other data).
// - Several desired endpoints for one name+type: one winner, the one whose
//   resource label sorts first; on update the current owner resource keeps it.
// - Creates at a taken name only happen when every current record there is
//   owned by ownerId; updates and deletes only touch records owned by ownerId
//   (an empty ownerId, the noop registry, owns everything).
// - An update is needed when the targets differ, the TTL is configured and
//   differs, or the alias flag differs.
// - Policy: sync keeps everything, upsert-only drops deletes, create-only keeps
//   only creates.

#include <cstddef>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "controller/endpoint/endpoint.h"
#include "controller/plan/domain_filter.h"

namespace zk::controller {

enum class Policy : std::uint8_t { Sync, UpsertOnly, CreateOnly };
Result<Policy> policyFromText(std::string_view text);
std::string_view policyToText(Policy policy);

struct Changes {
  std::vector<Endpoint> create;
  std::vector<Endpoint> updateOld;  // parallel to updateNew
  std::vector<Endpoint> updateNew;
  std::vector<Endpoint> remove;

  [[nodiscard]] bool empty() const { return create.empty() && updateNew.empty() && remove.empty(); }
  [[nodiscard]] std::size_t size() const { return create.size() + updateNew.size() + remove.size(); }
};

struct PlanOptions {
  Policy policy = Policy::Sync;
  DomainFilter domainFilter;
  std::vector<wire::RRType> managedTypes = defaultManagedTypes();
  std::string ownerId;  // empty: every record counts as owned (noop registry)
};

Changes calculatePlan(std::span<const Endpoint> current, std::span<const Endpoint> desired,
                      const PlanOptions& options);
// The same over pointers (callers that gather endpoints from several lists
// without copying them).
Changes calculatePlan(std::span<const Endpoint* const> current, std::span<const Endpoint* const> desired,
                      const PlanOptions& options);

// Narrowing for event-driven cycles. Rows of the plan are keyed by name, so
// planning only the endpoints (current and desired, from every object) at the
// names in `names` gives exactly the full plan's changes at those names.
// Names are compared case-insensitively (Name's canonical order ignores case).
using NameSet = std::set<wire::Name>;  // lowercased names
std::vector<Endpoint> restrictToNames(std::span<const Endpoint> endpoints, const NameSet& names);
std::vector<const Endpoint*> restrictToNames(std::span<const Endpoint* const> endpoints,
                                             const NameSet& names);
Changes restrictToNames(const Changes& changes, const NameSet& names);
// Names whose desired endpoints differ between two desired sets (added, removed
// or changed in any field): the names an event-driven cycle has to plan.
NameSet changedNames(std::span<const Endpoint> before, std::span<const Endpoint> after);

// Human-readable plan, one line per change ("+ create ...", "~ update ...",
// "- delete ..."), or "no changes".
std::string formatPlan(const Changes& changes);

// Safety limit: refuses a plan that deletes more than `maxShare` (0..1) of the
// records owned by ownerId, unless `force`. Small zones (fewer than `minOwned`
// owned records) are exempt so that deleting the last record stays possible.
struct DeleteLimit {
  double maxShare = 0.5;
  std::size_t minOwned = 10;
  bool force = false;
};
Status checkDeleteLimit(const Changes& changes, std::span<const Endpoint> current, std::string_view ownerId,
                        const DeleteLimit& limit);

}  // namespace zk::controller
