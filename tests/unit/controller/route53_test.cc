#include "controller/provider/route53/route53.h"

#include <gtest/gtest.h>

#include <deque>

#include "test_util.h"

namespace zk::controller::route53 {
namespace {

using controller::testing::aliasEp;
using controller::testing::ep;
using controller::testing::name;
using wire::RRType;

// AWS documentation's SigV4 example (IAM ListUsers, 2015-08-30).
TEST(SigV4, AwsDocumentationExample) {
  SignInput in;
  in.method = "GET";
  in.path = "/";
  in.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
  in.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                {"Host", "iam.amazonaws.com"},
                {"X-Amz-Date", "20150830T123600Z"}};
  in.amzDate = "20150830T123600Z";
  in.region = "us-east-1";
  in.service = "iam";
  EXPECT_EQ(hexSha256(canonicalRequest(in)),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  Credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(signature(in, c), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(authorization(in, c),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4, UriEncode) {
  EXPECT_EQ(uriEncode("a b/c~d", false), "a%20b%2Fc~d");
  EXPECT_EQ(uriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(uriEncode("\\052.example.com.", false), "%5C052.example.com.");
  EXPECT_EQ(amzDateNow().size(), 16u);
}

TEST(Txt, QuoteAndUnquote) {
  EXPECT_EQ(quoteTxt("heritage=external-dns"), "\"heritage=external-dns\"");
  EXPECT_EQ(quoteTxt("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
  EXPECT_EQ(unquoteTxt(quoteTxt("say \"hi\" \\o/")), "say \"hi\" \\o/");
  std::string longText(300, 'y');
  EXPECT_EQ(unquoteTxt(quoteTxt(longText)), longText);
  EXPECT_EQ(unquoteTxt("\"a\" \"b\""), "ab");
  EXPECT_EQ(unquoteTxt("bare"), "bare");
}

TEST(ChangeBatch, Xml) {
  auto a = ep("api.example.com", RRType::A, {"192.0.2.1"}, 60);
  auto txt = ep("a-api.example.com", RRType::TXT, {"heritage=external-dns,external-dns/owner=x"});
  auto alias = aliasEp("example.com", RRType::A, "k8s-1.us-east-1.elb.amazonaws.com");
  std::vector<wire::Name> names{name("example.com")};
  std::vector<std::string> ids{"ZONE1"};
  auto x = changeBatchXml({{"CREATE", &a}, {"UPSERT", &txt}, {"DELETE", &alias}}, 300, "ZONE1", names, ids);
  EXPECT_NE(
      x.find("<Change><Action>CREATE</Action><ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type>"
             "<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord>"),
      std::string::npos)
      << x;
  EXPECT_NE(
      x.find("<TTL>300</TTL><ResourceRecords><ResourceRecord><Value>&quot;heritage=external-dns,external-dns/"
             "owner=x&quot;</Value>"),
      std::string::npos)
      << x;
  EXPECT_NE(x.find("<AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</"
                   "HostedZoneId><DNSName>k8s-1.us-east-1.elb.amazonaws.com."
                   "</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget>"),
            std::string::npos)
      << x;
}

// A scripted server: answers requests in order and records them.
class FakeHttp final : public HttpClient {
 public:
  Result<HttpResponse> send(const HttpRequest& r) override {
    requests.push_back(r);
    if (responses.empty()) return Error("no scripted response");
    auto out = responses.front();
    responses.pop_front();
    return out;
  }
  std::deque<HttpResponse> responses;
  std::vector<HttpRequest> requests;
};

constexpr const char* kZones = R"(<?xml version="1.0"?>
<ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZones>
<HostedZone><Id>/hostedzone/Z1</Id><Name>example.com.</Name></HostedZone></HostedZones>
<IsTruncated>false</IsTruncated></ListHostedZonesResponse>)";

TEST(Route53ProviderTest, ReadsPagesAndSigns) {
  auto http = std::make_unique<FakeHttp>();
  auto* fake = http.get();
  fake->responses = {
      {200, kZones},
      {200, R"(<ListResourceRecordSetsResponse><ResourceRecordSets>
<ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type><TTL>60</TTL><ResourceRecords>
<ResourceRecord><Value>192.0.2.2</Value></ResourceRecord><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord>
</ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>true</IsTruncated>
<NextRecordName>b.example.com.</NextRecordName><NextRecordType>TXT</NextRecordType></ListResourceRecordSetsResponse>)"},
      {200, R"(<ListResourceRecordSetsResponse><ResourceRecordSets>
<ResourceRecordSet><Name>b.example.com.</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords>
<ResourceRecord><Value>"heritage=external-dns,external-dns/owner=me"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
<ResourceRecordSet><Name>example.com.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId>
<DNSName>lb.us-east-1.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>
<ResourceRecordSet><Name>example.com.</Name><Type>MX</Type><TTL>300</TTL><ResourceRecords>
<ResourceRecord><Value>10 mail.example.com.</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
</ResourceRecordSets><IsTruncated>false</IsTruncated></ListResourceRecordSetsResponse>)"},
  };
  Route53Options o;
  o.endpoint = "http://127.0.0.1:5000";
  o.credentials = {"AKID", "SECRET", ""};
  Route53Provider p(o, std::move(http));
  auto recs = p.records();
  ASSERT_TRUE(recs.ok()) << recs.error().message;
  ASSERT_EQ(recs->size(), 4u);
  EXPECT_EQ((*recs)[0].toString(), "api.example.com A ttl=60 [192.0.2.1 192.0.2.2]");
  EXPECT_EQ((*recs)[1].toString(), "b.example.com TXT ttl=300 [heritage=external-dns,external-dns/owner=me]");
  EXPECT_EQ((*recs)[2].toString(), "example.com A ALIAS [lb.us-east-1.elb.amazonaws.com]");
  EXPECT_EQ((*recs)[3].toString(), "example.com MX ttl=300 [10 mail.example.com.]");
  ASSERT_EQ(fake->requests.size(), 3u);
  EXPECT_EQ(fake->requests[0].url, "http://127.0.0.1:5000/2013-04-01/hostedzone");
  EXPECT_EQ(fake->requests[2].url,
            "http://127.0.0.1:5000/2013-04-01/hostedzone/Z1/rrset?name=b.example.com.&type=TXT");
  bool signedOk = false;
  for (const auto& [k, v] : fake->requests[0].headers) {
    if (k == "Authorization") signedOk = v.rfind("AWS4-HMAC-SHA256 Credential=AKID/", 0) == 0;
  }
  EXPECT_TRUE(signedOk);
}

TEST(Route53ProviderTest, ApplyPostsOneBatchPerZoneAndReportsErrors) {
  auto http = std::make_unique<FakeHttp>();
  auto* fake = http.get();
  fake->responses = {{200, kZones}, {200, "<ChangeResourceRecordSetsResponse/>"}};
  Route53Options o;
  o.endpoint = "http://h:1/";
  o.credentials = {"AKID", "SECRET", ""};
  Route53Provider p(o, std::move(http));
  Changes c;
  c.create.push_back(ep("new.example.com", RRType::A, {"192.0.2.1"}));
  c.remove.push_back(ep("old.example.com", RRType::A, {"192.0.2.2"}, 300));
  ASSERT_TRUE(p.applyChanges(c).ok());
  ASSERT_EQ(fake->requests.size(), 2u);
  EXPECT_EQ(fake->requests[1].method, "POST");
  EXPECT_EQ(fake->requests[1].url, "http://h:1/2013-04-01/hostedzone/Z1/rrset/");
  const auto& body = fake->requests[1].body;
  EXPECT_LT(body.find("DELETE"), body.find("CREATE"));  // deletes first

  fake->responses = {{200, kZones},
                     {400, R"(<InvalidChangeBatch><Messages><Message>Tried to create resource record set
[name='new.example.com.', type='A'] but it already exists</Message></Messages></InvalidChangeBatch>)"}};
  auto s = p.applyChanges(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("HTTP 400: Tried to create"), std::string::npos) << s.error().message;

  Changes outside;
  outside.create.push_back(ep("x.example.org", RRType::A, {"192.0.2.1"}));
  fake->responses = {{200, kZones}};
  EXPECT_FALSE(p.applyChanges(outside).ok());
}

TEST(Route53ProviderTest, TransportAndXmlErrors) {
  auto http = std::make_unique<FakeHttp>();
  auto* fake = http.get();
  Route53Options o;
  o.credentials = {"AKID", "SECRET", ""};
  Route53Provider p(o, std::move(http));
  EXPECT_FALSE(p.zones().ok());  // no scripted response = transport failure
  fake->responses = {{200, "not xml <"}};
  EXPECT_FALSE(p.zones().ok());
  fake->responses = {{403,
                      "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></"
                      "Error></ErrorResponse>"}};
  auto z = p.zones();
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.error().message.find("SignatureDoesNotMatch: bad"), std::string::npos) << z.error().message;
}

}  // namespace
}  // namespace zk::controller::route53
