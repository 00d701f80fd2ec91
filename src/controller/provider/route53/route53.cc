#include "controller/provider/route53/route53.h"

#include <pugixml.hpp>

#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "common/xml_escape.h"
#include "controller/provider/rdata_convert.h"

namespace zk::controller::route53 {
namespace {

constexpr const char* kApi = "/2013-04-01";
constexpr const char* kXmlns = "https://route53.amazonaws.com/doc/2013-04-01/";

std::string valueText(wire::RRType type, const Target& t) {
  if (const auto* text = std::get_if<Text>(&t))
    return type == wire::RRType::TXT ? quoteTxt(text->value) : text->value;
  if (const auto* n = std::get_if<wire::Name>(&t)) return n->toText();
  return targetToText(t);
}

Target targetFromValue(wire::RRType type, std::string_view value) {
  switch (type) {
    case wire::RRType::A:
    case wire::RRType::AAAA:
    case wire::RRType::CNAME:
    case wire::RRType::NS:
      if (auto t = parseTarget(value)) return std::move(*t);
      break;
    case wire::RRType::TXT:
      return Text{unquoteTxt(value)};
    default:
      break;
  }
  return Text{std::string(value)};
}

std::string stripPrefix(std::string id) {
  for (std::string_view p : {"/hostedzone/", "/change/"}) {
    if (id.rfind(p, 0) == 0) return id.substr(p.size());
  }
  return id;
}

std::string awsError(std::string_view body) {
  pugi::xml_document doc;
  if (doc.load_buffer(body.data(), body.size())) {
    auto err = doc.select_node("//Error");
    if (err) {
      std::string msg =
          fmt::format("{}: {}", err.node().child_value("Code"), err.node().child_value("Message"));
      return msg;
    }
    auto messages = doc.select_nodes("//Messages/Message");
    std::string out;
    for (auto m : messages) out += std::string(out.empty() ? "" : "; ") + m.node().child_value();
    if (!out.empty()) return out;
  }
  return std::string(body.substr(0, 300));
}

}  // namespace

std::string quoteTxt(std::string_view text) {
  std::string out;
  do {
    const auto chunk = text.substr(0, 255);
    text.remove_prefix(chunk.size());
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : chunk) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  } while (!text.empty());
  return out;
}

std::string unquoteTxt(std::string_view value) {
  std::string out;
  bool inQuote = false;
  bool any = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '"') {
      inQuote = !inQuote;
      any = true;
    } else if (c == '\\' && inQuote && i + 1 < value.size()) {
      out += value[++i];
    } else if (inQuote) {
      out += c;
    }
  }
  return any ? out : std::string(value);
}

Route53Options optionsFromEnvironment(const std::string& endpointFlag) {
  Route53Options o;
  auto env = [](const char* n) -> std::string {
    const char* v = std::getenv(n);
    return v ? v : "";
  };
  if (!endpointFlag.empty()) {
    o.endpoint = endpointFlag;
  } else if (!env("AWS_ENDPOINT_URL_ROUTE_53").empty()) {
    o.endpoint = env("AWS_ENDPOINT_URL_ROUTE_53");
  } else if (!env("AWS_ENDPOINT_URL").empty()) {
    o.endpoint = env("AWS_ENDPOINT_URL");
  }
  while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
  o.credentials.accessKeyId = env("AWS_ACCESS_KEY_ID");
  o.credentials.secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  o.credentials.sessionToken = env("AWS_SESSION_TOKEN");
  return o;
}

Result<std::string> Route53Provider::call(const std::string& method, const std::string& path,
                                          const std::vector<std::pair<std::string, std::string>>& query,
                                          const std::string& body) {
  const auto scheme = options_.endpoint.find("://");
  if (scheme == std::string::npos) return Error(fmt::format("bad Route53 endpoint '{}'", options_.endpoint));
  std::string host = options_.endpoint.substr(scheme + 3);
  std::string basePath;
  if (auto slash = host.find('/'); slash != std::string::npos) {
    basePath = host.substr(slash);
    host = host.substr(0, slash);
  }
  SignInput in;
  in.method = method;
  in.path = basePath + path;
  in.query = query;
  in.payload = body;
  in.amzDate = amzDateNow();
  in.region = options_.region;
  in.headers = {{"host", host}, {"x-amz-date", in.amzDate}};
  if (!options_.credentials.sessionToken.empty()) {
    in.headers.emplace_back("x-amz-security-token", options_.credentials.sessionToken);
  }
  HttpRequest req;
  req.method = method;
  req.url = options_.endpoint + path;
  std::string q;
  for (const auto& [k, v] : query)
    q += (q.empty() ? "?" : "&") + uriEncode(k, false) + "=" + uriEncode(v, false);
  req.url += q;
  req.headers = {{"x-amz-date", in.amzDate}, {"Authorization", authorization(in, options_.credentials)}};
  if (!options_.credentials.sessionToken.empty()) {
    req.headers.emplace_back("x-amz-security-token", options_.credentials.sessionToken);
  }
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/xml");
  req.body = body;
  auto resp = http_->send(req);
  if (!resp) return resp.error();
  if (resp->status < 200 || resp->status >= 300) {
    return Error(fmt::format("{} {}: HTTP {}: {}", method, path, resp->status, awsError(resp->body)));
  }
  return std::move(resp->body);
}

Result<std::vector<Route53Provider::Zone>> Route53Provider::listZones() {
  std::vector<Zone> out;
  std::string marker;
  for (int page = 0; page < 10000; ++page) {
    std::vector<std::pair<std::string, std::string>> q;
    if (!marker.empty()) q.emplace_back("marker", marker);
    auto body = call("GET", std::string(kApi) + "/hostedzone", q, "");
    if (!body) return body.error();
    pugi::xml_document doc;
    if (!doc.load_string(body->c_str())) return Error("ListHostedZones: response is not XML");
    auto root = doc.child("ListHostedZonesResponse");
    for (auto z : root.child("HostedZones").children("HostedZone")) {
      auto n = wire::Name::fromText(z.child_value("Name"));
      if (!n) return Error(fmt::format("ListHostedZones: bad zone name '{}'", z.child_value("Name")));
      out.push_back({stripPrefix(z.child_value("Id")), n->lowercased()});
    }
    if (std::string_view(root.child_value("IsTruncated")) != "true") return out;
    marker = root.child_value("NextMarker");
    if (marker.empty()) return out;
  }
  return Error("ListHostedZones: too many pages");
}

Result<std::vector<wire::Name>> Route53Provider::zones() {
  auto z = listZones();
  if (!z) return z.error();
  std::vector<wire::Name> out;
  for (const auto& zone : *z) out.push_back(zone.name);
  return out;
}

Result<std::vector<Endpoint>> Route53Provider::records() {
  auto zones = listZones();
  if (!zones) return zones.error();
  std::vector<Endpoint> out;
  for (const auto& z : *zones) {
    std::string nextName, nextType;
    for (int page = 0;; ++page) {
      if (page > 100000) return Error("ListResourceRecordSets: too many pages");
      std::vector<std::pair<std::string, std::string>> q;
      if (!nextName.empty()) {
        q.emplace_back("name", nextName);
        if (!nextType.empty()) q.emplace_back("type", nextType);
      }
      auto body = call("GET", fmt::format("{}/hostedzone/{}/rrset", kApi, z.id), q, "");
      if (!body) return body.error();
      pugi::xml_document doc;
      if (!doc.load_string(body->c_str())) return Error("ListResourceRecordSets: response is not XML");
      auto root = doc.child("ListResourceRecordSetsResponse");
      for (auto rs : root.child("ResourceRecordSets").children("ResourceRecordSet")) {
        auto n = wire::Name::fromText(rs.child_value("Name"));
        auto t = wire::typeFromText(rs.child_value("Type"));
        if (!n || !t) continue;  // not representable: never planned, never touched
        Endpoint e;
        e.dnsName = *n;
        e.type = *t;
        if (auto alias = rs.child("AliasTarget")) {
          auto target = wire::Name::fromText(alias.child_value("DNSName"));
          if (!target) continue;
          e.alias = true;
          e.targets.emplace_back(*target);
        } else {
          e.ttl = static_cast<std::uint32_t>(std::strtoul(rs.child_value("TTL"), nullptr, 10));
          for (auto v : rs.child("ResourceRecords").children("ResourceRecord")) {
            e.targets.push_back(targetFromValue(*t, v.child_value("Value")));
          }
          e.normalize();
        }
        out.push_back(std::move(e));
      }
      if (std::string_view(root.child_value("IsTruncated")) != "true") break;
      nextName = root.child_value("NextRecordName");
      nextType = root.child_value("NextRecordType");
      if (nextName.empty()) break;
    }
  }
  return out;
}

std::string changeBatchXml(const std::vector<std::pair<std::string, const Endpoint*>>& changes,
                           std::uint32_t defaultTtl, const std::string& zoneId,
                           std::span<const wire::Name> zoneNames, std::span<const std::string> zoneIds) {
  std::string x = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ChangeResourceRecordSetsRequest "
      "xmlns=\"{}\"><ChangeBatch>"
      "<Comment>zonekeeper sync</Comment><Changes>",
      kXmlns);
  for (const auto& [action, e] : changes) {
    x += fmt::format("<Change><Action>{}</Action><ResourceRecordSet><Name>{}</Name><Type>{}</Type>", action,
                     xmlEscape(e->dnsName.toText()), wire::typeToText(e->type));
    if (e->alias) {
      const auto& target = std::get<wire::Name>(e->targets.front());
      std::string hz = canonicalHostedZone(target);
      if (hz.empty()) {
        auto idx = findZone(target, zoneNames);
        hz = idx ? zoneIds[*idx] : zoneId;
      }
      x += fmt::format(
          "<AliasTarget><HostedZoneId>{}</HostedZoneId><DNSName>{}</DNSName>"
          "<EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget>",
          xmlEscape(hz), xmlEscape(target.toText()));
    } else {
      x += fmt::format("<TTL>{}</TTL><ResourceRecords>", e->ttl.value_or(defaultTtl));
      for (const auto& t : e->targets) {
        x += fmt::format("<ResourceRecord><Value>{}</Value></ResourceRecord>",
                         xmlEscape(valueText(e->type, t)));
      }
      x += "</ResourceRecords>";
    }
    x += "</ResourceRecordSet></Change>";
  }
  x += "</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>";
  return x;
}

Status Route53Provider::applyChanges(const Changes& changes) {
  auto zones = listZones();
  if (!zones) return zones.error();
  std::vector<wire::Name> names;
  std::vector<std::string> ids;
  for (const auto& z : *zones) {
    names.push_back(z.name);
    ids.push_back(z.id);
  }
  std::map<std::size_t, std::vector<std::pair<std::string, const Endpoint*>>> perZone;
  std::vector<std::string> problems;
  auto add = [&](const char* action, const Endpoint& e) {
    auto z = findZone(e.dnsName, names);
    if (!z) {
      problems.push_back(fmt::format("{}: not inside any hosted zone", e.dnsName.toText()));
      return;
    }
    perZone[*z].emplace_back(action, &e);
  };
  for (const auto& e : changes.remove) add("DELETE", e);
  for (const auto& e : changes.create) add("CREATE", e);
  for (const auto& e : changes.updateNew) add("UPSERT", e);
  if (!problems.empty()) return Error(fmt::format("changes not applied: {}", problems.front()));
  for (const auto& [z, list] : perZone) {
    std::vector<ChangeCost> costs;
    for (const auto& [action, e] : list) costs.push_back(changeCost(*e, action == "UPSERT"));
    std::size_t begin = 0;
    for (const std::size_t end : batchEnds(costs)) {
      std::vector<std::pair<std::string, const Endpoint*>> chunk(
          list.begin() + static_cast<std::ptrdiff_t>(begin), list.begin() + static_cast<std::ptrdiff_t>(end));
      begin = end;
      auto body = changeBatchXml(chunk, options_.defaultTtl, ids[z], names, ids);
      auto r = call("POST", fmt::format("{}/hostedzone/{}/rrset/", kApi, ids[z]), {}, body);
      if (!r) {
        problems.push_back(fmt::format("zone {}: {}", names[z].toText(), r.error().message));
        break;  // later batches may depend on this one
      }
    }
  }
  if (problems.empty()) return {};
  std::string msg = "some zones were not changed:";
  for (const auto& p : problems) msg += "\n  " + p;
  return Error(msg);
}

}  // namespace zk::controller::route53
