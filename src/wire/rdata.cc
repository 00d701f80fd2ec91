#include "wire/rdata.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "common/encoding.h"
#include "wire/rdata_fields.h"

namespace zk::wire {
namespace {

using F = Field;
using FieldName = std::string_view;

// ---------------------------------------------------------------------------
// The type table. Each type is a list of fields; every conversion walks it.

constexpr F kA[] = {F::Ipv4};  // RFC 1035 section 3.4.1
constexpr FieldName kANames[] = {"address"};
constexpr F kAaaa[] = {F::Ipv6};  // RFC 3596 section 2.2
constexpr FieldName kAaaaNames[] = {"address"};
constexpr F kOneName[] = {F::Name};  // NS, CNAME, PTR, DNAME, ALIAS
constexpr FieldName kNsNames[] = {"nsdname"};
constexpr FieldName kTargetNames[] = {"target"};
constexpr FieldName kPtrNames[] = {"ptrdname"};
// RFC 1035 section 3.3.13
constexpr F kSoa[] = {F::Name, F::Name, F::U32, F::Period, F::Period, F::Period, F::Period};
constexpr FieldName kSoaNames[] = {"mname", "rname", "serial", "refresh", "retry", "expire", "minimum"};
constexpr F kHinfo[] = {F::CharString, F::CharString};  // RFC 1035 section 3.3.2
constexpr FieldName kHinfoNames[] = {"cpu", "os"};
constexpr F kMx[] = {F::U16, F::Name};  // RFC 1035 section 3.3.9
constexpr FieldName kMxNames[] = {"preference", "exchange"};
constexpr F kTxt[] = {F::CharStrings};  // RFC 1035 section 3.3.14, RFC 7208 section 3 (SPF)
constexpr FieldName kTxtNames[] = {"text"};
constexpr F kRp[] = {F::Name, F::Name};  // RFC 1183 section 2.2
constexpr FieldName kRpNames[] = {"mbox", "txtdname"};
constexpr F kSrv[] = {F::U16, F::U16, F::U16, F::Name};  // RFC 2782
constexpr FieldName kSrvNames[] = {"priority", "weight", "port", "target"};
// RFC 3403 section 4.1
constexpr F kNaptr[] = {F::U16, F::U16, F::CharString, F::CharString, F::CharString, F::Name};
constexpr FieldName kNaptrNames[] = {"order", "preference", "flags", "services", "regexp", "replacement"};
constexpr F kDs[] = {F::U16, F::U8, F::U8, F::HexRest};  // RFC 4034 section 5.1
constexpr FieldName kDsNames[] = {"key tag", "algorithm", "digest type", "digest"};
constexpr F kSshfp[] = {F::U8, F::U8, F::HexRest};  // RFC 4255 section 3.1
constexpr FieldName kSshfpNames[] = {"algorithm", "fingerprint type", "fingerprint"};
constexpr F kTlsa[] = {F::U8, F::U8, F::U8, F::HexRest};  // RFC 6698 section 2.1
constexpr FieldName kTlsaNames[] = {"usage", "selector", "matching type", "certificate data"};
constexpr F kDnskey[] = {F::U16, F::U8, F::U8, F::Base64Rest};  // RFC 4034 section 2.1
constexpr FieldName kDnskeyNames[] = {"flags", "protocol", "algorithm", "public key"};
constexpr F kCaa[] = {F::U8, F::CaaTag, F::StringRest};  // RFC 8659 section 4.1
constexpr FieldName kCaaNames[] = {"flags", "tag", "value"};

// compressOnWrite: RFC 3597 section 4 (the RFC 1035 types). decompressOnRead:
// those plus RP, NAPTR, SRV from the same list. DNAME (RFC 6672 section 2.5)
// and ALIAS are never compressed.
constexpr TypeDescriptor kTypes[] = {
    {RRType::A, false, false, "A", kA, kANames},
    {RRType::NS, true, true, "NS", kOneName, kNsNames},
    {RRType::CNAME, true, true, "CNAME", kOneName, kTargetNames},
    {RRType::SOA, true, true, "SOA", kSoa, kSoaNames},
    {RRType::PTR, true, true, "PTR", kOneName, kPtrNames},
    {RRType::HINFO, false, false, "HINFO", kHinfo, kHinfoNames},
    {RRType::MX, true, true, "MX", kMx, kMxNames},
    {RRType::TXT, false, false, "TXT", kTxt, kTxtNames},
    {RRType::RP, false, true, "RP", kRp, kRpNames},
    {RRType::AAAA, false, false, "AAAA", kAaaa, kAaaaNames},
    {RRType::SRV, false, true, "SRV", kSrv, kSrvNames},
    {RRType::NAPTR, false, true, "NAPTR", kNaptr, kNaptrNames},
    {RRType::DNAME, false, false, "DNAME", kOneName, kTargetNames},
    {RRType::DS, false, false, "DS", kDs, kDsNames},
    {RRType::SSHFP, false, false, "SSHFP", kSshfp, kSshfpNames},
    {RRType::DNSKEY, false, false, "DNSKEY", kDnskey, kDnskeyNames},
    {RRType::TLSA, false, false, "TLSA", kTlsa, kTlsaNames},
    {RRType::SPF, false, false, "SPF", kTxt, kTxtNames},
    {RRType::CAA, false, false, "CAA", kCaa, kCaaNames},
    {RRType::ALIAS, false, false, "ALIAS", kOneName, kTargetNames},
};

constexpr bool tableConsistent() {
  for (const auto& d : kTypes) {
    if (d.fields.size() != d.fieldNames.size() || d.fields.empty()) return false;
  }
  return true;
}
static_assert(tableConsistent());

// Index into kTypes for type codes below 128 (-1: none); the rest are checked apart.
constexpr std::uint8_t kNoIndex = 0xFF;
constexpr std::array<std::uint8_t, 128> kSmallIndex = [] {
  std::array<std::uint8_t, 128> idx{};
  for (auto& v : idx) v = kNoIndex;
  for (std::size_t i = 0; i < std::size(kTypes); ++i) {
    auto code = static_cast<std::uint16_t>(kTypes[i].type);
    if (code < 128) idx[code] = static_cast<std::uint8_t>(i);
  }
  return idx;
}();

constexpr std::size_t kMaxRdata = 0xFFFF;

// ---------------------------------------------------------------------------
// Small helpers.

void putU16(Bytes& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void putU32(Bytes& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
std::uint32_t getU16(std::span<const std::uint8_t> b, std::size_t pos) {
  return (std::uint32_t{b[pos]} << 8) | b[pos + 1];
}
std::uint32_t getU32(std::span<const std::uint8_t> b, std::size_t pos) {
  return (std::uint32_t{b[pos]} << 24) | (std::uint32_t{b[pos + 1]} << 16) |
         (std::uint32_t{b[pos + 2]} << 8) | b[pos + 3];
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(std::uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Plain decimal, no sign; false when empty, not digits or above `max`.
bool parseDecimal(std::string_view t, std::uint64_t max, std::uint64_t& v) {
  if (t.empty()) return false;
  v = 0;
  for (char c : t) {
    if (!isDigit(c)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > max) return false;
  }
  return true;
}

// Seconds, or BIND-style units: "1h30m", "2W", "1d12h" (s m h d w, any case).
bool parsePeriod(std::string_view t, std::uint32_t& out) {
  std::uint64_t v = 0;
  if (parseDecimal(t, 0xFFFFFFFF, v)) {
    out = static_cast<std::uint32_t>(v);
    return true;
  }
  if (t.empty()) return false;
  std::uint64_t total = 0;
  std::size_t i = 0;
  while (i < t.size()) {
    std::uint64_t n = 0;
    std::size_t digits = 0;
    while (i < t.size() && isDigit(t[i])) {
      n = n * 10 + static_cast<std::uint64_t>(t[i] - '0');
      if (n > 0xFFFFFFFF) return false;
      ++i;
      ++digits;
    }
    if (digits == 0 || i >= t.size()) return false;  // every part needs a number and a unit
    std::uint64_t mult = 0;
    switch (t[i]) {
      case 's':
      case 'S':
        mult = 1;
        break;
      case 'm':
      case 'M':
        mult = 60;
        break;
      case 'h':
      case 'H':
        mult = 3600;
        break;
      case 'd':
      case 'D':
        mult = 86400;
        break;
      case 'w':
      case 'W':
        mult = 604800;
        break;
      default:
        return false;
    }
    ++i;
    total += n * mult;
    if (total > 0xFFFFFFFF) return false;
  }
  out = static_cast<std::uint32_t>(total);
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Unescapes presentation text (RFC 1035 section 5.1: "\X" and "\DDD") and
// appends it to `out`; returns the number of octets or an error message.
Result<std::size_t> appendUnescaped(std::string_view t, Bytes& out) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '\\') {
      if (i + 1 >= t.size()) return Error("dangling backslash");
      if (isDigit(t[i + 1])) {
        if (i + 3 >= t.size() || !isDigit(t[i + 2]) || !isDigit(t[i + 3])) {
          return Error("bad \\DDD escape (needs three digits)");
        }
        int v = (t[i + 1] - '0') * 100 + (t[i + 2] - '0') * 10 + (t[i + 3] - '0');
        if (v > 255) return Error("\\DDD escape above 255");
        c = static_cast<char>(v);
        i += 3;
      } else {
        c = t[++i];
      }
    }
    out.push_back(static_cast<std::uint8_t>(c));
    ++n;
  }
  return n;
}

void appendNumber(std::string& s, std::uint32_t v) {
  std::array<char, 12> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  s.append(buf.data(), r.ptr);
}

// A quoted string with '"' and '\' escaped and non-printable octets as \DDD.
void appendQuoted(std::string& s, std::span<const std::uint8_t> data) {
  s.push_back('"');
  for (auto c : data) {
    if (c == '"' || c == '\\') {
      s.push_back('\\');
      s.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      s.push_back('\\');
      s.push_back(static_cast<char>('0' + c / 100));
      s.push_back(static_cast<char>('0' + (c / 10) % 10));
      s.push_back(static_cast<char>('0' + c % 10));
    } else {
      s.push_back(static_cast<char>(c));
    }
  }
  s.push_back('"');
}

// Absolute presentation form of a well-formed uncompressed name, the same text
// as Name::toText (RFC 1035 section 5.1 escapes) without building a Name.
void appendNameText(std::string& s, std::span<const std::uint8_t> wire) {
  if (wire.size() <= 1) {
    s.push_back('.');
    return;
  }
  std::size_t pos = 0;
  while (pos < wire.size() && wire[pos] != 0) {
    std::size_t len = wire[pos];
    std::size_t n = std::min(len, wire.size() - pos - 1);
    appendLabelText(s, std::string_view(reinterpret_cast<const char*>(wire.data() + pos + 1), n));
    s.push_back('.');
    pos += 1 + len;
  }
}

// Cross-field rules: a known digest/fingerprint type fixes the length of the
// data that follows (DS: RFC 4034 section 5.1.4, RFC 4509, RFC 6605; SSHFP:
// RFC 4255 section 3.1.2, RFC 6594). Unknown digest types are left alone.
Status checkDigestLength(RRType type, std::span<const std::uint8_t> rd) {
  std::size_t typePos = 0;
  const char* what = nullptr;
  if (type == RRType::DS) {
    typePos = 3;
    what = "DS digest";
  } else if (type == RRType::SSHFP) {
    typePos = 1;
    what = "SSHFP fingerprint";
  } else {
    return {};
  }
  if (rd.size() <= typePos) return {};
  std::uint8_t digestType = rd[typePos];
  std::size_t want = 0;
  switch (digestType) {
    case 1:
      want = 20;
      break;  // SHA-1
    case 2:
      want = 32;
      break;  // SHA-256
    case 4:
      want = type == RRType::DS ? 48 : 0;
      break;  // SHA-384 (DS only)
    default:
      break;
  }
  std::size_t got = rd.size() - typePos - 1;
  if (want != 0 && got != want) {
    return Error(fmt::format("{}: type {} needs {} octets, got {}", what, digestType, want, got));
  }
  return {};
}

// Walks every field; on failure names the field that was malformed.
Status walk(const TypeDescriptor& d, std::span<const std::uint8_t> rd) {
  FieldWalk w =
      walkUncompressedFields(d, rd, [](std::size_t, Field, std::size_t, std::size_t) { return true; });
  if (w.fault == FieldFault::Trailing) {
    return Error(
        fmt::format("malformed {} RDATA: {} octets after the last field", d.mnemonic, rd.size() - w.pos));
  }
  if (w.fault != FieldFault::None) {
    return Error(fmt::format("malformed {} RDATA: bad or truncated {}", d.mnemonic, d.fieldNames[w.field]));
  }
  return checkDigestLength(d.type, rd);
}

// Prints well-formed RDATA; false when some field has no presentation form.
bool printFields(const TypeDescriptor& d, std::span<const std::uint8_t> rd, std::string& s) {
  auto print = [&](std::size_t i, Field f, std::size_t start, std::size_t length) {
    if (i > 0) s.push_back(' ');
    auto field = rd.subspan(start, length);
    switch (f) {
      case F::U8:
        appendNumber(s, field[0]);
        break;
      case F::U16:
        appendNumber(s, getU16(field, 0));
        break;
      case F::U32:
      case F::Period:
        appendNumber(s, getU32(field, 0));
        break;
      case F::Ipv4:
        for (std::size_t k = 0; k < 4; ++k) {
          if (k > 0) s.push_back('.');
          appendNumber(s, field[k]);
        }
        break;
      case F::Ipv6: {
        std::array<char, INET6_ADDRSTRLEN> buf{};
        if (inet_ntop(AF_INET6, field.data(), buf.data(), buf.size()) == nullptr) return false;
        s.append(buf.data());
        break;
      }
      case F::Name:
        appendNameText(s, field);
        break;
      case F::CharString:
        appendQuoted(s, field.subspan(1));
        break;
      case F::CharStrings: {
        std::size_t p = 0;
        while (p < field.size()) {
          if (p > 0) s.push_back(' ');
          std::size_t len = field[p];
          appendQuoted(s, field.subspan(p + 1, len));
          p += 1 + len;
        }
        break;
      }
      case F::CaaTag:
        s.append(reinterpret_cast<const char*>(field.data() + 1), field.size() - 1);
        break;
      case F::StringRest:
        appendQuoted(s, field);
        break;
      case F::HexRest:
        if (field.empty()) return false;  // "\# ..." is the only way to write it
        s.append(hexEncode(field));
        break;
      case F::Base64Rest:
        if (field.empty()) return false;
        s.append(base64Encode(field));
        break;
    }
    return true;
  };
  return walkUncompressedFields(d, rd, print).fault == FieldFault::None;
}

// ---------------------------------------------------------------------------
// Text parsing.

// The strict dotted quad inet_pton(AF_INET) accepts (four decimal parts 0-255,
// no leading zeros), without copying into a C string. False for anything else;
// the caller then asks inet_pton, so this can only be faster, not different.
bool parseDottedQuad(std::string_view t, std::array<std::uint8_t, 16>& addr) {
  std::size_t part = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    unsigned v = 0;
    while (i < t.size() && isDigit(t[i]) && digits < 4) {
      v = v * 10 + static_cast<unsigned>(t[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && t[i - digits] == '0')) return false;
    addr[part++] = static_cast<std::uint8_t>(v);
    if (part == 4) return i == t.size();
    if (i >= t.size() || t[i] != '.') return false;
    ++i;
  }
}

// Fast path of Name::fromText (RFC 1035 section 5.1) writing straight into
// `out`, without a heap allocation. Returns false, with `out` unchanged, for
// anything it does not accept; the caller then asks Name::fromText.
bool appendNameFromText(std::string_view text, const Name& origin, Bytes& out) {
  if (text.empty()) return false;
  std::size_t start = out.size();
  if (text == "@") {
    auto w = origin.bytes();
    out.insert(out.end(), w.begin(), w.end());
    return true;
  }
  if (text == ".") {
    out.push_back(0);
    return true;
  }
  std::size_t labelStart = out.size();
  out.push_back(0);
  auto fail = [&] {
    out.resize(start);
    return false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      std::size_t len = out.size() - labelStart - 1;
      if (len == 0) return fail();
      out[labelStart] = static_cast<std::uint8_t>(len);
      if (i + 1 == text.size()) {
        out.push_back(0);  // absolute
        return out.size() - start <= kMaxNameLength ? true : fail();
      }
      labelStart = out.size();
      out.push_back(0);
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return fail();
      if (isDigit(text[i + 1])) {
        if (i + 3 >= text.size() || !isDigit(text[i + 2]) || !isDigit(text[i + 3])) return fail();
        int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return fail();
        c = static_cast<char>(v);
        i += 3;
      } else {
        c = text[++i];
      }
    }
    out.push_back(static_cast<std::uint8_t>(c));
    if (out.size() - labelStart - 1 > kMaxLabelLength || out.size() - start > kMaxNameLength) return fail();
  }
  // Relative: close the last label and append the origin.
  std::size_t len = out.size() - labelStart - 1;
  if (len == 0) return fail();
  out[labelStart] = static_cast<std::uint8_t>(len);
  auto w = origin.bytes();
  if (out.size() - start + w.size() > kMaxNameLength) return fail();
  out.insert(out.end(), w.begin(), w.end());
  return true;
}

std::string_view shown(std::string_view t) { return t.size() > 80 ? t.substr(0, 80) : t; }

// RFC 3597 section 5: "\# LEN HEX..." with hex possibly split over tokens.
Status genericFromText(RRType type, std::span<const TextToken> tokens, Bytes& out) {
  std::size_t start = out.size();
  if (tokens.size() < 2) return Error("generic RDATA: missing length after \\#");
  std::uint64_t len = 0;
  if (tokens[1].quoted || !parseDecimal(tokens[1].text, kMaxRdata, len)) {
    return Error(fmt::format("generic RDATA: expected a length 0-65535, got '{}'", shown(tokens[1].text)));
  }
  int high = -1;
  for (std::size_t i = 2; i < tokens.size(); ++i) {
    if (tokens[i].quoted)
      return Error(fmt::format("generic RDATA: quoted hex \"{}\"", shown(tokens[i].text)));
    for (char c : tokens[i].text) {
      int v = hexValue(c);
      if (v < 0) return Error(fmt::format("generic RDATA: bad hex digit in '{}'", shown(tokens[i].text)));
      if (high < 0) {
        high = v;
      } else {
        out.push_back(static_cast<std::uint8_t>(high * 16 + v));
        high = -1;
      }
    }
  }
  if (high >= 0) return Error("generic RDATA: odd number of hex digits");
  std::size_t got = out.size() - start;
  if (got != len) {
    return Error(fmt::format("generic RDATA: length {} does not match the {} octets of hex data", len, got));
  }
  if (const TypeDescriptor* d = findType(type)) {
    auto st = walk(*d, std::span<const std::uint8_t>(out).subspan(start));
    if (!st.ok())
      return Error(fmt::format("generic RDATA is not valid {}: {}", d->mnemonic, st.error().message));
  }
  return {};
}

class TextParser {
 public:
  TextParser(const TypeDescriptor& d, std::span<const TextToken> tokens, const Name& origin, Bytes& out)
      : d_(d), tokens_(tokens), origin_(origin), out_(out) {}

  Status run() {
    std::size_t start = out_.size();
    for (field_ = 0; field_ < d_.fields.size(); ++field_) {
      if (next_ >= tokens_.size()) return fieldError("missing field");
      Field f = d_.fields[field_];
      // Like BIND, only string fields may be quoted ("10" is not a number).
      if (f != F::CharString && f != F::CharStrings && f != F::StringRest) {
        for (std::size_t i = next_; i < tokens_.size(); ++i) {
          if (tokens_[i].quoted) {
            return fieldError(fmt::format("expected an unquoted value, got \"{}\"", shown(tokens_[i].text)));
          }
          if (f != F::HexRest && f != F::Base64Rest) break;
        }
      }
      auto st = parseField(f);
      if (!st.ok()) return st;
    }
    if (next_ < tokens_.size()) {
      return Error(fmt::format("{}: trailing data '{}' after {}", d_.mnemonic, shown(tokens_[next_].text),
                               d_.fieldNames.back()));
    }
    return checkDigestLength(d_.type, std::span<const std::uint8_t>(out_).subspan(start));
  }

 private:
  Error fieldError(std::string_view what) const {
    return Error(fmt::format("{} {}: {}", d_.mnemonic, d_.fieldNames[field_], what));
  }

  Status number(std::uint64_t max, int octets) {
    std::string_view t = tokens_[next_++].text;
    std::uint64_t v = 0;
    if (!parseDecimal(t, max, v)) {
      return fieldError(fmt::format("expected a number 0-{}, got '{}'", max, shown(t)));
    }
    if (octets == 1) {
      out_.push_back(static_cast<std::uint8_t>(v));
    } else if (octets == 2) {
      putU16(out_, static_cast<std::uint32_t>(v));
    } else {
      putU32(out_, static_cast<std::uint32_t>(v));
    }
    return {};
  }

  Status address(int family) {
    std::string_view t = tokens_[next_++].text;
    std::array<char, INET6_ADDRSTRLEN + 1> buf{};
    std::array<std::uint8_t, 16> addr{};
    if (family == AF_INET && parseDottedQuad(t, addr)) {
      out_.insert(out_.end(), addr.begin(), addr.begin() + 4);
      return {};
    }
    bool ok = t.size() < buf.size();
    if (ok) {
      t.copy(buf.data(), t.size());
      ok = inet_pton(family, buf.data(), addr.data()) == 1;
    }
    if (!ok) return Error(fmt::format("bad {} address '{}'", family == AF_INET ? "IPv4" : "IPv6", shown(t)));
    out_.insert(out_.end(), addr.begin(), addr.begin() + (family == AF_INET ? 4 : 16));
    return {};
  }

  Status charString(const TextToken& tok) {
    std::size_t lenPos = out_.size();
    out_.push_back(0);
    auto n = appendUnescaped(tok.text, out_);
    if (!n.ok()) return fieldError(fmt::format("{} in '{}'", n.error().message, shown(tok.text)));
    // RFC 1035 section 3.3: a length octet, so at most 255 octets.
    if (*n > 255) {
      return fieldError(
          fmt::format("character string is {} octets, the limit is 255: '{}...'", *n, shown(tok.text)));
    }
    out_[lenPos] = static_cast<std::uint8_t>(*n);
    return {};
  }

  Status parseField(Field f) {
    switch (f) {
      case F::U8:
        return number(0xFF, 1);
      case F::U16:
        return number(0xFFFF, 2);
      case F::U32:
        return number(0xFFFFFFFF, 4);
      case F::Period: {
        std::string_view t = tokens_[next_++].text;
        std::uint32_t v = 0;
        if (!parsePeriod(t, v)) {
          return fieldError(
              fmt::format("expected seconds 0-4294967295 or a period like 1h30m, got '{}'", shown(t)));
        }
        putU32(out_, v);
        return {};
      }
      case F::Ipv4:
        return address(AF_INET);
      case F::Ipv6:
        return address(AF_INET6);
      case F::Name: {
        std::string_view t = tokens_[next_++].text;
        if (appendNameFromText(t, origin_, out_)) return {};
        // Slow path for the exact verdict and message (and any case the fast path declined).
        auto n = Name::fromText(t, origin_);
        if (!n.ok()) return fieldError(n.error().message);
        auto w = n->bytes();
        out_.insert(out_.end(), w.begin(), w.end());
        return {};
      }
      case F::CharString:
        return charString(tokens_[next_++]);
      case F::CharStrings:
        while (next_ < tokens_.size()) {
          auto st = charString(tokens_[next_++]);
          if (!st.ok()) return st;
        }
        return {};
      case F::CaaTag: {
        std::string_view t = tokens_[next_++].text;
        bool ok = !t.empty() && t.size() <= 255;
        for (char c : t) ok = ok && isAlnum(static_cast<std::uint8_t>(c));
        if (!ok) return fieldError(fmt::format("expected letters and digits only, got '{}'", shown(t)));
        out_.push_back(static_cast<std::uint8_t>(t.size()));
        out_.insert(out_.end(), t.begin(), t.end());
        return {};
      }
      case F::StringRest: {
        const TextToken& tok = tokens_[next_++];
        auto n = appendUnescaped(tok.text, out_);
        if (!n.ok()) return fieldError(fmt::format("{} in '{}'", n.error().message, shown(tok.text)));
        return {};
      }
      case F::HexRest: {
        int high = -1;
        for (; next_ < tokens_.size(); ++next_) {
          for (char c : tokens_[next_].text) {
            int v = hexValue(c);
            if (v < 0) return fieldError(fmt::format("bad hex digit in '{}'", shown(tokens_[next_].text)));
            if (high < 0) {
              high = v;
            } else {
              out_.push_back(static_cast<std::uint8_t>(high * 16 + v));
              high = -1;
            }
          }
        }
        if (high >= 0) return fieldError("odd number of hex digits");
        return {};
      }
      case F::Base64Rest: {
        std::string joined;
        for (; next_ < tokens_.size(); ++next_) joined.append(tokens_[next_].text);
        auto st = base64Decode(joined, out_);
        if (!st.ok()) return fieldError(fmt::format("bad base64: {}", st.error().message));
        return {};
      }
    }
    return fieldError("unsupported field");
  }

  const TypeDescriptor& d_;
  std::span<const TextToken> tokens_;
  const Name& origin_;
  Bytes& out_;
  std::size_t field_ = 0;
  std::size_t next_ = 0;
};

Status fromTextImpl(RRType type, std::span<const TextToken> tokens, const Name& origin, Bytes& out) {
  if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#") {
    return genericFromText(type, tokens, out);
  }
  const TypeDescriptor* d = findType(type);
  if (d == nullptr) {
    return Error(
        fmt::format("type {} has no known presentation format: use the RFC 3597 generic form \\# LEN HEX",
                    typeToText(type)));
  }
  return TextParser(*d, tokens, origin, out).run();
}

}  // namespace

const TypeDescriptor* findType(RRType type) {
  auto code = static_cast<std::uint16_t>(type);
  if (code < kSmallIndex.size()) {
    std::uint8_t i = kSmallIndex[code];
    return i == kNoIndex ? nullptr : &kTypes[i];
  }
  for (const auto& d : kTypes) {
    if (d.type == type) return &d;
  }
  return nullptr;
}

Status rdataFromText(RRType type, std::span<const TextToken> tokens, const Name& origin, Bytes& out) {
  std::size_t start = out.size();
  Status st = fromTextImpl(type, tokens, origin, out);
  if (st.ok() && out.size() - start > kMaxRdata) {
    st =
        Error(fmt::format("{} RDATA is {} octets, the limit is 65535", typeToText(type), out.size() - start));
  }
  if (!st.ok()) out.resize(start);
  return st;
}

std::string rdataToGeneric(std::span<const std::uint8_t> rdata) {
  std::string s = "\\# ";
  appendNumber(s, static_cast<std::uint32_t>(rdata.size()));
  if (!rdata.empty()) {
    s.push_back(' ');
    s.append(hexEncode(rdata));
  }
  return s;
}

std::string rdataToText(RRType type, std::span<const std::uint8_t> rdata) {
  const TypeDescriptor* d = findType(type);
  if (d != nullptr && rdata.size() <= kMaxRdata) {
    std::string s;
    s.reserve(rdata.size() * 2 + 8);
    if (printFields(*d, rdata, s) && checkDigestLength(type, rdata).ok()) return s;
  }
  return rdataToGeneric(rdata);
}

Status validateRdata(RRType type, std::span<const std::uint8_t> rdata) {
  if (rdata.size() > kMaxRdata) return Error("RDATA longer than 65535 octets");
  const TypeDescriptor* d = findType(type);
  if (d == nullptr) return {};
  return walk(*d, rdata);
}

Status rdataFromWire(RRType type, std::span<const std::uint8_t> message, std::size_t offset,
                     std::size_t rdlength, Bytes& out) {
  if (offset > message.size() || rdlength > message.size() - offset) {
    return Error(fmt::format("RDATA of {} octets runs past the end of the message", rdlength));
  }
  const TypeDescriptor* d = findType(type);
  auto rd = message.subspan(offset, rdlength);
  if (d == nullptr || !d->decompressOnRead) {
    if (d != nullptr) {
      auto st = walk(*d, rd);
      if (!st.ok()) return st;
    }
    out.insert(out.end(), rd.begin(), rd.end());
    return {};
  }
  // RFC 3597 section 4: expand compressed names. Everything before the end of
  // this RDATA may be a pointer target; names must not run past the RDATA.
  std::size_t start = out.size();
  std::size_t end = offset + rdlength;
  auto upto = message.first(end);
  Result<Name> name = Error("");
  auto nameLength = [&](std::size_t pos) -> std::size_t {
    std::size_t after = pos;
    name = readName(upto, after);
    return name.ok() ? after - pos : 0;
  };
  auto append = [&](std::size_t, Field f, std::size_t from, std::size_t length) {
    if (f == F::Name) {
      auto w = name->bytes();
      out.insert(out.end(), w.begin(), w.end());
    } else {
      out.insert(out.end(), message.begin() + static_cast<std::ptrdiff_t>(from),
                 message.begin() + static_cast<std::ptrdiff_t>(from + length));
    }
    return true;
  };
  FieldWalk w = walkFields(*d, message, offset, end, nameLength, append);
  if (w.fault != FieldFault::None) {
    out.resize(start);
    if (w.fault == FieldFault::Trailing) {
      return Error(
          fmt::format("malformed {} RDATA: {} octets after the last field", d->mnemonic, end - w.pos));
    }
    if (w.fault == FieldFault::BadName && !name.ok()) {
      return Error(fmt::format("malformed {} RDATA: {}: {}", d->mnemonic, d->fieldNames[w.field],
                               name.error().message));
    }
    return Error(fmt::format("malformed {} RDATA: bad or truncated {}", d->mnemonic, d->fieldNames[w.field]));
  }
  if (out.size() - start > kMaxRdata) {
    out.resize(start);
    return Error(fmt::format("{} RDATA longer than 65535 octets once names are expanded", d->mnemonic));
  }
  return {};
}

std::size_t rdataNameOffsets(RRType type, std::span<const std::uint8_t> rdata, std::size_t (&offsets)[4]) {
  const TypeDescriptor* d = findType(type);
  if (d == nullptr) return 0;
  std::size_t n = 0;
  FieldWalk w = walkUncompressedFields(*d, rdata, [&](std::size_t, Field f, std::size_t start, std::size_t) {
    if (f == F::Name && n < 4) offsets[n++] = start;
    return true;
  });
  return w.fault == FieldFault::None ? n : 0;
}

}  // namespace zk::wire
