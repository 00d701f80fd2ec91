#pragma once
// Provider: where records live (ExternalDNS provider.Provider, smaller).
//   zones()        the zones it serves (names the controller may write under)
//   records()      every record set in those zones, as endpoints (no owners)
//   applyChanges() one batch per zone, all or nothing per zone
//   adjustEndpoints() shapes desired endpoints the way this provider stores them
//                  (alias decisions), so that the plan compares like with like.
//   recordsVersion() a token that changes whenever records() would answer
//                  differently, whoever made the change (registries cache
//                  their listing while it stays the same)

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/endpoint/endpoint.h"
#include "controller/plan/plan.h"

namespace zk::controller {

class Provider {
 public:
  virtual ~Provider() = default;
  virtual Result<std::vector<wire::Name>> zones() = 0;
  virtual Result<std::vector<Endpoint>> records() = 0;
  virtual Status applyChanges(const Changes& changes) = 0;
  virtual std::vector<Endpoint> adjustEndpoints(std::vector<Endpoint> desired,
                                                std::span<const wire::Name> zones);
  // Changes whenever the zones or any record in them change (by this process
  // or anyone else); nullopt when the provider cannot tell cheaply, and then
  // callers list the records every time (route53: Route53 has no zone version).
  virtual Result<std::optional<std::string>> recordsVersion() { return std::optional<std::string>(); }
  // applyChanges(), and when the provider's version was `expected` right
  // before the batch and nothing but the batch changed it, the version after
  // it (so a caller's cached listing plus the batch's names read again equals
  // a new listing); nullopt when that cannot be told. The default: nullopt.
  virtual Result<std::optional<std::string>> applyChangesAt(const Changes& changes,
                                                            const std::string& expected);
  // The record sets at these names (any type; names compare ignoring case),
  // as records() shows them. The default filters records().
  virtual Result<std::vector<Endpoint>> recordsAt(std::span<const wire::Name> names);
};

// Route53 ChangeBatch limits: at most 1000 ResourceRecord values per request
// (an UPSERT counts twice) and 32000 characters of values. Returns, for changes
// of the given costs in order, the end index of each batch (every batch holds at
// least one change, so one oversized change is still sent alone).
struct ChangeCost {
  std::size_t values = 0;
  std::size_t chars = 0;
};
ChangeCost changeCost(const Endpoint& e, bool upsert);
std::vector<std::size_t> batchEnds(std::span<const ChangeCost> costs, std::size_t maxValues = 1000,
                                   std::size_t maxChars = 32000);

// The zone (longest suffix) that holds `name`, as an index into `zones`.
std::optional<std::size_t> findZone(const wire::Name& name, std::span<const wire::Name> zones);

// ExternalDNS aws provider's rule: host names of AWS load balancers and other
// AWS services that Route53 can alias (*.elb.amazonaws.com, *.cloudfront.net, ...).
bool isCloudAliasTarget(const wire::Name& target);
// The canonical hosted zone of such a target (Route53 AliasTarget.HostedZoneId),
// or empty when unknown.
std::string canonicalHostedZone(const wire::Name& target);

// Turns CNAME endpoints with one host name target into A+AAAA aliases when the
// name is a zone apex (a CNAME is not allowed there, RFC 1034 3.6.2), when the
// target is a cloud load balancer, or when the alias annotation says "true";
// alias annotation "false" keeps a CNAME except at an apex.
std::vector<Endpoint> applyAliasRules(std::vector<Endpoint> desired, std::span<const wire::Name> zones);

}  // namespace zk::controller
