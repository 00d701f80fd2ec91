#pragma once
// ExternalDNS ownership labels in TXT records (endpoint/labels.go format):
//   heritage=external-dns,external-dns/owner=ID,external-dns/resource=ingress/NS/NAME
// keys sorted, no spaces; the TXT value carries no quotes here (the Route53
// presentation quotes are added by the provider that needs them).

#include <string>
#include <string_view>

#include "common/result.h"
#include "controller/endpoint/endpoint.h"

namespace zk::controller {

inline constexpr std::string_view kHeritage = "heritage=external-dns";
inline constexpr std::string_view kLabelPrefix = "external-dns/";

std::string serializeLabels(const Labels& labels);
// Accepts the value with or without surrounding double quotes. Fails unless it
// starts with the external-dns heritage (so other TXT records are not labels).
Result<Labels> parseLabels(std::string_view text);

}  // namespace zk::controller
