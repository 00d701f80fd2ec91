#include "wire/name.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace zk::wire {
namespace {

using Offsets = std::array<std::uint8_t, kMaxLabels + 1>;

// Offsets of each label's length octet, leftmost first; returns the count
// (without the root label).
std::size_t labelOffsets(std::string_view wire, Offsets& out) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while (pos < wire.size() && wire[pos] != 0) {
    out[n++] = static_cast<std::uint8_t>(pos);
    pos += 1U + static_cast<std::uint8_t>(wire[pos]);
  }
  return n;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Name::Name() : wire_(1, '\0') {}

Result<Name> Name::fromText(std::string_view text) { return fromText(text, Name()); }

Result<Name> Name::fromText(std::string_view text, const Name& origin) {
  if (text.empty()) return Error("empty name");
  if (text == "@") return origin;
  if (text == ".") return Name();
  std::string wire;
  wire.reserve(text.size() + 2);
  std::size_t labelStart = 0;
  wire.push_back('\0');
  bool absolute = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      std::size_t len = wire.size() - labelStart - 1;
      if (len == 0) return Error(fmt::format("empty label in name '{}'", text));
      wire[labelStart] = static_cast<char>(len);
      if (i + 1 == text.size()) {
        absolute = true;
        break;
      }
      labelStart = wire.size();
      wire.push_back('\0');
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return Error(fmt::format("dangling escape in name '{}'", text));
      if (isDigit(text[i + 1])) {
        if (i + 3 >= text.size() || !isDigit(text[i + 2]) || !isDigit(text[i + 3])) {
          return Error(fmt::format("bad \\DDD escape in name '{}'", text));
        }
        int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return Error(fmt::format("\\DDD escape over 255 in name '{}'", text));
        c = static_cast<char>(v);
        i += 3;
      } else {
        c = text[++i];
      }
    }
    wire.push_back(c);
    if (wire.size() - labelStart - 1 > kMaxLabelLength) {
      return Error(fmt::format("label longer than 63 octets in name '{}'", text));
    }
  }
  if (!absolute) {
    std::size_t len = wire.size() - labelStart - 1;
    if (len == 0) return Error(fmt::format("empty label in name '{}'", text));
    wire[labelStart] = static_cast<char>(len);
    wire.append(origin.wire_);
  } else {
    wire.push_back('\0');
  }
  if (wire.size() > kMaxNameLength) {
    return Error(fmt::format("name '{}' is longer than 255 octets", text));
  }
  return Name(std::move(wire));
}

Result<Name> Name::fromWire(std::span<const std::uint8_t> wire) {
  std::size_t pos = 0;
  while (true) {
    if (pos >= wire.size()) return Error("name runs past its data");
    std::uint8_t len = wire[pos];
    if (len > kMaxLabelLength) return Error("label length over 63 (or compression) in name");
    pos += 1 + len;
    if (pos > kMaxNameLength) return Error("name longer than 255 octets");
    if (len == 0) break;
  }
  if (pos != wire.size()) return Error("trailing octets after name");
  return Name(std::string(reinterpret_cast<const char*>(wire.data()), wire.size()));
}

std::size_t Name::labelCount() const {
  Offsets o;
  return labelOffsets(wire_, o);
}

std::string_view Name::label(std::size_t i) const {
  Offsets o;
  std::size_t n = labelOffsets(wire_, o);
  if (i >= n) return {};
  return std::string_view(wire_).substr(o[i] + 1U, static_cast<std::uint8_t>(wire_[o[i]]));
}

bool Name::isSubdomainOf(const Name& ancestor) const {
  if (ancestor.wire_.size() > wire_.size()) return false;
  std::size_t start = wire_.size() - ancestor.wire_.size();
  // The suffix must begin on a label boundary.
  std::size_t pos = 0;
  while (pos < start) pos += 1U + static_cast<std::uint8_t>(wire_[pos]);
  if (pos != start) return false;
  return wireNamesEqual(bytes().subspan(start), ancestor.bytes());
}

Name Name::stripLeft(std::size_t n) const {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n && wire_[pos] != 0; ++i) pos += 1U + static_cast<std::uint8_t>(wire_[pos]);
  return Name(wire_.substr(pos));
}

Result<Name> Name::prepend(std::string_view lbl) const {
  if (lbl.empty()) return Error("empty label");
  if (lbl.size() > kMaxLabelLength) return Error("label longer than 63 octets");
  if (wire_.size() + 1 + lbl.size() > kMaxNameLength) return Error("name longer than 255 octets");
  std::string w;
  w.reserve(wire_.size() + 1 + lbl.size());
  w.push_back(static_cast<char>(lbl.size()));
  w.append(lbl);
  w.append(wire_);
  return Name(std::move(w));
}

Result<Name> Name::concat(const Name& suffix) const {
  std::size_t total = wire_.size() - 1 + suffix.wire_.size();
  if (total > kMaxNameLength) return Error("name longer than 255 octets");
  std::string w = wire_.substr(0, wire_.size() - 1);
  w.append(suffix.wire_);
  return Name(std::move(w));
}

Name Name::lowercased() const {
  std::string w = wire_;
  for (char& c : w) c = static_cast<char>(asciiLower(static_cast<std::uint8_t>(c)));
  return Name(std::move(w));
}

void appendLabelText(std::string& out, std::string_view label) {
  for (char ch : label) {
    auto c = static_cast<std::uint8_t>(ch);
    switch (c) {
      // RFC 1035 section 5.1 special characters, plus those a zone file lexer treats specially.
      case '.':
      case '\\':
      case '"':
      case ';':
      case '(':
      case ')':
      case '@':
      case '$':
        out.push_back('\\');
        out.push_back(ch);
        break;
      default:
        if (c <= 0x20 || c >= 0x7f) {  // \DDD
          out.push_back('\\');
          out.push_back(static_cast<char>('0' + c / 100));
          out.push_back(static_cast<char>('0' + (c / 10) % 10));
          out.push_back(static_cast<char>('0' + c % 10));
        } else {
          out.push_back(ch);
        }
    }
  }
}

std::string Name::toText() const {
  if (isRoot()) return ".";
  std::string out;
  out.reserve(wire_.size() + 4);
  std::size_t pos = 0;
  while (wire_[pos] != 0) {
    auto len = static_cast<std::uint8_t>(wire_[pos]);
    appendLabelText(out, std::string_view(wire_).substr(pos + 1, len));
    out.push_back('.');
    pos += 1U + len;
  }
  return out;
}

std::string Name::toText(const Name& origin) const {
  if (*this == origin) return "@";
  if (!isSubdomainOf(origin) || origin.isRoot()) return toText();
  std::size_t prefix = wire_.size() - origin.wire_.size();
  std::string out;
  std::size_t pos = 0;
  while (pos < prefix) {
    auto len = static_cast<std::uint8_t>(wire_[pos]);
    if (!out.empty()) out.push_back('.');
    appendLabelText(out, std::string_view(wire_).substr(pos + 1, len));
    pos += 1U + len;
  }
  return out;
}

bool wireNamesEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  }
  return true;
}

bool operator==(const Name& a, const Name& b) { return wireNamesEqual(a.bytes(), b.bytes()); }

std::strong_ordering operator<=>(const Name& a, const Name& b) {
  // The same octets are the same name (keys are often stored lower-cased).
  if (a.wire_ == b.wire_) return std::strong_ordering::equal;
  Offsets oa;
  Offsets ob;
  std::size_t na = labelOffsets(a.wire_, oa);
  std::size_t nb = labelOffsets(b.wire_, ob);
  // RFC 4034 section 6.1: compare labels from the rightmost; within a label, octet
  // by octet in lower case, a shorter label sorting first when it is a prefix of
  // the other.
  while (na > 0 && nb > 0) {
    --na;
    --nb;
    // From the offsets already found: label(i) would walk the name again.
    const std::string_view la =
        std::string_view(a.wire_).substr(oa[na] + 1U, static_cast<std::uint8_t>(a.wire_[oa[na]]));
    const std::string_view lb =
        std::string_view(b.wire_).substr(ob[nb] + 1U, static_cast<std::uint8_t>(b.wire_[ob[nb]]));
    if (la == lb) continue;  // one memcmp for the shared suffix labels, in any case
    std::size_t n = std::min(la.size(), lb.size());
    for (std::size_t i = 0; i < n; ++i) {
      auto ca = asciiLower(static_cast<std::uint8_t>(la[i]));
      auto cb = asciiLower(static_cast<std::uint8_t>(lb[i]));
      if (ca != cb) return ca <=> cb;
    }
    if (la.size() != lb.size()) return la.size() <=> lb.size();
  }
  return na <=> nb;
}

std::size_t Name::hash() const {
  // FNV-1a over the lower-cased wire form.
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : wire_) {
    h ^= asciiLower(static_cast<std::uint8_t>(c));
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h);
}

Result<Name> readName(std::span<const std::uint8_t> message, std::size_t& offset) {
  std::string wire;
  wire.reserve(64);
  std::size_t pos = offset;
  std::size_t end = 0;  // offset after the name in the original position
  bool jumped = false;
  // Each pointer must go strictly backwards from the label that holds it, so the
  // walk always terminates; the 255-octet limit bounds it further.
  std::size_t lowest = offset;
  // A name has at most 127 labels, so more pointers than that only burn CPU.
  std::size_t pointers = 0;
  while (true) {
    if (pos >= message.size()) return Error("name runs past the end of the message");
    std::uint8_t len = message[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= message.size()) return Error("truncated compression pointer");
      std::size_t target = static_cast<std::size_t>((len & 0x3F) << 8) | message[pos + 1];
      if (target >= lowest) return Error("compression pointer does not point backwards");
      if (++pointers > kMaxLabels) return Error("too many compression pointers in one name");
      if (!jumped) end = pos + 2;
      jumped = true;
      lowest = target;
      pos = target;
      continue;
    }
    if ((len & 0xC0) != 0) return Error("unsupported label type");
    if (pos + 1 + len > message.size()) return Error("label runs past the end of the message");
    wire.append(reinterpret_cast<const char*>(message.data() + pos), 1U + len);
    if (wire.size() > kMaxNameLength) return Error("name longer than 255 octets");
    pos += 1U + len;
    if (len == 0) break;
  }
  offset = jumped ? end : pos;
  return Name::fromWire({reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()});
}

}  // namespace zk::wire
