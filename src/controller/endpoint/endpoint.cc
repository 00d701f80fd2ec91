#include "controller/endpoint/endpoint.h"

#include <arpa/inet.h>

#include <algorithm>
#include <compare>

#include <fmt/format.h>

namespace zk::controller {
namespace {

std::string nameText(const wire::Name& n) {
  std::string s = n.toText();
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

std::string cString(std::string_view text) { return std::string(text); }

bool isNameTarget(const Target& t) { return std::holds_alternative<wire::Name>(t); }

}  // namespace

Result<Ipv4> parseIpv4(std::string_view text) {
  Ipv4 out;
  if (text.empty() || text.size() > 15 ||
      ::inet_pton(AF_INET, cString(text).c_str(), out.octets.data()) != 1) {
    return Error(fmt::format("'{}' is not an IPv4 address", text));
  }
  return out;
}

Result<Ipv6> parseIpv6(std::string_view text) {
  Ipv6 out;
  if (text.empty() || text.size() > 45 ||
      ::inet_pton(AF_INET6, cString(text).c_str(), out.octets.data()) != 1) {
    return Error(fmt::format("'{}' is not an IPv6 address", text));
  }
  return out;
}

Result<Target> parseTarget(std::string_view text) {
  if (text.empty()) return Error("empty target");
  if (text.find(':') != std::string_view::npos) {
    auto v6 = parseIpv6(text);
    if (!v6) return v6.error();
    return Target{*v6};
  }
  if (auto v4 = parseIpv4(text)) return Target{*v4};
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_' || c == '*';
    if (!ok) return Error(fmt::format("'{}' is neither an address nor a host name", text));
  }
  auto name = wire::Name::fromText(text);
  if (!name) return Error(fmt::format("bad host name '{}': {}", text, name.error().message));
  if (name->isRoot()) return Error("the root is not a valid target");
  return Target{std::move(*name)};
}

std::string targetToText(const Target& target) {
  struct Visitor {
    std::string operator()(const Ipv4& a) const {
      char buf[INET_ADDRSTRLEN];
      ::inet_ntop(AF_INET, a.octets.data(), buf, sizeof buf);
      return buf;
    }
    std::string operator()(const Ipv6& a) const {
      char buf[INET6_ADDRSTRLEN];
      ::inet_ntop(AF_INET6, a.octets.data(), buf, sizeof buf);
      return buf;
    }
    std::string operator()(const wire::Name& n) const { return nameText(n); }
    std::string operator()(const Text& t) const { return t.value; }
  };
  return std::visit(Visitor{}, target);
}

bool targetLess(const Target& a, const Target& b) {
  if (a.index() != b.index()) return a.index() < b.index();
  return a < b;  // variant ordering; Name orders case-insensitively (RFC 4034 6.1)
}

bool targetEqual(const Target& a, const Target& b) { return a.index() == b.index() && a == b; }

bool sameTargets(const std::vector<Target>& a, const std::vector<Target>& b) {
  // Sorted and unique lists (the normal case) compare element by element.
  auto strictlySorted = [](const std::vector<Target>& v) {
    return std::adjacent_find(v.begin(), v.end(),
                              [](const Target& x, const Target& y) { return !targetLess(x, y); }) == v.end();
  };
  if (strictlySorted(a) && strictlySorted(b)) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), targetEqual);
  }
  auto sa = a;
  auto sb = b;
  std::sort(sa.begin(), sa.end(), targetLess);
  std::sort(sb.begin(), sb.end(), targetLess);
  sa.erase(std::unique(sa.begin(), sa.end(), targetEqual), sa.end());
  sb.erase(std::unique(sb.begin(), sb.end(), targetEqual), sb.end());
  return std::equal(sa.begin(), sa.end(), sb.begin(), sb.end(), targetEqual);
}

void Endpoint::normalize() {
  std::sort(targets.begin(), targets.end(), targetLess);
  targets.erase(std::unique(targets.begin(), targets.end(), targetEqual), targets.end());
}

std::string Endpoint::owner() const {
  auto it = labels.find(kOwnerLabel);
  return it == labels.end() ? std::string() : it->second;
}

std::string Endpoint::resource() const {
  auto it = labels.find(kResourceLabel);
  return it == labels.end() ? std::string() : it->second;
}

std::string_view Endpoint::label(std::string_view key) const {
  auto it = labels.find(key);
  return it == labels.end() ? std::string_view() : std::string_view(it->second);
}

std::string Endpoint::toString() const {
  std::string out = fmt::format("{} {}{}", nameText(dnsName), wire::typeToText(type), alias ? " ALIAS" : "");
  if (ttl) out += fmt::format(" ttl={}", *ttl);
  out += " [";
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (i) out += ' ';
    out += targetToText(targets[i]);
  }
  out += ']';
  for (const auto& [k, v] : labels) out += fmt::format(" {}={}", k, v);
  return out;
}

Status Endpoint::validate() const {
  if (targets.empty())
    return Error(fmt::format("{} {}: no targets", nameText(dnsName), wire::typeToText(type)));
  auto bad = [&](std::string_view why) {
    return Error(fmt::format("{} {}: {}", nameText(dnsName), wire::typeToText(type), why));
  };
  if (alias) {
    if (type != wire::RRType::A && type != wire::RRType::AAAA)
      return bad("an alias must be of type A or AAAA");
    if (targets.size() != 1 || !isNameTarget(targets[0]))
      return bad("an alias needs exactly one host name target");
    return {};
  }
  for (const auto& t : targets) {
    switch (type) {
      case wire::RRType::A:
        if (!std::holds_alternative<Ipv4>(t))
          return bad(fmt::format("target '{}' is not IPv4", targetToText(t)));
        break;
      case wire::RRType::AAAA:
        if (!std::holds_alternative<Ipv6>(t))
          return bad(fmt::format("target '{}' is not IPv6", targetToText(t)));
        break;
      case wire::RRType::CNAME:
      case wire::RRType::NS:
        if (!isNameTarget(t)) return bad(fmt::format("target '{}' is not a host name", targetToText(t)));
        break;
      case wire::RRType::TXT:
        if (!std::holds_alternative<Text>(t)) return bad("TXT targets must be text");
        break;
      default:  // other types pass through as presentation RDATA (hand-made records)
        if (!std::holds_alternative<Text>(t)) return bad("targets of this type must be presentation text");
        break;
    }
  }
  if (type == wire::RRType::CNAME && targets.size() != 1) return bad("a CNAME has exactly one target");
  return {};
}

bool operator==(const Endpoint& a, const Endpoint& b) {
  return a.dnsName == b.dnsName && a.type == b.type && sameTargets(a.targets, b.targets) && a.ttl == b.ttl &&
         a.labels == b.labels && a.providerSpecific == b.providerSpecific && a.alias == b.alias;
}

RecordKey keyOf(const Endpoint& e) { return RecordKey{e.dnsName.lowercased(), e.type}; }

bool keyLess(const Endpoint& a, const Endpoint& b) {
  // Name's canonical order ignores case (RFC 4034 6.1), as lowercased keys would.
  const auto c = a.dnsName <=> b.dnsName;
  if (std::is_neq(c)) return std::is_lt(c);
  return a.type < b.type;
}

std::vector<wire::RRType> defaultManagedTypes() {
  return {wire::RRType::A, wire::RRType::AAAA, wire::RRType::CNAME};
}

}  // namespace zk::controller
