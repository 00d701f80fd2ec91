#include "controller/plan/plan.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "test_util.h"

namespace zk::controller {
namespace {

using testing::aliasEp;
using testing::ep;
using testing::name;
using testing::summary;
using wire::RRType;
using V = std::vector<std::string>;

PlanOptions opts(Policy policy = Policy::Sync, std::string owner = "me") {
  PlanOptions o;
  o.policy = policy;
  o.ownerId = std::move(owner);
  return o;
}

DomainFilter filter(std::vector<std::string> include, std::vector<std::string> exclude = {}) {
  auto f = DomainFilter::make(include, exclude);
  EXPECT_TRUE(f.ok());
  return f.ok() ? *f : DomainFilter();
}

TEST(Plan, FirstSyncCreatesEverything) {
  std::vector<Endpoint> desired{
      ep("a.example.com", RRType::A, {"192.0.2.1"}, {}, {}, "ingress/ns/a"),
      ep("a.example.com", RRType::AAAA, {"2001:db8::1"}, {}, {}, "ingress/ns/a"),
      ep("b.example.com", RRType::CNAME, {"lb.example.net"}, {}, {}, "ingress/ns/b")};
  auto c = calculatePlan({}, desired, opts());
  EXPECT_EQ(summary(c),
            (V{"create:a.example.com/A", "create:a.example.com/AAAA", "create:b.example.com/CNAME"}));
  EXPECT_EQ(c.create[0].resource(), "ingress/ns/a");
}

TEST(Plan, SecondSyncIsANoOp) {
  std::vector<Endpoint> desired{
      ep("a.example.com", RRType::A, {"192.0.2.2", "192.0.2.1"}, 60, {}, "ingress/ns/a")};
  std::vector<Endpoint> current{
      ep("A.example.com", RRType::A, {"192.0.2.1", "192.0.2.2"}, 60, "me", "ingress/ns/a")};
  auto c = calculatePlan(current, desired, opts());
  EXPECT_TRUE(c.empty()) << formatPlan(c);
  EXPECT_EQ(formatPlan(c), "no changes\n");
}

TEST(Plan, TargetChangeIsAnUpdateKeepingTheOwner) {
  std::vector<Endpoint> desired{ep("a.example.com", RRType::A, {"192.0.2.9"}, {}, {}, "ingress/ns/a")};
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300, "me", "ingress/ns/a")};
  auto c = calculatePlan(current, desired, opts());
  ASSERT_EQ(summary(c), (V{"update:a.example.com/A"}));
  EXPECT_EQ(c.updateOld[0].targets, current[0].targets);
  EXPECT_EQ(c.updateNew[0].owner(), "me");
  EXPECT_EQ(targetToText(c.updateNew[0].targets[0]), "192.0.2.9");
}

TEST(Plan, TtlOnlyMattersWhenConfigured) {
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300, "me")};
  EXPECT_TRUE(
      calculatePlan(current, std::vector{ep("a.example.com", RRType::A, {"192.0.2.1"})}, opts()).empty());
  auto c = calculatePlan(current, std::vector{ep("a.example.com", RRType::A, {"192.0.2.1"}, 60)}, opts());
  ASSERT_EQ(summary(c), (V{"update:a.example.com/A"}));
  EXPECT_EQ(c.updateNew[0].ttl, 60u);
}

TEST(Plan, AliasFlagChangeIsAnUpdate) {
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300, "me")};
  std::vector<Endpoint> desired{aliasEp("a.example.com", RRType::A, "lb.example.net")};
  EXPECT_EQ(summary(calculatePlan(current, desired, opts())), (V{"update:a.example.com/A"}));
  std::vector<Endpoint> same{aliasEp("a.example.com", RRType::A, "lb.example.net", "me")};
  EXPECT_TRUE(calculatePlan(same, desired, opts()).empty());
}

TEST(Plan, DeletesOwnedRecordsThatAreNoLongerDesired) {
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300, "me"),
                                ep("b.example.com", RRType::A, {"192.0.2.2"}, 300, "other"),
                                ep("c.example.com", RRType::A, {"192.0.2.3"}, 300)};
  auto c = calculatePlan(current, {}, opts());
  EXPECT_EQ(summary(c), (V{"delete:a.example.com/A"}));
}

TEST(Plan, OwnerMismatchBlocksUpdateDeleteAndCreate) {
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300, "other")};
  std::vector<Endpoint> desired{ep("a.example.com", RRType::A, {"192.0.2.9"}),
                                ep("a.example.com", RRType::AAAA, {"2001:db8::9"})};
  EXPECT_TRUE(calculatePlan(current, desired, opts()).empty());
}

TEST(Plan, UnownedRecordBlocksCreationAtItsName) {
  // A hand-made CNAME: nobody owns it, so nothing may be created beside it.
  std::vector<Endpoint> current{ep("status.example.com", RRType::CNAME, {"statuspage.example.net"}, 300)};
  std::vector<Endpoint> desired{ep("status.example.com", RRType::A, {"192.0.2.1"})};
  EXPECT_TRUE(calculatePlan(current, desired, opts()).empty());
}

TEST(Plan, UnmanagedTypesDoNotBlockAndAreNeverTouched) {
  // Hand-made MX and TXT at the apex: not managed types, so the apex A is created.
  std::vector<Endpoint> current{ep("example.com", RRType::MX, {"10 mail.example.com."}, 300),
                                ep("example.com", RRType::TXT, {"v=spf1 mx -all"}, 300)};
  std::vector<Endpoint> desired{aliasEp("example.com", RRType::A, "lb.example.net")};
  auto c = calculatePlan(current, desired, opts());
  EXPECT_EQ(summary(c), (V{"create:example.com/A"}));
  EXPECT_TRUE(calculatePlan(current, {}, opts()).empty());
}

TEST(Plan, CreateBesideOwnedRecordsIsAllowed) {
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300, "me")};
  std::vector<Endpoint> desired{ep("a.example.com", RRType::A, {"192.0.2.1"}),
                                ep("a.example.com", RRType::AAAA, {"2001:db8::1"})};
  EXPECT_EQ(summary(calculatePlan(current, desired, opts())), (V{"create:a.example.com/AAAA"}));
}

TEST(Plan, OneWinnerPerNameAndTypeByResource) {
  std::vector<Endpoint> desired{ep("a.example.com", RRType::A, {"192.0.2.2"}, {}, {}, "ingress/ns/zz"),
                                ep("a.example.com", RRType::A, {"192.0.2.1"}, {}, {}, "ingress/ns/aa")};
  auto c = calculatePlan({}, desired, opts());
  ASSERT_EQ(c.create.size(), 1u);
  EXPECT_EQ(c.create[0].resource(), "ingress/ns/aa");
}

TEST(Plan, CurrentResourceKeepsTheNameOnUpdate) {
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300, "me", "ingress/ns/zz")};
  std::vector<Endpoint> desired{ep("a.example.com", RRType::A, {"192.0.2.2"}, {}, {}, "ingress/ns/aa"),
                                ep("a.example.com", RRType::A, {"192.0.2.3"}, {}, {}, "ingress/ns/zz")};
  auto c = calculatePlan(current, desired, opts());
  ASSERT_EQ(c.updateNew.size(), 1u);
  EXPECT_EQ(c.updateNew[0].resource(), "ingress/ns/zz");
  EXPECT_EQ(targetToText(c.updateNew[0].targets[0]), "192.0.2.3");
}

TEST(Plan, AddressRecordsBeatCname) {
  std::vector<Endpoint> desired{
      ep("a.example.com", RRType::CNAME, {"lb.example.net"}, {}, {}, "ingress/ns/a"),
      ep("a.example.com", RRType::A, {"192.0.2.1"}, {}, {}, "ingress/ns/b")};
  EXPECT_EQ(summary(calculatePlan({}, desired, opts())), (V{"create:a.example.com/A"}));
  // An owned CNAME in place is replaced by the A.
  std::vector<Endpoint> current{ep("a.example.com", RRType::CNAME, {"lb.example.net"}, 300, "me")};
  EXPECT_EQ(summary(calculatePlan(current, desired, opts())),
            (V{"create:a.example.com/A", "delete:a.example.com/CNAME"}));
}

TEST(Plan, CnameReplacesOwnedAddressRecords) {
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300, "me")};
  std::vector<Endpoint> desired{ep("a.example.com", RRType::CNAME, {"lb.example.net"})};
  EXPECT_EQ(summary(calculatePlan(current, desired, opts())),
            (V{"create:a.example.com/CNAME", "delete:a.example.com/A"}));
}

TEST(Plan, Policies) {
  std::vector<Endpoint> current{ep("old.example.com", RRType::A, {"192.0.2.1"}, 300, "me"),
                                ep("upd.example.com", RRType::A, {"192.0.2.1"}, 300, "me")};
  std::vector<Endpoint> desired{ep("upd.example.com", RRType::A, {"192.0.2.2"}),
                                ep("new.example.com", RRType::A, {"192.0.2.3"})};
  EXPECT_EQ(summary(calculatePlan(current, desired, opts(Policy::Sync))),
            (V{"create:new.example.com/A", "delete:old.example.com/A", "update:upd.example.com/A"}));
  EXPECT_EQ(summary(calculatePlan(current, desired, opts(Policy::UpsertOnly))),
            (V{"create:new.example.com/A", "update:upd.example.com/A"}));
  EXPECT_EQ(summary(calculatePlan(current, desired, opts(Policy::CreateOnly))),
            (V{"create:new.example.com/A"}));
}

TEST(Plan, PolicyNames) {
  EXPECT_EQ(*policyFromText("sync"), Policy::Sync);
  EXPECT_EQ(*policyFromText("upsert-only"), Policy::UpsertOnly);
  EXPECT_EQ(*policyFromText("create-only"), Policy::CreateOnly);
  EXPECT_FALSE(policyFromText("Sync").ok());
  EXPECT_EQ(policyToText(Policy::UpsertOnly), "upsert-only");
}

TEST(Plan, DomainFilterAppliesToBothSides) {
  PlanOptions o = opts();
  o.domainFilter = filter({"example.com"});
  std::vector<Endpoint> current{ep("x.other.org", RRType::A, {"192.0.2.1"}, 300, "me")};
  std::vector<Endpoint> desired{ep("a.example.com", RRType::A, {"192.0.2.1"}),
                                ep("shop.example.org", RRType::A, {"192.0.2.2"})};
  EXPECT_EQ(summary(calculatePlan(current, desired, o)), (V{"create:a.example.com/A"}));
}

TEST(Plan, ManagedRecordTypes) {
  PlanOptions o = opts();
  o.managedTypes = {RRType::A};
  std::vector<Endpoint> current{ep("a.example.com", RRType::AAAA, {"2001:db8::1"}, 300, "me")};
  std::vector<Endpoint> desired{ep("b.example.com", RRType::AAAA, {"2001:db8::2"}),
                                ep("b.example.com", RRType::A, {"192.0.2.2"})};
  EXPECT_EQ(summary(calculatePlan(current, desired, o)), (V{"create:b.example.com/A"}));
}

TEST(Plan, NoopRegistryOwnsEverything) {
  std::vector<Endpoint> current{ep("a.example.com", RRType::A, {"192.0.2.1"}, 300),
                                ep("gone.example.com", RRType::A, {"192.0.2.1"}, 300)};
  std::vector<Endpoint> desired{ep("a.example.com", RRType::A, {"192.0.2.2"})};
  EXPECT_EQ(summary(calculatePlan(current, desired, opts(Policy::Sync, ""))),
            (V{"delete:gone.example.com/A", "update:a.example.com/A"}));
}

TEST(Plan, IsDeterministic) {
  std::vector<Endpoint> desired;
  for (int i = 9; i >= 0; --i) {
    desired.push_back(ep(fmt::format("h{}.example.com", i), RRType::A, {"192.0.2.1"}));
  }
  auto a = calculatePlan({}, desired, opts());
  std::reverse(desired.begin(), desired.end());
  auto b = calculatePlan({}, desired, opts());
  EXPECT_EQ(formatPlan(a), formatPlan(b));
  EXPECT_EQ(a.create.front().dnsName, name("h0.example.com"));
}

TEST(DeleteLimit, RefusesMassDeletesUnlessForced) {
  std::vector<Endpoint> current;
  for (int i = 0; i < 20; ++i)
    current.push_back(ep(fmt::format("h{}.example.com", i), RRType::A, {"192.0.2.1"}, 300, "me"));
  auto c = calculatePlan(current, {}, opts());
  ASSERT_EQ(c.remove.size(), 20u);
  auto s = checkDeleteLimit(c, current, "me", DeleteLimit{});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("20 of 20"), std::string::npos) << s.error().message;
  EXPECT_TRUE(checkDeleteLimit(c, current, "me", DeleteLimit{0.5, 10, true}).ok());
  c.remove.resize(10);  // exactly half: allowed
  EXPECT_TRUE(checkDeleteLimit(c, current, "me", DeleteLimit{}).ok());
  // Small zones are exempt.
  std::vector<Endpoint> small(current.begin(), current.begin() + 3);
  auto c2 = calculatePlan(small, {}, opts());
  EXPECT_TRUE(checkDeleteLimit(c2, small, "me", DeleteLimit{}).ok());
}

TEST(DomainFilterTest, PlainDotAndExclusions) {
  auto f = filter({"example.com", ".sub.example.org"}, {"private.example.com"});
  EXPECT_TRUE(f.matches(name("example.com")));
  EXPECT_TRUE(f.matches(name("a.b.EXAMPLE.com")));
  EXPECT_FALSE(f.matches(name("badexample.com")));
  EXPECT_FALSE(f.matches(name("sub.example.org")));
  EXPECT_TRUE(f.matches(name("x.sub.example.org")));
  EXPECT_FALSE(f.matches(name("private.example.com")));
  EXPECT_FALSE(f.matches(name("a.private.example.com")));
  EXPECT_FALSE(f.matches(name("example.org")));
}

TEST(DomainFilterTest, EmptyMatchesAllAndCommaLists) {
  EXPECT_TRUE(DomainFilter().matches(name("anything.test")));
  auto f = filter({"a.com, b.com."});
  EXPECT_TRUE(f.matches(name("x.a.com")));
  EXPECT_TRUE(f.matches(name("b.com")));
  EXPECT_FALSE(f.matches(name("c.com")));
}

TEST(DomainFilterTest, Regex) {
  auto f = DomainFilter::make({"ignored.com"}, {}, R"(^(api|www)\.example\.com$)", R"(^www)");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->matches(name("api.example.com")));
  EXPECT_FALSE(f->matches(name("www.example.com")));
  EXPECT_FALSE(f->matches(name("x.ignored.com")));
  EXPECT_FALSE(DomainFilter::make({}, {}, "(").ok());
  EXPECT_FALSE(DomainFilter::make({"bad..name"}, {}).ok());
}

}  // namespace
}  // namespace zk::controller
