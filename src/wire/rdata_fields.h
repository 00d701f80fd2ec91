#pragma once
// The one walk over the fields of RDATA against its type descriptor: where each
// field starts and how long it is. Validation, printing, name offsets and name
// expansion (rdata.cc) and message parsing and compression (message.cc) all use
// it, so the field rules live in one place.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "wire/name.h"
#include "wire/rdata.h"

namespace zk::wire {

// Why a walk stopped early.
enum class FieldFault : std::uint8_t {
  None,
  Short,          // a fixed-size field runs past the end
  BadName,        // the name callback refused the name
  StringOverrun,  // a character-string or CAA tag runs past the end
  EmptyCaaTag,    // RFC 8659 section 4.1: the tag has at least one octet
  BadCaaTag,      // a CAA tag with something other than letters and digits
  NoStrings,      // no character-string at all where one is required (TXT)
  Stopped,        // the visitor returned false
  Trailing,       // octets left after the last field
};

struct FieldWalk {
  FieldFault fault = FieldFault::None;
  std::size_t field = 0;  // index of the field at fault (fields.size() for Trailing)
  std::size_t pos = 0;    // where the walk stopped: `end` after a clean walk
};

// Length of the uncompressed name at the start of `wire` (labels of at most 63
// octets, at most 255 octets, ending with the root inside `wire`), or 0.
inline std::size_t uncompressedNameLength(std::span<const std::uint8_t> wire) {
  std::size_t pos = 0;
  while (pos < wire.size()) {
    std::uint8_t len = wire[pos];
    if (len > kMaxLabelLength) return 0;  // also rejects compression pointers
    pos += 1U + len;
    if (pos > kMaxNameLength) return 0;
    if (len == 0) return pos;
  }
  return 0;
}

// Octets of a fixed-size field, 0 for the others.
constexpr std::size_t fixedFieldSize(Field f) {
  switch (f) {
    case Field::U8:
      return 1;
    case Field::U16:
      return 2;
    case Field::U32:
    case Field::Period:
    case Field::Ipv4:
      return 4;
    case Field::Ipv6:
      return 16;
    default:
      return 0;
  }
}

// Walks data[pos, end) field by field as `d` lays it out.
// nameLength(offset) -> the octets the name at `offset` takes in `data` (a
// compressed name's in-place length where the caller allows pointers), 0 when
// malformed. visit(index, kind, offset, length) -> false to stop the walk; it is
// called for each field once its extent is known to be well formed.
template <class NameLength, class Visit>
FieldWalk walkFields(const TypeDescriptor& d, std::span<const std::uint8_t> data, std::size_t pos,
                     std::size_t end, NameLength&& nameLength, Visit&& visit) {
  for (std::size_t i = 0; i < d.fields.size(); ++i) {
    const Field f = d.fields[i];
    const std::size_t left = end - pos;
    std::size_t len = fixedFieldSize(f);
    if (len != 0) {
      if (left < len) return {FieldFault::Short, i, pos};
    } else {
      switch (f) {
        case Field::Name:
          len = nameLength(pos);
          if (len == 0 || len > left) return {FieldFault::BadName, i, pos};
          break;
        case Field::CharString:  // RFC 1035 section 3.3: a length octet and that many octets
          if (left < 1 || left < 1U + data[pos]) return {FieldFault::StringOverrun, i, pos};
          len = 1U + data[pos];
          break;
        case Field::CaaTag: {
          if (left < 1 || left < 1U + data[pos]) return {FieldFault::StringOverrun, i, pos};
          len = 1U + data[pos];
          // RFC 8659 section 4.1: a non-empty tag of letters and digits.
          if (len == 1) return {FieldFault::EmptyCaaTag, i, pos};
          for (std::size_t k = pos + 1; k < pos + len; ++k) {
            const std::uint8_t c = data[k];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
              return {FieldFault::BadCaaTag, i, pos};
          }
          break;
        }
        case Field::CharStrings: {
          // At least one string (RFC 1035 section 3.3.14), strings up to the end.
          if (left == 0) return {FieldFault::NoStrings, i, pos};
          std::size_t p = pos;
          while (p < end) {
            if (end - p < 1U + data[p]) return {FieldFault::StringOverrun, i, pos};
            p += 1U + data[p];
          }
          len = left;
          break;
        }
        default:  // StringRest, HexRest, Base64Rest: the rest of the RDATA, opaque
          len = left;
          break;
      }
    }
    if (!visit(i, f, pos, len)) return {FieldFault::Stopped, i, pos};
    pos += len;
  }
  if (pos != end) return {FieldFault::Trailing, d.fields.size(), pos};
  return {FieldFault::None, d.fields.size(), pos};
}

// walkFields over uncompressed RDATA (names without pointers).
template <class Visit>
FieldWalk walkUncompressedFields(const TypeDescriptor& d, std::span<const std::uint8_t> rdata,
                                 Visit&& visit) {
  return walkFields(
      d, rdata, 0, rdata.size(),
      [rdata](std::size_t pos) { return uncompressedNameLength(rdata.subspan(pos)); },
      std::forward<Visit>(visit));
}

}  // namespace zk::wire
