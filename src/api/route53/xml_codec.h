#pragma once
// XmlCodec: Route53 2013-04-01 request bodies -> inputs, results -> response
// bodies, with the element names and order of botocore's route53 model.
// Parsing never throws: a malformed or unexpected body is an InvalidInput error.

#include <string>
#include <string_view>
#include <vector>

#include "api/route53/errors.h"
#include "api/route53/model.h"

namespace zk::api::xml {

// ---- request bodies (any Content-Type; the root element is checked) ----
ApiResult<CreateHostedZoneInput> parseCreateHostedZone(std::string_view body);
ApiResult<ChangeBatchInput> parseChangeResourceRecordSets(std::string_view body);
// UpdateHostedZoneComment: the comment (absent element = empty comment).
ApiResult<std::string> parseUpdateHostedZoneComment(std::string_view body);
ApiResult<ChangeTagsInput> parseChangeTagsForResource(std::string_view body);
ApiResult<std::vector<std::string>> parseListTagsForResources(std::string_view body);

// ---- response bodies ----
std::string writeCreateHostedZone(const CreateHostedZoneOutput& out);
std::string writeGetHostedZone(const store::HostedZone& zone);
std::string writeListHostedZones(const ListHostedZonesOutput& out);
std::string writeListHostedZonesByName(const ListHostedZonesByNameOutput& out);
std::string writeGetHostedZoneCount(std::uint64_t count);
std::string writeUpdateHostedZoneComment(const store::HostedZone& zone);
std::string writeDeleteHostedZone(const store::ChangeInfo& change);
std::string writeChangeResourceRecordSets(const store::ChangeInfo& change);
std::string writeListResourceRecordSets(const ListRecordSetsOutput& out);
std::string writeGetChange(const store::ChangeInfo& change);
std::string writeChangeTagsForResource();
std::string writeListTagsForResource(const TagSet& tags);
std::string writeListTagsForResources(const std::vector<TagSet>& tags);
std::string writeError(const ApiError& error, std::string_view requestId);

// ISO 8601 UTC with milliseconds, as Route53 prints SubmittedAt.
std::string formatTimestamp(std::int64_t unixSeconds);
// "/hostedzone/Z..." and "/change/C..." as responses spell ids.
std::string zoneIdPath(std::string_view id);
std::string changeIdPath(std::string_view id);
// Escapes &, <, >, " and ' for element text.
std::string escape(std::string_view text);

}  // namespace zk::api::xml
