#include "api/route53/text.h"

#include <fmt/format.h>

namespace zk::api {
namespace {

bool isPlain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool isOctal(char c) { return c >= '0' && c <= '7'; }

}  // namespace

Result<wire::Name> parseRoute53Name(std::string_view text) {
  if (text.empty()) return Error("the domain name is empty");
  if (text == ".") return wire::Name();
  // Re-spell every label octet in RFC 1035 presentation form (decimal escapes)
  // and let Name::fromText enforce the label and name limits.
  std::string presentation;
  presentation.reserve(text.size() * 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    unsigned char octet = 0;
    if (c == '.') {
      presentation += '.';
      continue;
    }
    if (c == '\\') {
      if (i + 3 < text.size() && isOctal(text[i + 1]) && isOctal(text[i + 2]) && isOctal(text[i + 3])) {
        const int value = (text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0');
        if (value > 255) return Error(fmt::format("octal escape '{}' is out of range", text.substr(i, 4)));
        octet = static_cast<unsigned char>(value);
        i += 3;
      } else {
        return Error(
            fmt::format("bad escape in domain name '{}': use a three-digit octal code such as \\052", text));
      }
    } else {
      octet = static_cast<unsigned char>(c);
      if (octet <= 0x20 || octet >= 0x7f) {
        return Error(fmt::format("domain name '{}' contains a character that must be escaped", text));
      }
    }
    if (isPlain(octet) || octet == '*') {
      presentation += static_cast<char>(octet);
    } else {
      presentation += fmt::format("\\{:03d}", octet);
    }
  }
  if (presentation.back() != '.') presentation += '.';
  auto name = wire::Name::fromText(presentation);
  if (!name) return Error(fmt::format("bad domain name '{}': {}", text, name.error().message));
  return name;
}

std::string formatRoute53Name(const wire::Name& name) {
  if (name.isRoot()) return ".";
  std::string out;
  for (std::size_t i = 0; i < name.labelCount(); ++i) {
    for (const char raw : name.label(i)) {
      auto c = static_cast<unsigned char>(raw);
      if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + ('a' - 'A'));
      if (isPlain(c)) {
        out += static_cast<char>(c);
      } else {
        out += fmt::format("\\{:03o}", c);
      }
    }
    out += '.';
  }
  return out;
}

Result<std::vector<wire::TextToken>> tokenizeValue(std::string_view text) {
  std::vector<wire::TextToken> tokens;
  std::size_t i = 0;
  auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < text.size()) {
    if (isSpace(text[i])) {
      ++i;
      continue;
    }
    if (text[i] == '"') {
      const std::size_t start = ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          i += 2;
          continue;
        }
        if (text[i] == '"') {
          closed = true;
          break;
        }
        ++i;
      }
      if (!closed) return Error(fmt::format("unterminated quoted string in value '{}'", text));
      tokens.push_back({text.substr(start, i - start), true});
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && !isSpace(text[i]) && text[i] != '"') {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      ++i;
    }
    tokens.push_back({text.substr(start, i - start), false});
  }
  return tokens;
}

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Rewrites every numeric escape "\NNN" from one base to the other, leaving
// "\X" escapes as they are. Route53 reads and prints numeric escapes in
// values as octal; RFC 1035 presentation form (wire::rdataFromText) uses decimal.
Result<std::string> convertEscapes(std::string_view text, bool octalToDecimal) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    if (i + 3 < text.size() && isDigit(text[i + 1]) && isDigit(text[i + 2]) && isDigit(text[i + 3])) {
      int value = 0;
      for (std::size_t k = 1; k <= 3; ++k) {
        const int d = text[i + k] - '0';
        if (octalToDecimal && d > 7) {
          return Error(fmt::format("'{}' is not a three-digit octal escape", text.substr(i, 4)));
        }
        value = value * (octalToDecimal ? 8 : 10) + d;
      }
      if (value > 255) return Error(fmt::format("escape '{}' is out of range", text.substr(i, 4)));
      out += octalToDecimal ? fmt::format("\\{:03d}", value) : fmt::format("\\{:03o}", value);
      i += 3;
      continue;
    }
    out += text[i];
    out += text[i + 1];
    ++i;
  }
  return out;
}

}  // namespace

Result<wire::Bytes> parseRecordValue(wire::RRType type, std::string_view route53Text) {
  auto converted = convertEscapes(route53Text, true);
  if (!converted) return converted.error();
  const std::string_view text = *converted;
  auto tokens = tokenizeValue(text);
  if (!tokens) return tokens.error();
  if (tokens->empty()) return Error("the value is empty");
  wire::Bytes out;
  // Route53 treats every name in a value as absolute, with or without the dot.
  auto status = wire::rdataFromText(type, *tokens, wire::Name(), out);
  if (!status) return status.error();
  return out;
}

std::string formatRecordValue(wire::RRType type, std::span<const std::uint8_t> rdata) {
  const std::string text = wire::rdataToText(type, rdata);
  auto converted = convertEscapes(text, false);
  return converted ? *converted : text;
}

}  // namespace zk::api
