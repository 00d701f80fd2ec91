#pragma once
// AWS Signature Version 4 request signing (the "Signing AWS API requests"
// process: canonical request, string to sign, derived key, signature).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zk::controller::route53 {

struct Credentials {
  std::string accessKeyId;
  std::string secretAccessKey;
  std::string sessionToken;  // optional (x-amz-security-token)
};

struct SignInput {
  std::string method;                                        // "GET", "POST"
  std::string path;                                          // "/2013-04-01/hostedzone"
  std::vector<std::pair<std::string, std::string>> query;    // unencoded
  std::vector<std::pair<std::string, std::string>> headers;  // signed headers, host included
  std::string payload;
  std::string amzDate;  // "20150830T123600Z"
  std::string region = "us-east-1";
  std::string service = "route53";
};

std::string hexSha256(std::string_view data);
// RFC 3986 percent-encoding of everything but unreserved characters.
std::string uriEncode(std::string_view s, bool keepSlash);
std::string canonicalRequest(const SignInput& in);
std::string stringToSign(const SignInput& in);
std::string signature(const SignInput& in, const Credentials& creds);
// The Authorization header value.
std::string authorization(const SignInput& in, const Credentials& creds);
// "20150830T123600Z" for now (UTC).
std::string amzDateNow();

}  // namespace zk::controller::route53
