#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "controller/source/endpoints.h"
#include "controller/source/manifest.h"
#include "controller/source/selector.h"
#include "test_util.h"

namespace zk::controller {
namespace {

using testing::name;
using wire::RRType;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines(const std::vector<Endpoint>& eps) {
  std::vector<std::string> out;
  for (const auto& e : eps) out.push_back(e.toString());
  return out;
}

std::vector<Endpoint> fromYaml(const std::string& yaml, SourceOptions o = {}) {
  auto parsed = parseManifests(yaml, "test.yaml");
  EXPECT_TRUE(parsed.diagnostics.empty())
      << (parsed.diagnostics.empty() ? "" : parsed.diagnostics[0].toString());
  Warnings w;
  return desiredEndpoints(parsed.objects, o, w);
}

TEST(Manifest, ReadsReferenceManifests) {
  const std::string dir = std::string(ZK_SOURCE_DIR) + "/examples/manifests/";
  auto infra = parseManifests(readFile(dir + "infra.yaml"), "infra.yaml");
  EXPECT_TRUE(infra.diagnostics.empty());
  ASSERT_EQ(infra.objects.ingresses.size(), 2u);
  ASSERT_EQ(infra.objects.services.size(), 1u);
  const auto& svc = infra.objects.services[0];
  EXPECT_EQ(svc.type, "LoadBalancer");
  EXPECT_EQ(svc.meta.ns, "teleport");
  ASSERT_EQ(svc.loadBalancer.size(), 2u);
  EXPECT_EQ(svc.loadBalancer[1].ip, "2001:db8::20");
  const auto& hook = infra.objects.ingresses[1];
  EXPECT_EQ(hook.meta.name, "tekton-webhook");
  EXPECT_EQ(hook.ingressClassName, "nginx");
  EXPECT_EQ(hook.meta.annotations.at("external-dns.alpha.kubernetes.io/ttl"), "60");
  EXPECT_GT(hook.meta.line, 20);  // second document
}

TEST(Manifest, ReferenceEndpoints) {
  const std::string dir = std::string(ZK_SOURCE_DIR) + "/examples/manifests/";
  Objects all;
  for (const char* f : {"backend.yaml", "frontend.yaml", "infra.yaml"}) {
    auto p = parseManifests(readFile(dir + f), f);
    EXPECT_TRUE(p.diagnostics.empty());
    for (auto& i : p.objects.ingresses) all.ingresses.push_back(i);
    for (auto& s : p.objects.services) all.services.push_back(s);
  }
  Warnings w;
  auto eps = desiredEndpoints(all, {}, w);
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(
      lines(eps),
      (std::vector<std::string>{
          "wiperinstall.click CNAME [k8s-frontend-web-8c1e4b7f20-987654321.us-east-1.elb.amazonaws.com] "
          "resource=ingress/frontend/frontend",
          "api.wiperinstall.rainx.com CNAME [k8s-default-backend-5d8f2a1c9e-1234567890.us-east-1.elb."
          "amazonaws.com] resource=ingress/default/backend",
          "tekton.wiperinstall.rainx.com A [203.0.113.10] resource=ingress/tekton-pipelines/tekton-dashboard",
          "tekton-webhook.wiperinstall.rainx.com A ttl=60 [203.0.113.10] "
          "resource=ingress/tekton-pipelines/tekton-webhook",
          "teleport.wiperinstall.rainx.com A [203.0.113.20] resource=service/teleport/teleport",
          "teleport.wiperinstall.rainx.com AAAA [2001:db8::20] resource=service/teleport/teleport",
          "argo-cd.teleport.wiperinstall.rainx.com A [203.0.113.20] resource=service/teleport/teleport",
          "argo-cd.teleport.wiperinstall.rainx.com AAAA [2001:db8::20] resource=service/teleport/teleport",
          "shop.example.org A [203.0.113.99] resource=ingress/default/outside-filters",
      }));
}

TEST(Manifest, BadDocumentIsSkippedWithFileAndLineOthersKept) {
  const std::string yaml = R"(apiVersion: v1
kind: Service
metadata:
  name: good
  annotations:
    external-dns.alpha.kubernetes.io/hostname: good.example.com
spec:
  type: LoadBalancer
status:
  loadBalancer:
    ingress:
      - ip: 192.0.2.1
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bad
spec:
  rules:
    - host: [not, a, string]
)";
  auto p = parseManifests(yaml, "m.yaml");
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_EQ(p.diagnostics[0].toString(), "m.yaml:20: spec.rules[].host must be a string; object skipped");
  EXPECT_EQ(p.objects.services.size(), 1u);
  EXPECT_TRUE(p.objects.ingresses.empty());
  EXPECT_FALSE(p.syntaxError);
}

TEST(Manifest, InvalidYamlIsAFileError) {
  auto p = parseManifests("kind: Service\nmetadata: {name: x\n  bad: [\n", "broken.yaml");
  EXPECT_TRUE(p.syntaxError);
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_EQ(p.diagnostics[0].toString().rfind("broken.yaml:", 0), 0u) << p.diagnostics[0].toString();
  EXPECT_NE(p.diagnostics[0].message.find("invalid YAML"), std::string::npos);
}

TEST(Manifest, ObjectErrors) {
  struct Case {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"kind: Service\napiVersion: v1\n", "m.yaml:1: metadata is missing; object skipped"},
      {"kind: Service\napiVersion: v1\nmetadata:\n  namespace: x\n",
       "m.yaml:4: metadata.name is missing; object skipped"},
      {"- a\n- b\n", "m.yaml:1: a Kubernetes object must be a mapping; object skipped"},
      {"apiVersion: v1\nmetadata: {name: x}\n", "m.yaml:1: kind is missing; object skipped"},
      {"kind: Ingress\napiVersion: extensions/v1beta1\nmetadata: {name: x}\n",
       "m.yaml:1: Ingress apiVersion 'extensions/v1beta1' is not supported (networking.k8s.io/v1); object "
       "skipped"},
      {"kind: Service\napiVersion: v1\nmetadata: {name: x}\nspec: {type: Weird}\n",
       "m.yaml:4: unknown spec.type 'Weird'; object skipped"},
      {"kind: Service\napiVersion: v1\nmetadata:\n  name: x\n  annotations:\n    a: {b: c}\n",
       "m.yaml:6: metadata.annotations[a] must be a string; object skipped"},
  };
  for (const auto& c : cases) {
    auto p = parseManifests(c.yaml, "m.yaml");
    ASSERT_EQ(p.diagnostics.size(), 1u) << c.yaml;
    EXPECT_EQ(p.diagnostics[0].toString(), c.message);
    EXPECT_TRUE(p.objects.services.empty() && p.objects.ingresses.empty());
  }
}

TEST(Manifest, OtherKindsIgnoredListsUnpacked) {
  auto p = parseManifests(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: s, namespace: n}
)",
                          "m.yaml");
  EXPECT_TRUE(p.diagnostics.empty());
  ASSERT_EQ(p.objects.services.size(), 1u);
  EXPECT_EQ(p.objects.services[0].meta.ns, "n");
}

const char* kIngress = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  labels: {team: a, tier: web}
  annotations:
    external-dns.kubernetes.io/hostname: extra.example.com, more.example.com.
    external-dns.alpha.kubernetes.io/ttl: 5m
    kubernetes.io/ingress.class: nginx
spec:
  rules:
    - host: www.example.com
    - host: www.example.com
    - http: {}
  tls:
    - hosts: [tls.example.com, www.example.com]
status:
  loadBalancer:
    ingress:
      - ip: 192.0.2.10
      - ip: 2001:db8::10
      - hostname: lb.example.net
)";

TEST(IngressSource, HostsFromRulesTlsAndAnnotation) {
  auto eps = fromYaml(kIngress);
  std::vector<std::string> names;
  for (const auto& e : eps) names.push_back(e.dnsName.toText() + wire::typeToText(e.type));
  EXPECT_EQ(names, (std::vector<std::string>{
                       "extra.example.com.A", "extra.example.com.CNAME", "extra.example.com.AAAA",
                       "more.example.com.A", "more.example.com.CNAME", "more.example.com.AAAA",
                       "tls.example.com.A", "tls.example.com.CNAME", "tls.example.com.AAAA",
                       "www.example.com.A", "www.example.com.CNAME", "www.example.com.AAAA"}));
  EXPECT_EQ(eps[0].ttl, 300u);
  EXPECT_EQ(eps[0].resource(), "ingress/shop/web");
}

TEST(IngressSource, HostnameSourceAnnotation) {
  std::string y = kIngress;
  y.insert(y.find("    kubernetes.io/ingress.class"),
           "    external-dns.alpha.kubernetes.io/ingress-hostname-source: annotation-only\n");
  for (const auto& e : fromYaml(y)) {
    EXPECT_TRUE(e.dnsName == name("extra.example.com") || e.dnsName == name("more.example.com"))
        << e.toString();
  }
  std::string d = kIngress;
  d.insert(d.find("    kubernetes.io/ingress.class"),
           "    external-dns.alpha.kubernetes.io/ingress-hostname-source: defined-hosts-only\n");
  for (const auto& e : fromYaml(d)) {
    EXPECT_TRUE(e.dnsName == name("www.example.com") || e.dnsName == name("tls.example.com")) << e.toString();
  }
}

TEST(IngressSource, TargetAnnotationOverridesStatus) {
  std::string y = kIngress;
  y.insert(y.find("    kubernetes.io/ingress.class"),
           "    external-dns.alpha.kubernetes.io/target: 198.51.100.1\n");
  auto eps = fromYaml(y);
  ASSERT_EQ(eps.size(), 4u);
  for (const auto& e : eps) EXPECT_EQ(targetToText(e.targets.at(0)), "198.51.100.1");
}

TEST(IngressSource, Filters) {
  SourceOptions o;
  o.ingressClasses = {"alb"};
  EXPECT_TRUE(fromYaml(kIngress, o).empty());
  o.ingressClasses = {"nginx"};  // from the kubernetes.io/ingress.class annotation
  EXPECT_FALSE(fromYaml(kIngress, o).empty());
  SourceOptions ns;
  ns.namespaceFilter = "other";
  EXPECT_TRUE(fromYaml(kIngress, ns).empty());
  ns.namespaceFilter = "shop";
  EXPECT_FALSE(fromYaml(kIngress, ns).empty());
  SourceOptions lf;
  lf.labelFilter = *Selector::parse("team=b");
  EXPECT_TRUE(fromYaml(kIngress, lf).empty());
  lf.labelFilter = *Selector::parse("team in (a,b),tier");
  EXPECT_FALSE(fromYaml(kIngress, lf).empty());
  SourceOptions af;
  af.annotationFilter = *Selector::parse("kubernetes.io/ingress.class=nginx");
  EXPECT_FALSE(fromYaml(kIngress, af).empty());
  af.annotationFilter = *Selector::parse("kubernetes.io/ingress.class!=nginx");
  EXPECT_TRUE(fromYaml(kIngress, af).empty());
  SourceOptions svcOnly;
  svcOnly.kinds = {SourceKind::Service};
  EXPECT_TRUE(fromYaml(kIngress, svcOnly).empty());
}

TEST(IngressSource, ControllerAnnotationAndWarnings) {
  std::string y = kIngress;
  y.insert(y.find("    kubernetes.io/ingress.class"),
           "    external-dns.alpha.kubernetes.io/controller: other\n");
  auto p = parseManifests(y, "w.yaml");
  Warnings w;
  EXPECT_TRUE(desiredEndpoints(p.objects, {}, w).empty());
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("w.yaml:1: ingress/shop/web"), std::string::npos) << w[0];
}

TEST(IngressSource, BadAnnotationValuesWarnAndAreIgnored) {
  std::string y = kIngress;
  y.replace(y.find("ttl: 5m"), 7, "ttl: soon");
  y.insert(y.find("    kubernetes.io/ingress.class"), "    external-dns.alpha.kubernetes.io/alias: maybe\n");
  auto p = parseManifests(y, "w.yaml");
  Warnings w;
  auto eps = desiredEndpoints(p.objects, {}, w);
  EXPECT_EQ(w.size(), 2u);
  ASSERT_FALSE(eps.empty());
  EXPECT_FALSE(eps[0].ttl.has_value());
}

TEST(IngressSource, AliasAnnotationSetsProviderSpecific) {
  std::string y = kIngress;
  y.insert(y.find("    kubernetes.io/ingress.class"),
           "    external-dns.alpha.kubernetes.io/alias: \"true\"\n");
  for (const auto& e : fromYaml(y)) EXPECT_EQ(e.providerSpecific.alias, true);
}

TEST(ServiceSource, Types) {
  auto eps = fromYaml(R"(apiVersion: v1
kind: Service
metadata:
  name: ext
  annotations: {external-dns.alpha.kubernetes.io/hostname: ext.example.com}
spec: {type: ExternalName, externalName: target.example.net}
---
apiVersion: v1
kind: Service
metadata:
  name: internal
  annotations: {external-dns.kubernetes.io/internal-hostname: int.example.com}
spec: {type: ClusterIP, clusterIP: 10.0.0.7}
---
apiVersion: v1
kind: Service
metadata:
  name: plain
  annotations: {external-dns.kubernetes.io/hostname: plain.example.com}
spec: {type: ClusterIP, clusterIP: 10.0.0.8}
---
apiVersion: v1
kind: Service
metadata:
  name: np
  annotations: {external-dns.kubernetes.io/hostname: np.example.com}
spec: {type: NodePort, externalIPs: [198.51.100.7]}
---
apiVersion: v1
kind: Service
metadata:
  name: lbext
  annotations: {external-dns.kubernetes.io/hostname: lbext.example.com}
spec: {type: LoadBalancer, externalIPs: [198.51.100.8]}
status: {loadBalancer: {ingress: [{ip: 192.0.2.99}]}}
)");
  EXPECT_EQ(lines(eps), (std::vector<std::string>{
                            "ext.example.com CNAME [target.example.net] resource=service/default/ext",
                            "int.example.com A [10.0.0.7] resource=service/default/internal",
                            "lbext.example.com A [198.51.100.8] resource=service/default/lbext",
                            "np.example.com A [198.51.100.7] resource=service/default/np",
                        }));
  SourceOptions o;
  o.publishInternalServices = true;
  auto withInternal = fromYaml(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: plain\n  annotations: "
      "{external-dns.kubernetes.io/hostname: plain.example.com}\nspec: {clusterIP: 10.0.0.8}\n",
      o);
  ASSERT_EQ(withInternal.size(), 1u);
  EXPECT_EQ(targetToText(withInternal[0].targets[0]), "10.0.0.8");
}

TEST(ServiceSource, HeadlessWarns) {
  auto p = parseManifests(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: h\n  annotations: "
      "{external-dns.kubernetes.io/hostname: h.example.com}\nspec: {clusterIP: None}\n",
      "h.yaml");
  Warnings w;
  EXPECT_TRUE(desiredEndpoints(p.objects, {}, w).empty());
  ASSERT_EQ(w.size(), 1u) << w[0] << "\n" << w.back();
  EXPECT_NE(w[0].find("headless"), std::string::npos);
}

TEST(Ttl, Annotation) {
  EXPECT_EQ(*parseTtlAnnotation("60"), 60u);
  EXPECT_EQ(*parseTtlAnnotation("60s"), 60u);
  EXPECT_EQ(*parseTtlAnnotation("5m"), 300u);
  EXPECT_EQ(*parseTtlAnnotation("1h30m"), 5400u);
  EXPECT_FALSE(parseTtlAnnotation("").ok());
  EXPECT_FALSE(parseTtlAnnotation("0").ok());
  EXPECT_FALSE(parseTtlAnnotation("-5").ok());
  EXPECT_FALSE(parseTtlAnnotation("1d").ok());
  EXPECT_FALSE(parseTtlAnnotation("1m30").ok());
  EXPECT_FALSE(parseTtlAnnotation("99999999999").ok());
  EXPECT_FALSE(parseTtlAnnotation("2147483648").ok());
}

TEST(SelectorTest, Syntax) {
  StringMap m{{"app", "web"}, {"tier", "front"}};
  auto yes = [&](const char* s) {
    auto sel = Selector::parse(s);
    EXPECT_TRUE(sel.ok()) << s;
    return sel.ok() && sel->matches(m);
  };
  EXPECT_TRUE(yes(""));
  EXPECT_TRUE(yes("app=web"));
  EXPECT_TRUE(yes("app==web"));
  EXPECT_FALSE(yes("app!=web"));
  EXPECT_TRUE(yes("missing!=x"));
  EXPECT_TRUE(yes("app in (api, web)"));
  EXPECT_FALSE(yes("app notin (api,web)"));
  EXPECT_TRUE(yes("tier, !missing"));
  EXPECT_FALSE(yes("!tier"));
  EXPECT_FALSE(yes("app=web,tier=back"));
  for (const char* bad :
       {"app in (a", "app in a)", "app=(x", "app in ()", ",", "app=web,", "a b", "app=w b", "app foo (x)"}) {
    EXPECT_FALSE(Selector::parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

TEST(Manifest, DeepNestingIsRefusedNotACrash) {
  std::string deep = "kind: Service\nmetadata: " + std::string(100000, '[') + "\n";
  auto p = parseManifests(deep, "deep.yaml");
  EXPECT_TRUE(p.syntaxError);
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_EQ(p.diagnostics[0].toString(),
            "deep.yaml:2: invalid YAML: collections nested too deeply; file skipped");
  // Brackets inside quoted strings or comments do not count.
  std::string fine = "apiVersion: v1\nkind: Service  # " + std::string(100, '[') + "\nmetadata: {name: \"" +
                     std::string(100, '{') + "\"}\n";
  auto q = parseManifests(fine, "ok.yaml");
  EXPECT_FALSE(q.syntaxError) << (q.diagnostics.empty() ? "" : q.diagnostics[0].toString());
  ASSERT_EQ(q.objects.services.size(), 1u);
  EXPECT_EQ(q.objects.services[0].meta.name, std::string(100, '{'));
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

// yaml-cpp 0.7, the YAML parser before libyaml, looped allocating memory on a
// ',' token at document level (fuzz_manifest, input "&a,V"): still refused.
TEST(Manifest, RegressionBlockCommaIsRefused) {
  for (const char* bad : {"&a,V", ",", "&a ,", "!t,", "[1] ,", "\"x\" ,", "- a\n,", "---\n,", "--- ,",
                          "a: b\n---\n&x ,", "%YAML 1.2\n---\n,", "a: b\n...\n,", "# c\n,", "{a: 1},", "a: ,",
                          "a: 'it''s' ,", "\"\" \"s\",", "\"a\"\"b\" ,"}) {
    auto p = parseManifests(bad, "c.yaml");
    EXPECT_TRUE(p.syntaxError) << bad;
    ASSERT_EQ(p.diagnostics.size(), 1u) << bad;
    EXPECT_NE(p.diagnostics[0].message.find("invalid YAML"), std::string::npos) << bad;
  }
  // Commas that YAML allows are untouched.
  const char* good = R"(apiVersion: v1
kind: Service
metadata:
  name: "a,b"
  annotations:
    external-dns.alpha.kubernetes.io/hostname: a.example.com, b.example.com ,c.example.com
    block: |
      ,starts with a comma
    quoted: 'it''s, fine'
spec: {type: ClusterIP, ports: [x, "y,z", {k: v}]}  # trailing, comment
)";
  auto q = parseManifests(good, "g.yaml");
  EXPECT_FALSE(q.syntaxError) << (q.diagnostics.empty() ? "" : q.diagnostics[0].toString());
  ASSERT_EQ(q.objects.services.size(), 1u);
  EXPECT_EQ(q.objects.services[0].meta.name, "a,b");
  EXPECT_EQ(q.objects.services[0].meta.annotations.at("block"), ",starts with a comma\n");
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

// Regression (fuzz_manifest timeout with yaml-cpp, input "\0,aV,\0a\0\t").
// YAML allows no control characters but tab, LF and CR (YAML 1.2 section 5.1).
TEST(Manifest, RegressionControlCharactersAreRefused) {
  const std::string inputs[] = {std::string("\0,aV,\0a\0\t", 10), std::string("a: b\x01\n"),
                                std::string("\x7f: x\n"), std::string("a: \"\0\"\n", 7)};
  for (const auto& bad : inputs) {
    auto p = parseManifests(bad, "n.yaml");
    EXPECT_TRUE(p.syntaxError);
    ASSERT_EQ(p.diagnostics.size(), 1u);
    EXPECT_NE(p.diagnostics[0].message.find("control character"), std::string::npos);
    EXPECT_EQ(p.diagnostics[0].line, 1);
  }
  auto ok = parseManifests("a: b\t\r\nc: d\n", "t.yaml");
  EXPECT_FALSE(ok.syntaxError);
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

// Regression (fuzz_manifest timeout in CI: yaml-cpp 0.7 looped on a quoted
// scalar left open across block lines); kept as tests/fuzz/corpus seed too.
TEST(Manifest, RegressionUnterminatedQuoteIsAnError) {
  const std::string bad = "\"\"!=\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"80\nstatus:\n    i\n      - \",";
  auto p = parseManifests(bad, "q.yaml");
  EXPECT_TRUE(p.syntaxError);
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_NE(p.diagnostics[0].message.find("invalid YAML"), std::string::npos);
  EXPECT_GT(p.diagnostics[0].line, 0);
}

TEST(Manifest, NullsAliasesAndQuotedNull) {
  auto p = parseManifests(R"(apiVersion: v1
kind: Service
metadata:
  name: s
  namespace: ~
  labels: &l {team: a}
  annotations:
    external-dns.alpha.kubernetes.io/hostname: "null"
spec:
  type: ClusterIP
  clusterIP: null
---
apiVersion: v1
kind: Service
metadata: {name: t, labels: {team: b}}
)",
                          "a.yaml");
  ASSERT_TRUE(p.diagnostics.empty()) << p.diagnostics[0].toString();
  ASSERT_EQ(p.objects.services.size(), 2u);
  const auto& s = p.objects.services[0];
  EXPECT_EQ(s.meta.ns, "default");  // '~' is null: the namespace is not given
  EXPECT_EQ(s.meta.annotations.at("external-dns.alpha.kubernetes.io/hostname"), "null");
  EXPECT_EQ(s.meta.labels.at("team"), "a");
  EXPECT_EQ(s.clusterIP, "");

  // An alias refers to its anchor's node: labels shared by two objects in a List.
  auto q = parseManifests(R"(apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Service, metadata: {name: a, labels: &shared {team: x}}}
  - {apiVersion: v1, kind: Service, metadata: {name: b, labels: *shared}}
)",
                          "l.yaml");
  ASSERT_TRUE(q.diagnostics.empty()) << q.diagnostics[0].toString();
  ASSERT_EQ(q.objects.services.size(), 2u);
  EXPECT_EQ(q.objects.services[1].meta.labels.at("team"), "x");
}

TEST(Manifest, AliasErrorsAndExpansionBombs) {
  // An unknown alias, and an alias to the collection it is inside (a cycle).
  for (const char* bad : {"a: *nope\n", "a: &x [1, *x]\n"}) {
    auto p = parseManifests(bad, "x.yaml");
    EXPECT_TRUE(p.syntaxError) << bad;
    ASSERT_EQ(p.diagnostics.size(), 1u);
    EXPECT_NE(p.diagnostics[0].message.find("unknown alias"), std::string::npos)
        << p.diagnostics[0].toString();
  }
  // "Billion laughs": each level refers to the previous one ten times. Aliases
  // are not copied, so this parses in linear time and memory.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 30; ++i) {
    bomb += fmt::format("a{}: &a{} [", i, i);
    for (int j = 0; j < 10; ++j) bomb += fmt::format("{}*a{}", j ? ", " : "", i - 1);
    bomb += "]\n";
  }
  auto p = parseManifests(bomb + "kind: ConfigMap\n", "bomb.yaml");
  EXPECT_FALSE(p.syntaxError) << p.diagnostics[0].toString();
}

TEST(Manifest, DuplicateKeysAreAnError) {
  auto p = parseManifests("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n", "d.yaml");
  EXPECT_TRUE(p.syntaxError);
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_EQ(p.diagnostics[0].toString(),
            "d.yaml:5: invalid YAML: duplicate key 'name' (first at line 4); file skipped");
  EXPECT_TRUE(p.objects.services.empty());
}

}  // namespace
}  // namespace zk::controller
