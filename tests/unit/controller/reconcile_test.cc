#include "controller/reconcile/reconciler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <thread>

#include "controller/provider/inmemory.h"
#include "controller/registry/txt.h"
#include "test_util.h"

namespace zk::controller {
namespace {

namespace fs = std::filesystem;
using testing::name;
using wire::RRType;

std::string bare(const wire::Name& n) {
  auto s = n.toText();
  s.pop_back();
  return s;
}

// The reference deployment: examples/manifests + examples/zones, TXT registry
// with owner "zonekeeper" and prefix "extdns-%{record_type}.", both zones filtered.
class ReferenceScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path src(ZK_SOURCE_DIR);
    dir_ = fs::temp_directory_path() /
           ("zk-reconcile-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const auto& f : fs::directory_iterator(src / "examples/manifests"))
      fs::copy(f.path(), dir_ / f.path().filename());
    for (const char* z : {"wiperinstall.rainx.com", "wiperinstall.click", "elb"}) {
      ASSERT_TRUE(
          loadZoneFile(provider_, (src / "examples/zones" / (std::string(z) + ".zone")).string(), name(z))
              .ok());
    }
    initial_ = records();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Reconciler> make(Policy policy, std::string prefix = "extdns-%{record_type}.") {
    auto reg = TxtRegistry::make(provider_, {"zonekeeper", prefix, "", ""});
    EXPECT_TRUE(reg.ok());
    registry_ = std::move(*reg);
    source_ = std::make_unique<ManifestDirectory>(dir_.string(), std::chrono::milliseconds(20));
    EXPECT_TRUE(source_->reload().ok());
    ReconcileOptions o;
    o.plan.policy = policy;
    o.plan.domainFilter = *DomainFilter::make({"wiperinstall.rainx.com", "wiperinstall.click"}, {});
    return std::make_unique<Reconciler>(*source_, *registry_, o, [](std::string_view) {});
  }

  std::map<std::string, std::string> records() {
    std::map<std::string, std::string> out;
    auto r = provider_.records();
    EXPECT_TRUE(r.ok());
    for (const auto& e : *r) out[bare(e.dnsName) + " " + wire::typeToText(e.type)] = e.toString();
    return out;
  }

  void expectHandMadeUntouched() {
    auto now = records();
    for (const auto& [k, v] : initial_) {
      ASSERT_TRUE(now.count(k)) << k;
      EXPECT_EQ(now[k], v);
    }
  }

  void writeFile(const std::string& file, const std::string& text) { std::ofstream(dir_ / file) << text; }

  fs::path dir_;
  InMemoryProvider provider_;
  std::unique_ptr<TxtRegistry> registry_;
  std::unique_ptr<ManifestDirectory> source_;
  std::map<std::string, std::string> initial_;
};

TEST_F(ReferenceScenario, UpsertOnlyFirstSyncThenNoOpThenKeepsDeleted) {
  auto r = make(Policy::UpsertOnly);
  auto first = r->runOnce();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->changes.create.size(), 10u) << formatPlan(first->changes);
  auto recs = records();
  for (const char* n :
       {"api.wiperinstall.rainx.com A", "api.wiperinstall.rainx.com AAAA", "tekton.wiperinstall.rainx.com A",
        "tekton-webhook.wiperinstall.rainx.com A", "teleport.wiperinstall.rainx.com A",
        "teleport.wiperinstall.rainx.com AAAA", "argo-cd.teleport.wiperinstall.rainx.com A",
        "argo-cd.teleport.wiperinstall.rainx.com AAAA", "wiperinstall.click A", "wiperinstall.click AAAA",
        "extdns-a.api.wiperinstall.rainx.com TXT", "extdns-a.wiperinstall.click TXT",
        "extdns-aaaa.wiperinstall.click TXT"}) {
    EXPECT_TRUE(recs.count(n)) << n;
  }
  EXPECT_EQ(recs["wiperinstall.click A"],
            "wiperinstall.click A ALIAS [k8s-frontend-web-8c1e4b7f20-987654321.us-east-1.elb.amazonaws.com]");
  EXPECT_EQ(recs["tekton-webhook.wiperinstall.rainx.com A"],
            "tekton-webhook.wiperinstall.rainx.com A ttl=60 [203.0.113.10]");
  EXPECT_EQ(recs["extdns-a.api.wiperinstall.rainx.com TXT"],
            "extdns-a.api.wiperinstall.rainx.com TXT [heritage=external-dns,external-dns/owner=zonekeeper,"
            "external-dns/resource=ingress/default/backend]");
  EXPECT_FALSE(recs.count("shop.example.org A"));
  expectHandMadeUntouched();

  auto second = r->runOnce();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->changes.empty()) << formatPlan(second->changes);

  fs::remove(dir_ / "backend.yaml");
  ASSERT_TRUE(source_->reload().ok());
  auto third = r->runOnce();
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->changes.empty()) << formatPlan(third->changes);
  EXPECT_TRUE(records().count("api.wiperinstall.rainx.com A"));
}

TEST_F(ReferenceScenario, SyncRemovesRecordsOfDeletedObjects) {
  auto r = make(Policy::Sync);
  ASSERT_TRUE(r->runOnce().ok());
  fs::remove(dir_ / "backend.yaml");
  ASSERT_TRUE(source_->reload().ok());
  auto res = r->runOnce();
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(testing::summary(res->changes),
            (std::vector<std::string>{"delete:api.wiperinstall.rainx.com/A",
                                      "delete:api.wiperinstall.rainx.com/AAAA"}));
  auto recs = records();
  EXPECT_FALSE(recs.count("api.wiperinstall.rainx.com A"));
  EXPECT_FALSE(recs.count("extdns-a.api.wiperinstall.rainx.com TXT"));
  expectHandMadeUntouched();
}

TEST_F(ReferenceScenario, SyncRefusesToDeleteEverything) {
  auto r = make(Policy::Sync);
  ASSERT_TRUE(r->runOnce().ok());
  for (const char* f : {"backend.yaml", "frontend.yaml", "infra.yaml"}) fs::remove(dir_ / f);
  ASSERT_TRUE(source_->reload().ok());
  auto res = r->runOnce();
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("refusing a plan that deletes 10 of 10"), std::string::npos)
      << res.error().message;
  EXPECT_TRUE(records().count("api.wiperinstall.rainx.com A"));
  EXPECT_EQ(r->stats().failures, 1u);
}

TEST_F(ReferenceScenario, EventCyclePlansOnlyChangedNamesFullCycleCatchesUp) {
  auto r = make(Policy::Sync);
  ASSERT_TRUE(r->runOnce().ok());
  // Drift outside the edited object: the api A record disappears by hand.
  auto recs = provider_.records();
  ASSERT_TRUE(recs.ok());
  Changes drift;
  for (const auto& e : *recs) {
    if (bare(e.dnsName) == "api.wiperinstall.rainx.com" && e.type == RRType::A) drift.remove.push_back(e);
  }
  ASSERT_EQ(drift.remove.size(), 1u);
  ASSERT_TRUE(provider_.applyChanges(drift).ok());
  // Edit one object's address.
  std::ifstream in(dir_ / "infra.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("ip: 203.0.113.10"), 16, "ip: 203.0.113.11");
  writeFile("infra.yaml", text);
  ASSERT_TRUE(source_->reload().ok());
  auto event = r->runOnce(/*narrow=*/true);
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(testing::summary(event->changes),
            (std::vector<std::string>{"update:tekton.wiperinstall.rainx.com/A"}));
  EXPECT_EQ(records()["tekton.wiperinstall.rainx.com A"], "tekton.wiperinstall.rainx.com A [203.0.113.11]");
  EXPECT_EQ(records().count("api.wiperinstall.rainx.com A"), 0u);
  // An event cycle with nothing changed plans nothing; the next full cycle repairs the drift.
  auto idle = r->runOnce(true);
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->changes.empty()) << formatPlan(idle->changes);
  auto full = r->runOnce();
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(testing::summary(full->changes),
            (std::vector<std::string>{"create:api.wiperinstall.rainx.com/A"}));
}

TEST_F(ReferenceScenario, CreateOnlyNeverUpdates) {
  auto r = make(Policy::CreateOnly);
  ASSERT_TRUE(r->runOnce().ok());
  std::ifstream in(dir_ / "infra.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("ip: 203.0.113.10"), 16, "ip: 203.0.113.11");
  writeFile("infra.yaml", text);
  ASSERT_TRUE(source_->reload().ok());
  auto res = r->runOnce();
  ASSERT_TRUE(res.ok());
  EXPECT_TRUE(res->changes.empty()) << formatPlan(res->changes);
  EXPECT_EQ(records()["tekton.wiperinstall.rainx.com A"], "tekton.wiperinstall.rainx.com A [203.0.113.10]");
  // Under upsert-only the same edit is an update.
  auto u = make(Policy::UpsertOnly);
  auto upd = u->runOnce();
  ASSERT_TRUE(upd.ok());
  EXPECT_EQ(testing::summary(upd->changes),
            (std::vector<std::string>{"update:tekton.wiperinstall.rainx.com/A"}));
}

TEST_F(ReferenceScenario, HandMadeRecordBlocksAndIsNeverTouched) {
  writeFile("status.yaml", R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: status, namespace: default}
spec:
  rules: [{host: status.wiperinstall.rainx.com}]
status: {loadBalancer: {ingress: [{ip: 203.0.113.77}]}}
)");
  auto r = make(Policy::Sync);
  auto res = r->runOnce();
  ASSERT_TRUE(res.ok());
  for (const auto& e : res->changes.create) EXPECT_FALSE(e.dnsName == name("status.wiperinstall.rainx.com"));
  expectHandMadeUntouched();
}

TEST_F(ReferenceScenario, DefaultTxtNamingAtTheApexIsAClearError) {
  auto r = make(Policy::UpsertOnly, "");
  auto res = r->runOnce();
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("a-wiperinstall.click, outside its zone wiperinstall.click"),
            std::string::npos)
      << res.error().message;
  // The other names were still created, with ExternalDNS's default names.
  EXPECT_TRUE(records().count("a-api.wiperinstall.rainx.com TXT"));
  EXPECT_FALSE(records().count("wiperinstall.click A"));
}

TEST_F(ReferenceScenario, FailedSourceListingChangesNothing) {
  auto r = make(Policy::Sync);
  ASSERT_TRUE(r->runOnce().ok());
  const auto before = records();
  fs::remove_all(dir_);
  EXPECT_FALSE(source_->reload().ok());
  auto res = r->runOnce();
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("source listing failed"), std::string::npos);
  EXPECT_EQ(records(), before);
}

TEST_F(ReferenceScenario, BrokenYamlKeepsTheFilesLastGoodObjects) {
  auto r = make(Policy::Sync);
  ASSERT_TRUE(r->runOnce().ok());
  writeFile("backend.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: [\n");
  ASSERT_TRUE(source_->reload().ok());
  auto diags = source_->diagnostics();
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].toString().find("backend.yaml:"), std::string::npos);
  auto res = r->runOnce();
  ASSERT_TRUE(res.ok());
  EXPECT_TRUE(res->changes.empty()) << formatPlan(res->changes);
}

TEST_F(ReferenceScenario, WatchSeesFileChanges) {
  auto r = make(Policy::Sync);
  ASSERT_TRUE(r->runOnce().ok());
  std::mutex mu;
  std::condition_variable cv;
  int events = 0;
  ASSERT_TRUE(source_
                  ->watch([&] {
                    std::lock_guard lock(mu);
                    ++events;
                    cv.notify_all();
                  })
                  .ok());
  writeFile("extra.yaml", R"(apiVersion: v1
kind: Service
metadata:
  name: extra
  annotations: {external-dns.alpha.kubernetes.io/hostname: extra.wiperinstall.rainx.com}
spec: {type: LoadBalancer}
status: {loadBalancer: {ingress: [{ip: 203.0.113.55}]}}
)");
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return events > 0; }));
  }
  auto res = r->runOnce();
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(testing::summary(res->changes),
            (std::vector<std::string>{"create:extra.wiperinstall.rainx.com/A"}));
  source_->stop();
}

TEST_F(ReferenceScenario, RunLoopReactsToEventsAndStops) {
  auto r = make(Policy::Sync);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(source_->watch([&] { r->notify(); }).ok());
  std::thread loop([&] { r->run(std::chrono::hours(1), std::chrono::milliseconds(0), stop); });
  auto waitFor = [&](const std::string& key) {
    for (int i = 0; i < 500; ++i) {
      if (records().count(key)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  EXPECT_TRUE(waitFor("api.wiperinstall.rainx.com A"));
  writeFile("late.yaml", R"(apiVersion: v1
kind: Service
metadata:
  name: late
  annotations: {external-dns.alpha.kubernetes.io/hostname: late.wiperinstall.rainx.com}
spec: {type: LoadBalancer}
status: {loadBalancer: {ingress: [{ip: 203.0.113.56}]}}
)");
  EXPECT_TRUE(waitFor("late.wiperinstall.rainx.com A"));  // long before the 1 h interval
  stop = true;
  r->wake();
  loop.join();
  source_->stop();
  EXPECT_GE(r->stats().cycles, 2u);
}

}  // namespace
}  // namespace zk::controller

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "controller/reconcile/status_server.h"

namespace zk::controller {
namespace {

std::string httpGet(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "connect failed";
  }
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

TEST(Metrics, RenderAndHealth) {
  ReconcileStats s;
  s.cycles = 5;
  s.failures = 2;
  s.created = 10;
  s.deleted = 1;
  s.lastSuccessUnix = 1000;
  s.ownedByType = {{"A", 7}, {"AAAA", 3}};
  s.skippedOwnerMismatch = 1;
  const auto text = renderMetrics(s);
  EXPECT_NE(text.find("zonekeeper_sync_total{result=\"success\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("zonekeeper_sync_total{result=\"failure\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("zonekeeper_changes_applied_total{action=\"create\"} 10\n"), std::string::npos);
  EXPECT_NE(text.find("zonekeeper_owned_records{type=\"AAAA\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("zonekeeper_skipped_owner_mismatch 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE zonekeeper_sync_last_success_timestamp_seconds gauge\n"), std::string::npos);
  EXPECT_TRUE(healthy(s, 5000, 300));
  s.failingSinceUnix = 4800;
  EXPECT_TRUE(healthy(s, 5000, 300));
  EXPECT_FALSE(healthy(s, 5101, 300));
}

TEST_F(ReferenceScenario, StatsTrackCyclesOwnersAndFailures) {
  std::int64_t now = 100;
  auto reg = TxtRegistry::make(provider_, {"zonekeeper", "extdns-%{record_type}.", "", ""});
  ASSERT_TRUE(reg.ok());
  ManifestDirectory src(dir_.string());
  ASSERT_TRUE(src.reload().ok());
  ReconcileOptions o;
  o.plan.policy = Policy::Sync;
  o.plan.domainFilter = *DomainFilter::make({"wiperinstall.rainx.com", "wiperinstall.click"}, {});
  Reconciler r(
      src, **reg, o, [](std::string_view) {}, [&] { return now; });
  ASSERT_TRUE(r.runOnce().ok());
  auto s = r.stats();
  EXPECT_EQ(s.created, 10u);
  EXPECT_EQ(s.ownedByType.at("A"), 6u);  // counted after the changes
  EXPECT_EQ(s.lastSuccessUnix, 100);
  ASSERT_TRUE(r.runOnce().ok());
  s = r.stats();
  EXPECT_EQ(s.ownedByType.at("A"), 6u);
  EXPECT_EQ(s.ownedByType.at("AAAA"), 4u);
  EXPECT_EQ(s.sourceEndpoints, 11u);  // shop.example.org too (filtered later, in the plan)
  EXPECT_EQ(s.skippedOwnerMismatch, 0u);
  now = 200;
  fs::remove_all(dir_);
  ASSERT_FALSE(src.reload().ok());
  EXPECT_FALSE(r.runOnce().ok());
  now = 300;
  EXPECT_FALSE(r.runOnce().ok());
  s = r.stats();
  EXPECT_EQ(s.failures, 2u);
  EXPECT_EQ(s.failingSinceUnix, 200);
  EXPECT_FALSE(healthy(s, 600, 300));
  EXPECT_NE(s.lastError.find("source listing failed"), std::string::npos);
}

TEST(StatusServerTest, ServesHandlerAndRejectsOthers) {
  StatusServer server;
  ASSERT_TRUE(server
                  .start("127.0.0.1:0",
                         [](std::string_view path) -> StatusReply {
                           if (path == "/healthz") return {200, "text/plain", "ok\n"};
                           return {404, "text/plain", "no\n"};
                         })
                  .ok());
  ASSERT_NE(server.port(), 0);
  auto ok = httpGet(server.port(), "GET /healthz?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("\r\n\r\nok\n"), std::string::npos);
  EXPECT_EQ(httpGet(server.port(), "GET /nope HTTP/1.0\r\n\r\n").rfind("HTTP/1.0 404", 0), 0u);
  EXPECT_EQ(httpGet(server.port(), "POST /healthz HTTP/1.0\r\n\r\n").rfind("HTTP/1.0 405", 0), 0u);
  EXPECT_EQ(httpGet(server.port(), "garbage\r\n\r\n").rfind("HTTP/1.0 400", 0), 0u);
  server.stop();
  StatusServer bad;
  EXPECT_FALSE(bad.start("nonsense", {}).ok());
  EXPECT_FALSE(bad.start("example.com:80", {}).ok());
  EXPECT_FALSE(bad.start("127.0.0.1:99999", {}).ok());
}

}  // namespace
}  // namespace zk::controller
