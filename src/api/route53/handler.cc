#include "api/route53/handler.h"

#include <algorithm>

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

// RFC 3986 section 3.2.2-3.2.3: host (reg-name or IP literal) and port
// characters. A Host header with anything else gives a relative Location.
bool plausibleHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-._~!$&'()*+,;=:[]%").find(c) != std::string_view::npos;
  });
}

}  // namespace

std::string locationUrl(const ApiRequest& request, std::string_view path) {
  if (!plausibleHost(request.host)) return std::string(path);
  return request.scheme + "://" + request.host + std::string(path);
}

ApiResponse errorResponse(const ApiError& error, std::string_view requestId) {
  ApiResponse r;
  r.status = error.httpStatus;
  r.body = xml::writeError(error, requestId);
  r.errorCode = error.code;
  return r;
}

ApiResponse Route53Handler::handle(const ApiRequest& request, const Authorizer& authorize,
                                   std::string_view requestId) {
  auto routed = route(request.method, request.path);
  if (isError(routed)) return errorResponse(std::get<ApiError>(routed), requestId);
  const Route& r = std::get<Route>(routed);
  ApiResponse out = [&] {
    if (r.operation != Operation::ListTagsForResources) {
      if (auto denied = authorize(iamAction(r.operation), resourceArn(r)))
        return errorResponse(*denied, requestId);
    }
    auto result = dispatch(r, request, authorize);
    if (isError(result)) return errorResponse(std::get<ApiError>(result), requestId);
    return std::get<ApiResponse>(std::move(result));
  }();
  out.operation = r.operation;
  return out;
}

ApiResult<ApiResponse> Route53Handler::dispatch(const Route& route, const ApiRequest& req,
                                                const Authorizer& authorize) {
  switch (route.operation) {
    case Operation::CreateHostedZone: {
      auto inResult = xml::parseCreateHostedZone(req.body);
      if (isError(inResult)) return std::get<ApiError>(inResult);
      auto& in = std::get<0>(inResult);
      auto outResult = service_.createHostedZone(in);
      if (isError(outResult)) return std::get<ApiError>(outResult);
      auto& out = std::get<0>(outResult);
      ApiResponse resp = ok(xml::writeCreateHostedZone(out), 201);
      // "The unique URL representing the new hosted zone" (the API reference).
      resp.headers.emplace_back("Location", locationUrl(req, "/2013-04-01" + xml::zoneIdPath(out.zone.id)));
      return resp;
    }
    case Operation::GetHostedZone: {
      auto zoneResult = service_.getHostedZone(route.id);
      if (isError(zoneResult)) return std::get<ApiError>(zoneResult);
      auto& zone = std::get<0>(zoneResult);
      return ok(xml::writeGetHostedZone(zone));
    }
    case Operation::ListHostedZones: {
      if (param(req, "delegationsetid")) return invalidInput("reusable delegation sets are not supported");
      auto outResult = service_.listHostedZones(param(req, "marker"), param(req, "maxitems"),
                                                param(req, "hostedzonetype"));
      if (isError(outResult)) return std::get<ApiError>(outResult);
      auto& out = std::get<0>(outResult);
      return ok(xml::writeListHostedZones(out));
    }
    case Operation::ListHostedZonesByName: {
      auto outResult = service_.listHostedZonesByName(param(req, "dnsname"), param(req, "hostedzoneid"),
                                                      param(req, "maxitems"));
      if (isError(outResult)) return std::get<ApiError>(outResult);
      auto& out = std::get<0>(outResult);
      return ok(xml::writeListHostedZonesByName(out));
    }
    case Operation::GetHostedZoneCount: {
      auto countResult = service_.getHostedZoneCount();
      if (isError(countResult)) return std::get<ApiError>(countResult);
      auto& count = std::get<0>(countResult);
      return ok(xml::writeGetHostedZoneCount(count));
    }
    case Operation::UpdateHostedZoneComment: {
      auto commentResult = xml::parseUpdateHostedZoneComment(req.body);
      if (isError(commentResult)) return std::get<ApiError>(commentResult);
      auto& comment = std::get<0>(commentResult);
      auto zoneResult = service_.updateHostedZoneComment(route.id, comment);
      if (isError(zoneResult)) return std::get<ApiError>(zoneResult);
      auto& zone = std::get<0>(zoneResult);
      return ok(xml::writeUpdateHostedZoneComment(zone));
    }
    case Operation::DeleteHostedZone: {
      auto changeResult = service_.deleteHostedZone(route.id);
      if (isError(changeResult)) return std::get<ApiError>(changeResult);
      auto& change = std::get<0>(changeResult);
      return ok(xml::writeDeleteHostedZone(change));
    }
    case Operation::ChangeResourceRecordSets: {
      auto inResult = xml::parseChangeResourceRecordSets(req.body);
      if (isError(inResult)) return std::get<ApiError>(inResult);
      auto& in = std::get<0>(inResult);
      auto changeResult = service_.changeResourceRecordSets(route.id, in);
      if (isError(changeResult)) return std::get<ApiError>(changeResult);
      auto& change = std::get<0>(changeResult);
      return ok(xml::writeChangeResourceRecordSets(change));
    }
    case Operation::ListResourceRecordSets: {
      auto outResult = service_.listResourceRecordSets(route.id, param(req, "name"), param(req, "type"),
                                                       param(req, "identifier"), param(req, "maxitems"));
      if (isError(outResult)) return std::get<ApiError>(outResult);
      auto& out = std::get<0>(outResult);
      return ok(xml::writeListResourceRecordSets(out));
    }
    case Operation::GetChange: {
      auto changeResult = service_.getChange(route.id);
      if (isError(changeResult)) return std::get<ApiError>(changeResult);
      auto& change = std::get<0>(changeResult);
      return ok(xml::writeGetChange(change));
    }
    case Operation::ChangeTagsForResource: {
      auto inResult = xml::parseChangeTagsForResource(req.body);
      if (isError(inResult)) return std::get<ApiError>(inResult);
      auto& in = std::get<0>(inResult);
      auto doneResult = service_.changeTagsForResource(route.resourceType, route.id, in);
      if (isError(doneResult)) return std::get<ApiError>(doneResult);
      auto& done = std::get<0>(doneResult);
      (void)done;
      return ok(xml::writeChangeTagsForResource());
    }
    case Operation::ListTagsForResource: {
      auto tagsResult = service_.listTagsForResource(route.resourceType, route.id);
      if (isError(tagsResult)) return std::get<ApiError>(tagsResult);
      auto& tags = std::get<0>(tagsResult);
      return ok(xml::writeListTagsForResource(tags));
    }
    case Operation::ListTagsForResources: {
      auto idsResult = xml::parseListTagsForResources(req.body);
      if (isError(idsResult)) return std::get<ApiError>(idsResult);
      auto& ids = std::get<0>(idsResult);
      for (const auto& id : ids) {
        const std::string arn = route.resourceType == "hostedzone"
                                    ? zoneArn(id)
                                    : "arn:aws:route53:::" + route.resourceType + "/" + id;
        if (auto denied = authorize(iamAction(route.operation), arn)) return *denied;
      }
      auto setsResult = service_.listTagsForResources(route.resourceType, ids);
      if (isError(setsResult)) return std::get<ApiError>(setsResult);
      auto& sets = std::get<0>(setsResult);
      return ok(xml::writeListTagsForResources(sets));
    }
  }
  return internalError("unhandled operation");
}

}  // namespace zk::api
