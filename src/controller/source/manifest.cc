#include "controller/source/manifest.h"

#include <fmt/format.h>

#include "controller/source/yaml.h"

namespace zk::controller {
namespace {

// A problem inside one document: the document is skipped.
struct DocError {
  int line;
  std::string message;
};

bool present(const yaml::NodeRef& n) { return !n.isNull(); }

int lineOf(const yaml::NodeRef& n) { return n.line(); }

std::string scalar(const yaml::NodeRef& n, std::string_view what) {
  if (!n.isScalar()) throw DocError{lineOf(n), fmt::format("{} must be a string", what)};
  return n.scalar();
}

std::string optScalar(const yaml::NodeRef& parent, const char* key, std::string_view what) {
  const yaml::NodeRef n = parent[key];
  if (n.isNull()) return {};
  return scalar(n, what);
}

yaml::NodeRef optMap(const yaml::NodeRef& parent, const char* key, std::string_view what) {
  yaml::NodeRef n = parent[key];
  if (n.isNull()) return {};
  if (!n.isMapping()) throw DocError{lineOf(n), fmt::format("{} must be a mapping", what)};
  return n;
}

yaml::NodeRef optSeq(const yaml::NodeRef& parent, const char* key, std::string_view what) {
  yaml::NodeRef n = parent[key];
  if (n.isNull()) return {};
  if (!n.isSequence()) throw DocError{lineOf(n), fmt::format("{} must be a list", what)};
  return n;
}

StringMap stringMap(const yaml::NodeRef& parent, const char* key, std::string_view what) {
  StringMap out;
  yaml::NodeRef n = optMap(parent, key, what);
  if (!present(n)) return out;
  for (std::size_t i = 0; i + 1 < n.size(); i += 2) {
    const std::string k = scalar(n.child(i), fmt::format("a key of {}", what));
    out.insert_or_assign(k, scalar(n.child(i + 1), fmt::format("{}[{}]", what, k)));
  }
  return out;
}

ObjectMeta readMeta(const yaml::NodeRef& doc, std::string_view file) {
  ObjectMeta m;
  m.file = std::string(file);
  m.line = lineOf(doc);
  yaml::NodeRef meta = optMap(doc, "metadata", "metadata");
  if (!present(meta)) throw DocError{lineOf(doc), "metadata is missing"};
  m.name = optScalar(meta, "name", "metadata.name");
  if (m.name.empty()) throw DocError{lineOf(meta), "metadata.name is missing"};
  if (auto ns = optScalar(meta, "namespace", "metadata.namespace"); !ns.empty()) m.ns = ns;
  m.labels = stringMap(meta, "labels", "metadata.labels");
  m.annotations = stringMap(meta, "annotations", "metadata.annotations");
  return m;
}

std::vector<LoadBalancerIngress> readLoadBalancer(const yaml::NodeRef& doc) {
  std::vector<LoadBalancerIngress> out;
  yaml::NodeRef status = optMap(doc, "status", "status");
  if (!present(status)) return out;
  yaml::NodeRef lb = optMap(status, "loadBalancer", "status.loadBalancer");
  if (!present(lb)) return out;
  yaml::NodeRef ing = optSeq(lb, "ingress", "status.loadBalancer.ingress");
  if (!present(ing)) return out;
  for (const auto& e : ing.items()) {
    if (!e.isMapping()) throw DocError{lineOf(e), "status.loadBalancer.ingress[] entries must be mappings"};
    LoadBalancerIngress x;
    x.ip = optScalar(e, "ip", "status.loadBalancer.ingress[].ip");
    x.hostname = optScalar(e, "hostname", "status.loadBalancer.ingress[].hostname");
    if (!x.ip.empty() || !x.hostname.empty()) out.push_back(std::move(x));
  }
  return out;
}

Ingress readIngress(const yaml::NodeRef& doc, std::string_view file) {
  Ingress in;
  in.meta = readMeta(doc, file);
  in.loadBalancer = readLoadBalancer(doc);
  yaml::NodeRef spec = optMap(doc, "spec", "spec");
  if (!present(spec)) return in;
  in.ingressClassName = optScalar(spec, "ingressClassName", "spec.ingressClassName");
  if (yaml::NodeRef rules = optSeq(spec, "rules", "spec.rules"); present(rules)) {
    for (const auto& r : rules.items()) {
      if (!r.isMapping()) throw DocError{lineOf(r), "spec.rules[] entries must be mappings"};
      if (auto host = optScalar(r, "host", "spec.rules[].host"); !host.empty()) in.ruleHosts.push_back(host);
    }
  }
  if (yaml::NodeRef tls = optSeq(spec, "tls", "spec.tls"); present(tls)) {
    for (const auto& t : tls.items()) {
      if (!t.isMapping()) throw DocError{lineOf(t), "spec.tls[] entries must be mappings"};
      if (yaml::NodeRef hosts = optSeq(t, "hosts", "spec.tls[].hosts"); present(hosts)) {
        for (const auto& h : hosts.items()) {
          auto host = scalar(h, "spec.tls[].hosts[]");
          if (!host.empty()) in.tlsHosts.push_back(host);
        }
      }
    }
  }
  return in;
}

Service readService(const yaml::NodeRef& doc, std::string_view file) {
  Service s;
  s.meta = readMeta(doc, file);
  s.loadBalancer = readLoadBalancer(doc);
  yaml::NodeRef spec = optMap(doc, "spec", "spec");
  if (!present(spec)) return s;
  if (auto type = optScalar(spec, "type", "spec.type"); !type.empty()) s.type = type;
  if (s.type != "ClusterIP" && s.type != "NodePort" && s.type != "LoadBalancer" && s.type != "ExternalName") {
    throw DocError{lineOf(spec["type"]), fmt::format("unknown spec.type '{}'", s.type)};
  }
  s.clusterIP = optScalar(spec, "clusterIP", "spec.clusterIP");
  s.externalName = optScalar(spec, "externalName", "spec.externalName");
  if (yaml::NodeRef ips = optSeq(spec, "externalIPs", "spec.externalIPs"); present(ips)) {
    for (const auto& ip : ips.items()) s.externalIPs.push_back(scalar(ip, "spec.externalIPs[]"));
  }
  return s;
}

void readDocument(const yaml::NodeRef& doc, std::string_view file, ManifestParse& out, int depth) {
  if (!present(doc)) return;  // empty document ("---" at the end)
  try {
    if (!doc.isMapping()) throw DocError{lineOf(doc), "a Kubernetes object must be a mapping"};
    const std::string kind = optScalar(doc, "kind", "kind");
    const std::string api = optScalar(doc, "apiVersion", "apiVersion");
    if (kind.empty()) throw DocError{lineOf(doc), "kind is missing"};
    if (kind == "List" && depth == 0) {
      if (yaml::NodeRef items = optSeq(doc, "items", "items"); present(items)) {
        for (const auto& item : items.items()) readDocument(item, file, out, depth + 1);
      }
      return;
    }
    if (kind == "Ingress") {
      if (api != "networking.k8s.io/v1") {
        throw DocError{lineOf(doc),
                       fmt::format("Ingress apiVersion '{}' is not supported (networking.k8s.io/v1)", api)};
      }
      out.objects.ingresses.push_back(readIngress(doc, file));
    } else if (kind == "Service") {
      if (api != "v1") throw DocError{lineOf(doc), fmt::format("Service apiVersion '{}' is not v1", api)};
      out.objects.services.push_back(readService(doc, file));
    }
  } catch (const DocError& e) {
    out.diagnostics.push_back({std::string(file), e.line, e.message + "; object skipped"});
  }
}

}  // namespace

std::string ManifestDiagnostic::toString() const {
  return line > 0 ? fmt::format("{}:{}: {}", file, line, message) : fmt::format("{}: {}", file, message);
}

ManifestParse parseManifests(std::string_view text, std::string_view file) {
  ManifestParse out;
  const yaml::Stream stream = yaml::load(text);
  if (stream.error) {
    out.syntaxError = true;
    out.diagnostics.push_back({std::string(file), stream.error->line,
                               fmt::format("invalid YAML: {}; file skipped", stream.error->message)});
    return out;
  }
  for (const auto& doc : stream.documents) readDocument(doc.root(), file, out, 0);
  return out;
}

}  // namespace zk::controller
