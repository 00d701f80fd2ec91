#pragma once
// Test helper: splits a presentation RDATA string into TextTokens the way the
// zone-file lexer does (whitespace separates, "..." is one quoted token, escapes
// are left in place).

#include <string>
#include <string_view>
#include <vector>

#include "wire/rdata.h"

namespace zk::wire::testing {

struct Tokens {
  std::vector<std::string> storage;
  std::vector<TextToken> tokens;
};

inline Tokens tokenize(std::string_view s) {
  Tokens t;
  std::vector<bool> quoted;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t') {
      ++i;
      continue;
    }
    std::string tok;
    bool q = false;
    if (s[i] == '"') {
      q = true;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) tok.push_back(s[i++]);
        tok.push_back(s[i++]);
      }
      ++i;  // closing quote
    } else {
      while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
        if (s[i] == '\\' && i + 1 < s.size()) tok.push_back(s[i++]);
        tok.push_back(s[i++]);
      }
    }
    t.storage.push_back(std::move(tok));
    quoted.push_back(q);
  }
  for (std::size_t k = 0; k < t.storage.size(); ++k) t.tokens.push_back({t.storage[k], quoted[k]});
  return t;
}

}  // namespace zk::wire::testing
