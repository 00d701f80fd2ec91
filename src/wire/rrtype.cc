#include "wire/rrtype.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

namespace zk::wire {
namespace {

struct Mnemonic {
  std::string_view text;  // upper case
  std::uint16_t code;
};

// Sorted by text so typeFromText can binary-search it.
constexpr std::array kTypeNames = {
    Mnemonic{"A", 1},       Mnemonic{"AAAA", 28},  Mnemonic{"ALIAS", 65401}, Mnemonic{"ANY", 255},
    Mnemonic{"AXFR", 252},  Mnemonic{"CAA", 257},  Mnemonic{"CNAME", 5},     Mnemonic{"DNAME", 39},
    Mnemonic{"DNSKEY", 48}, Mnemonic{"DS", 43},    Mnemonic{"HINFO", 13},    Mnemonic{"IXFR", 251},
    Mnemonic{"MX", 15},     Mnemonic{"NAPTR", 35}, Mnemonic{"NS", 2},        Mnemonic{"NSEC", 47},
    Mnemonic{"OPT", 41},    Mnemonic{"PTR", 12},   Mnemonic{"RP", 17},       Mnemonic{"RRSIG", 46},
    Mnemonic{"SOA", 6},     Mnemonic{"SPF", 99},   Mnemonic{"SRV", 33},      Mnemonic{"SSHFP", 44},
    Mnemonic{"TLSA", 52},   Mnemonic{"TXT", 16},
};

// Includes the long forms BIND also reads (CHAOS, HESIOD); printing uses kClassPrint.
constexpr std::array kClassNames = {
    Mnemonic{"ANY", 255}, Mnemonic{"CH", 3}, Mnemonic{"CHAOS", 3},  Mnemonic{"HESIOD", 4},
    Mnemonic{"HS", 4},    Mnemonic{"IN", 1}, Mnemonic{"NONE", 254},
};
constexpr std::array kClassPrint = {
    Mnemonic{"IN", 1}, Mnemonic{"CH", 3}, Mnemonic{"HS", 4}, Mnemonic{"NONE", 254}, Mnemonic{"ANY", 255},
};

constexpr bool sortedByText(const auto& table) {
  for (std::size_t i = 1; i < table.size(); ++i) {
    if (!(table[i - 1].text < table[i].text)) return false;
  }
  return true;
}
static_assert(sortedByText(kTypeNames));
static_assert(sortedByText(kClassNames));

constexpr std::size_t kMaxMnemonic = 16;

// Upper-cases `text` into `buf`; false when it is too long to be a mnemonic.
bool upper(std::string_view text, std::array<char, kMaxMnemonic>& buf, std::string_view& out) {
  if (text.empty() || text.size() > buf.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    buf[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - ('a' - 'A')) : c;
  }
  out = std::string_view(buf.data(), text.size());
  return true;
}

const Mnemonic* lookup(const auto& table, std::string_view upperText) {
  auto it = std::lower_bound(table.begin(), table.end(), upperText,
                             [](const Mnemonic& m, std::string_view t) { return m.text < t; });
  if (it == table.end() || it->text != upperText) return nullptr;
  return &*it;
}

std::string_view nameOf(const auto& table, std::uint16_t code) {
  for (const auto& m : table) {
    if (m.code == code) return m.text;
  }
  return {};
}

// "TYPEnnn" / "CLASSnnn" (RFC 3597 section 5): decimal 0-65535 after the prefix.
bool numericForm(std::string_view upperText, std::string_view prefix, std::uint16_t& code) {
  if (upperText.size() <= prefix.size() || upperText.substr(0, prefix.size()) != prefix) return false;
  std::string_view digits = upperText.substr(prefix.size());
  if (digits.size() > 5) return false;
  unsigned v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 0xFFFF) return false;
  code = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace

std::string typeToText(RRType type) {
  auto code = static_cast<std::uint16_t>(type);
  std::string_view name = nameOf(kTypeNames, code);
  if (!name.empty()) return std::string(name);
  return fmt::format("TYPE{}", code);
}

Result<RRType> typeFromText(std::string_view text) {
  std::array<char, kMaxMnemonic> buf{};
  std::string_view u;
  if (upper(text, buf, u)) {
    if (const Mnemonic* m = lookup(kTypeNames, u)) return static_cast<RRType>(m->code);
    std::uint16_t code = 0;
    if (numericForm(u, "TYPE", code)) return static_cast<RRType>(code);
  }
  return Error(fmt::format("unknown record type '{}'", text));
}

std::string classToText(RRClass cls) {
  auto code = static_cast<std::uint16_t>(cls);
  std::string_view name = nameOf(kClassPrint, code);
  if (!name.empty()) return std::string(name);
  return fmt::format("CLASS{}", code);
}

Result<RRClass> classFromText(std::string_view text) {
  std::array<char, kMaxMnemonic> buf{};
  std::string_view u;
  if (upper(text, buf, u)) {
    if (const Mnemonic* m = lookup(kClassNames, u)) return static_cast<RRClass>(m->code);
    std::uint16_t code = 0;
    if (numericForm(u, "CLASS", code)) return static_cast<RRClass>(code);
  }
  return Error(fmt::format("unknown class '{}'", text));
}

bool isMetaType(RRType type) {
  auto code = static_cast<std::uint16_t>(type);
  // RFC 6895 section 3.1: 128-255 are meta/question types; 0 is reserved; OPT
  // (41, RFC 6891) is a pseudo-record that never appears in a zone.
  return code == 0 || code == static_cast<std::uint16_t>(RRType::OPT) || (code >= 128 && code <= 255);
}

}  // namespace zk::wire
