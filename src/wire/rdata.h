#pragma once
// RDATA conversions driven by one table of type descriptors: presentation text
// <-> wire form, wire validation, RFC 3597 generic form. The same field list
// drives every direction, so wire and text cannot drift apart.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "wire/name.h"
#include "wire/rrtype.h"

namespace zk::wire {

using Bytes = std::vector<std::uint8_t>;

// One RDATA field's encoding.
enum class Field : std::uint8_t {
  U8,
  U16,
  U32,
  Period,       // u32 in text: plain seconds or BIND units "1h30m" (SOA timers)
  Ipv4,         // 4 octets
  Ipv6,         // 16 octets
  Name,         // domain name
  CharString,   // <character-string>: length octet + up to 255 octets
  CharStrings,  // one or more <character-string> up to the end (TXT, SPF)
  CaaTag,       // length octet + alphanumeric tag, unquoted in text
  StringRest,   // octets to the end, shown as one quoted string (CAA value)
  HexRest,      // octets to the end, hex in text (may be split over tokens)
  Base64Rest,   // octets to the end, base64 in text (may be split over tokens)
};

struct TypeDescriptor {
  RRType type;
  // Names in this type's RDATA may be compressed when writing (RFC 3597 section 4:
  // only the RFC 1035 types).
  bool compressOnWrite;
  // Compressed names in this type's RDATA are expanded when reading (RFC 3597
  // section 4 also lists RP, AFSDB, RT, SIG, PX, NXT, NAPTR, SRV).
  bool decompressOnRead;
  std::string_view mnemonic;
  std::span<const Field> fields;
  // Parallel to `fields`: what each field is called in error messages ("preference").
  std::span<const std::string_view> fieldNames;
};

// The descriptor for `type`, or nullptr for types handled only in RFC 3597 form.
const TypeDescriptor* findType(RRType type);

// One token of presentation RDATA as the zone-file lexer produced it: raw text
// with escapes still in place; `quoted` when it came from "..." (quotes removed).
struct TextToken {
  std::string_view text;
  bool quoted = false;
};

// Presentation -> uncompressed wire RDATA, appended to `out` (left unchanged on
// error). Relative names are completed with `origin`. Accepts the RFC 3597
// generic form "\# LEN HEX" for any type (the only form for types without a
// descriptor); for known types the decoded RDATA must be valid for the type.
// As in BIND, quoted tokens are accepted only for character-string fields.
// Errors name the type and field and show the offending token, e.g.
// "MX preference: expected a number 0-65535, got 'x'"; callers add the position.
Status rdataFromText(RRType type, std::span<const TextToken> tokens, const Name& origin, Bytes& out);

// Uncompressed wire RDATA -> canonical presentation text: absolute names,
// quoted strings with \DDD escapes, lower-case hex, unsplit base64. Generic form
// for unknown types, for data that fails validateRdata, and for data with no
// presentation form (e.g. an empty DS digest).
std::string rdataToText(RRType type, std::span<const std::uint8_t> rdata);
// RFC 3597 section 5 generic form: "\# 3 abcdef" ("\# 0" for empty RDATA).
std::string rdataToGeneric(std::span<const std::uint8_t> rdata);

// Checks that uncompressed RDATA is well formed for its type: every field
// present and in bounds, nothing left over, names uncompressed and within
// limits, CAA tag alphanumeric, at least one TXT string, DS/SSHFP digest length
// matching a known digest type. Types without a descriptor: anything goes.
Status validateRdata(RRType type, std::span<const std::uint8_t> rdata);

// Reads RDATA of `rdlength` octets at `offset` in `message`, expanding
// compressed names where the type allows (RFC 3597 section 4), and appends the
// uncompressed form to `out`.
Status rdataFromWire(RRType type, std::span<const std::uint8_t> message, std::size_t offset,
                     std::size_t rdlength, Bytes& out);

// Offsets of the names in uncompressed `rdata` (at most 2 for the supported
// types, for every type with names, whatever compressOnWrite says); returns
// the count, 0 for types without names and for malformed RDATA.
std::size_t rdataNameOffsets(RRType type, std::span<const std::uint8_t> rdata, std::size_t (&offsets)[4]);

}  // namespace zk::wire
