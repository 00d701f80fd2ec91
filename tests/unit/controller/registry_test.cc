#include "controller/registry/txt.h"

#include <gtest/gtest.h>

#include "controller/endpoint/labels.h"
#include "controller/provider/inmemory.h"
#include "test_util.h"

namespace zk::controller {
namespace {

using testing::aliasEp;
using testing::ep;
using testing::name;
using testing::summary;
using wire::RRType;

std::string bare(const wire::Name& n) {
  auto s = n.toText();
  s.pop_back();
  return s;
}

// Copies the records out (a range-for over *temporary would dangle).
template <class T>
std::vector<Endpoint> all(T& source) {
  auto r = source.records();
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : std::vector<Endpoint>{};
}

std::unique_ptr<TxtRegistry> registry(Provider& p, std::string prefix = {}, std::string suffix = {},
                                      std::string owner = "zonekeeper") {
  auto r = TxtRegistry::make(p, {owner, prefix, suffix, {}});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(*r) : nullptr;
}

TEST(TxtRegistryNames, DefaultTypedAndOld) {
  InMemoryProvider p;
  auto r = registry(p);
  EXPECT_EQ(bare(*r->txtName(name("api.example.com"), RRType::A)), "a-api.example.com");
  EXPECT_EQ(bare(*r->txtName(name("API.example.com"), RRType::CNAME)), "cname-api.example.com");
  EXPECT_EQ(bare(*r->txtName(name("api.example.com"), RRType::AAAA)), "aaaa-api.example.com");
  EXPECT_EQ(bare(*r->oldTxtName(name("api.example.com"))), "api.example.com");
}

TEST(TxtRegistryNames, PrefixAndSuffix) {
  InMemoryProvider p;
  auto pre = registry(p, "txt.");
  EXPECT_EQ(bare(*pre->txtName(name("api.example.com"), RRType::A)), "txt.a-api.example.com");
  EXPECT_EQ(bare(*pre->oldTxtName(name("api.example.com"))), "txt.api.example.com");
  auto suf = registry(p, {}, "-owner");
  EXPECT_EQ(bare(*suf->txtName(name("api.example.com"), RRType::A)), "a-api-owner.example.com");
  EXPECT_EQ(bare(*suf->oldTxtName(name("api.example.com"))), "api-owner.example.com");
}

TEST(TxtRegistryNames, RecordTypeTemplate) {
  InMemoryProvider p;
  auto r = registry(p, "extdns-%{record_type}.");
  EXPECT_EQ(bare(*r->txtName(name("api.wiperinstall.rainx.com"), RRType::A)),
            "extdns-a.api.wiperinstall.rainx.com");
  EXPECT_EQ(bare(*r->txtName(name("wiperinstall.click"), RRType::AAAA)), "extdns-aaaa.wiperinstall.click");
  auto s = registry(p, {}, "-%{record_type}");
  EXPECT_EQ(bare(*s->txtName(name("api.example.com"), RRType::CNAME)), "api-cname.example.com");
}

TEST(TxtRegistryNames, ApexOutsideZoneIsAClearError) {
  InMemoryProvider p;
  auto r = registry(p);
  std::vector<wire::Name> zones{name("wiperinstall.click")};
  auto bad = r->checkedTxtName(name("wiperinstall.click"), RRType::A, zones);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("a-wiperinstall.click"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("--txt-prefix"), std::string::npos);
  auto fixed = registry(p, "extdns-%{record_type}.");
  EXPECT_TRUE(fixed->checkedTxtName(name("wiperinstall.click"), RRType::A, zones).ok());
}

TEST(TxtRegistryMake, ValidatesOptions) {
  InMemoryProvider p;
  EXPECT_FALSE(TxtRegistry::make(p, {"", "", "", ""}).ok());
  EXPECT_FALSE(TxtRegistry::make(p, {"x", "a.", "-b", ""}).ok());
  EXPECT_FALSE(TxtRegistry::make(p, {"a,b", "", "", ""}).ok());
}

class TxtRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(p.createZone(name("example.com")).ok());
    ASSERT_TRUE(p.put(ep("example.com", RRType::TXT, {"v=spf1 mx -all"}, 300)).ok());
    ASSERT_TRUE(p.put(ep("status.example.com", RRType::CNAME, {"statuspage.example.net"}, 300)).ok());
  }
  std::vector<Endpoint> txtRecords() {
    std::vector<Endpoint> out;
    for (auto& e : all(p)) {
      if (e.type == RRType::TXT) out.push_back(e);
    }
    return out;
  }
  InMemoryProvider p;
};

TEST_F(TxtRegistryTest, CreateWritesOwnershipRecordsAndReadsThemBack) {
  auto r = registry(p, "extdns-%{record_type}.");
  ASSERT_TRUE(r->records().ok());
  Changes c;
  c.create.push_back(ep("api.example.com", RRType::A, {"192.0.2.1"}, 60, {}, "ingress/default/backend"));
  c.create.push_back(aliasEp("example.com", RRType::A, "lb.example.net", {}, "ingress/frontend/frontend"));
  ASSERT_TRUE(r->applyChanges(c).ok());
  bool found = false;
  for (const auto& t : txtRecords()) {
    if (t.dnsName == name("extdns-a.api.example.com")) {
      found = true;
      EXPECT_EQ(std::get<Text>(t.targets[0]).value,
                "heritage=external-dns,external-dns/owner=zonekeeper,external-dns/resource=ingress/default/"
                "backend");
      EXPECT_EQ(t.ttl, 60u);
    }
  }
  EXPECT_TRUE(found);
  auto recs = r->records();
  ASSERT_TRUE(recs.ok());
  int owned = 0;
  for (const auto& e : *recs) {
    EXPECT_FALSE(e.type == RRType::TXT && e.dnsName.labelCount() > 2)
        << "ownership TXT leaked: " << e.toString();
    if (e.owner() == "zonekeeper") ++owned;
    if (e.dnsName == name("api.example.com")) {
      EXPECT_EQ(e.resource(), "ingress/default/backend");
    }
  }
  EXPECT_EQ(owned, 2);
  // Hand-made records are returned without an owner.
  for (const auto& e : *recs) {
    if (e.dnsName == name("status.example.com")) {
      EXPECT_EQ(e.owner(), "");
    }
  }
}

TEST_F(TxtRegistryTest, ApexWithDefaultNamingIsRefusedButOthersApply) {
  auto r = registry(p);
  ASSERT_TRUE(r->records().ok());
  Changes c;
  c.create.push_back(aliasEp("example.com", RRType::A, "lb.example.net", {}, "ingress/a/b"));
  c.create.push_back(ep("www.example.com", RRType::A, {"192.0.2.1"}, {}, {}, "ingress/a/c"));
  auto s = r->applyChanges(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("outside its zone"), std::string::npos) << s.error().message;
  auto recs = all(p);
  bool www = false, apexA = false;
  for (const auto& e : recs) {
    if (e.dnsName == name("www.example.com") && e.type == RRType::A) www = true;
    if (e.dnsName == name("example.com") && e.type == RRType::A) apexA = true;
  }
  EXPECT_TRUE(www);
  EXPECT_FALSE(apexA);
}

TEST_F(TxtRegistryTest, AdoptsRecordsOfExternalDnsWithTheSameOwnerBothFormats) {
  // Typed format (ExternalDNS >= 0.12) and old untyped format.
  ASSERT_TRUE(p.put(ep("new.example.com", RRType::A, {"192.0.2.1"}, 300)).ok());
  ASSERT_TRUE(
      p.put(
           ep("a-new.example.com", RRType::TXT,
              {"\"heritage=external-dns,external-dns/owner=zonekeeper,external-dns/resource=ingress/x/new\""},
              300))
          .ok());
  ASSERT_TRUE(p.put(ep("old.example.com", RRType::A, {"192.0.2.2"}, 300)).ok());
  ASSERT_TRUE(
      p.put(ep("old.example.com", RRType::TXT,
               {"heritage=external-dns,external-dns/owner=zonekeeper,external-dns/resource=ingress/x/old"},
               300))
          .ok());
  ASSERT_TRUE(p.put(ep("theirs.example.com", RRType::A, {"192.0.2.3"}, 300)).ok());
  ASSERT_TRUE(
      p.put(ep("a-theirs.example.com", RRType::TXT, {"heritage=external-dns,external-dns/owner=other"}, 300))
          .ok());
  auto r = registry(p);
  auto recs = r->records();
  ASSERT_TRUE(recs.ok());
  std::map<std::string, std::string> owners;
  for (const auto& e : *recs) owners[bare(e.dnsName) + "/" + wire::typeToText(e.type)] = e.owner();
  EXPECT_EQ(owners["new.example.com/A"], "zonekeeper");
  EXPECT_EQ(owners["old.example.com/A"], "zonekeeper");
  EXPECT_EQ(owners["theirs.example.com/A"], "other");
  EXPECT_EQ(owners["status.example.com/CNAME"], "");
  EXPECT_EQ(owners.count("a-new.example.com/TXT"), 0u);
  EXPECT_EQ(owners.count("old.example.com/TXT"), 0u);  // ownership record hidden
  EXPECT_EQ(owners["example.com/TXT"], "");            // ordinary TXT stays visible
}

TEST_F(TxtRegistryTest, DeleteRemovesTheOwnershipRecord) {
  auto r = registry(p, "extdns-%{record_type}.");
  ASSERT_TRUE(r->records().ok());
  Changes c;
  c.create.push_back(ep("api.example.com", RRType::A, {"192.0.2.1"}, 60, {}, "ingress/d/b"));
  ASSERT_TRUE(r->applyChanges(c).ok());
  auto recs = r->records();
  ASSERT_TRUE(recs.ok());
  Changes d;
  for (const auto& e : *recs) {
    if (e.owner() == "zonekeeper") d.remove.push_back(e);
  }
  ASSERT_EQ(d.remove.size(), 1u);
  ASSERT_TRUE(r->applyChanges(d).ok());
  EXPECT_EQ(txtRecords().size(), 1u);  // only the hand-made SPF record
}

TEST_F(TxtRegistryTest, UpdateRewritesOwnershipWhenResourceChanges) {
  auto r = registry(p);
  ASSERT_TRUE(r->records().ok());
  Changes c;
  c.create.push_back(ep("api.example.com", RRType::A, {"192.0.2.1"}, 60, {}, "ingress/d/one"));
  ASSERT_TRUE(r->applyChanges(c).ok());
  auto cur = all(*r);
  Endpoint old;
  for (auto& e : cur) {
    if (e.dnsName == name("api.example.com")) old = e;
  }
  Changes u;
  u.updateOld.push_back(old);
  u.updateNew.push_back(ep("api.example.com", RRType::A, {"192.0.2.9"}, 60, "zonekeeper", "ingress/d/two"));
  ASSERT_TRUE(r->applyChanges(u).ok());
  for (const auto& e : all(*r)) {
    if (e.dnsName == name("api.example.com")) {
      EXPECT_EQ(e.resource(), "ingress/d/two");
      EXPECT_EQ(targetToText(e.targets[0]), "192.0.2.9");
    }
  }
}

TEST_F(TxtRegistryTest, DoesNotTakeANameWhoseOwnershipRecordIsSomeoneElses) {
  // Orphaned ownership record of another owner: the name stays theirs.
  ASSERT_TRUE(
      p.put(ep("a-x.example.com", RRType::TXT, {"heritage=external-dns,external-dns/owner=other"}, 300))
          .ok());
  auto r = registry(p);
  ASSERT_TRUE(r->records().ok());
  Changes c;
  c.create.push_back(ep("x.example.com", RRType::A, {"192.0.2.1"}, {}, {}, "ingress/a/x"));
  auto s = r->applyChanges(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("owned by 'other'"), std::string::npos) << s.error().message;
  for (const auto& e : all(p)) EXPECT_FALSE(e.dnsName == name("x.example.com"));
}

TEST(NoopRegistryTest, PassesThrough) {
  InMemoryProvider p;
  ASSERT_TRUE(p.createZone(name("example.com")).ok());
  NoopRegistry r(p);
  EXPECT_EQ(r.ownerId(), "");
  Changes c;
  c.create.push_back(ep("a.example.com", RRType::A, {"192.0.2.1"}));
  ASSERT_TRUE(r.applyChanges(c).ok());
  auto recs = r.records();
  ASSERT_TRUE(recs.ok());
  EXPECT_EQ(recs->size(), 1u);
}

}  // namespace
}  // namespace zk::controller
