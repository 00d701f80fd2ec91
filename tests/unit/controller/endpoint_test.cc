#include "controller/endpoint/endpoint.h"

#include <gtest/gtest.h>

#include "controller/endpoint/labels.h"
#include "test_util.h"

namespace zk::controller {
namespace {

using testing::ep;
using testing::name;
using wire::RRType;

TEST(Target, ParsesAddressesAndNames) {
  auto v4 = parseTarget("192.0.2.1");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(std::holds_alternative<Ipv4>(*v4));
  EXPECT_EQ(targetToText(*v4), "192.0.2.1");
  auto v6 = parseTarget("2001:DB8::1");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(std::holds_alternative<Ipv6>(*v6));
  EXPECT_EQ(targetToText(*v6), "2001:db8::1");
  auto host = parseTarget("lb.Example.com.");
  ASSERT_TRUE(host.ok());
  ASSERT_TRUE(std::holds_alternative<wire::Name>(*host));
  EXPECT_EQ(targetToText(*host), "lb.Example.com");
}

TEST(Target, RejectsGarbage) {
  EXPECT_FALSE(parseTarget("").ok());
  EXPECT_FALSE(parseTarget("2001:db8::zz").ok());
  EXPECT_FALSE(parseTarget("has space.example.com").ok());
  EXPECT_FALSE(parseTarget("a/b").ok());
  EXPECT_FALSE(parseTarget(".").ok());
  EXPECT_FALSE(parseTarget(std::string(300, 'a')).ok());
  EXPECT_FALSE(parseIpv4("256.1.1.1").ok());
  EXPECT_FALSE(parseIpv4("1.2.3").ok());
}

TEST(Target, SameTargetsIgnoresOrderCaseAndDuplicates) {
  auto a = ep("x.example.com", RRType::A, {"192.0.2.2", "192.0.2.1"});
  auto b = ep("x.example.com", RRType::A, {"192.0.2.1", "192.0.2.2", "192.0.2.1"});
  EXPECT_TRUE(sameTargets(a.targets, b.targets));
  auto c = ep("x.example.com", RRType::CNAME, {"LB.example.com"});
  auto d = ep("x.example.com", RRType::CNAME, {"lb.example.com"});
  EXPECT_TRUE(sameTargets(c.targets, d.targets));
  auto e = ep("x.example.com", RRType::A, {"192.0.2.1"});
  EXPECT_FALSE(sameTargets(a.targets, e.targets));
}

TEST(Endpoint, ValidateChecksTargetFamilies) {
  EXPECT_TRUE(ep("x.example.com", RRType::A, {"192.0.2.1"}).validate().ok());
  EXPECT_FALSE(ep("x.example.com", RRType::A, {"2001:db8::1"}).validate().ok());
  EXPECT_FALSE(ep("x.example.com", RRType::AAAA, {"192.0.2.1"}).validate().ok());
  EXPECT_FALSE(ep("x.example.com", RRType::CNAME, {"192.0.2.1"}).validate().ok());
  EXPECT_FALSE(ep("x.example.com", RRType::CNAME, {"a.example.com", "b.example.com"}).validate().ok());
  EXPECT_FALSE(ep("x.example.com", RRType::A, {}).validate().ok());
  auto alias = testing::aliasEp("x.example.com", RRType::A, "lb.example.net");
  EXPECT_TRUE(alias.validate().ok());
  alias.type = RRType::CNAME;
  EXPECT_FALSE(alias.validate().ok());
}

TEST(Endpoint, ToStringShowsEverything) {
  auto e = ep("api.example.com", RRType::A, {"192.0.2.1"}, 60, "me", "ingress/ns/api");
  EXPECT_EQ(e.toString(), "api.example.com A ttl=60 [192.0.2.1] owner=me resource=ingress/ns/api");
}

TEST(Labels, SerializeInExternalDnsFormat) {
  Labels l;
  l.emplace("resource", "ingress/default/backend");
  l.emplace("owner", "zonekeeper");
  EXPECT_EQ(
      serializeLabels(l),
      "heritage=external-dns,external-dns/owner=zonekeeper,external-dns/resource=ingress/default/backend");
}

TEST(Labels, ParseRoundTripAndQuotes) {
  auto l = parseLabels("\"heritage=external-dns,external-dns/owner=x,external-dns/resource=service/a/b\"");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->at("owner"), "x");
  EXPECT_EQ(l->at("resource"), "service/a/b");
  EXPECT_EQ(serializeLabels(*l),
            "heritage=external-dns,external-dns/owner=x,external-dns/resource=service/a/b");
  auto bare = parseLabels("heritage=external-dns");
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->empty());
}

TEST(Labels, RejectOtherTxt) {
  EXPECT_FALSE(parseLabels("v=spf1 mx -all").ok());
  EXPECT_FALSE(parseLabels("heritage=other,external-dns/owner=x").ok());
  EXPECT_FALSE(parseLabels("heritage=external-dns,owner=x").ok());
  EXPECT_FALSE(parseLabels("heritage=external-dns,external-dns/=x").ok());
  EXPECT_FALSE(parseLabels("").ok());
}

}  // namespace
}  // namespace zk::controller
