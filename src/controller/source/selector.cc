#include "controller/source/selector.h"

#include <algorithm>

#include <fmt/format.h>

namespace zk::controller {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Label keys: optional DNS-subdomain prefix and '/', then a name of
// alphanumerics, '-', '_', '.' (values: the same characters, may be empty).
bool validKey(std::string_view k) {
  if (k.empty() || k.size() > 316) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '/';
  });
}

bool validValue(std::string_view v) {
  return v.size() <= 63 && std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.';
         });
}

// Splits on commas outside parentheses.
Result<std::vector<std::string_view>> splitTop(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') {
      if (++depth > 1) return Error("nested parentheses in selector");
    } else if (text[i] == ')') {
      if (--depth < 0) return Error("unbalanced ')' in selector");
    } else if (text[i] == ',' && depth == 0) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return Error("unbalanced '(' in selector");
  out.push_back(text.substr(start));
  return out;
}

}  // namespace

Result<Selector> Selector::parse(std::string_view text) {
  Selector sel;
  if (trim(text).empty()) return sel;
  auto parts = splitTop(text);
  if (!parts) return parts.error();
  for (auto raw : *parts) {
    std::string_view part = trim(raw);
    if (part.empty()) return Error(fmt::format("empty requirement in selector '{}'", text));
    Requirement r;
    auto fail = [&](std::string_view why) {
      return Error(fmt::format("bad selector requirement '{}': {}", part, why));
    };
    if (part.front() == '!') {
      r.key = std::string(trim(part.substr(1)));
      r.op = Op::NotExists;
    } else if (auto pos = part.find("!="); pos != std::string_view::npos) {
      r.key = std::string(trim(part.substr(0, pos)));
      r.op = Op::NotEquals;
      r.values.emplace_back(trim(part.substr(pos + 2)));
    } else if (auto eq = part.find('='); eq != std::string_view::npos) {
      r.key = std::string(trim(part.substr(0, eq)));
      r.op = Op::Equals;
      auto rest = part.substr(eq + 1);
      if (!rest.empty() && rest.front() == '=') rest.remove_prefix(1);
      r.values.emplace_back(trim(rest));
    } else if (auto paren = part.find('('); paren != std::string_view::npos) {
      if (part.back() != ')') return fail("expected ')' at the end");
      std::string_view head = trim(part.substr(0, paren));
      const auto sp = head.find_last_of(" \t");
      if (sp == std::string_view::npos) return fail("expected 'KEY in (...)' or 'KEY notin (...)'");
      const auto op = head.substr(sp + 1);
      r.key = std::string(trim(head.substr(0, sp)));
      if (op == "in") {
        r.op = Op::In;
      } else if (op == "notin") {
        r.op = Op::NotIn;
      } else {
        return fail(fmt::format("unknown operator '{}'", op));
      }
      std::string_view list = part.substr(paren + 1, part.size() - paren - 2);
      while (true) {
        const auto comma = list.find(',');
        r.values.emplace_back(trim(list.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
      if (r.values.size() == 1 && r.values[0].empty()) return fail("empty value list");
    } else {
      r.key = std::string(part);
      r.op = Op::Exists;
    }
    if (!validKey(r.key)) return fail(fmt::format("invalid key '{}'", r.key));
    for (const auto& v : r.values) {
      if (!validValue(v)) return fail(fmt::format("invalid value '{}'", v));
    }
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

bool Selector::matches(const StringMap& values) const {
  for (const auto& r : reqs_) {
    auto it = values.find(r.key);
    const bool has = it != values.end();
    auto in = [&] {
      return has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    };
    bool ok = false;
    switch (r.op) {
      case Op::Exists:
        ok = has;
        break;
      case Op::NotExists:
        ok = !has;
        break;
      case Op::Equals:
        ok = has && it->second == r.values[0];
        break;
      case Op::NotEquals:
        ok = !has || it->second != r.values[0];
        break;
      case Op::In:
        ok = in();
        break;
      case Op::NotIn:
        ok = !in();
        break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace zk::controller
