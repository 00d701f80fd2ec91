#pragma once
// Domain names (RFC 1035 section 3.1, 4.1.4; RFC 4343 case; RFC 4034 section 6.1 order).
//
// A Name holds the uncompressed wire form (length-prefixed labels ending with
// the root label), case preserved. Equality and ordering ignore ASCII case.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace zk::wire {

inline constexpr std::size_t kMaxNameLength = 255;  // RFC 1035 section 2.3.4
inline constexpr std::size_t kMaxLabelLength = 63;
inline constexpr std::size_t kMaxLabels = 128;

class Name {
 public:
  Name();  // the root name "."

  // Presentation form (RFC 1035 section 5.1): '.'-separated labels, escapes
  // "\X" and "\DDD". A name without a trailing dot is relative to `origin`;
  // "@" is the origin itself.
  static Result<Name> fromText(std::string_view text, const Name& origin);
  // Like the above with the root as origin.
  static Result<Name> fromText(std::string_view text);
  // Uncompressed wire form that must be exactly one name (no trailing bytes).
  static Result<Name> fromWire(std::span<const std::uint8_t> wire);

  [[nodiscard]] std::span<const std::uint8_t> bytes() const {
    return {reinterpret_cast<const std::uint8_t*>(wire_.data()), wire_.size()};
  }
  [[nodiscard]] std::string_view wire() const { return wire_; }
  [[nodiscard]] std::size_t wireLength() const { return wire_.size(); }
  [[nodiscard]] bool isRoot() const { return wire_.size() == 1; }
  // Number of labels, not counting the root label.
  [[nodiscard]] std::size_t labelCount() const;
  // Label i counted from the left (0 = leftmost), without its length octet.
  [[nodiscard]] std::string_view label(std::size_t i) const;
  [[nodiscard]] bool isWildcard() const { return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*'; }

  // True when this name equals `ancestor` or lies below it.
  [[nodiscard]] bool isSubdomainOf(const Name& ancestor) const;
  // This name without its `n` leftmost labels (n <= labelCount()).
  [[nodiscard]] Name stripLeft(std::size_t n) const;
  [[nodiscard]] Name parent() const { return stripLeft(1); }
  // `lbl` (raw octets) prepended; fails when a limit would be exceeded.
  [[nodiscard]] Result<Name> prepend(std::string_view lbl) const;
  // This relative prefix (all labels, root dropped) followed by `suffix`.
  [[nodiscard]] Result<Name> concat(const Name& suffix) const;
  [[nodiscard]] Name lowercased() const;

  // Absolute presentation form with the trailing dot and RFC 1035 escapes.
  [[nodiscard]] std::string toText() const;
  // Relative to `origin` when below it ("@" for the origin itself), else absolute.
  [[nodiscard]] std::string toText(const Name& origin) const;

  friend bool operator==(const Name& a, const Name& b);
  // Canonical DNS order, RFC 4034 section 6.1.
  friend std::strong_ordering operator<=>(const Name& a, const Name& b);

  [[nodiscard]] std::size_t hash() const;

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}
  std::string wire_;
};

struct NameHash {
  std::size_t operator()(const Name& n) const { return n.hash(); }
};

// Appends one label's octets in presentation form (RFC 1035 section 5.1 escapes:
// \. for specials, \DDD for non-printing octets).
void appendLabelText(std::string& out, std::string_view label);

// Reads a possibly compressed name from a DNS message at `offset` and advances
// `offset` past it (RFC 1035 section 4.1.4). Pointers must point backwards,
// so loops and forward references are errors; so are names over 255 octets.
Result<Name> readName(std::span<const std::uint8_t> message, std::size_t& offset);

// Lower-case ASCII without locale.
constexpr std::uint8_t asciiLower(std::uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + ('a' - 'A')) : c;
}

// Compares two wire-form names for equality ignoring ASCII case.
bool wireNamesEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

}  // namespace zk::wire

template <>
struct std::hash<zk::wire::Name> {
  std::size_t operator()(const zk::wire::Name& n) const { return n.hash(); }
};
