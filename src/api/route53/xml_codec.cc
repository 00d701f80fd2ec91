#include "api/route53/xml_codec.h"

#include <charconv>
#include <ctime>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "api/route53/text.h"
#include "common/xml_escape.h"

namespace zk::api::xml {
namespace {

// Value `i` as the client wrote it when the record set kept the texts
// (RecordSet::valueText, one per RDATA); else its presentation form.
std::string listedValue(const store::RecordSet& rs, std::size_t i) {
  if (rs.valueText.size() == rs.rdata.size()) return rs.valueText[i];
  return formatRecordValue(rs.type, rs.rdata[i]);
}

// ---- parsing ----

std::string_view localName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// First child element with this local name (namespace prefixes ignored).
pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && localName(c) == name) return c;
  }
  return {};
}

std::string text(const pugi::xml_node& node) { return node.child_value(); }

// Whole text content of an element, including CDATA sections.
std::string fullText(const pugi::xml_node& node) {
  std::string out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

// An empty body, or one of XML white space only (what a serializer writes for a
// request without body members).
bool isBlank(std::string_view body) { return body.find_first_not_of(" \t\r\n") == std::string_view::npos; }

struct Parsed {
  pugi::xml_document doc;
  pugi::xml_node root;
};

ApiResult<bool> load(std::string_view body, std::string_view rootName, Parsed& parsed) {
  if (body.empty()) return invalidInput(fmt::format("the request body is empty; expected <{}>", rootName));
  // Default options: no DTD or entity processing beyond the XML built-ins.
  const pugi::xml_parse_result r =
      parsed.doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    return invalidInput(fmt::format("malformed XML at offset {}: {}", r.offset, r.description()));
  }
  parsed.root = parsed.doc.document_element();
  if (localName(parsed.root) != rootName) {
    return invalidInput(
        fmt::format("unexpected root element <{}>; expected <{}>", localName(parsed.root), rootName));
  }
  return true;
}

ApiResult<bool> parseBool(const pugi::xml_node& node, std::string_view field, bool& out) {
  const std::string v = text(node);
  if (v == "true") {
    out = true;
  } else if (v == "false") {
    out = false;
  } else {
    return invalidInput(fmt::format("{} must be true or false, not '{}'", field, v));
  }
  return true;
}

ApiResult<RecordSetInput> parseRecordSet(const pugi::xml_node& node) {
  RecordSetInput rs;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    const std::string_view n = localName(c);
    if (n == "Name") {
      rs.name = text(c);
    } else if (n == "Type") {
      rs.type = text(c);
    } else if (n == "TTL") {
      const std::string v = text(c);
      std::int64_t ttl = 0;
      const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), ttl);
      if (ec != std::errc() || ptr != v.data() + v.size() || ttl < 0 || ttl > 2147483647) {
        return invalidInput(fmt::format("TTL must be an integer from 0 to 2147483647, not '{}'", v));
      }
      rs.ttl = ttl;
    } else if (n == "ResourceRecords") {
      rs.hasResourceRecords = true;
      for (pugi::xml_node r = c.first_child(); r; r = r.next_sibling()) {
        if (r.type() != pugi::node_element) continue;
        if (localName(r) != "ResourceRecord") {
          return invalidInput(fmt::format("unexpected element <{}> in ResourceRecords", localName(r)));
        }
        const pugi::xml_node value = child(r, "Value");
        if (!value) return invalidInput("ResourceRecord without a Value");
        rs.values.push_back(fullText(value));
      }
    } else if (n == "AliasTarget") {
      AliasInput alias;
      alias.hostedZoneId = text(child(c, "HostedZoneId"));
      alias.dnsName = text(child(c, "DNSName"));
      if (alias.hostedZoneId.empty() || alias.dnsName.empty()) {
        return invalidInput("AliasTarget needs HostedZoneId, DNSName and EvaluateTargetHealth");
      }
      const pugi::xml_node eth = child(c, "EvaluateTargetHealth");
      if (!eth) return invalidInput("AliasTarget needs HostedZoneId, DNSName and EvaluateTargetHealth");
      auto ok = parseBool(eth, "EvaluateTargetHealth", alias.evaluateTargetHealth);
      if (isError(ok)) return std::get<ApiError>(ok);
      rs.alias = std::move(alias);
    } else if (n == "SetIdentifier" || n == "Weight" || n == "Region" || n == "GeoLocation" ||
               n == "Failover" || n == "MultiValueAnswer" || n == "HealthCheckId" ||
               n == "TrafficPolicyInstanceId" || n == "CidrRoutingConfig" || n == "GeoProximityLocation") {
      rs.unsupported.emplace_back(n);
    } else {
      return invalidInput(fmt::format("unexpected element <{}> in ResourceRecordSet", n));
    }
  }
  return rs;
}

// ---- writing ----

class Writer {
 public:
  explicit Writer(std::string_view root) : root_(root) {
    out_ = R"(<?xml version="1.0" encoding="UTF-8"?>)";
    out_ += '\n';
    out_ += fmt::format(R"(<{} xmlns="{}">)", root, kXmlns);
  }
  Writer& open(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += '>';
    return *this;
  }
  Writer& close(std::string_view name) {
    out_ += "</";
    out_ += name;
    out_ += '>';
    return *this;
  }
  Writer& element(std::string_view name, std::string_view value) {
    open(name);
    out_ += escape(value);
    return close(name);
  }
  std::string finish() {
    close(root_);
    return std::move(out_);
  }

 private:
  std::string_view root_;
  std::string out_;
};

const char* boolText(bool b) { return b ? "true" : "false"; }

void writeZone(Writer& w, const store::HostedZone& z) {
  w.open("HostedZone");
  w.element("Id", zoneIdPath(z.id));
  w.element("Name", formatRoute53Name(z.name));
  w.element("CallerReference", z.callerReference);
  w.open("Config");
  if (!z.comment.empty()) w.element("Comment", z.comment);
  w.element("PrivateZone", boolText(z.privateZone));
  w.close("Config");
  w.element("ResourceRecordSetCount", std::to_string(z.recordSetCount));
  w.close("HostedZone");
}

void writeDelegationSet(Writer& w, const store::HostedZone& z) {
  w.open("DelegationSet");
  w.open("NameServers");
  for (const auto& ns : z.nameServers) {
    std::string text = formatRoute53Name(ns);
    if (text.size() > 1 && text.back() == '.') text.pop_back();  // Route53 lists them without the dot
    w.element("NameServer", text);
  }
  w.close("NameServers");
  w.close("DelegationSet");
}

void writeChangeInfo(Writer& w, const store::ChangeInfo& c) {
  w.open("ChangeInfo");
  w.element("Id", changeIdPath(c.id));
  w.element("Status", c.status == store::ChangeStatus::InSync ? "INSYNC" : "PENDING");
  w.element("SubmittedAt", formatTimestamp(c.submittedAt));
  if (!c.comment.empty()) w.element("Comment", c.comment);
  w.close("ChangeInfo");
}

void writeTagSet(Writer& w, const TagSet& t) {
  w.open("ResourceTagSet");
  w.element("ResourceType", t.resourceType);
  w.element("ResourceId", t.resourceId);
  w.open("Tags");
  for (const auto& [k, v] : t.tags) {
    w.open("Tag");
    w.element("Key", k);
    w.element("Value", v);
    w.close("Tag");
  }
  w.close("Tags");
  w.close("ResourceTagSet");
}

}  // namespace

ApiResult<CreateHostedZoneInput> parseCreateHostedZone(std::string_view body) {
  Parsed p;
  if (auto r = load(body, "CreateHostedZoneRequest", p); isError(r)) return std::get<ApiError>(r);
  CreateHostedZoneInput in;
  const pugi::xml_node name = child(p.root, "Name");
  const pugi::xml_node ref = child(p.root, "CallerReference");
  if (!name || text(name).empty()) return invalidInput("CreateHostedZoneRequest needs a Name");
  if (!ref || text(ref).empty()) return invalidInput("CreateHostedZoneRequest needs a CallerReference");
  in.name = text(name);
  in.callerReference = text(ref);
  if (in.callerReference.size() > 128) return invalidInput("CallerReference is longer than 128 characters");
  if (const pugi::xml_node config = child(p.root, "HostedZoneConfig")) {
    if (const pugi::xml_node comment = child(config, "Comment")) in.comment = text(comment);
    if (const pugi::xml_node priv = child(config, "PrivateZone")) {
      if (auto r = parseBool(priv, "PrivateZone", in.privateZone); isError(r)) return std::get<ApiError>(r);
    }
  }
  in.hasVpc = static_cast<bool>(child(p.root, "VPC"));
  in.delegationSetId = text(child(p.root, "DelegationSetId"));
  return in;
}

ApiResult<ChangeBatchInput> parseChangeResourceRecordSets(std::string_view body) {
  Parsed p;
  if (auto r = load(body, "ChangeResourceRecordSetsRequest", p); isError(r)) return std::get<ApiError>(r);
  const pugi::xml_node batch = child(p.root, "ChangeBatch");
  if (!batch) return invalidInput("ChangeResourceRecordSetsRequest needs a ChangeBatch");
  ChangeBatchInput in;
  in.comment = text(child(batch, "Comment"));
  const pugi::xml_node changes = child(batch, "Changes");
  if (!changes) return invalidInput("ChangeBatch needs Changes");
  for (pugi::xml_node c = changes.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (localName(c) != "Change")
      return invalidInput(fmt::format("unexpected element <{}> in Changes", localName(c)));
    ChangeInput change;
    change.action = text(child(c, "Action"));
    const pugi::xml_node rrset = child(c, "ResourceRecordSet");
    if (!rrset) return invalidInput("Change needs a ResourceRecordSet");
    auto rs = parseRecordSet(rrset);
    if (isError(rs)) return std::get<ApiError>(rs);
    change.recordSet = std::move(std::get<RecordSetInput>(rs));
    in.changes.push_back(std::move(change));
  }
  if (in.changes.empty()) return invalidInput("ChangeBatch needs at least one Change");
  return in;
}

ApiResult<std::string> parseUpdateHostedZoneComment(std::string_view body) {
  // Comment is optional: botocore sends no body without it, and Route53 then
  // deletes the existing comment (the API reference, UpdateHostedZoneComment).
  if (isBlank(body)) return std::string();
  Parsed p;
  if (auto r = load(body, "UpdateHostedZoneCommentRequest", p); isError(r)) return std::get<ApiError>(r);
  return text(child(p.root, "Comment"));
}

ApiResult<ChangeTagsInput> parseChangeTagsForResource(std::string_view body) {
  // AddTags and RemoveTagKeys are both optional: no body changes nothing.
  if (isBlank(body)) return ChangeTagsInput{};
  Parsed p;
  if (auto r = load(body, "ChangeTagsForResourceRequest", p); isError(r)) return std::get<ApiError>(r);
  ChangeTagsInput in;
  if (const pugi::xml_node add = child(p.root, "AddTags")) {
    for (pugi::xml_node t = add.first_child(); t; t = t.next_sibling()) {
      if (t.type() != pugi::node_element) continue;
      if (localName(t) != "Tag")
        return invalidInput(fmt::format("unexpected element <{}> in AddTags", localName(t)));
      std::string key = text(child(t, "Key"));
      if (key.empty()) return invalidInput("a Tag needs a Key");
      in.add.emplace_back(std::move(key), text(child(t, "Value")));
    }
  }
  if (const pugi::xml_node remove = child(p.root, "RemoveTagKeys")) {
    for (pugi::xml_node k = remove.first_child(); k; k = k.next_sibling()) {
      if (k.type() != pugi::node_element) continue;
      if (localName(k) != "Key") {
        return invalidInput(fmt::format("unexpected element <{}> in RemoveTagKeys", localName(k)));
      }
      in.removeKeys.push_back(text(k));
    }
  }
  if (in.add.size() > 10) return invalidInput("at most 10 tags can be added in one request");
  if (in.removeKeys.size() > 10) return invalidInput("at most 10 tag keys can be removed in one request");
  return in;
}

ApiResult<std::vector<std::string>> parseListTagsForResources(std::string_view body) {
  Parsed p;
  if (auto r = load(body, "ListTagsForResourcesRequest", p); isError(r)) return std::get<ApiError>(r);
  const pugi::xml_node ids = child(p.root, "ResourceIds");
  if (!ids) return invalidInput("ListTagsForResourcesRequest needs ResourceIds");
  std::vector<std::string> out;
  for (pugi::xml_node id = ids.first_child(); id; id = id.next_sibling()) {
    if (id.type() != pugi::node_element) continue;
    if (localName(id) != "ResourceId") {
      return invalidInput(fmt::format("unexpected element <{}> in ResourceIds", localName(id)));
    }
    out.push_back(text(id));
  }
  if (out.empty() || out.size() > 10) return invalidInput("ResourceIds must list 1 to 10 resource ids");
  return out;
}

std::string writeCreateHostedZone(const CreateHostedZoneOutput& out) {
  Writer w("CreateHostedZoneResponse");
  writeZone(w, out.zone);
  writeChangeInfo(w, out.change);
  writeDelegationSet(w, out.zone);
  return w.finish();
}

std::string writeGetHostedZone(const store::HostedZone& zone) {
  Writer w("GetHostedZoneResponse");
  writeZone(w, zone);
  writeDelegationSet(w, zone);
  return w.finish();
}

std::string writeListHostedZones(const ListHostedZonesOutput& out) {
  Writer w("ListHostedZonesResponse");
  w.open("HostedZones");
  for (const auto& z : out.zones) writeZone(w, z);
  w.close("HostedZones");
  w.element("Marker", out.marker);
  w.element("IsTruncated", boolText(out.nextMarker.has_value()));
  if (out.nextMarker) w.element("NextMarker", *out.nextMarker);
  w.element("MaxItems", std::to_string(out.maxItems));
  return w.finish();
}

std::string writeListHostedZonesByName(const ListHostedZonesByNameOutput& out) {
  Writer w("ListHostedZonesByNameResponse");
  w.open("HostedZones");
  for (const auto& z : out.zones) writeZone(w, z);
  w.close("HostedZones");
  if (out.dnsName) w.element("DNSName", formatRoute53Name(*out.dnsName));
  if (out.hostedZoneId) w.element("HostedZoneId", *out.hostedZoneId);
  w.element("IsTruncated", boolText(out.nextDnsName.has_value()));
  if (out.nextDnsName) w.element("NextDNSName", formatRoute53Name(*out.nextDnsName));
  if (out.nextHostedZoneId) w.element("NextHostedZoneId", *out.nextHostedZoneId);
  w.element("MaxItems", std::to_string(out.maxItems));
  return w.finish();
}

std::string writeGetHostedZoneCount(std::uint64_t count) {
  Writer w("GetHostedZoneCountResponse");
  w.element("HostedZoneCount", std::to_string(count));
  return w.finish();
}

std::string writeUpdateHostedZoneComment(const store::HostedZone& zone) {
  Writer w("UpdateHostedZoneCommentResponse");
  writeZone(w, zone);
  return w.finish();
}

std::string writeDeleteHostedZone(const store::ChangeInfo& change) {
  Writer w("DeleteHostedZoneResponse");
  writeChangeInfo(w, change);
  return w.finish();
}

std::string writeChangeResourceRecordSets(const store::ChangeInfo& change) {
  Writer w("ChangeResourceRecordSetsResponse");
  writeChangeInfo(w, change);
  return w.finish();
}

std::string writeListResourceRecordSets(const ListRecordSetsOutput& out) {
  Writer w("ListResourceRecordSetsResponse");
  w.open("ResourceRecordSets");
  for (const auto& rs : out.recordSets) {
    w.open("ResourceRecordSet");
    w.element("Name", formatRoute53Name(rs.name));
    w.element("Type", wire::typeToText(rs.type));
    if (rs.alias) {
      w.open("AliasTarget");
      w.element("HostedZoneId", rs.alias->hostedZoneId);
      w.element("DNSName", formatRoute53Name(rs.alias->dnsName));
      w.element("EvaluateTargetHealth", boolText(rs.alias->evaluateTargetHealth));
      w.close("AliasTarget");
    } else {
      w.element("TTL", std::to_string(rs.ttl));
      w.open("ResourceRecords");
      for (std::size_t i = 0; i < rs.rdata.size(); ++i) {
        w.open("ResourceRecord");
        w.element("Value", listedValue(rs, i));
        w.close("ResourceRecord");
      }
      w.close("ResourceRecords");
    }
    w.close("ResourceRecordSet");
  }
  w.close("ResourceRecordSets");
  w.element("IsTruncated", boolText(out.next.has_value()));
  if (out.next) {
    w.element("NextRecordName", formatRoute53Name(out.next->name));
    if (out.next->type) w.element("NextRecordType", wire::typeToText(*out.next->type));
  }
  w.element("MaxItems", std::to_string(out.maxItems));
  return w.finish();
}

std::string writeGetChange(const store::ChangeInfo& change) {
  Writer w("GetChangeResponse");
  writeChangeInfo(w, change);
  return w.finish();
}

std::string writeChangeTagsForResource() {
  Writer w("ChangeTagsForResourceResponse");
  return w.finish();
}

std::string writeListTagsForResource(const TagSet& tags) {
  Writer w("ListTagsForResourceResponse");
  writeTagSet(w, tags);
  return w.finish();
}

std::string writeListTagsForResources(const std::vector<TagSet>& tags) {
  Writer w("ListTagsForResourcesResponse");
  w.open("ResourceTagSets");
  for (const auto& t : tags) writeTagSet(w, t);
  w.close("ResourceTagSets");
  return w.finish();
}

std::string writeError(const ApiError& error, std::string_view requestId) {
  Writer w("ErrorResponse");
  w.open("Error");
  w.element("Type", error.senderFault ? "Sender" : "Receiver");
  w.element("Code", error.code);
  w.element("Message", error.message);
  w.close("Error");
  w.element("RequestId", requestId);
  return w.finish();
}

std::string formatTimestamp(std::int64_t unixSeconds) {
  const auto t = static_cast<std::time_t>(unixSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.000Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string zoneIdPath(std::string_view id) { return fmt::format("/hostedzone/{}", id); }
std::string changeIdPath(std::string_view id) { return fmt::format("/change/{}", id); }

std::string escape(std::string_view text) { return xmlEscape(text); }

}  // namespace zk::api::xml
