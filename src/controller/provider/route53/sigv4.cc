#include "controller/provider/route53/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace zk::controller::route53 {
namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return {reinterpret_cast<const char*>(out), len};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
  return s;
}

std::string trimSpaces(std::string_view v) {
  // Canonical header values: trimmed, inner runs of spaces collapsed.
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string scope(const SignInput& in) {
  return fmt::format("{}/{}/{}/aws4_request", in.amzDate.substr(0, 8), in.region, in.service);
}

std::string signedHeaders(const SignInput& in) {
  std::vector<std::string> names;
  for (const auto& [k, _] : in.headers) names.push_back(lower(k));
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ";") + n;
  return out;
}

}  // namespace

std::string hexSha256(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return hex(md, sizeof md);
}

std::string uriEncode(std::string_view s, bool keepSlash) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keepSlash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string canonicalRequest(const SignInput& in) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : in.query) q.emplace_back(uriEncode(k, false), uriEncode(v, false));
  std::sort(q.begin(), q.end());
  std::string query;
  for (const auto& [k, v] : q) {
    if (!query.empty()) query += '&';
    query += k;
    query += '=';
    query += v;
  }
  std::vector<std::pair<std::string, std::string>> h;
  for (const auto& [k, v] : in.headers) h.emplace_back(lower(k), trimSpaces(v));
  std::sort(h.begin(), h.end());
  std::string headers;
  for (const auto& [k, v] : h) {
    headers += k;
    headers += ':';
    headers += v;
    headers += '\n';
  }
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", in.method, uriEncode(in.path.empty() ? "/" : in.path, true),
                     query, headers, signedHeaders(in), hexSha256(in.payload));
}

std::string stringToSign(const SignInput& in) {
  return fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", in.amzDate, scope(in), hexSha256(canonicalRequest(in)));
}

std::string signature(const SignInput& in, const Credentials& creds) {
  std::string key = hmac("AWS4" + creds.secretAccessKey, in.amzDate.substr(0, 8));
  key = hmac(key, in.region);
  key = hmac(key, in.service);
  key = hmac(key, "aws4_request");
  const std::string sig = hmac(key, stringToSign(in));
  return hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::string authorization(const SignInput& in, const Credentials& creds) {
  return fmt::format("AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}", creds.accessKeyId,
                     scope(in), signedHeaders(in), signature(in, creds));
}

std::string amzDateNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace zk::controller::route53
