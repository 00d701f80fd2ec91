#pragma once
// AWS Signature Version 4 verification, "AWS4-HMAC-SHA256": the Authorization
// header form and the presigned (query-string) form, whose X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and
// X-Amz-Signature parameters carry the same fields (the canonical query then
// holds every parameter but X-Amz-Signature).
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

// "AKID/20150830/us-east-1/iam/aws4_request" (no check of the field values).
Result<Credential> parseCredential(std::string_view value);
// "host;x-amz-date": at most 64 non-empty names.
Result<std::vector<std::string>> parseSignedHeaders(std::string_view value);

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=5d67...". Never throws.
Result<AuthorizationHeader> parseAuthorizationHeader(std::string_view value);

// The query-string form, parsed from the raw (percent-encoded) query.
struct PresignedQuery {
  Credential credential;
  std::string amzDate;              // X-Amz-Date as given
  std::int64_t expiresSeconds = 0;  // X-Amz-Expires: 1 .. kMaxPresignedExpires
  std::vector<std::string> signedHeaders;
  std::string signature;
  bool securityToken = false;  // X-Amz-Security-Token present
};
inline constexpr std::int64_t kMaxPresignedExpires = std::int64_t{7} * 24 * 3600;  // a week, as AWS
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// True when the query names any X-Amz-Algorithm / X-Amz-Signature parameter.
bool isPresigned(std::string_view rawQuery);
// Every one of the six parameters exactly once, well formed. Never throws.
Result<PresignedQuery> parsePresignedQuery(std::string_view rawQuery);

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

// Calls f(rawKey, rawValue) for each non-empty '&'-separated parameter of a
// raw (still percent-encoded) query string; a parameter without '=' has an
// empty value.
template <class F>
void forEachQueryParam(std::string_view rawQuery, F&& f) {
  while (!rawQuery.empty()) {
    const std::size_t amp = rawQuery.find('&');
    const std::string_view part = rawQuery.substr(0, amp);
    rawQuery = amp == std::string_view::npos ? std::string_view() : rawQuery.substr(amp + 1);
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    f(part.substr(0, eq), eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
  }
}
std::string canonicalUri(std::string_view rawPath);
// `omitKey`: a parameter (decoded name) left out, X-Amz-Signature for presigned requests.
std::string canonicalQuery(std::string_view rawQuery, std::string_view omitKey = {});
// Fails when a signed header is absent from the request.
Result<std::string> canonicalRequest(const SignedRequest& request,
                                     const std::vector<std::string>& signedHeaders,
                                     std::string_view payloadHash);
std::string stringToSign(std::string_view amzDate, std::string_view scope, std::string_view canonicalRequest);
Digest signingKey(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service);

// "20150830T123600Z" <-> unix seconds (UTC).
std::optional<std::int64_t> parseAmzDate(std::string_view text);
// The HTTP Date header as SigV4 takes it when there is no X-Amz-Date: ISO 8601 basic
// (as X-Amz-Date) or RFC 9110 5.6.7 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<std::int64_t> parseDateHeader(std::string_view text);
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
    std::int64_t maxSkewSeconds = std::int64_t{15} * 60;
  };
  SigV4Verifier(SecretLookup lookup, std::function<std::int64_t()> now, Options options);

  std::variant<VerifiedCaller, AuthError> verify(const SignedRequest& request) const;

 private:
  std::variant<VerifiedCaller, AuthError> verifyPresigned(const SignedRequest& request) const;
  // The checks both forms share: the key, the scope, the date window, the
  // signed headers and the signature over each of `payloadHashes` in turn.
  std::variant<VerifiedCaller, AuthError> verifySignature(const SignedRequest& request,
                                                          const Credential& cred, std::string_view amzDate,
                                                          std::int64_t when, std::int64_t notAfter,
                                                          bool presigned,
                                                          const std::vector<std::string>& signedHeaders,
                                                          std::string_view signature) const;

  SecretLookup lookup_;
  std::function<std::int64_t()> now_;
  Options options_;
};

}  // namespace zk::api::auth
