#include "controller/source/endpoints.h"

#include <algorithm>

#include <fmt/format.h>

namespace zk::controller {
namespace {

constexpr std::string_view kPrefixes[] = {"external-dns.kubernetes.io/", "external-dns.alpha.kubernetes.io/"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> splitList(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string where(const ObjectMeta& m, std::string_view kind) {
  return m.file.empty() ? fmt::format("{}/{}/{}", kind, m.ns, m.name)
                        : fmt::format("{}:{}: {}/{}/{}", m.file, m.line, kind, m.ns, m.name);
}

struct Common {
  std::optional<std::uint32_t> ttl;
  ProviderSpecific ps;
  std::vector<Target> annotationTargets;
  bool hasTargetAnnotation = false;
};

// Annotations shared by both sources; false when the object must be skipped.
bool readCommon(const ObjectMeta& m, std::string_view kind, const SourceOptions& o, Common& c, Warnings& w) {
  if (!o.namespaceFilter.empty() && m.ns != o.namespaceFilter) return false;
  if (!o.labelFilter.matches(m.labels)) return false;
  if (!o.annotationFilter.matches(m.annotations)) return false;
  if (const auto* ctl = findAnnotation(m, "controller"); ctl && *ctl != "dns-controller") {
    w.push_back(
        fmt::format("{}: controller annotation '{}' is not dns-controller; skipped", where(m, kind), *ctl));
    return false;
  }
  if (const auto* ttl = findAnnotation(m, "ttl")) {
    if (auto v = parseTtlAnnotation(*ttl)) {
      c.ttl = *v;
    } else {
      w.push_back(fmt::format("{}: ttl annotation ignored: {}", where(m, kind), v.error().message));
    }
  }
  if (const auto* alias = findAnnotation(m, "alias")) {
    if (*alias == "true") {
      c.ps.alias = true;
    } else if (*alias == "false") {
      c.ps.alias = false;
    } else {
      w.push_back(
          fmt::format("{}: alias annotation '{}' is not true/false; ignored", where(m, kind), *alias));
    }
  }
  if (const auto* targets = findAnnotation(m, "target")) {
    c.hasTargetAnnotation = true;
    for (const auto& t : splitList(*targets)) {
      if (auto parsed = parseTarget(t)) {
        c.annotationTargets.push_back(std::move(*parsed));
      } else {
        w.push_back(fmt::format("{}: target '{}' ignored: {}", where(m, kind), t, parsed.error().message));
      }
    }
  }
  return true;
}

void targetsFromStatus(const std::vector<LoadBalancerIngress>& lb, const ObjectMeta& m, std::string_view kind,
                       std::vector<Target>& out, Warnings& w) {
  for (const auto& e : lb) {
    const std::string& text = e.ip.empty() ? e.hostname : e.ip;
    if (auto t = parseTarget(text)) {
      out.push_back(std::move(*t));
    } else {
      w.push_back(
          fmt::format("{}: load balancer target '{}' ignored: {}", where(m, kind), text, t.error().message));
    }
  }
}

// ExternalDNS endpointsForHostname: one endpoint per target family.
void endpointsForHostname(std::string_view host, const std::vector<Target>& targets, const Common& c,
                          const std::string& resource, const ObjectMeta& m, std::string_view kind,
                          std::vector<Endpoint>& out, Warnings& w) {
  std::string h(trim(host));
  if (!h.empty() && h.back() == '.') h.pop_back();
  auto name = wire::Name::fromText(h);
  if (h.empty() || !name) {
    w.push_back(fmt::format("{}: host name '{}' ignored: {}", where(m, kind), host,
                            h.empty() ? "empty" : name.error().message));
    return;
  }
  Endpoint a, aaaa, cname;
  for (Endpoint* e : {&a, &aaaa, &cname}) {
    e->dnsName = *name;
    e->ttl = c.ttl;
    e->providerSpecific = c.ps;
    e->labels.emplace(std::string(kResourceLabel), resource);
  }
  a.type = wire::RRType::A;
  aaaa.type = wire::RRType::AAAA;
  cname.type = wire::RRType::CNAME;
  for (const auto& t : targets) {
    if (std::holds_alternative<Ipv4>(t)) a.targets.push_back(t);
    if (std::holds_alternative<Ipv6>(t)) aaaa.targets.push_back(t);
    if (std::holds_alternative<wire::Name>(t)) cname.targets.push_back(t);
  }
  for (Endpoint* e : {&a, &aaaa, &cname}) {
    if (e->targets.empty()) continue;
    e->normalize();
    if (e->type == wire::RRType::CNAME && e->targets.size() > 1) {
      w.push_back(fmt::format("{}: {} has {} host name targets; using {}", where(m, kind), h,
                              e->targets.size(), targetToText(e->targets.front())));
      e->targets.resize(1);
    }
    out.push_back(std::move(*e));
  }
}

bool classMatches(const Ingress& in, const SourceOptions& o) {
  if (o.ingressClasses.empty()) return true;
  std::string cls = in.ingressClassName;
  if (cls.empty()) {
    if (auto it = in.meta.annotations.find("kubernetes.io/ingress.class"); it != in.meta.annotations.end()) {
      cls = it->second;
    }
  }
  return std::find(o.ingressClasses.begin(), o.ingressClasses.end(), cls) != o.ingressClasses.end();
}

}  // namespace

Result<SourceKind> sourceKindFromText(std::string_view text) {
  if (text == "ingress") return SourceKind::Ingress;
  if (text == "service") return SourceKind::Service;
  return Error(fmt::format("unknown source '{}' (ingress or service)", text));
}

const std::string* findAnnotation(const ObjectMeta& meta, std::string_view key) {
  for (auto prefix : kPrefixes) {
    auto it = meta.annotations.find(std::string(prefix) + std::string(key));
    if (it != meta.annotations.end()) return &it->second;
  }
  return nullptr;
}

Result<std::uint32_t> parseTtlAnnotation(std::string_view text) {
  text = trim(text);
  if (text.empty()) return Error("empty TTL");
  std::uint64_t total = 0;
  std::size_t i = 0;
  bool unitSeen = false;
  while (i < text.size()) {
    std::uint64_t n = 0;
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
      if (n > 0xffffffffULL) return Error(fmt::format("TTL '{}' is too large", text));
      ++i;
    }
    if (i == start) return Error(fmt::format("TTL '{}' is not a number or duration", text));
    std::uint64_t mult = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's':
          mult = 1;
          break;
        case 'm':
          mult = 60;
          break;
        case 'h':
          mult = 3600;
          break;
        default:
          return Error(fmt::format("TTL '{}' has an unknown unit '{}'", text, text[i]));
      }
      ++i;
      unitSeen = true;
    } else if (unitSeen) {
      return Error(fmt::format("TTL '{}' has a number without a unit", text));
    }
    total += n * mult;
    if (total > 0x7fffffffULL) return Error(fmt::format("TTL '{}' is over 2^31-1 seconds", text));
  }
  if (total == 0) return Error("TTL 0 is not configurable");
  return static_cast<std::uint32_t>(total);
}

std::vector<Endpoint> ingressEndpoints(const Ingress& in, const SourceOptions& o, Warnings& w) {
  std::vector<Endpoint> out;
  if (!classMatches(in, o)) return out;
  Common c;
  if (!readCommon(in.meta, "ingress", o, c, w)) return out;
  std::vector<Target> targets = c.annotationTargets;
  if (!c.hasTargetAnnotation) targetsFromStatus(in.loadBalancer, in.meta, "ingress", targets, w);
  if (targets.empty()) {
    w.push_back(fmt::format("{}: no targets (no load balancer status or target annotation)",
                            where(in.meta, "ingress")));
    return out;
  }
  const std::string resource = fmt::format("ingress/{}/{}", in.meta.ns, in.meta.name);
  std::string hostSource;
  if (const auto* s = findAnnotation(in.meta, "ingress-hostname-source")) hostSource = *s;
  std::vector<std::string> hosts;
  if (hostSource != "annotation-only") {
    hosts.insert(hosts.end(), in.ruleHosts.begin(), in.ruleHosts.end());
    hosts.insert(hosts.end(), in.tlsHosts.begin(), in.tlsHosts.end());
  }
  if (hostSource != "defined-hosts-only") {
    if (const auto* h = findAnnotation(in.meta, "hostname")) {
      for (auto& x : splitList(*h)) hosts.push_back(std::move(x));
    }
  }
  std::vector<std::string> seen;
  for (const auto& h : hosts) {
    std::string lower = h;
    for (auto& ch : lower) ch = static_cast<char>(wire::asciiLower(static_cast<std::uint8_t>(ch)));
    if (!lower.empty() && lower.back() == '.') lower.pop_back();
    if (std::find(seen.begin(), seen.end(), lower) != seen.end()) continue;
    seen.push_back(lower);
    endpointsForHostname(h, targets, c, resource, in.meta, "ingress", out, w);
  }
  return out;
}

std::vector<Endpoint> serviceEndpoints(const Service& s, const SourceOptions& o, Warnings& w) {
  std::vector<Endpoint> out;
  Common c;
  if (!readCommon(s.meta, "service", o, c, w)) return out;
  const std::string resource = fmt::format("service/{}/{}", s.meta.ns, s.meta.name);
  std::vector<std::string> hosts;
  if (const auto* h = findAnnotation(s.meta, "hostname")) hosts = splitList(*h);
  const bool headless = s.clusterIP == "None";

  std::vector<Target> targets = c.annotationTargets;
  bool explained = false;  // a specific warning already says why there are no targets
  if (!c.hasTargetAnnotation) {
    std::vector<Target> external;
    for (const auto& ip : s.externalIPs) {
      if (auto t = parseTarget(ip)) external.push_back(std::move(*t));
    }
    if (s.type == "LoadBalancer") {
      if (!external.empty()) {
        targets = external;
      } else {
        targetsFromStatus(s.loadBalancer, s.meta, "service", targets, w);
      }
    } else if (s.type == "ExternalName") {
      if (auto t = parseTarget(s.externalName)) {
        targets.push_back(std::move(*t));
      } else {
        w.push_back(fmt::format("{}: externalName '{}' ignored: {}", where(s.meta, "service"), s.externalName,
                                t.error().message));
      }
    } else if (s.type == "NodePort") {
      // Node addresses need the Node objects; only externalIPs are known here.
      targets = external;
      if (targets.empty() && !hosts.empty()) {
        explained = true;
        w.push_back(
            fmt::format("{}: NodePort targets need node addresses (not in manifests); set externalIPs or "
                        "the target annotation",
                        where(s.meta, "service")));
      }
    } else if (headless) {
      if (!hosts.empty()) {
        explained = true;
        w.push_back(
            fmt::format("{}: headless service targets are pod addresses (not in manifests); set the "
                        "target annotation",
                        where(s.meta, "service")));
      }
    } else if (!external.empty()) {
      targets = external;
    } else if (o.publishInternalServices && !s.clusterIP.empty()) {
      if (auto t = parseTarget(s.clusterIP)) targets.push_back(std::move(*t));
    }
  }
  if (!hosts.empty() && !targets.empty()) {
    for (const auto& h : hosts) endpointsForHostname(h, targets, c, resource, s.meta, "service", out, w);
  } else if (!hosts.empty() && !explained) {
    w.push_back(fmt::format("{}: no targets for {}", where(s.meta, "service"), hosts.front()));
  }
  // internal-hostname: names for the ClusterIP, whatever the service type.
  if (const auto* ih = findAnnotation(s.meta, "internal-hostname")) {
    if (s.clusterIP.empty() || headless) {
      w.push_back(fmt::format("{}: internal-hostname needs a cluster IP", where(s.meta, "service")));
    } else if (auto t = parseTarget(s.clusterIP)) {
      for (const auto& h : splitList(*ih))
        endpointsForHostname(h, {*t}, c, resource, s.meta, "service", out, w);
    } else {
      w.push_back(fmt::format("{}: clusterIP '{}' is not an address", where(s.meta, "service"), s.clusterIP));
    }
  }
  return out;
}

std::vector<Endpoint> desiredEndpoints(const Objects& objects, const SourceOptions& options,
                                       Warnings& warnings) {
  std::vector<Endpoint> out;
  auto want = [&](SourceKind k) {
    return std::find(options.kinds.begin(), options.kinds.end(), k) != options.kinds.end();
  };
  if (want(SourceKind::Ingress)) {
    for (const auto& in : objects.ingresses) {
      auto eps = ingressEndpoints(in, options, warnings);
      std::move(eps.begin(), eps.end(), std::back_inserter(out));
    }
  }
  if (want(SourceKind::Service)) {
    for (const auto& s : objects.services) {
      auto eps = serviceEndpoints(s, options, warnings);
      std::move(eps.begin(), eps.end(), std::back_inserter(out));
    }
  }
  std::stable_sort(out.begin(), out.end(), keyLess);
  return out;
}

}  // namespace zk::controller
