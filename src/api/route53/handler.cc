#include "api/route53/handler.h"

#include "api/route53/xml_codec.h"

namespace zk::api {
namespace {

std::optional<std::string_view> param(const ApiRequest& r, const char* name) {
  auto it = r.query.find(name);
  if (it == r.query.end()) return std::nullopt;
  return std::string_view(it->second);
}

ApiResponse ok(std::string body, int status = 200) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Unwraps an ApiResult<T>, returning the error from the enclosing function.
#define ZK_TRY(var, expr)                                             \
  auto var##_result = (expr);                                         \
  if (isError(var##_result)) return std::get<ApiError>(var##_result); \
  auto& var = std::get<0>(var##_result)

}  // namespace

ApiResponse errorResponse(const ApiError& error, std::string_view requestId) {
  ApiResponse r;
  r.status = error.httpStatus;
  r.body = xml::writeError(error, requestId);
  return r;
}

ApiResponse Route53Handler::handle(const ApiRequest& request, const Authorizer& authorize,
                                   std::string_view requestId) {
  auto routed = route(request.method, request.path);
  if (isError(routed)) return errorResponse(std::get<ApiError>(routed), requestId);
  const Route& r = std::get<Route>(routed);
  if (r.operation != Operation::ListTagsForResources) {
    if (auto denied = authorize(iamAction(r.operation), resourceArn(r)))
      return errorResponse(*denied, requestId);
  }
  auto result = dispatch(r, request, authorize);
  if (isError(result)) return errorResponse(std::get<ApiError>(result), requestId);
  return std::get<ApiResponse>(std::move(result));
}

ApiResult<ApiResponse> Route53Handler::dispatch(const Route& route, const ApiRequest& req,
                                                const Authorizer& authorize) {
  switch (route.operation) {
    case Operation::CreateHostedZone: {
      ZK_TRY(in, xml::parseCreateHostedZone(req.body));
      ZK_TRY(out, service_.createHostedZone(in));
      ApiResponse resp = ok(xml::writeCreateHostedZone(out), 201);
      resp.headers.emplace_back("Location", "/2013-04-01" + xml::zoneIdPath(out.zone.id));
      return resp;
    }
    case Operation::GetHostedZone: {
      ZK_TRY(zone, service_.getHostedZone(route.id));
      return ok(xml::writeGetHostedZone(zone));
    }
    case Operation::ListHostedZones: {
      if (param(req, "delegationsetid")) return invalidInput("reusable delegation sets are not supported");
      ZK_TRY(out, service_.listHostedZones(param(req, "marker"), param(req, "maxitems")));
      return ok(xml::writeListHostedZones(out));
    }
    case Operation::ListHostedZonesByName: {
      ZK_TRY(out, service_.listHostedZonesByName(param(req, "dnsname"), param(req, "hostedzoneid"),
                                                 param(req, "maxitems")));
      return ok(xml::writeListHostedZonesByName(out));
    }
    case Operation::GetHostedZoneCount: {
      ZK_TRY(count, service_.getHostedZoneCount());
      return ok(xml::writeGetHostedZoneCount(count));
    }
    case Operation::UpdateHostedZoneComment: {
      ZK_TRY(comment, xml::parseUpdateHostedZoneComment(req.body));
      ZK_TRY(zone, service_.updateHostedZoneComment(route.id, comment));
      return ok(xml::writeUpdateHostedZoneComment(zone));
    }
    case Operation::DeleteHostedZone: {
      ZK_TRY(change, service_.deleteHostedZone(route.id));
      return ok(xml::writeDeleteHostedZone(change));
    }
    case Operation::ChangeResourceRecordSets: {
      ZK_TRY(in, xml::parseChangeResourceRecordSets(req.body));
      ZK_TRY(change, service_.changeResourceRecordSets(route.id, in));
      return ok(xml::writeChangeResourceRecordSets(change));
    }
    case Operation::ListResourceRecordSets: {
      ZK_TRY(out, service_.listResourceRecordSets(route.id, param(req, "name"), param(req, "type"),
                                                  param(req, "identifier"), param(req, "maxitems")));
      return ok(xml::writeListResourceRecordSets(out));
    }
    case Operation::GetChange: {
      ZK_TRY(change, service_.getChange(route.id));
      return ok(xml::writeGetChange(change));
    }
    case Operation::ChangeTagsForResource: {
      ZK_TRY(in, xml::parseChangeTagsForResource(req.body));
      ZK_TRY(done, service_.changeTagsForResource(route.resourceType, route.id, in));
      (void)done;
      return ok(xml::writeChangeTagsForResource());
    }
    case Operation::ListTagsForResource: {
      ZK_TRY(tags, service_.listTagsForResource(route.resourceType, route.id));
      return ok(xml::writeListTagsForResource(tags));
    }
    case Operation::ListTagsForResources: {
      ZK_TRY(ids, xml::parseListTagsForResources(req.body));
      for (const auto& id : ids) {
        const std::string arn = route.resourceType == "hostedzone"
                                    ? zoneArn(id)
                                    : "arn:aws:route53:::" + route.resourceType + "/" + id;
        if (auto denied = authorize(iamAction(route.operation), arn)) return *denied;
      }
      ZK_TRY(sets, service_.listTagsForResources(route.resourceType, ids));
      return ok(xml::writeListTagsForResources(sets));
    }
  }
  return internalError("unhandled operation");
}

#undef ZK_TRY

}  // namespace zk::api
