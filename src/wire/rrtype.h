#pragma once
// Record types and classes with their presentation mnemonics
// (RFC 1035 section 3.2.2-3.2.4, RFC 3597 section 5 "TYPEnnn"/"CLASSnnn").

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace zk::wire {

enum class RRType : std::uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  HINFO = 13,
  MX = 15,
  TXT = 16,
  RP = 17,
  AAAA = 28,
  SRV = 33,
  NAPTR = 35,
  DNAME = 39,
  OPT = 41,
  DS = 43,
  SSHFP = 44,
  RRSIG = 46,
  NSEC = 47,
  DNSKEY = 48,
  TLSA = 52,
  SPF = 99,
  IXFR = 251,
  AXFR = 252,
  ANY = 255,
  CAA = 257,
  // PowerDNS's private-use code for ALIAS (apex-capable alias, answered as the
  // target's A/AAAA). Never sent on the wire: the server expands it.
  ALIAS = 65401,
};

enum class RRClass : std::uint16_t {
  IN = 1,
  CH = 3,
  HS = 4,
  NONE = 254,
  ANY = 255,
};

// "A", "TYPE65534", ... (RFC 3597 section 5 for types without a mnemonic).
std::string typeToText(RRType type);
// Case-insensitive mnemonic or TYPEnnn.
Result<RRType> typeFromText(std::string_view text);
std::string classToText(RRClass cls);
Result<RRClass> classFromText(std::string_view text);

// Meta and question-only types that cannot appear as data in a zone (RFC 6895 section 3.1).
bool isMetaType(RRType type);

}  // namespace zk::wire
