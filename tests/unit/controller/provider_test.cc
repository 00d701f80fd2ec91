#include <gtest/gtest.h>

#include <filesystem>

#include "controller/provider/inmemory.h"
#include "controller/provider/local.h"
#include "controller/provider/rdata_convert.h"
#include "controller/registry/txt.h"
#include "store/sqlite_zone_store.h"
#include "test_util.h"

namespace zk::controller {
namespace {

using testing::aliasEp;
using testing::ep;
using testing::name;
using wire::RRType;

template <class T>
std::vector<Endpoint> all(T& source) {
  auto r = source.records();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<Endpoint>{};
}

const Endpoint* find(const std::vector<Endpoint>& v, std::string_view n, RRType t) {
  for (const auto& e : v) {
    if (e.dnsName == name(n) && e.type == t) return &e;
  }
  return nullptr;
}

TEST(AliasRules, ApexCloudLoadBalancerAndAnnotation) {
  std::vector<wire::Name> zones{name("example.com")};
  auto apex = ep("example.com", RRType::CNAME, {"web.example.net"}, 60);
  auto elb = ep("api.example.com", RRType::CNAME, {"k8s-x-123.us-east-1.elb.amazonaws.com"});
  auto plain = ep("www.example.com", RRType::CNAME, {"web.example.net"});
  auto asked = ep("asked.example.com", RRType::CNAME, {"web.example.net"});
  asked.providerSpecific.alias = true;
  auto refused = ep("no.example.com", RRType::CNAME, {"k8s-x-123.us-east-1.elb.amazonaws.com"});
  refused.providerSpecific.alias = false;
  auto refusedApex = apex;
  refusedApex.providerSpecific.alias = false;
  auto out = applyAliasRules({apex, elb, plain, asked, refused}, zones);
  ASSERT_EQ(out.size(), 8u);
  for (auto n : {"example.com", "api.example.com", "asked.example.com"}) {
    for (auto t : {RRType::A, RRType::AAAA}) {
      const auto* e = find(out, n, t);
      ASSERT_NE(e, nullptr) << n;
      EXPECT_TRUE(e->alias);
      EXPECT_FALSE(e->ttl.has_value());
    }
  }
  EXPECT_NE(find(out, "www.example.com", RRType::CNAME), nullptr);
  EXPECT_NE(find(out, "no.example.com", RRType::CNAME), nullptr);
  auto apexOut = applyAliasRules({refusedApex}, zones);  // a CNAME can never sit at an apex
  ASSERT_EQ(apexOut.size(), 2u);
  EXPECT_TRUE(apexOut[0].alias);
}

TEST(AliasRules, CloudNames) {
  EXPECT_TRUE(
      isCloudAliasTarget(name("k8s-default-backend-5d8f2a1c9e-1234567890.us-east-1.elb.amazonaws.com")));
  EXPECT_TRUE(isCloudAliasTarget(name("d111111abcdef8.CLOUDFRONT.net")));
  EXPECT_TRUE(isCloudAliasTarget(name("nlb-1.elb.eu-west-1.amazonaws.com")));
  EXPECT_FALSE(isCloudAliasTarget(name("elb.amazonaws.com.evil.example")));
  EXPECT_FALSE(isCloudAliasTarget(name("lb.example.net")));
  EXPECT_EQ(canonicalHostedZone(name("a-1.us-east-1.elb.amazonaws.com")), "Z35SXDOTRQ7X7K");
  EXPECT_EQ(canonicalHostedZone(name("a-1.elb.us-east-1.amazonaws.com")), "Z26RNL4JYFTOTI");
  EXPECT_EQ(canonicalHostedZone(name("lb.example.net")), "");
}

TEST(RdataConvert, RoundTrips) {
  for (auto [type, text] : std::vector<std::pair<RRType, std::string>>{
           {RRType::A, "192.0.2.1"}, {RRType::AAAA, "2001:db8::1"}, {RRType::CNAME, "lb.example.net"}}) {
    auto t = *parseTarget(text);
    auto rd = rdataFromTarget(type, t);
    ASSERT_TRUE(rd.ok());
    EXPECT_TRUE(targetEqual(targetFromRdata(type, *rd), t)) << text;
  }
  std::string longText(300, 'x');
  auto rd = rdataFromTarget(RRType::TXT, Text{longText});
  ASSERT_TRUE(rd.ok());
  EXPECT_EQ(rd->size(), 302u);  // two character-strings (RFC 1035 3.3.14)
  EXPECT_EQ(std::get<Text>(targetFromRdata(RRType::TXT, *rd)).value, longText);
  EXPECT_FALSE(rdataFromTarget(RRType::A, *parseTarget("2001:db8::1")).ok());
  // Malformed RDATA does not crash: it becomes presentation text.
  const std::uint8_t bad[] = {5, 'a'};
  EXPECT_TRUE(std::holds_alternative<Text>(targetFromRdata(RRType::TXT, bad)));
  EXPECT_TRUE(std::holds_alternative<Text>(targetFromRdata(RRType::A, bad)));
}

TEST(InMemory, ValidatesBatchesAtomically) {
  InMemoryProvider p;
  ASSERT_TRUE(p.createZone(name("example.com")).ok());
  Changes c;
  c.create.push_back(ep("a.example.com", RRType::A, {"192.0.2.1"}));
  ASSERT_TRUE(p.applyChanges(c).ok());
  EXPECT_EQ(p.applyCount(), 1u);

  Changes dup;  // valid create + duplicate create: nothing applied
  dup.create.push_back(ep("b.example.com", RRType::A, {"192.0.2.2"}));
  dup.create.push_back(ep("a.example.com", RRType::A, {"192.0.2.9"}));
  auto s = p.applyChanges(dup);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("already exists"), std::string::npos);
  EXPECT_EQ(all(p).size(), 1u);

  Changes outside;
  outside.create.push_back(ep("x.example.org", RRType::A, {"192.0.2.2"}));
  EXPECT_FALSE(p.applyChanges(outside).ok());

  Changes missing;
  missing.remove.push_back(ep("zz.example.com", RRType::A, {"192.0.2.2"}));
  EXPECT_FALSE(p.applyChanges(missing).ok());

  Changes mismatch;
  mismatch.remove.push_back(ep("a.example.com", RRType::A, {"192.0.2.2"}));
  EXPECT_FALSE(p.applyChanges(mismatch).ok());

  Changes cname;  // RFC 1034 3.6.2
  cname.create.push_back(ep("a.example.com", RRType::CNAME, {"lb.example.net"}));
  auto cs = p.applyChanges(cname);
  ASSERT_FALSE(cs.ok());
  EXPECT_NE(cs.error().message.find("CNAME beside"), std::string::npos);

  Changes invalid;
  invalid.create.push_back(ep("v6.example.com", RRType::A, {"2001:db8::1"}));
  EXPECT_FALSE(p.applyChanges(invalid).ok());

  Changes upd;
  upd.updateOld.push_back(ep("a.example.com", RRType::A, {"192.0.2.1"}));
  upd.updateNew.push_back(ep("a.example.com", RRType::A, {"192.0.2.7"}, 30));
  ASSERT_TRUE(p.applyChanges(upd).ok());
  auto recs = all(p);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(targetToText(recs[0].targets[0]), "192.0.2.7");
  EXPECT_EQ(recs[0].ttl, 30u);
  EXPECT_EQ(p.applyCount(), 2u);
}

TEST(InMemory, LoadsReferenceZoneFiles) {
  InMemoryProvider p;
  const std::string dir = std::string(ZK_SOURCE_DIR) + "/examples/zones/";
  ASSERT_TRUE(loadZoneFile(p, dir + "wiperinstall.rainx.com.zone", name("wiperinstall.rainx.com")).ok());
  ASSERT_TRUE(loadZoneFile(p, dir + "elb.zone", name("elb")).ok());
  auto zones = *p.zones();
  ASSERT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones[0], name("us-east-1.elb.amazonaws.com"));  // the SOA owner, not the file name
  auto recs = all(p);
  const auto* ns = find(recs, "wiperinstall.rainx.com", RRType::NS);
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->targets.size(), 2u);
  const auto* mx = find(recs, "wiperinstall.rainx.com", RRType::MX);
  ASSERT_NE(mx, nullptr);
  EXPECT_EQ(std::get<Text>(mx->targets[0]).value, "10 mail.wiperinstall.rainx.com.");
  EXPECT_FALSE(loadZoneFile(p, dir + "missing.zone", name("x")).ok());
}

class LocalProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("zk-local-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
    auto path = store::SqliteZoneStore::prepareDataDir(dir_.string());
    ASSERT_TRUE(path.ok());
    store::SqliteStoreOptions o;
    o.path = *path;
    auto s = store::SqliteZoneStore::open(o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    auto z = store_->createZone({name("example.com"), "ref-1", ""});
    ASSERT_TRUE(std::holds_alternative<store::HostedZone>(z));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteZoneStore> store_;
};

TEST_F(LocalProviderTest, WritesThroughTheStoreWithOwnership) {
  LocalProvider p(*store_);
  auto reg = TxtRegistry::make(p, {"zonekeeper", "extdns-%{record_type}.", "", ""});
  ASSERT_TRUE(reg.ok());
  ASSERT_TRUE((*reg)->records().ok());
  Changes c;
  c.create.push_back(ep("api.example.com", RRType::A, {"192.0.2.1", "192.0.2.2"}, {}, {}, "ingress/d/api"));
  c.create.push_back(
      aliasEp("example.com", RRType::A, "k8s-x-1.us-east-1.elb.amazonaws.com", {}, "ingress/d/web"));
  c.create.push_back(
      aliasEp("example.com", RRType::AAAA, "k8s-x-1.us-east-1.elb.amazonaws.com", {}, "ingress/d/web"));
  auto s = (*reg)->applyChanges(c);
  ASSERT_TRUE(s.ok()) << s.error().message;

  auto zones = store_->listZones();
  ASSERT_EQ(zones.index(), 0u);
  auto contents = store_->zoneContents(std::get<0>(zones).at(0).id);
  ASSERT_EQ(contents.index(), 0u);
  bool alias = false, txt = false, a = false;
  for (const auto& rs : std::get<0>(contents).recordSets) {
    if (rs.name == name("example.com") && rs.type == RRType::A) {
      ASSERT_TRUE(rs.alias.has_value());
      EXPECT_EQ(rs.alias->hostedZoneId, "Z35SXDOTRQ7X7K");
      alias = true;
    }
    if (rs.name == name("extdns-a.api.example.com") && rs.type == RRType::TXT) txt = true;
    if (rs.name == name("api.example.com") && rs.type == RRType::A) {
      EXPECT_EQ(rs.ttl, kDefaultTtl);
      EXPECT_EQ(rs.rdata.size(), 2u);
      a = true;
    }
  }
  EXPECT_TRUE(alias && txt && a);

  // Read back through the registry: owned, and a plan against it is empty.
  auto recs = (*reg)->records();
  ASSERT_TRUE(recs.ok());
  const auto* api = find(*recs, "api.example.com", RRType::A);
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->owner(), "zonekeeper");
  const auto* apex = find(*recs, "example.com", RRType::A);
  ASSERT_NE(apex, nullptr);
  EXPECT_TRUE(apex->alias);
  EXPECT_EQ(apex->owner(), "zonekeeper");
  PlanOptions o;
  o.ownerId = "zonekeeper";
  EXPECT_TRUE(calculatePlan(*recs, c.create, o).empty()) << formatPlan(calculatePlan(*recs, c.create, o));

  // Delete through the registry removes the records and their ownership TXT.
  Changes d;
  d.remove.push_back(*api);
  ASSERT_TRUE((*reg)->applyChanges(d).ok());
  auto after = all(p);
  EXPECT_EQ(find(after, "api.example.com", RRType::A), nullptr);
  EXPECT_EQ(find(after, "extdns-a.api.example.com", RRType::TXT), nullptr);
}

TEST_F(LocalProviderTest, StoreRejectionIsReported) {
  LocalProvider p(*store_);
  Changes c;
  c.remove.push_back(ep("nothing.example.com", RRType::A, {"192.0.2.1"}, 300));
  auto s = p.applyChanges(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("nothing.example.com"), std::string::npos) << s.error().message;
  Changes out;
  out.create.push_back(ep("x.example.org", RRType::A, {"192.0.2.1"}));
  EXPECT_FALSE(p.applyChanges(out).ok());
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

TEST(BatchLimits, SplitsByValuesAndCharacters) {
  using testing::ep;
  EXPECT_TRUE(batchEnds({}).empty());
  std::vector<ChangeCost> costs(2500, ChangeCost{1, 10});
  EXPECT_EQ(batchEnds(costs), (std::vector<std::size_t>{1000, 2000, 2500}));
  std::vector<ChangeCost> wide(100, ChangeCost{1, 1000});
  EXPECT_EQ(batchEnds(wide), (std::vector<std::size_t>{32, 64, 96, 100}));
  std::vector<ChangeCost> huge{{5000, 10}, {1, 1}};  // an oversized change goes alone
  EXPECT_EQ(batchEnds(huge), (std::vector<std::size_t>{1, 2}));
  auto a = ep("a.example.com", wire::RRType::A, {"192.0.2.1", "192.0.2.22"});
  EXPECT_EQ(changeCost(a, false).values, 2u);
  EXPECT_EQ(changeCost(a, true).values, 4u);
  EXPECT_EQ(changeCost(a, false).chars, 9u + 2 + 10 + 2);
}

TEST_F(LocalProviderTest, LargeChangesAreSplitIntoBatchesTheStoreAccepts) {
  LocalProvider p(*store_);
  Changes c;
  for (int i = 0; i < 2500; ++i) {
    c.create.push_back(
        testing::ep("h" + std::to_string(i) + ".example.com", wire::RRType::TXT, {std::string(40, 'x')}));
  }
  auto s = p.applyChanges(c);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(all(p).size(), 2500u + 2u);  // + SOA and NS
}

}  // namespace
}  // namespace zk::controller
