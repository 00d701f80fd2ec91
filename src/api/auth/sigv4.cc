#include "api/auth/sigv4.h"

#include <algorithm>
#include <array>
#include <ctime>

#include <fmt/format.h>

namespace zk::api::auth {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

bool isUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Header value: trimmed, runs of spaces collapsed to one (SigV4 "Trimall").
std::string trimAll(std::string_view v) {
  v = trim(v);
  std::string out;
  out.reserve(v.size());
  bool space = false;
  for (const char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

AuthError signatureMismatch(std::string message) {
  return {403, "SignatureDoesNotMatch", std::move(message)};
}

std::optional<std::string> header(const SignedRequest& r, std::string_view lowerName) {
  for (const auto& [k, v] : r.headers) {
    if (lower(k) == lowerName) return v;
  }
  return std::nullopt;
}

bool isLowerHex64(std::string_view v) {
  return v.size() == 64 && std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

Result<Credential> parseCredential(std::string_view val) {
  // AKID/date/region/service/aws4_request (the key id itself has no '/').
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (true) {
    const std::size_t slash = val.find('/', i);
    fields.push_back(val.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i));
    if (slash == std::string_view::npos) break;
    i = slash + 1;
    if (fields.size() > 5) break;
  }
  if (fields.size() != 5 || fields[0].empty()) {
    return Error(fmt::format("Credential '{}' is not ACCESSKEY/YYYYMMDD/REGION/SERVICE/aws4_request", val));
  }
  return Credential{std::string(fields[0]), std::string(fields[1]), std::string(fields[2]),
                    std::string(fields[3]), std::string(fields[4])};
}

Result<std::vector<std::string>> parseSignedHeaders(std::string_view val) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= val.size()) {
    const std::size_t semi = val.find(';', i);
    const std::string_view h =
        val.substr(i, semi == std::string_view::npos ? std::string_view::npos : semi - i);
    if (h.empty()) return Error("SignedHeaders has an empty header name");
    out.emplace_back(h);
    if (semi == std::string_view::npos) break;
    i = semi + 1;
  }
  if (out.size() > 64) return Error("SignedHeaders lists more than 64 headers");
  return out;
}

Result<AuthorizationHeader> parseAuthorizationHeader(std::string_view value) {
  AuthorizationHeader out;
  value = trim(value);
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos)
    return Error("Authorization header has no credentials after the algorithm");
  out.algorithm = std::string(value.substr(0, space));
  if (out.algorithm != kAlgorithm) {
    return Error(
        fmt::format("unsupported signing algorithm '{}': only {} is accepted", out.algorithm, kAlgorithm));
  }
  std::string_view rest = value.substr(space + 1);
  bool haveCredential = false;
  bool haveHeaders = false;
  bool haveSignature = false;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view part = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      return Error(fmt::format("Authorization component '{}' has no '='", part));
    const std::string_view key = part.substr(0, eq);
    const std::string_view val = part.substr(eq + 1);
    if (key == "Credential") {
      if (haveCredential) return Error("Credential is given twice");
      haveCredential = true;
      auto cred = parseCredential(val);
      if (!cred) return cred.error();
      out.credential = std::move(*cred);
    } else if (key == "SignedHeaders") {
      if (haveHeaders) return Error("SignedHeaders is given twice");
      haveHeaders = true;
      auto headers = parseSignedHeaders(val);
      if (!headers) return headers.error();
      out.signedHeaders = std::move(*headers);
    } else if (key == "Signature") {
      if (haveSignature) return Error("Signature is given twice");
      haveSignature = true;
      if (!isLowerHex64(val)) return Error("Signature must be 64 lower-case hex digits");
      out.signature = std::string(val);
    } else {
      return Error(fmt::format("unknown Authorization component '{}'", key));
    }
  }
  if (!haveCredential) return Error("Authorization header requires 'Credential' parameter");
  if (!haveHeaders) return Error("Authorization header requires 'SignedHeaders' parameter");
  if (!haveSignature) return Error("Authorization header requires 'Signature' parameter");
  return out;
}

bool isPresigned(std::string_view rawQuery) {
  bool found = false;
  forEachQueryParam(rawQuery, [&](std::string_view key, std::string_view) {
    const std::string k = percentDecode(key);
    if (k == "X-Amz-Algorithm" || k == "X-Amz-Signature") found = true;
  });
  return found;
}

Result<PresignedQuery> parsePresignedQuery(std::string_view rawQuery) {
  // AWS SigV4 "authenticating requests: using query parameters".
  constexpr std::array<std::string_view, 6> kNames = {"X-Amz-Algorithm",     "X-Amz-Credential",
                                                      "X-Amz-Date",          "X-Amz-Expires",
                                                      "X-Amz-SignedHeaders", "X-Amz-Signature"};
  std::array<std::optional<std::string>, 6> values;
  PresignedQuery out;
  std::optional<std::string> problem;
  forEachQueryParam(rawQuery, [&](std::string_view rawKey, std::string_view rawValue) {
    const std::string key = percentDecode(rawKey);
    if (key == "X-Amz-Security-Token") out.securityToken = true;
    for (std::size_t i = 0; i < kNames.size(); ++i) {
      if (key != kNames[i]) continue;
      if (values[i] && !problem) problem = fmt::format("{} is given twice", kNames[i]);
      values[i] = percentDecode(rawValue);
    }
  });
  if (problem) return Error(*problem);
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (!values[i])
      return Error(fmt::format("AWS query-string authentication requires the {} parameter", kNames[i]));
  }
  if (*values[0] != kAlgorithm) {
    return Error(
        fmt::format("unsupported X-Amz-Algorithm '{}': only {} is accepted", *values[0], kAlgorithm));
  }
  auto cred = parseCredential(*values[1]);
  if (!cred) return cred.error();
  out.credential = std::move(*cred);
  out.amzDate = *values[2];
  const std::string& expires = *values[3];
  if (expires.empty() || expires.size() > 7 ||
      !std::all_of(expires.begin(), expires.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error(fmt::format("X-Amz-Expires '{}' must be a number of seconds", expires));
  }
  out.expiresSeconds = std::stoll(expires);
  if (out.expiresSeconds < 1 || out.expiresSeconds > kMaxPresignedExpires) {
    return Error(fmt::format("X-Amz-Expires must be between 1 and {} seconds", kMaxPresignedExpires));
  }
  auto headers = parseSignedHeaders(*values[4]);
  if (!headers) return headers.error();
  out.signedHeaders = std::move(*headers);
  if (!isLowerHex64(*values[5])) return Error("X-Amz-Signature must be 64 lower-case hex digits");
  out.signature = *values[5];
  return out;
}

std::string uriEncode(std::string_view text, bool encodeSlash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (isUnreserved(c) || (c == '/' && !encodeSlash)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string canonicalUri(std::string_view rawPath) {
  // RFC 3986 section 5.2.4 dot-segment removal; empty segments dropped too.
  std::vector<std::string_view> stack;
  std::size_t i = 0;
  while (i < rawPath.size()) {
    const std::size_t slash = rawPath.find('/', i);
    const std::size_t end = slash == std::string_view::npos ? rawPath.size() : slash;
    const std::string_view seg = rawPath.substr(i, end - i);
    if (seg == "..") {
      if (!stack.empty()) stack.pop_back();
    } else if (!seg.empty() && seg != ".") {
      stack.push_back(seg);
    }
    i = end + 1;
  }
  std::string path = "/";
  for (std::size_t s = 0; s < stack.size(); ++s) {
    if (s > 0) path += '/';
    path += stack[s];
  }
  if (!stack.empty() && !rawPath.empty() && rawPath.back() == '/') path += '/';
  return uriEncode(path, false);
}

std::string canonicalQuery(std::string_view rawQuery, std::string_view omitKey) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t i = 0;
  while (i < rawQuery.size()) {
    const std::size_t amp = rawQuery.find('&', i);
    const std::size_t end = amp == std::string_view::npos ? rawQuery.size() : amp;
    const std::string_view part = rawQuery.substr(i, end - i);
    if (!part.empty()) {
      const std::size_t eq = part.find('=');
      const std::string k = percentDecode(part.substr(0, eq));
      const std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
      if (omitKey.empty() || k != omitKey)
        params.emplace_back(uriEncode(k, true), uriEncode(percentDecode(v), true));
    }
    i = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

Result<std::string> canonicalRequest(const SignedRequest& request,
                                     const std::vector<std::string>& signedHeaders,
                                     std::string_view payloadHash) {
  std::string out = request.method;
  out += '\n';
  out += canonicalUri(request.rawPath);
  out += '\n';
  out += canonicalQuery(request.rawQuery);
  out += '\n';
  std::string names;
  for (const auto& name : signedHeaders) {
    const std::string lname = lower(name);
    std::string value;
    bool found = false;
    for (const auto& [k, v] : request.headers) {
      if (lower(k) != lname) continue;
      if (found) value += ',';
      value += trimAll(v);
      found = true;
    }
    if (!found) return Error(fmt::format("signed header '{}' is not in the request", name));
    out += lname;
    out += ':';
    out += value;
    out += '\n';
    if (!names.empty()) names += ';';
    names += lname;
  }
  out += '\n';
  out += names;
  out += '\n';
  out += payloadHash;
  return out;
}

std::string stringToSign(std::string_view amzDate, std::string_view scope, std::string_view canonical) {
  return fmt::format("{}\n{}\n{}\n{}", kAlgorithm, amzDate, scope, sha256Hex(canonical));
}

Digest signingKey(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service) {
  const std::string k0 = fmt::format("AWS4{}", secret);
  const auto span = [](const std::string& s) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  const Digest kDate = hmacSha256(span(k0), date);
  const Digest kRegion = hmacSha256(kDate, region);
  const Digest kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, "aws4_request");
}

std::optional<std::int64_t> parseAmzDate(std::string_view t) {
  // YYYYMMDDTHHMMSSZ
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return std::nullopt;
  int v[6] = {};
  const std::size_t pos[6] = {0, 4, 6, 9, 11, 13};
  const std::size_t len[6] = {4, 2, 2, 2, 2, 2};
  for (int f = 0; f < 6; ++f) {
    for (std::size_t i = 0; i < len[f]; ++i) {
      const char c = t[pos[f] + i];
      if (c < '0' || c > '9') return std::nullopt;
      v[f] = v[f] * 10 + (c - '0');
    }
  }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = v[0] - 1900;
  tm.tm_mon = v[1] - 1;
  tm.tm_mday = v[2];
  tm.tm_hour = v[3];
  tm.tm_min = v[4];
  tm.tm_sec = v[5];
  return static_cast<std::int64_t>(timegm(&tm));
}

std::optional<std::int64_t> parseDateHeader(std::string_view t) {
  if (auto iso = parseAmzDate(t)) return iso;
  // RFC 9110 5.6.7: IMF-fixdate = day-name "," SP 2DIGIT SP month SP 4DIGIT SP hh:mm:ss SP "GMT"
  static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (t.size() != 29 || t.substr(3, 2) != ", " || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' ||
      t[19] != ':' || t[22] != ':' || t.substr(25) != " GMT") {
    return std::nullopt;
  }
  if (std::find(std::begin(kDays), std::end(kDays), t.substr(0, 3)) == std::end(kDays)) return std::nullopt;
  const auto month = kMonths.find(t.substr(8, 3));
  if (month == std::string_view::npos || month % 3 != 0) return std::nullopt;
  // Rewritten as YYYYMMDDTHHMMSSZ, whose parser checks the digits and ranges.
  const std::string iso = fmt::format("{}{:02d}{}T{}{}{}Z", t.substr(12, 4), month / 3 + 1, t.substr(5, 2),
                                      t.substr(17, 2), t.substr(20, 2), t.substr(23, 2));
  return parseAmzDate(iso);
}

std::string formatAmzDate(std::int64_t unixSeconds) {
  const auto t = static_cast<std::time_t>(unixSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

SigV4Verifier::SigV4Verifier(SecretLookup lookup, std::function<std::int64_t()> now, Options options)
    : lookup_(std::move(lookup)), now_(std::move(now)), options_(std::move(options)) {}

std::variant<VerifiedCaller, AuthError> SigV4Verifier::verify(const SignedRequest& request) const {
  const auto authorization = header(request, "authorization");
  const bool presigned = isPresigned(request.rawQuery);
  if (authorization && presigned) {
    return AuthError{400, "IncompleteSignature",
                     "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the "
                     "Authorization header should be specified"};
  }
  if (presigned) return verifyPresigned(request);
  if (!authorization) return AuthError{403, "MissingAuthenticationToken", "Missing Authentication Token"};
  auto parsed = parseAuthorizationHeader(*authorization);
  if (!parsed) return AuthError{400, "IncompleteSignature", parsed.error().message};
  const AuthorizationHeader& auth = *parsed;

  if (header(request, "x-amz-security-token")) {
    return AuthError{403, "InvalidClientTokenId", "The security token included in the request is invalid."};
  }
  // The request time: X-Amz-Date, or else the Date header (IAM User Guide, "Elements of an
  // AWS API request signature", Date). Either way the string to sign and the scope carry
  // it as YYYYMMDDTHHMMSSZ; the canonical headers carry the header as sent.
  const auto amzDate = header(request, "x-amz-date");
  const auto date = amzDate ? std::nullopt : header(request, "date");
  // The key is looked up first (an unknown key is InvalidClientTokenId whatever else is wrong).
  const auto badDate = [&](std::string message) -> std::variant<VerifiedCaller, AuthError> {
    if (!lookup_(auth.credential.accessKeyId)) {
      return AuthError{403, "InvalidClientTokenId", "The security token included in the request is invalid."};
    }
    return AuthError{400, "IncompleteSignature", std::move(message)};
  };
  if (!amzDate && !date) {
    return badDate("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  const auto when = amzDate ? parseAmzDate(*amzDate) : parseDateHeader(*date);
  if (!when) {
    return badDate(amzDate ? fmt::format("X-Amz-Date '{}' is not YYYYMMDDTHHMMSSZ", *amzDate)
                           : fmt::format("Date '{}' is neither YYYYMMDDTHHMMSSZ nor an HTTP date "
                                         "(Sun, 06 Nov 1994 08:49:37 GMT)",
                                         *date));
  }
  return verifySignature(request, auth.credential, amzDate ? *amzDate : formatAmzDate(*when), *when,
                         *when + options_.maxSkewSeconds, false, auth.signedHeaders, auth.signature);
}

std::variant<VerifiedCaller, AuthError> SigV4Verifier::verifyPresigned(const SignedRequest& request) const {
  auto parsed = parsePresignedQuery(request.rawQuery);
  if (!parsed) return AuthError{400, "IncompleteSignature", parsed.error().message};
  if (parsed->securityToken || header(request, "x-amz-security-token")) {
    return AuthError{403, "InvalidClientTokenId", "The security token included in the request is invalid."};
  }
  const auto when = parseAmzDate(parsed->amzDate);
  if (!when) {
    if (!lookup_(parsed->credential.accessKeyId)) {
      return AuthError{403, "InvalidClientTokenId", "The security token included in the request is invalid."};
    }
    return AuthError{400, "IncompleteSignature",
                     fmt::format("X-Amz-Date '{}' is not YYYYMMDDTHHMMSSZ", parsed->amzDate)};
  }
  return verifySignature(request, parsed->credential, parsed->amzDate, *when, *when + parsed->expiresSeconds,
                         true, parsed->signedHeaders, parsed->signature);
}

std::variant<VerifiedCaller, AuthError> SigV4Verifier::verifySignature(
    const SignedRequest& request, const Credential& cred, std::string_view amzDate, std::int64_t when,
    std::int64_t notAfter, bool presigned, const std::vector<std::string>& signedHeaders,
    std::string_view signature) const {
  const auto secret = lookup_(cred.accessKeyId);
  if (!secret) {
    return AuthError{403, "InvalidClientTokenId", "The security token included in the request is invalid."};
  }
  if (cred.date != amzDate.substr(0, 8)) {
    return signatureMismatch(
        fmt::format("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                    "HTTP: '{}' != '{}', "
                    "from '{}'.",
                    cred.date, amzDate.substr(0, 8), amzDate));
  }
  if (cred.service != options_.service) {
    return signatureMismatch(
        fmt::format("Credential should be scoped to correct service: '{}'.", options_.service));
  }
  if (cred.terminator != "aws4_request") {
    return signatureMismatch(fmt::format(
        "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.", cred.terminator));
  }
  if (cred.region.empty()) return signatureMismatch("Credential should be scoped to a valid region.");
  const std::int64_t now = now_();
  if (presigned) {
    // A presigned request is good from X-Amz-Date (less the skew allowance)
    // until X-Amz-Date + X-Amz-Expires.
    if (now > notAfter) {
      return AuthError{
          403, "AccessDenied",
          fmt::format("Request has expired: X-Amz-Date {} plus X-Amz-Expires ended at {}, now {}", amzDate,
                      formatAmzDate(notAfter), formatAmzDate(now))};
    }
  } else if (when < now - options_.maxSkewSeconds) {
    return signatureMismatch(fmt::format("Signature expired: {} is now earlier than {} ({} - 15 min.)",
                                         amzDate, formatAmzDate(now - options_.maxSkewSeconds),
                                         formatAmzDate(now)));
  }
  if (when > now + options_.maxSkewSeconds) {
    return signatureMismatch(
        fmt::format("Signature not yet current: {} is still later than {} ({} + 15 min.)", amzDate,
                    formatAmzDate(now + options_.maxSkewSeconds), formatAmzDate(now)));
  }
  if (std::find(signedHeaders.begin(), signedHeaders.end(), "host") == signedHeaders.end()) {
    return signatureMismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const std::string bodyHash = sha256Hex(request.body);
  if (const auto declared = header(request, "x-amz-content-sha256")) {
    if (!constantTimeEquals(lower(*declared), bodyHash) &&
        !(presigned && request.body.empty() && *declared == kUnsignedPayload)) {
      return AuthError{400, "XAmzContentSHA256Mismatch",
                       "The provided 'x-amz-content-sha256' header does not match what was computed."};
    }
  }
  const std::string scope = fmt::format("{}/{}/{}/aws4_request", cred.date, cred.region, cred.service);
  const Digest key = signingKey(*secret, cred.date, cred.region, cred.service);
  // Presigned requests may sign the payload as UNSIGNED-PAYLOAD (S3's form;
  // botocore signs SHA-256 of the body): accepted only with an empty body, so
  // that nothing unsigned is ever acted on.
  SignedRequest stripped;  // presigned: the query without X-Amz-Signature (no body: not read)
  if (presigned) {
    stripped.method = request.method;
    stripped.rawPath = request.rawPath;
    stripped.rawQuery = canonicalQuery(request.rawQuery, "X-Amz-Signature");
    stripped.headers = request.headers;
  }
  const SignedRequest& req = presigned ? stripped : request;
  std::string firstCanonical;
  std::string firstToSign;
  const int tries = presigned && request.body.empty() ? 2 : 1;
  for (int t = 0; t < tries; ++t) {
    const std::string_view payloadHash = t == 0 ? std::string_view(bodyHash) : kUnsignedPayload;
    auto canonical = canonicalRequest(req, signedHeaders, payloadHash);
    if (!canonical) return signatureMismatch(canonical.error().message);
    const std::string toSign = stringToSign(amzDate, scope, *canonical);
    if (constantTimeEquals(toHex(hmacSha256(key, toSign)), signature)) {
      return VerifiedCaller{cred.accessKeyId, cred.region};
    }
    if (t == 0) {
      firstCanonical = *canonical;
      firstToSign = toSign;
    }
  }
  return signatureMismatch(
      fmt::format("The request signature we calculated does not match the signature you provided. Check "
                  "your AWS Secret "
                  "Access Key and signing method. Consult the service documentation for details.\n\nThe "
                  "Canonical String for "
                  "this request should have been\n'{}'\n\nThe String-to-Sign should have been\n'{}'\n",
                  firstCanonical, firstToSign));
}

}  // namespace zk::api::auth
