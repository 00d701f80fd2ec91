#pragma once
// Tokenizer for zone files (RFC 1035 section 5.1): words, quoted strings,
// parentheses that join lines, ';' comments. Works in place over one buffer and
// never allocates: tokens are views into the buffer, escapes are left in place.

#include <cstdint>
#include <string_view>

namespace zk::zonefile {

enum class TokenKind : std::uint8_t {
  Word,       // unquoted text; escapes ("\X", "\DDD") kept as written
  Quoted,     // "..." with the quotes removed, escapes kept
  EndOfLine,  // end of a logical line (a newline outside parentheses)
  EndOfFile,
};

struct Token {
  TokenKind kind = TokenKind::EndOfFile;
  std::string_view text;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  // The token starts a physical line in column 1 (an owner name or directive).
  bool atLineStart = false;
};

class Lexer {
 public:
  explicit Lexer(std::string_view buffer) : buf_(buffer) {}

  // The next token. After a malformed construct (unterminated quote, stray
  // ')', '(' open at the end) hasError() is true until clearError().
  Token next();

  [[nodiscard]] bool hasError() const { return !error_.empty(); }
  [[nodiscard]] std::string_view error() const { return error_; }
  [[nodiscard]] std::uint32_t errorLine() const { return errorLine_; }
  [[nodiscard]] std::uint32_t errorColumn() const { return errorColumn_; }
  void clearError() { error_ = {}; }

  // Skips the rest of the current logical line (parentheses included) after an
  // error; the next token is the first one of the following record.
  void skipRecord();

  [[nodiscard]] int parenDepth() const { return parenDepth_; }

 private:
  void setError(std::string_view message, std::uint32_t line, std::uint32_t column);
  [[nodiscard]] std::uint32_t column() const { return static_cast<std::uint32_t>(pos_ - lineStart_ + 1); }

  std::string_view buf_;
  std::size_t pos_ = 0;
  std::size_t lineStart_ = 0;
  std::uint32_t line_ = 1;
  int parenDepth_ = 0;
  std::uint32_t parenLine_ = 0;
  std::uint32_t parenColumn_ = 0;
  bool lastWasEol_ = true;
  std::string_view error_;
  std::uint32_t errorLine_ = 0;
  std::uint32_t errorColumn_ = 0;
};

}  // namespace zk::zonefile
