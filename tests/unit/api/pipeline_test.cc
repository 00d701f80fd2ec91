// The whole request path without sockets: signed raw request -> ApiPipeline ->
// SigV4 -> policy -> Route53Handler -> HostedZoneService -> MemoryZoneStore.

#include "api/http/pipeline.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "api/route53/memory_zone_store.h"

namespace zk::api {
namespace {

constexpr std::int64_t kNow = 1764158400;  // 2025-11-26T12:00:00Z

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zk_pipe_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    keys_ = std::make_unique<auth::KeyCache>(auth::KeyStore(dir_));
    service_ = std::make_unique<HostedZoneService>(
        store_, HostedZoneService::Options{[] { return kNow; }, [] { return std::string("CZONE"); }});
    handler_ = std::make_unique<Route53Handler>(*service_);
    pipeline_ = std::make_unique<ApiPipeline>(*handler_, *keys_, [] { return kNow; });
    auth::KeyStore store(dir_);
    admin_ = *store.create("admin", "", kNow);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  RawRequest sign(const auth::AccessKey& key, std::string method, std::string target, std::string body = "") {
    RawRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    const std::string amzDate = auth::formatAmzDate(kNow);
    r.headers = {{"Host", "localhost:8053"}, {"X-Amz-Date", amzDate}, {"Content-Type", "application/xml"}};
    auth::SignedRequest s;
    s.method = r.method;
    const auto q = r.target.find('?');
    s.rawPath = r.target.substr(0, q);
    if (q != std::string::npos) s.rawQuery = r.target.substr(q + 1);
    s.headers = r.headers;
    s.body = r.body;
    const std::string scope = amzDate.substr(0, 8) + "/us-east-1/route53/aws4_request";
    auto canonical = auth::canonicalRequest(s, {"host", "x-amz-date"}, auth::sha256Hex(r.body));
    const std::string sig = auth::toHex(
        auth::hmacSha256(auth::signingKey(key.secret, amzDate.substr(0, 8), "us-east-1", "route53"),
                         auth::stringToSign(amzDate, scope, *canonical)));
    r.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + key.id + "/" + scope +
                                                ", SignedHeaders=host;x-amz-date, Signature=" + sig);
    return r;
  }

  static std::string errorCode(const ApiResponse& r) {
    pugi::xml_document d;
    d.load_string(r.body.c_str());
    return d.child("ErrorResponse").child("Error").child_value("Code");
  }

  std::string createZone(const auth::AccessKey& key, const std::string& name) {
    auto r = pipeline_->handle(
        sign(key, "POST", "/2013-04-01/hostedzone",
             "<CreateHostedZoneRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
             "<Name>" +
                 name + "</Name><CallerReference>" + name +
                 "</CallerReference>"
                 "</CreateHostedZoneRequest>"));
    EXPECT_EQ(r.status, 201) << r.body;
    pugi::xml_document d;
    d.load_string(r.body.c_str());
    std::string id = d.child("CreateHostedZoneResponse").child("HostedZone").child_value("Id");
    return id.substr(std::string("/hostedzone/").size());
  }

  std::string dir_;
  MemoryZoneStore store_;
  std::unique_ptr<auth::KeyCache> keys_;
  std::unique_ptr<HostedZoneService> service_;
  std::unique_ptr<Route53Handler> handler_;
  std::unique_ptr<ApiPipeline> pipeline_;
  auth::AccessKey admin_;
};

TEST_F(PipelineTest, CreateReturns201WithLocationAndRequestId) {
  auto r = pipeline_->handle(sign(admin_, "POST", "/2013-04-01/hostedzone",
                                  "<CreateHostedZoneRequest><Name>example.com</Name><CallerReference>x"
                                  "</CallerReference></CreateHostedZoneRequest>"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.operation, Operation::CreateHostedZone);
  pugi::xml_document d;
  d.load_string(r.body.c_str());
  const std::string id = d.child("CreateHostedZoneResponse").child("HostedZone").child_value("Id");
  ASSERT_TRUE(id.starts_with("/hostedzone/Z"));
  std::string location;
  bool requestId = false;
  for (const auto& [k, v] : r.headers) {
    if (k == "Location") location = v;
    requestId = requestId || (k == "x-amz-request-id" && v.size() == 36);
  }
  // An absolute URL from the signed Host header (the API reference: "the
  // unique URL representing the new hosted zone").
  EXPECT_EQ(location, "http://localhost:8053/2013-04-01" + id);
  EXPECT_TRUE(requestId);

  auto overTls = sign(admin_, "POST", "/2013-04-01/hostedzone",
                      "<CreateHostedZoneRequest><Name>example.org</Name><CallerReference>y"
                      "</CallerReference></CreateHostedZoneRequest>");
  overTls.tls = true;
  auto t = pipeline_->handle(overTls);
  ASSERT_EQ(t.status, 201) << t.body;
  bool https = false;
  for (const auto& [k, v] : t.headers)
    https = https || (k == "Location" && v.starts_with("https://localhost:8053/2013-04-01/hostedzone/Z"));
  EXPECT_TRUE(https);
}

TEST(LocationUrl, AbsoluteWithHostRelativeWithout) {
  ApiRequest req;
  req.host = "127.0.0.1:8053";
  EXPECT_EQ(locationUrl(req, "/2013-04-01/hostedzone/Z1"), "http://127.0.0.1:8053/2013-04-01/hostedzone/Z1");
  req.scheme = "https";
  req.host = "[::1]:8443";
  EXPECT_EQ(locationUrl(req, "/p"), "https://[::1]:8443/p");
  req.host = "";
  EXPECT_EQ(locationUrl(req, "/2013-04-01/hostedzone/Z1"), "/2013-04-01/hostedzone/Z1");
  // Nothing that could end the header line or smuggle a path in.
  for (const char* bad : {"a b", "a\r\nX: y", "a/b", "a?b", "a@b"}) {
    req.host = bad;
    EXPECT_EQ(locationUrl(req, "/p"), "/p") << bad;
  }
}

TEST_F(PipelineTest, OptionalBodiesMayBeEmpty) {
  const auto z = createZone(admin_, "example.com");
  auto set = pipeline_->handle(sign(admin_, "POST", "/2013-04-01/hostedzone/" + z,
                                    "<UpdateHostedZoneCommentRequest><Comment>hello</Comment>"
                                    "</UpdateHostedZoneCommentRequest>"));
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_NE(set.body.find("<Comment>hello</Comment>"), std::string::npos);
  // botocore sends no body when Comment is not given: the comment is deleted.
  auto cleared = pipeline_->handle(sign(admin_, "POST", "/2013-04-01/hostedzone/" + z));
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.body.find("<Comment>"), std::string::npos) << cleared.body;
  auto got = pipeline_->handle(sign(admin_, "GET", "/2013-04-01/hostedzone/" + z));
  EXPECT_EQ(got.body.find("<Comment>"), std::string::npos) << got.body;
  auto tags = pipeline_->handle(sign(admin_, "POST", "/2013-04-01/tags/hostedzone/" + z));
  EXPECT_EQ(tags.status, 200) << tags.body;
  EXPECT_EQ(tags.operation, Operation::ChangeTagsForResource);
}

TEST_F(PipelineTest, RoutesWithAndWithoutTrailingSlashAndQuery) {
  const auto z = createZone(admin_, "example.com");
  auto list = pipeline_->handle(
      sign(admin_, "GET", "/2013-04-01/hostedzone/" + z + "/rrset?maxitems=1&name=example.com"));
  EXPECT_EQ(list.status, 200) << list.body;
  pugi::xml_document d;
  d.load_string(list.body.c_str());
  EXPECT_STREQ(d.child("ListResourceRecordSetsResponse").child_value("IsTruncated"), "true");
  auto list2 = pipeline_->handle(sign(admin_, "GET", "/2013-04-01/hostedzone/" + z + "/rrset/"));
  EXPECT_EQ(list2.status, 200);
  EXPECT_EQ(list2.operation, Operation::ListResourceRecordSets);
  auto count = pipeline_->handle(sign(admin_, "GET", "/2013-04-01/hostedzonecount"));
  EXPECT_EQ(count.status, 200);
  EXPECT_EQ(count.operation, Operation::GetHostedZoneCount);
  auto unknown = pipeline_->handle(sign(admin_, "GET", "/2013-04-01/nothing"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_FALSE(unknown.operation.has_value());
  auto wrongMethod = pipeline_->handle(sign(admin_, "PUT", "/2013-04-01/hostedzone"));
  EXPECT_EQ(wrongMethod.status, 404);
  EXPECT_FALSE(wrongMethod.operation.has_value());
  // Errors of an operation (here NoSuchHostedZone) are counted under it.
  auto missing = pipeline_->handle(sign(admin_, "GET", "/2013-04-01/hostedzone/ZNOPE/rrset"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.operation, Operation::ListResourceRecordSets);
}

TEST_F(PipelineTest, AuthErrors) {
  RawRequest unsigned_;
  unsigned_.method = "GET";
  unsigned_.target = "/2013-04-01/hostedzone";
  auto r = pipeline_->handle(unsigned_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(errorCode(r), "MissingAuthenticationToken");
  EXPECT_EQ(r.operation, Operation::ListHostedZones);  // refused, still labelled for metrics
  RawRequest unsignedUnknown = unsigned_;
  unsignedUnknown.target = "/2013-04-01/nothing";
  EXPECT_FALSE(pipeline_->handle(unsignedUnknown).operation.has_value());
  auth::AccessKey ghost{"AKIAGHOSTGHOSTGHOST0", "s", "ghost", "", 0};
  auto g = pipeline_->handle(sign(ghost, "GET", "/2013-04-01/hostedzone"));
  EXPECT_EQ(g.status, 403);
  EXPECT_EQ(errorCode(g), "InvalidClientTokenId");
  auth::AccessKey wrong = admin_;
  wrong.secret = "not-the-secret";
  auto w = pipeline_->handle(sign(wrong, "GET", "/2013-04-01/hostedzone"));
  EXPECT_EQ(w.status, 403);
  EXPECT_EQ(errorCode(w), "SignatureDoesNotMatch");
  auto tampered = sign(admin_, "GET", "/2013-04-01/hostedzone?maxitems=1");
  tampered.target = "/2013-04-01/hostedzone?maxitems=2";
  EXPECT_EQ(errorCode(pipeline_->handle(tampered)), "SignatureDoesNotMatch");
}

TEST_F(PipelineTest, PolicyRestrictsToOneZone) {
  const auto mine = createZone(admin_, "mine.example");
  const auto other = createZone(admin_, "other.example");
  auth::KeyStore store(dir_);
  auto limited = *store.create("external-dns",
                               R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets", "Resource": "arn:aws:route53:::hostedzone/)" +
                                   mine + R"("},
      {"Effect": "Allow", "Action": ["route53:List*", "route53:GetChange"], "Resource": "*"}]})",
                               kNow);
  const std::string batch =
      "<ChangeResourceRecordSetsRequest><ChangeBatch><Changes><Change><Action>UPSERT</"
      "Action><ResourceRecordSet>"
      "<Name>a.{Z}</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value>"
      "</ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch>"
      "</ChangeResourceRecordSetsRequest>";
  auto body = [&](const std::string& zoneName) {
    std::string b = batch;
    b.replace(b.find("{Z}"), 3, zoneName);
    return b;
  };
  auto ok = pipeline_->handle(
      sign(limited, "POST", "/2013-04-01/hostedzone/" + mine + "/rrset/", body("mine.example")));
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto denied = pipeline_->handle(
      sign(limited, "POST", "/2013-04-01/hostedzone/" + other + "/rrset/", body("other.example")));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(errorCode(denied), "AccessDenied");
  EXPECT_NE(
      denied.body.find("User: arn:aws:iam::000000000000:user/external-dns is not authorized to perform: "
                       "route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/" +
                       other),
      std::string::npos)
      << denied.body;
  EXPECT_EQ(pipeline_->handle(sign(limited, "GET", "/2013-04-01/hostedzone")).status, 200);
  EXPECT_EQ(errorCode(pipeline_->handle(sign(limited, "DELETE", "/2013-04-01/hostedzone/" + mine))),
            "AccessDenied");
  auto tags = pipeline_->handle(sign(limited, "POST", "/2013-04-01/tags/hostedzone",
                                     "<ListTagsForResourcesRequest><ResourceIds><ResourceId>" + mine +
                                         "</ResourceId><ResourceId>" + other +
                                         "</ResourceId></ResourceIds></ListTagsForResourcesRequest>"));
  EXPECT_EQ(tags.status, 200) << tags.body;
}

TEST_F(PipelineTest, ExplicitDenyMessage) {
  auth::KeyStore store(dir_);
  auto key = *store.create("ro", R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Effect": "Deny", "Action": "route53:CreateHostedZone", "Resource": "*"}]})",
                           kNow);
  auto r = pipeline_->handle(sign(key, "POST", "/2013-04-01/hostedzone", "<CreateHostedZoneRequest/>"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("with an explicit deny in an identity-based policy"), std::string::npos);
}

}  // namespace
}  // namespace zk::api
