#include "controller/source/manifest.h"

#include <yaml-cpp/yaml.h>

#include <optional>

#include <fmt/format.h>

namespace zk::controller {
namespace {

// A problem inside one document: the document is skipped.
struct DocError {
  int line;
  std::string message;
};

bool present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

int lineOf(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::string scalar(const YAML::Node& n, std::string_view what) {
  if (!n.IsScalar()) throw DocError{lineOf(n), fmt::format("{} must be a string", what)};
  return n.Scalar();
}

std::string optScalar(const YAML::Node& parent, const char* key, std::string_view what) {
  const YAML::Node n = parent[key];
  if (!n || n.IsNull()) return {};
  return scalar(n, what);
}

YAML::Node optMap(const YAML::Node& parent, const char* key, std::string_view what) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return YAML::Node();
  if (!n.IsMap()) throw DocError{lineOf(n), fmt::format("{} must be a mapping", what)};
  return n;
}

YAML::Node optSeq(const YAML::Node& parent, const char* key, std::string_view what) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) return YAML::Node();
  if (!n.IsSequence()) throw DocError{lineOf(n), fmt::format("{} must be a list", what)};
  return n;
}

StringMap stringMap(const YAML::Node& parent, const char* key, std::string_view what) {
  StringMap out;
  YAML::Node n = optMap(parent, key, what);
  if (!present(n)) return out;
  for (const auto& kv : n) {
    const std::string k = scalar(kv.first, fmt::format("a key of {}", what));
    out.insert_or_assign(k, scalar(kv.second, fmt::format("{}[{}]", what, k)));
  }
  return out;
}

ObjectMeta readMeta(const YAML::Node& doc, std::string_view file) {
  ObjectMeta m;
  m.file = std::string(file);
  m.line = lineOf(doc);
  YAML::Node meta = optMap(doc, "metadata", "metadata");
  if (!present(meta)) throw DocError{lineOf(doc), "metadata is missing"};
  m.name = optScalar(meta, "name", "metadata.name");
  if (m.name.empty()) throw DocError{lineOf(meta), "metadata.name is missing"};
  if (auto ns = optScalar(meta, "namespace", "metadata.namespace"); !ns.empty()) m.ns = ns;
  m.labels = stringMap(meta, "labels", "metadata.labels");
  m.annotations = stringMap(meta, "annotations", "metadata.annotations");
  return m;
}

std::vector<LoadBalancerIngress> readLoadBalancer(const YAML::Node& doc) {
  std::vector<LoadBalancerIngress> out;
  YAML::Node status = optMap(doc, "status", "status");
  if (!present(status)) return out;
  YAML::Node lb = optMap(status, "loadBalancer", "status.loadBalancer");
  if (!present(lb)) return out;
  YAML::Node ing = optSeq(lb, "ingress", "status.loadBalancer.ingress");
  if (!present(ing)) return out;
  for (const auto& e : ing) {
    if (!e.IsMap()) throw DocError{lineOf(e), "status.loadBalancer.ingress[] entries must be mappings"};
    LoadBalancerIngress x;
    x.ip = optScalar(e, "ip", "status.loadBalancer.ingress[].ip");
    x.hostname = optScalar(e, "hostname", "status.loadBalancer.ingress[].hostname");
    if (!x.ip.empty() || !x.hostname.empty()) out.push_back(std::move(x));
  }
  return out;
}

Ingress readIngress(const YAML::Node& doc, std::string_view file) {
  Ingress in;
  in.meta = readMeta(doc, file);
  in.loadBalancer = readLoadBalancer(doc);
  YAML::Node spec = optMap(doc, "spec", "spec");
  if (!present(spec)) return in;
  in.ingressClassName = optScalar(spec, "ingressClassName", "spec.ingressClassName");
  if (YAML::Node rules = optSeq(spec, "rules", "spec.rules"); present(rules)) {
    for (const auto& r : rules) {
      if (!r.IsMap()) throw DocError{lineOf(r), "spec.rules[] entries must be mappings"};
      if (auto host = optScalar(r, "host", "spec.rules[].host"); !host.empty()) in.ruleHosts.push_back(host);
    }
  }
  if (YAML::Node tls = optSeq(spec, "tls", "spec.tls"); present(tls)) {
    for (const auto& t : tls) {
      if (!t.IsMap()) throw DocError{lineOf(t), "spec.tls[] entries must be mappings"};
      if (YAML::Node hosts = optSeq(t, "hosts", "spec.tls[].hosts"); present(hosts)) {
        for (const auto& h : hosts) {
          auto host = scalar(h, "spec.tls[].hosts[]");
          if (!host.empty()) in.tlsHosts.push_back(host);
        }
      }
    }
  }
  return in;
}

Service readService(const YAML::Node& doc, std::string_view file) {
  Service s;
  s.meta = readMeta(doc, file);
  s.loadBalancer = readLoadBalancer(doc);
  YAML::Node spec = optMap(doc, "spec", "spec");
  if (!present(spec)) return s;
  if (auto type = optScalar(spec, "type", "spec.type"); !type.empty()) s.type = type;
  if (s.type != "ClusterIP" && s.type != "NodePort" && s.type != "LoadBalancer" && s.type != "ExternalName") {
    throw DocError{lineOf(spec["type"]), fmt::format("unknown spec.type '{}'", s.type)};
  }
  s.clusterIP = optScalar(spec, "clusterIP", "spec.clusterIP");
  s.externalName = optScalar(spec, "externalName", "spec.externalName");
  if (YAML::Node ips = optSeq(spec, "externalIPs", "spec.externalIPs"); present(ips)) {
    for (const auto& ip : ips) s.externalIPs.push_back(scalar(ip, "spec.externalIPs[]"));
  }
  return s;
}

void readDocument(const YAML::Node& doc, std::string_view file, ManifestParse& out, int depth) {
  if (!present(doc)) return;  // empty document ("---" at the end)
  try {
    if (!doc.IsMap()) throw DocError{lineOf(doc), "a Kubernetes object must be a mapping"};
    const std::string kind = optScalar(doc, "kind", "kind");
    const std::string api = optScalar(doc, "apiVersion", "apiVersion");
    if (kind.empty()) throw DocError{lineOf(doc), "kind is missing"};
    if (kind == "List" && depth == 0) {
      if (YAML::Node items = optSeq(doc, "items", "items"); present(items)) {
        for (const auto& item : items) readDocument(item, file, out, depth + 1);
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
  } catch (const YAML::Exception& e) {
    out.diagnostics.push_back({std::string(file), e.mark.line >= 0 ? e.mark.line + 1 : lineOf(doc),
                               fmt::format("{}; object skipped", e.msg)});
  }
}

// Inputs yaml-cpp 0.7 cannot be trusted with, found before it sees them:
// - flow collections nested deeper than kMaxFlowDepth (it recurses per level);
// - a ',' token in block context (a flow-entry indicator outside any flow
//   collection, e.g. a file that is just ",", "&a,", "--- ," or "[1] ,"): at
//   document level yaml-cpp loops allocating until memory runs out. YAML never
//   allows that token there (',' cannot start a plain scalar, YAML 1.2 7.3.3),
//   so refusing it rejects no valid manifest;
// - control characters other than tab, LF and CR, which YAML never allows in a
//   stream (YAML 1.2 section 5.1, c-printable); a NUL before a ',' also slipped
//   past the ',' rule above into the same loop.
// Returns the 1-based line and message of the first problem.
struct PreScanIssue {
  int line = 0;
  const char* message = nullptr;
};

std::optional<PreScanIssue> preScan(std::string_view text) {
  constexpr int kMaxFlowDepth = 64;
  constexpr const char* kComma =
      "invalid YAML: ',' outside a flow collection (a value cannot start with ','); file skipped";
  constexpr const char* kDeep = "invalid YAML: collections nested too deeply; file skipped";
  constexpr const char* kControl =
      "invalid YAML: control character (YAML allows only tab, LF and CR); file skipped";
  int depth = 0;
  int line = 1;
  char quote = 0;
  bool comment = false;
  // Block context state.
  enum class At : std::uint8_t { Token, Word, Scalar } at = At::Token;
  bool indentDone = false;
  int col = 0;
  int lineIndent = 0;
  int blockScalarIndent = -1;  // skipping literal/folded content more indented than this
  auto spaceOrEnd = [&](std::size_t j) {
    return j >= text.size() || text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r';
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      return PreScanIssue{line, kControl};
    }
    if (c == '\n') {
      ++line;
      comment = false;
      col = 0;
      indentDone = false;
      if (depth == 0 && !quote) at = At::Token;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c == '\\' && quote == '"') {
        ++i;
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;  // '' inside single quotes
        } else {
          quote = 0;
          if (depth == 0) at = At::Token;
        }
      }
      continue;
    }
    if (depth == 0 && !indentDone) {
      if (c == ' ') {
        ++col;
        continue;
      }
      indentDone = true;
      lineIndent = col;
      if (blockScalarIndent >= 0) {
        if (lineIndent > blockScalarIndent && c != '\r') {
          comment = true;  // literal content: skip the line
          continue;
        }
        blockScalarIndent = -1;
      }
    }
    if (depth > 0) {
      if (c == '#' && (text[i - 1] == ' ' || text[i - 1] == '\t')) {
        comment = true;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[' || c == '{') {
        if (++depth > kMaxFlowDepth) return PreScanIssue{line, kDeep};
      } else if (c == ']' || c == '}') {
        if (--depth == 0) at = At::Token;
      }
      continue;
    }
    switch (at) {
      case At::Word:  // anchor, alias or tag name
        if (c == ' ' || c == '\t') {
          at = At::Token;
        } else if (c == ',') {
          return PreScanIssue{line, kComma};
        }
        break;
      case At::Scalar:  // block plain scalar: ends at ": " or a comment
        if (c == ':' && spaceOrEnd(i + 1)) {
          at = At::Token;
        } else if (c == '#' && (text[i - 1] == ' ' || text[i - 1] == '\t')) {
          comment = true;
        }
        break;
      case At::Token:  // also right after a quoted scalar or a flow collection
        if (c == ' ' || c == '\t' || c == '\r') break;
        if (c == ',') return PreScanIssue{line, kComma};
        if (lineIndent == 0 && col == 0 && i + 2 < text.size() && (c == '-' || c == '.') &&
            text[i + 1] == c && text[i + 2] == c && spaceOrEnd(i + 3) && (i == 0 || text[i - 1] == '\n')) {
          i += 2;  // document marker "---" or "...": a token may follow
          break;
        }
        if (c == '#') {
          comment = true;
        } else if (c == '&' || c == '*' || c == '!') {
          at = At::Word;
        } else if ((c == '-' || c == '?' || c == ':') && spaceOrEnd(i + 1)) {
          // block indicator: a token may follow
        } else if (c == '[' || c == '{') {
          depth = 1;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '|' || c == '>') {
          blockScalarIndent = lineIndent;
          comment = true;  // rest of the header line
        } else {
          at = At::Scalar;
        }
        break;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ManifestDiagnostic::toString() const {
  return line > 0 ? fmt::format("{}:{}: {}", file, line, message) : fmt::format("{}: {}", file, message);
}

ManifestParse parseManifests(std::string_view text, std::string_view file) {
  ManifestParse out;
  if (auto issue = preScan(text)) {
    out.syntaxError = true;
    out.diagnostics.push_back({std::string(file), issue->line, issue->message});
    return out;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    out.syntaxError = true;
    out.diagnostics.push_back({std::string(file), e.mark.line >= 0 ? e.mark.line + 1 : 0,
                               fmt::format("invalid YAML: {}; file skipped", e.msg)});
    return out;
  }
  for (const auto& doc : docs) readDocument(doc, file, out, 0);
  return out;
}

}  // namespace zk::controller
