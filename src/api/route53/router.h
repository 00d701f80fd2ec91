#pragma once
// Maps a REST request (method + decoded path) to a Route53 operation, and the
// operation to its IAM action and resource ARN.

#include <cstdint>
#include <string>
#include <string_view>

#include "api/route53/errors.h"

namespace zk::api {

enum class Operation : std::uint8_t {
  CreateHostedZone,
  GetHostedZone,
  ListHostedZones,
  ListHostedZonesByName,
  GetHostedZoneCount,
  UpdateHostedZoneComment,
  DeleteHostedZone,
  ChangeResourceRecordSets,
  ListResourceRecordSets,
  GetChange,
  ChangeTagsForResource,
  ListTagsForResource,
  ListTagsForResources,
};

struct Route {
  Operation operation;
  std::string id;            // hosted zone, change or tagged resource id (path parameter)
  std::string resourceType;  // tags/{ResourceType}
};

// Paths under /2013-04-01/ (the trailing slash of /rrset/ is optional).
ApiResult<Route> route(std::string_view method, std::string_view path);

std::string_view operationName(Operation op);
// "route53:ChangeResourceRecordSets".
std::string iamAction(Operation op);
// The resource the operation acts on: "arn:aws:route53:::hostedzone/Z1",
// "arn:aws:route53:::change/C1", or "*" for account-wide operations.
// ListTagsForResources is authorized per listed zone by the handler.
std::string resourceArn(const Route& route);
std::string zoneArn(std::string_view zoneId);

}  // namespace zk::api
