#include "api/auth/policy.h"

#include <gtest/gtest.h>

namespace zk::api::auth {
namespace {

Policy parse(std::string_view json) {
  auto p = Policy::parse(json);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? *p : Policy{};
}

TEST(Wildcard, Match) {
  EXPECT_TRUE(wildcardMatch("*", "", false));
  EXPECT_TRUE(wildcardMatch("route53:List*", "route53:ListHostedZones", false));
  EXPECT_TRUE(wildcardMatch("route53:list*", "route53:ListHostedZones", true));
  EXPECT_FALSE(wildcardMatch("route53:list*", "route53:ListHostedZones", false));
  EXPECT_TRUE(wildcardMatch("a?c", "abc", false));
  EXPECT_FALSE(wildcardMatch("a?c", "ac", false));
  EXPECT_TRUE(wildcardMatch("*a*b*c*", "xxaxxbxxcxx", false));
  EXPECT_FALSE(wildcardMatch("*a*b*c", "xxaxxbxxcxxd", false));
  EXPECT_TRUE(wildcardMatch("arn:aws:route53:::hostedzone/*", "arn:aws:route53:::hostedzone/Z1", false));
}

// The ExternalDNS policy from its AWS tutorial, restricted to one zone.
TEST(Policy, ExternalDnsShape) {
  auto p = parse(R"({
    "Version": "2012-10-17",
    "Statement": [
      {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"],
       "Resource": ["arn:aws:route53:::hostedzone/ZONE1"]},
      {"Effect": "Allow", "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets",
                                     "route53:ListTagsForResource*"], "Resource": ["*"]}
    ]})");
  EXPECT_EQ(p.evaluate("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/ZONE1"),
            Decision::Allow);
  EXPECT_EQ(p.evaluate("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/ZONE2"),
            Decision::ImplicitDeny);
  EXPECT_EQ(p.evaluate("route53:ListHostedZones", "*"), Decision::Allow);
  EXPECT_EQ(p.evaluate("route53:listtagsforresources", "arn:aws:route53:::hostedzone/ZONE2"),
            Decision::Allow);
  EXPECT_EQ(p.evaluate("route53:DeleteHostedZone", "arn:aws:route53:::hostedzone/ZONE1"),
            Decision::ImplicitDeny);
}

TEST(Policy, ExplicitDenyWins) {
  auto p = parse(R"({"Statement": [
      {"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Effect": "Deny", "Action": "route53:Delete*", "Resource": "arn:aws:route53:::hostedzone/*"}]})");
  EXPECT_EQ(p.evaluate("route53:DeleteHostedZone", "arn:aws:route53:::hostedzone/Z"), Decision::ExplicitDeny);
  EXPECT_EQ(p.evaluate("route53:GetHostedZone", "arn:aws:route53:::hostedzone/Z"), Decision::Allow);
}

TEST(Policy, NotActionNotResourceAndSingleStatement) {
  auto p = parse(R"({"Version": "2012-10-17", "Statement":
      {"Effect": "Allow", "NotAction": "route53:Delete*", "NotResource": "arn:aws:route53:::hostedzone/SECRET"}})");
  EXPECT_EQ(p.evaluate("route53:GetHostedZone", "arn:aws:route53:::hostedzone/Z"), Decision::Allow);
  EXPECT_EQ(p.evaluate("route53:DeleteHostedZone", "arn:aws:route53:::hostedzone/Z"), Decision::ImplicitDeny);
  EXPECT_EQ(p.evaluate("route53:GetHostedZone", "arn:aws:route53:::hostedzone/SECRET"),
            Decision::ImplicitDeny);
}

TEST(Policy, ResourcesAreCaseSensitive) {
  auto p = parse(
      R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:route53:::hostedzone/Z1"}]})");
  EXPECT_EQ(p.evaluate("route53:GetHostedZone", "arn:aws:route53:::hostedzone/z1"), Decision::ImplicitDeny);
}

TEST(Policy, RejectsWhatItCannotEvaluate) {
  for (const char* bad :
       {"", "[]", "{}", "not json", R"({"Statement": []})", R"({"Version": "2020-01-01", "Statement": []})",
        R"({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]})",
        R"({"Statement": [{"Action": "*", "Resource": "*"}]})",
        R"({"Statement": [{"Effect": "Allow", "Resource": "*"}]})",
        R"({"Statement": [{"Effect": "Allow", "Action": "*"}]})",
        R"({"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]})",
        R"({"Statement": [{"Effect": "Allow", "Action": [1], "Resource": "*"}]})",
        R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}]})",
        R"({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x", "Resource": "*"}]})",
        R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}]})",
        R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}], "Extra": 1})"}) {
    EXPECT_FALSE(Policy::parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace zk::api::auth
