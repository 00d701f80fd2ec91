#include "api/auth/sigv4.h"

#include <gtest/gtest.h>

namespace zk::api::auth {
namespace {

constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SigV4Verifier verifierAt(std::string_view amzDate, std::string service, std::string id, std::string secret) {
  const std::int64_t now = *parseAmzDate(amzDate);
  return SigV4Verifier(
      [id, secret](std::string_view key) -> std::optional<std::string> {
        if (key == id) return secret;
        return std::nullopt;
      },
      [now] { return now; }, SigV4Verifier::Options{std::move(service), 900});
}

SignedRequest suiteRequest(std::string path, std::string query, std::string signature) {
  SignedRequest r;
  r.method = "GET";
  r.rawPath = std::move(path);
  r.rawQuery = std::move(query);
  r.headers = {{"Host", "example.amazonaws.com"},
               {"X-Amz-Date", "20150830T123600Z"},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=" +
                    signature}};
  return r;
}

// AWS's published signature test suite (get-vanilla, get-vanilla-query-order-key-case).
TEST(SigV4Vectors, AwsTestSuite) {
  auto v = verifierAt("20150830T123600Z", "service", "AKIDEXAMPLE", std::string(kSuiteSecret));
  auto vanilla =
      v.verify(suiteRequest("/", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(vanilla)) << std::get<AuthError>(vanilla).message;
  EXPECT_EQ(std::get<VerifiedCaller>(vanilla).accessKeyId, "AKIDEXAMPLE");
  auto order = v.verify(suiteRequest("/", "Param2=value2&Param1=value1",
                                     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(order)) << std::get<AuthError>(order).message;
  auto wrong = v.verify(suiteRequest("/", "Param2=value2&Param1=value3",
                                     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
  ASSERT_TRUE(std::holds_alternative<AuthError>(wrong));
  EXPECT_EQ(std::get<AuthError>(wrong).code, "SignatureDoesNotMatch");
}

// AWS documentation's derived signing key example (secret, 20120215, us-east-1, iam).
TEST(SigV4Vectors, SigningKey) {
  EXPECT_EQ(toHex(signingKey(kSuiteSecret, "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

// S3 documentation example "GET Object" (canonical request, string to sign, signature).
TEST(SigV4Vectors, S3GetObjectExample) {
  SignedRequest r;
  r.method = "GET";
  r.rawPath = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", std::string(kEmptyHash)},
               {"x-amz-date", "20130524T000000Z"}};
  auto canonical = canonicalRequest(r, {"host", "range", "x-amz-content-sha256", "x-amz-date"}, kEmptyHash);
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(sha256Hex(*canonical), "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  const std::string sts = stringToSign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", *canonical);
  const auto key = signingKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
  EXPECT_EQ(toHex(hmacSha256(key, sts)), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Canonical, UriNormalizationAndDoubleEncoding) {
  EXPECT_EQ(canonicalUri(""), "/");
  EXPECT_EQ(canonicalUri("/"), "/");
  EXPECT_EQ(canonicalUri("//example//"), "/example/");
  EXPECT_EQ(canonicalUri("/example/.."), "/");
  EXPECT_EQ(canonicalUri("/./example"), "/example");
  EXPECT_EQ(canonicalUri("/a/b/../c/./d"), "/a/c/d");
  EXPECT_EQ(canonicalUri("/2013-04-01/hostedzone/Z1/rrset/"), "/2013-04-01/hostedzone/Z1/rrset/");
  EXPECT_EQ(canonicalUri("/example space/"), "/example%20space/");
  // Non-S3 services encode the already-encoded path again.
  EXPECT_EQ(canonicalUri("/a%2Fb"), "/a%252Fb");
  EXPECT_EQ(canonicalUri("/\xe1\x88\xb4"), "/%E1%88%B4");
}

TEST(SigV4Canonical, QuerySortedAndReencoded) {
  EXPECT_EQ(canonicalQuery(""), "");
  EXPECT_EQ(canonicalQuery("b=2&a=1&A=0"), "A=0&a=1&b=2");
  EXPECT_EQ(canonicalQuery("name=%2A.example.com&type=A"), "name=%2A.example.com&type=A");
  EXPECT_EQ(canonicalQuery("name=*.example.com"), "name=%2A.example.com");
  EXPECT_EQ(canonicalQuery("flag&x=a%20b"), "flag=&x=a%20b");
  EXPECT_EQ(canonicalQuery("k=v2&k=v1"), "k=v1&k=v2");
  EXPECT_EQ(canonicalQuery("k=%7E~"), "k=~~");
}

TEST(SigV4Canonical, HeaderValuesTrimmedAndJoined) {
  SignedRequest r;
  r.method = "GET";
  r.rawPath = "/";
  r.headers = {{"Host", "h"}, {"My-Header", "  a   b  c "}, {"my-header", "d"}};
  auto c = canonicalRequest(r, {"host", "my-header"}, kEmptyHash);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->find("my-header:a b c,d\n"), std::string::npos) << *c;
  EXPECT_FALSE(canonicalRequest(r, {"host", "x-missing"}, kEmptyHash).ok());
}

TEST(SigV4Header, Parse) {
  auto h = parseAuthorizationHeader(
      "AWS4-HMAC-SHA256 "
      "Credential=AKID/20150830/eu-west-1/route53/aws4_request,SignedHeaders=host;x-amz-date,"
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->credential.accessKeyId, "AKID");
  EXPECT_EQ(h->credential.region, "eu-west-1");
  EXPECT_EQ(h->credential.service, "route53");
  EXPECT_EQ(h->signedHeaders, (std::vector<std::string>{"host", "x-amz-date"}));
  for (const char* bad :
       {"", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature="
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=XYZ",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host;;x, Signature="
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, Foo=bar, SignedHeaders=host, Signature="
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/g, SignedHeaders=host, Signature="
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}) {
    EXPECT_FALSE(parseAuthorizationHeader(bad).ok()) << bad;
  }
}

TEST(SigV4Date, ParseAndFormat) {
  EXPECT_EQ(parseAmzDate("19700101T000000Z"), 0);
  EXPECT_EQ(parseAmzDate("20150830T123600Z"), 1440938160);
  EXPECT_EQ(formatAmzDate(1440938160), "20150830T123600Z");
  EXPECT_FALSE(parseAmzDate("20151330T123600Z").has_value());
  EXPECT_FALSE(parseAmzDate("2015-08-30T12:36:00Z").has_value());
  EXPECT_FALSE(parseAmzDate("20150830T1236000").has_value());
}

// Signs like a client would (these helpers are checked by the vectors above).
SignedRequest signedRoute53(std::string_view amzDate, std::string region, std::string body,
                            std::string_view secret = "secret") {
  SignedRequest r;
  r.method = "POST";
  r.rawPath = "/2013-04-01/hostedzone/Z1/rrset/";
  r.body = std::move(body);
  r.headers = {{"Host", "127.0.0.1:8053"},
               {"X-Amz-Date", std::string(amzDate)},
               {"X-Amz-Content-SHA256", sha256Hex(r.body)}};
  const std::vector<std::string> signedHeaders = {"host", "x-amz-content-sha256", "x-amz-date"};
  const std::string date(amzDate.substr(0, 8));
  const auto canonical = canonicalRequest(r, signedHeaders, sha256Hex(r.body));
  const std::string scope = date + "/" + region + "/route53/aws4_request";
  const std::string sig = toHex(
      hmacSha256(signingKey(secret, date, region, "route53"), stringToSign(amzDate, scope, *canonical)));
  r.headers.emplace_back("Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIATEST/" + scope +
                             ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + sig);
  return r;
}

std::string errorCode(const std::variant<VerifiedCaller, AuthError>& v) {
  return std::holds_alternative<AuthError>(v) ? std::get<AuthError>(v).code : "ok";
}

TEST(SigV4Verify, AnyRegionAndBodyHash) {
  auto v = verifierAt("20261126T120000Z", "route53", "AKIATEST", "secret");
  EXPECT_EQ(errorCode(v.verify(signedRoute53("20261126T120000Z", "us-east-1", "<x/>"))), "ok");
  EXPECT_EQ(errorCode(v.verify(signedRoute53("20261126T120000Z", "eu-west-3", "<x/>"))), "ok");
  auto tampered = signedRoute53("20261126T120000Z", "us-east-1", "<x/>");
  tampered.body = "<y/>";
  auto e = v.verify(tampered);
  EXPECT_EQ(errorCode(e), "XAmzContentSHA256Mismatch");
  // Without the content header, a changed body breaks the signature instead.
  auto noHeader = signedRoute53("20261126T120000Z", "us-east-1", "<x/>");
  std::erase_if(noHeader.headers, [](const auto& h) { return h.first == "X-Amz-Content-SHA256"; });
  EXPECT_EQ(errorCode(v.verify(noHeader)), "SignatureDoesNotMatch");  // header was signed
}

TEST(SigV4Verify, ClockSkew) {
  auto v = verifierAt("20261126T120000Z", "route53", "AKIATEST", "secret");
  EXPECT_EQ(errorCode(v.verify(signedRoute53("20261126T114600Z", "us-east-1", ""))), "ok");  // 14 min old
  EXPECT_EQ(errorCode(v.verify(signedRoute53("20261126T121400Z", "us-east-1", ""))), "ok");
  auto old = v.verify(signedRoute53("20261126T114400Z", "us-east-1", ""));
  EXPECT_EQ(errorCode(old), "SignatureDoesNotMatch");
  EXPECT_EQ(std::get<AuthError>(old).message,
            "Signature expired: 20261126T114400Z is now earlier than 20261126T114500Z (20261126T120000Z - 15 "
            "min.)");
  auto future = v.verify(signedRoute53("20261126T121600Z", "us-east-1", ""));
  EXPECT_NE(std::get<AuthError>(future).message.find("Signature not yet current"), std::string::npos);
}

TEST(SigV4Verify, ErrorCodes) {
  auto v = verifierAt("20261126T120000Z", "route53", "AKIATEST", "secret");
  SignedRequest none;
  none.method = "GET";
  none.rawPath = "/";
  auto missing = v.verify(none);
  EXPECT_EQ(errorCode(missing), "MissingAuthenticationToken");
  EXPECT_EQ(std::get<AuthError>(missing).httpStatus, 403);
  EXPECT_EQ(errorCode(v.verify(signedRoute53("20261126T120000Z", "us-east-1", "", "wrong"))),
            "SignatureDoesNotMatch");
  auto other = verifierAt("20261126T120000Z", "route53", "AKIAOTHER", "secret");
  auto unknown = other.verify(signedRoute53("20261126T120000Z", "us-east-1", ""));
  EXPECT_EQ(errorCode(unknown), "InvalidClientTokenId");
  EXPECT_EQ(std::get<AuthError>(unknown).httpStatus, 403);
  auto garbled = signedRoute53("20261126T120000Z", "us-east-1", "");
  garbled.headers.back().second = "AWS4-HMAC-SHA256 garbage";
  EXPECT_EQ(errorCode(v.verify(garbled)), "IncompleteSignature");
  auto s3 = verifierAt("20261126T120000Z", "s3", "AKIATEST", "secret");
  EXPECT_EQ(errorCode(s3.verify(signedRoute53("20261126T120000Z", "us-east-1", ""))),
            "SignatureDoesNotMatch");
  auto token = signedRoute53("20261126T120000Z", "us-east-1", "");
  token.headers.emplace_back("X-Amz-Security-Token", "t");
  EXPECT_EQ(errorCode(v.verify(token)), "InvalidClientTokenId");
  auto noDate = signedRoute53("20261126T120000Z", "us-east-1", "");
  std::erase_if(noDate.headers, [](const auto& h) { return h.first == "X-Amz-Date"; });
  auto noDateError = v.verify(noDate);
  EXPECT_EQ(errorCode(noDateError), "IncompleteSignature");
  EXPECT_EQ(std::get<AuthError>(noDateError).message,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
}

// The Date header instead of X-Amz-Date: the 2011 edition of AWS's test suite
// (get-vanilla) signs "date;host" with Date in the HTTP form.
TEST(SigV4Vectors, DateHeaderAwsTestSuite) {
  auto v = verifierAt("20110909T233600Z", "host", "AKIDEXAMPLE", std::string(kSuiteSecret));
  SignedRequest r;
  r.method = "GET";
  r.rawPath = "/";
  r.headers = {{"Date", "Mon, 09 Sep 2011 23:36:00 GMT"},
               {"Host", "host.foo.com"},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, "
                "SignedHeaders=date;host, "
                "Signature=b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470"}};
  auto ok = v.verify(r);
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(ok)) << std::get<AuthError>(ok).message;
  r.headers[0].second = "Mon, 09 Sep 2011 23:36:01 GMT";  // a signed header: the signature breaks
  EXPECT_EQ(std::get<AuthError>(v.verify(r)).code, "SignatureDoesNotMatch");
}

TEST(SigV4Date, DateHeaderForms) {
  EXPECT_EQ(parseDateHeader("Sun, 06 Nov 1994 08:49:37 GMT"), parseAmzDate("19941106T084937Z"));
  EXPECT_EQ(parseDateHeader("Fri, 27 Nov 2026 07:30:00 GMT"), parseAmzDate("20261127T073000Z"));
  EXPECT_EQ(parseDateHeader("20261127T073000Z"), parseAmzDate("20261127T073000Z"));
  for (std::string_view bad :
       {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nox 1994 08:49:37 GMT",
        "Sun, 06 ovD 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 0a Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08-49-37 GMT",
        "2026-11-27T07:30:00Z"}) {
    EXPECT_FALSE(parseDateHeader(bad).has_value()) << bad;
  }
}

TEST(SigV4Verify, DateHeaderInsteadOfXAmzDate) {
  auto v = verifierAt("20261126T120000Z", "route53", "AKIATEST", "secret");
  const auto withDate = [](std::string_view dateHeader, std::string_view isoTime,
                           std::string_view scopeDate) {
    SignedRequest r;
    r.method = "GET";
    r.rawPath = "/2013-04-01/hostedzone";
    r.headers = {{"Host", "127.0.0.1:8053"}, {"Date", std::string(dateHeader)}};
    const auto canonical = canonicalRequest(r, {"date", "host"}, kEmptyHash);
    const std::string scope = std::string(scopeDate) + "/us-east-1/route53/aws4_request";
    const std::string sig = toHex(hmacSha256(signingKey("secret", scopeDate, "us-east-1", "route53"),
                                             stringToSign(isoTime, scope, *canonical)));
    r.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=AKIATEST/" + scope +
                                                ", SignedHeaders=date;host, Signature=" + sig);
    return r;
  };
  EXPECT_EQ(errorCode(v.verify(withDate("Thu, 26 Nov 2026 12:05:00 GMT", "20261126T120500Z", "20261126"))),
            "ok");
  EXPECT_EQ(errorCode(v.verify(withDate("20261126T120500Z", "20261126T120500Z", "20261126"))), "ok");
  // The skew limit applies to the Date header's time too.
  auto stale = v.verify(withDate("Thu, 26 Nov 2026 11:40:00 GMT", "20261126T114000Z", "20261126"));
  EXPECT_NE(std::get<AuthError>(stale).message.find("Signature expired"), std::string::npos);
  // The scope's day must be the header's day.
  EXPECT_EQ(errorCode(v.verify(withDate("Thu, 26 Nov 2026 12:05:00 GMT", "20261126T120500Z", "20261125"))),
            "SignatureDoesNotMatch");
  auto garbled = v.verify(withDate("yesterday", "20261126T120500Z", "20261126"));
  EXPECT_EQ(errorCode(garbled), "IncompleteSignature");
  EXPECT_NE(std::get<AuthError>(garbled).message.find("'yesterday'"), std::string::npos);
  // X-Amz-Date wins when both are there (the Date header is then only a signed header).
  auto both = signedRoute53("20261126T120000Z", "us-east-1", "");
  both.headers.emplace_back("Date", "Mon, 09 Sep 2011 23:36:00 GMT");
  EXPECT_EQ(errorCode(v.verify(both)), "ok");
}

// S3 documentation's presigned URL example (UNSIGNED-PAYLOAD, signed header host).
constexpr std::string_view kS3PresignedQuery =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%"
    "2Faws4_"
    "request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

SignedRequest s3Presigned(std::string query) {
  SignedRequest r;
  r.method = "GET";
  r.rawPath = "/test.txt";
  r.rawQuery = std::move(query);
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  return r;
}

TEST(SigV4Presigned, S3DocumentationExample) {
  auto v = verifierAt("20130524T120000Z", "s3", "AKIAIOSFODNN7EXAMPLE",
                      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  auto ok = v.verify(s3Presigned(std::string(kS3PresignedQuery)));
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(ok)) << std::get<AuthError>(ok).message;
  EXPECT_EQ(std::get<VerifiedCaller>(ok).accessKeyId, "AKIAIOSFODNN7EXAMPLE");
  // Parameters in another order sign the same (the canonical query is sorted).
  std::string reordered(kS3PresignedQuery);
  const auto sig = reordered.find("&X-Amz-Signature=");
  reordered = reordered.substr(sig + 1) + "&" + reordered.substr(0, sig);
  EXPECT_TRUE(std::holds_alternative<VerifiedCaller>(v.verify(s3Presigned(reordered))));
  // Another host, another parameter, a body (UNSIGNED-PAYLOAD only without one): refused.
  auto host = s3Presigned(std::string(kS3PresignedQuery));
  host.headers[0].second = "other.example";
  EXPECT_EQ(std::get<AuthError>(v.verify(host)).code, "SignatureDoesNotMatch");
  EXPECT_EQ(std::get<AuthError>(v.verify(s3Presigned(std::string(kS3PresignedQuery) + "&extra=1"))).code,
            "SignatureDoesNotMatch");
  auto body = s3Presigned(std::string(kS3PresignedQuery));
  body.body = "<x/>";
  EXPECT_EQ(std::get<AuthError>(v.verify(body)).code, "SignatureDoesNotMatch");
  // Expired a day after X-Amz-Date (X-Amz-Expires=86400), not before.
  auto lastSecond = verifierAt("20130525T000000Z", "s3", "AKIAIOSFODNN7EXAMPLE",
                               "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_TRUE(
      std::holds_alternative<VerifiedCaller>(lastSecond.verify(s3Presigned(std::string(kS3PresignedQuery)))));
  auto late = verifierAt("20130525T000001Z", "s3", "AKIAIOSFODNN7EXAMPLE",
                         "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  auto expired = late.verify(s3Presigned(std::string(kS3PresignedQuery)));
  ASSERT_TRUE(std::holds_alternative<AuthError>(expired));
  EXPECT_EQ(std::get<AuthError>(expired).code, "AccessDenied");
  EXPECT_EQ(std::get<AuthError>(expired).httpStatus, 403);
  EXPECT_NE(std::get<AuthError>(expired).message.find("Request has expired"), std::string::npos);
  // Signed more than 15 minutes in the future: not yet valid.
  auto early = verifierAt("20130523T234400Z", "s3", "AKIAIOSFODNN7EXAMPLE",
                          "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_NE(std::get<AuthError>(early.verify(s3Presigned(std::string(kS3PresignedQuery))))
                .message.find("not yet current"),
            std::string::npos);
}

// What botocore's generate_presigned_url makes for route53: the payload hash
// is SHA-256 of the (empty) body rather than UNSIGNED-PAYLOAD.
SignedRequest presignedRoute53(std::string_view amzDate, std::string_view expires,
                               std::string_view secret = "secret") {
  const std::string date(amzDate.substr(0, 8));
  const std::string scope = date + "/us-east-1/route53/aws4_request";
  SignedRequest r;
  r.method = "GET";
  r.rawPath = "/2013-04-01/hostedzone";
  r.rawQuery = "maxitems=2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIATEST%2F" + date +
               "%2Fus-east-1%2Froute53%2Faws4_request&X-Amz-Date=" + std::string(amzDate) +
               "&X-Amz-Expires=" + std::string(expires) + "&X-Amz-SignedHeaders=host";
  r.headers = {{"Host", "127.0.0.1:8053"}};
  const auto canonical = canonicalRequest(r, {"host"}, sha256Hex(""));
  const std::string sig = toHex(
      hmacSha256(signingKey(secret, date, "us-east-1", "route53"), stringToSign(amzDate, scope, *canonical)));
  r.rawQuery += "&X-Amz-Signature=" + sig;
  return r;
}

TEST(SigV4Presigned, Route53WithBodyHashAndErrors) {
  auto v = verifierAt("20261126T120000Z", "route53", "AKIATEST", "secret");
  EXPECT_EQ(errorCode(v.verify(presignedRoute53("20261126T115000Z", "3600"))), "ok");
  EXPECT_EQ(errorCode(v.verify(presignedRoute53("20261126T115000Z", "3600", "wrong"))),
            "SignatureDoesNotMatch");
  EXPECT_EQ(errorCode(v.verify(presignedRoute53("20261126T105000Z", "3600"))), "AccessDenied");  // expired
  // Well-formedness of the parameters: 400 IncompleteSignature.
  for (const std::string_view e : {"0", "604801", "-1", "abc", ""}) {
    auto bad = v.verify(presignedRoute53("20261126T115000Z", e));
    EXPECT_EQ(errorCode(bad), "IncompleteSignature") << e;
    EXPECT_EQ(std::get<AuthError>(bad).httpStatus, 400);
  }
  EXPECT_EQ(errorCode(v.verify(presignedRoute53("20261126T115000Z", "604800"))), "ok");
  auto missing = presignedRoute53("20261126T115000Z", "60");
  missing.rawQuery = missing.rawQuery.substr(0, missing.rawQuery.find("&X-Amz-Signature="));
  missing.rawQuery += "&X-Amz-Signature";  // present but empty
  EXPECT_EQ(errorCode(v.verify(missing)), "IncompleteSignature");
  auto twice = presignedRoute53("20261126T115000Z", "60");
  twice.rawQuery += "&X-Amz-Date=20261126T115000Z";
  EXPECT_EQ(errorCode(v.verify(twice)), "IncompleteSignature");
  auto both = presignedRoute53("20261126T115000Z", "60");
  both.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=x");
  EXPECT_EQ(errorCode(v.verify(both)), "IncompleteSignature");
  auto token = presignedRoute53("20261126T115000Z", "60");
  token.rawQuery += "&X-Amz-Security-Token=t";
  EXPECT_EQ(errorCode(v.verify(token)), "InvalidClientTokenId");
  auto other = verifierAt("20261126T120000Z", "route53", "AKIAOTHER", "secret");
  EXPECT_EQ(errorCode(other.verify(presignedRoute53("20261126T115000Z", "60"))), "InvalidClientTokenId");
}

TEST(SigV4Presigned, Parse) {
  auto p = parsePresignedQuery(kS3PresignedQuery);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->credential.accessKeyId, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(p->credential.service, "s3");
  EXPECT_EQ(p->amzDate, "20130524T000000Z");
  EXPECT_EQ(p->expiresSeconds, 86400);
  EXPECT_EQ(p->signedHeaders, std::vector<std::string>{"host"});
  EXPECT_TRUE(isPresigned(kS3PresignedQuery));
  EXPECT_FALSE(isPresigned("maxitems=1&X-Amz-Date=x"));
  EXPECT_FALSE(parsePresignedQuery("X-Amz-Signature=00").ok());
  EXPECT_FALSE(parsePresignedQuery(std::string(kS3PresignedQuery).replace(16, 16, "AWS4-HMAC-SHA512")).ok());
  EXPECT_EQ(canonicalQuery("b=2&X-Amz-Signature=ff&a=1", "X-Amz-Signature"), "a=1&b=2");
}

TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
  EXPECT_EQ(sha256Hex(""), kEmptyHash);
}

}  // namespace
}  // namespace zk::api::auth
