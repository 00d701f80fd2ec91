#pragma once
// Test helpers for the query processor: build query packets, and print a
// response in the presentation form the golden files use:
//
//   rcode NOERROR
//   flags qr aa
//   edns version=0 udp=1232          (only when the response has an OPT)
//   answer:
//   www.example.com. 3600 IN A 192.0.2.1
//   authority:
//   additional:

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sstream>

#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

namespace zk::query::testing {

struct QuerySpec {
  std::string name = ".";
  std::uint16_t type = 1;
  std::uint16_t cls = 1;
  std::uint16_t id = 0x1234;
  std::uint8_t opcode = 0;
  bool rd = false;
  bool edns = false;
  std::uint16_t payload = 1232;
  std::uint8_t ednsVersion = 0;
  bool dnssecOk = false;
  int optCount = 1;                       // OPT records to add when edns (2 to test FORMERR)
  std::vector<std::uint8_t> ednsOptions;  // raw option bytes (code, length, data)
  bool tcp = false;
  std::vector<std::uint8_t> raw;  // when set, sent as is
};

// Parses "NAME TYPE [options]" (see tests/golden/server/README.md); buildQuery
// makes the packet; formatResponse gives the golden presentation form.
namespace detail {

inline void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}

inline std::uint16_t get16(std::span<const std::uint8_t> m, std::size_t off) {
  return static_cast<std::uint16_t>((m[off] << 8) | m[off + 1]);
}

inline int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool parseHex(std::string_view s, std::vector<std::uint8_t>& out) {
  if (s.size() % 2) return false;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    int a = hexValue(s[i]);
    int b = hexValue(s[i + 1]);
    if (a < 0 || b < 0) return false;
    out.push_back(static_cast<std::uint8_t>(a * 16 + b));
  }
  return true;
}

inline std::string rcodeText(unsigned rc) {
  static const char* names[] = {"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
  if (rc < 11) return names[rc];
  if (rc == 16) return "BADVERS";
  return "RCODE" + std::to_string(rc);
}

}  // namespace detail
using namespace detail;

inline bool parseQuerySpec(std::string_view line, QuerySpec& spec, std::string& error) {
  std::istringstream in{std::string(line)};
  std::string tok;
  std::vector<std::string> toks;
  while (in >> tok) toks.push_back(tok);
  if (toks.size() < 2) {
    error = "query needs NAME TYPE";
    return false;
  }
  spec.name = toks[0];
  auto t = wire::typeFromText(toks[1]);
  if (!t) {
    error = t.error().message;
    return false;
  }
  spec.type = static_cast<std::uint16_t>(*t);
  for (std::size_t i = 2; i < toks.size(); ++i) {
    std::string_view o = toks[i];
    auto val = [&](std::string_view key) { return o.substr(key.size()); };
    if (o == "edns") {
      spec.edns = true;
    } else if (o.starts_with("edns=")) {
      spec.edns = true;
      spec.payload = static_cast<std::uint16_t>(std::stoul(std::string(val("edns="))));
    } else if (o.starts_with("ednsver=")) {
      spec.edns = true;
      spec.ednsVersion = static_cast<std::uint8_t>(std::stoul(std::string(val("ednsver="))));
    } else if (o.starts_with("ednsopt=")) {
      spec.edns = true;
      if (!parseHex(val("ednsopt="), spec.ednsOptions)) {
        error = "bad ednsopt hex";
        return false;
      }
    } else if (o == "opt2") {
      spec.edns = true;
      spec.optCount = 2;
    } else if (o == "do") {
      spec.edns = true;
      spec.dnssecOk = true;
    } else if (o == "rd") {
      spec.rd = true;
    } else if (o == "tcp") {
      spec.tcp = true;
    } else if (o.starts_with("class=")) {
      auto c = wire::classFromText(val("class="));
      if (!c) {
        error = c.error().message;
        return false;
      }
      spec.cls = static_cast<std::uint16_t>(*c);
    } else if (o.starts_with("opcode=")) {
      spec.opcode = static_cast<std::uint8_t>(std::stoul(std::string(val("opcode="))));
    } else if (o.starts_with("raw=")) {
      if (!parseHex(val("raw="), spec.raw)) {
        error = "bad raw hex";
        return false;
      }
    } else {
      error = "unknown query option " + std::string(o);
      return false;
    }
  }
  return true;
}

inline std::vector<std::uint8_t> buildQuery(const QuerySpec& spec) {
  if (!spec.raw.empty()) return spec.raw;
  std::vector<std::uint8_t> q;
  put16(q, spec.id);
  put16(q, static_cast<std::uint16_t>((spec.opcode & 0xF) << 11 | (spec.rd ? 0x0100 : 0)));
  put16(q, 1);
  put16(q, 0);
  put16(q, 0);
  put16(q, static_cast<std::uint16_t>(spec.edns ? spec.optCount : 0));
  auto name = wire::Name::fromText(spec.name);
  auto b = name->bytes();  // names in golden files are valid
  q.insert(q.end(), b.begin(), b.end());
  put16(q, spec.type);
  put16(q, spec.cls);
  for (int i = 0; spec.edns && i < spec.optCount; ++i) {
    q.push_back(0);
    put16(q, 41);
    put16(q, spec.payload);
    q.push_back(0);
    q.push_back(spec.ednsVersion);
    q.push_back(spec.dnssecOk ? 0x80 : 0);
    q.push_back(0);
    put16(q, static_cast<std::uint16_t>(spec.ednsOptions.size()));
    q.insert(q.end(), spec.ednsOptions.begin(), spec.ednsOptions.end());
  }
  return q;
}

inline std::string formatResponse(std::span<const std::uint8_t> m) {
  if (m.size() < 12) return "unparseable: short header";
  std::uint16_t flags = get16(m, 2);
  std::uint16_t counts[4] = {get16(m, 4), get16(m, 6), get16(m, 8), get16(m, 10)};
  std::size_t off = 12;
  std::string question;
  for (std::uint16_t i = 0; i < counts[0]; ++i) {
    auto n = wire::readName(m, off);
    if (!n || off + 4 > m.size()) return "unparseable: question";
    question += "question: " + n->toText() + " " +
                wire::classToText(static_cast<wire::RRClass>(get16(m, off + 2))) + " " +
                wire::typeToText(static_cast<wire::RRType>(get16(m, off))) + "\n";
    off += 4;
  }
  std::string sections[3];
  std::string ednsLine;
  unsigned extRcode = 0;
  for (int s = 0; s < 3; ++s) {
    for (std::uint16_t i = 0; i < counts[s + 1]; ++i) {
      auto owner = wire::readName(m, off);
      if (!owner) return "unparseable: owner: " + owner.error().message;
      if (off + 10 > m.size()) return "unparseable: record header";
      std::uint16_t type = get16(m, off);
      std::uint16_t cls = get16(m, off + 2);
      std::uint32_t ttl = (std::uint32_t{get16(m, off + 4)} << 16) | get16(m, off + 6);
      std::uint16_t rdlen = get16(m, off + 8);
      off += 10;
      if (off + rdlen > m.size()) return "unparseable: rdata length";
      if (type == 41) {
        extRcode = ttl >> 24;
        ednsLine = "edns version=" + std::to_string((ttl >> 16) & 0xFF) + " udp=" + std::to_string(cls);
        if (ttl & 0x8000) ednsLine += " do";
        if (rdlen) ednsLine += " options=" + std::to_string(rdlen);
        ednsLine += "\n";
        off += rdlen;
        continue;
      }
      wire::Bytes rd;
      auto st = wire::rdataFromWire(static_cast<wire::RRType>(type), m, off, rdlen, rd);
      if (!st) return "unparseable: rdata: " + st.error().message;
      off += rdlen;
      sections[s] += owner->toText() + " " + std::to_string(ttl) + " " +
                     wire::classToText(static_cast<wire::RRClass>(cls)) + " " +
                     wire::typeToText(static_cast<wire::RRType>(type)) + " " +
                     wire::rdataToText(static_cast<wire::RRType>(type), rd) + "\n";
    }
  }
  if (off != m.size()) return "unparseable: trailing octets";
  std::string out = "rcode " + rcodeText((extRcode << 4) | (flags & 0xF)) + "\n";
  out += "flags qr";
  if (!(flags & 0x8000)) out = "rcode ? (QR clear)\nflags";
  if (flags & 0x0400) out += " aa";
  if (flags & 0x0200) out += " tc";
  if (flags & 0x0100) out += " rd";
  if (flags & 0x0080) out += " ra";
  if (flags & 0x0020) out += " ad";
  if (flags & 0x0010) out += " cd";
  if (((flags >> 11) & 0xF) != 0) out += " opcode=" + std::to_string((flags >> 11) & 0xF);
  out += "\n" + ednsLine + question;
  out += "answer:\n" + sections[0] + "authority:\n" + sections[1] + "additional:\n" + sections[2];
  return out;
}

}  // namespace zk::query::testing
