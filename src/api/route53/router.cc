#include "api/route53/router.h"

#include <array>
#include <vector>

#include <fmt/format.h>

#include "api/route53/hosted_zone_service.h"

namespace zk::api {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t slash = path.find('/', i);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > i) out.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

ApiError unknown(std::string_view method, std::string_view path) {
  return makeError(404, "UnknownOperationException",
                   fmt::format("no Route53 operation for {} {}", method, path));
}

}  // namespace

ApiResult<Route> route(std::string_view method, std::string_view path) {
  const auto seg = segments(path);
  if (seg.size() < 2 || seg[0] != "2013-04-01") return unknown(method, path);
  const std::string_view res = seg[1];
  const bool get = method == "GET";
  const bool post = method == "POST";
  const bool del = method == "DELETE";
  if (res == "hostedzone") {
    if (seg.size() == 2) {
      if (post) return Route{Operation::CreateHostedZone, {}, {}};
      if (get) return Route{Operation::ListHostedZones, {}, {}};
    } else if (seg.size() == 3) {
      const std::string id(seg[2]);
      if (get) return Route{Operation::GetHostedZone, id, {}};
      if (post) return Route{Operation::UpdateHostedZoneComment, id, {}};
      if (del) return Route{Operation::DeleteHostedZone, id, {}};
    } else if (seg.size() == 4 && seg[3] == "rrset") {
      const std::string id(seg[2]);
      if (post) return Route{Operation::ChangeResourceRecordSets, id, {}};
      if (get) return Route{Operation::ListResourceRecordSets, id, {}};
    }
  } else if (res == "hostedzonesbyname" && seg.size() == 2 && get) {
    return Route{Operation::ListHostedZonesByName, {}, {}};
  } else if (res == "hostedzonecount" && seg.size() == 2 && get) {
    return Route{Operation::GetHostedZoneCount, {}, {}};
  } else if (res == "change" && seg.size() == 3 && get) {
    return Route{Operation::GetChange, std::string(seg[2]), {}};
  } else if (res == "tags") {
    if (seg.size() == 3 && post) return Route{Operation::ListTagsForResources, {}, std::string(seg[2])};
    if (seg.size() == 4) {
      if (post) return Route{Operation::ChangeTagsForResource, std::string(seg[3]), std::string(seg[2])};
      if (get) return Route{Operation::ListTagsForResource, std::string(seg[3]), std::string(seg[2])};
    }
  }
  return unknown(method, path);
}

std::string_view operationName(Operation op) {
  static constexpr std::array<std::string_view, 13> kNames = {
      "CreateHostedZone",       "GetHostedZone",
      "ListHostedZones",        "ListHostedZonesByName",
      "GetHostedZoneCount",     "UpdateHostedZoneComment",
      "DeleteHostedZone",       "ChangeResourceRecordSets",
      "ListResourceRecordSets", "GetChange",
      "ChangeTagsForResource",  "ListTagsForResource",
      "ListTagsForResources"};
  return kNames[static_cast<std::size_t>(op)];
}

std::string iamAction(Operation op) { return fmt::format("route53:{}", operationName(op)); }

std::string zoneArn(std::string_view zoneId) {
  return fmt::format("arn:aws:route53:::hostedzone/{}", stripIdPrefix(zoneId, "/hostedzone/"));
}

std::string resourceArn(const Route& r) {
  switch (r.operation) {
    case Operation::GetHostedZone:
    case Operation::UpdateHostedZoneComment:
    case Operation::DeleteHostedZone:
    case Operation::ChangeResourceRecordSets:
    case Operation::ListResourceRecordSets:
      return zoneArn(r.id);
    case Operation::GetChange:
      return fmt::format("arn:aws:route53:::change/{}", stripIdPrefix(r.id, "/change/"));
    case Operation::ChangeTagsForResource:
    case Operation::ListTagsForResource:
      if (r.resourceType == "hostedzone") return zoneArn(r.id);
      return fmt::format("arn:aws:route53:::{}/{}", r.resourceType, r.id);
    default:
      return "*";
  }
}

}  // namespace zk::api
