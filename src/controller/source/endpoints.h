#pragma once
// Objects -> desired endpoints, as ExternalDNS's ingress and service sources
// (source/ingress.go, source/service.go) compute them.
//
// Annotations are read under external-dns.kubernetes.io/ first, then
// external-dns.alpha.kubernetes.io/: hostname (comma list), target (comma
// list: overrides the status targets), ttl (seconds or 30s/5m/1h), alias
// ("true"/"false"), ingress-hostname-source (annotation-only,
// defined-hosts-only), controller (object skipped unless "dns-controller"),
// internal-hostname (Service: names pointing at the ClusterIP).
// Per name, IPv4 targets give an A endpoint, IPv6 an AAAA, host names a CNAME.
// Resource label: "ingress/NS/NAME" or "service/NS/NAME".

#include <string>
#include <string_view>
#include <vector>

#include "controller/endpoint/endpoint.h"
#include "controller/source/objects.h"
#include "controller/source/selector.h"

namespace zk::controller {

enum class SourceKind : std::uint8_t { Ingress, Service };
Result<SourceKind> sourceKindFromText(std::string_view text);

struct SourceOptions {
  std::vector<SourceKind> kinds{SourceKind::Ingress, SourceKind::Service};
  std::string namespaceFilter;              // --namespace ("" = all)
  Selector annotationFilter;                // --annotation-filter
  Selector labelFilter;                     // --label-filter
  std::vector<std::string> ingressClasses;  // --ingress-class (repeatable)
  bool publishInternalServices = false;     // --publish-internal-services
};

// Every skipped object or ignored value is explained here (one line each).
using Warnings = std::vector<std::string>;

std::vector<Endpoint> ingressEndpoints(const Ingress& ingress, const SourceOptions& options,
                                       Warnings& warnings);
std::vector<Endpoint> serviceEndpoints(const Service& service, const SourceOptions& options,
                                       Warnings& warnings);
// All endpoints of all selected objects, sorted by name and type.
std::vector<Endpoint> desiredEndpoints(const Objects& objects, const SourceOptions& options,
                                       Warnings& warnings);

// An annotation under either prefix (external-dns.kubernetes.io/ wins).
const std::string* findAnnotation(const ObjectMeta& meta, std::string_view key);
// ttl annotation: "60", "60s", "5m", "1h" (Go durations without fractions); 1..2^31-1.
Result<std::uint32_t> parseTtlAnnotation(std::string_view text);

}  // namespace zk::controller
