#pragma once
// AWS Signature Version 4 verification (header form, "AWS4-HMAC-SHA256").
//
// Canonical request = METHOD \n canonical URI \n canonical query \n canonical
// headers \n signed headers \n payload hash. For services other than S3 the URI
// is the request path with dot segments and empty segments removed, then every
// octet outside A-Za-z0-9-._~ and '/' percent-encoded again (so "%2F" on the
// wire becomes "%252F"). The query is decoded, re-encoded strictly and sorted.
// String to sign = "AWS4-HMAC-SHA256" \n X-Amz-Date \n scope \n hex(SHA256(CR)).
// Signing key = HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request".

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/auth/crypto.h"
#include "common/result.h"

namespace zk::api::auth {

struct AuthError {
  int httpStatus = 403;
  std::string code;
  std::string message;
};

struct Credential {
  std::string accessKeyId;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
  std::string terminator;  // "aws4_request"
};

struct AuthorizationHeader {
  std::string algorithm;
  Credential credential;
  std::vector<std::string> signedHeaders;  // lower-case, as listed
  std::string signature;                   // lower-case hex
};

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=5d67...". Never throws.
Result<AuthorizationHeader> parseAuthorizationHeader(std::string_view value);

struct SignedRequest {
  std::string method;
  std::string rawPath;                                       // as on the request line (percent-encoded)
  std::string rawQuery;                                      // after '?', percent-encoded; empty if none
  std::vector<std::pair<std::string, std::string>> headers;  // any case; repeats allowed
  std::string body;
};

// RFC 3986 unreserved octets kept, everything else %XX (upper-case hex).
std::string uriEncode(std::string_view text, bool encodeSlash);
std::string percentDecode(std::string_view text);
std::string canonicalUri(std::string_view rawPath);
std::string canonicalQuery(std::string_view rawQuery);
// Fails when a signed header is absent from the request.
Result<std::string> canonicalRequest(const SignedRequest& request,
                                     const std::vector<std::string>& signedHeaders,
                                     std::string_view payloadHash);
std::string stringToSign(std::string_view amzDate, std::string_view scope, std::string_view canonicalRequest);
Digest signingKey(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service);

// "20150830T123600Z" <-> unix seconds (UTC).
std::optional<std::int64_t> parseAmzDate(std::string_view text);
std::string formatAmzDate(std::int64_t unixSeconds);

struct VerifiedCaller {
  std::string accessKeyId;
  std::string region;
};

class SigV4Verifier {
 public:
  // The secret of an access key id, or nullopt for unknown keys.
  using SecretLookup = std::function<std::optional<std::string>(std::string_view accessKeyId)>;
  struct Options {
    std::string service = "route53";
    std::int64_t maxSkewSeconds = 15 * 60;
  };
  SigV4Verifier(SecretLookup lookup, std::function<std::int64_t()> now, Options options);

  std::variant<VerifiedCaller, AuthError> verify(const SignedRequest& request) const;

 private:
  SecretLookup lookup_;
  std::function<std::int64_t()> now_;
  Options options_;
};

}  // namespace zk::api::auth
