#include "zonefile/lexer.h"

namespace zk::zonefile {
namespace {

// Characters that end an unquoted word (RFC 1035 section 5.1).
constexpr bool endsWord(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"';
}

}  // namespace

void Lexer::setError(std::string_view message, std::uint32_t line, std::uint32_t column) {
  if (!error_.empty()) return;  // keep the first error
  error_ = message;
  errorLine_ = line;
  errorColumn_ = column;
}

Token Lexer::next() {
  const std::size_t size = buf_.size();
  for (;;) {
    if (pos_ >= size) {
      if (parenDepth_ > 0) {
        setError("expected ')' to close this '(', got end of file", parenLine_, parenColumn_);
        parenDepth_ = 0;
      }
      Token t;
      t.line = line_;
      t.column = column();
      if (!lastWasEol_) {
        lastWasEol_ = true;
        t.kind = TokenKind::EndOfLine;
        return t;
      }
      t.kind = TokenKind::EndOfFile;
      return t;
    }
    const char c = buf_[pos_];
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
        ++pos_;
        continue;
      case '\n': {
        Token t;
        t.kind = TokenKind::EndOfLine;
        t.line = line_;
        t.column = column();
        ++pos_;
        ++line_;
        lineStart_ = pos_;
        if (parenDepth_ == 0 && !lastWasEol_) {
          lastWasEol_ = true;
          return t;
        }
        continue;
      }
      case ';':
        while (pos_ < size && buf_[pos_] != '\n') ++pos_;
        continue;
      case '(':
        if (parenDepth_ == 0) {
          parenLine_ = line_;
          parenColumn_ = column();
        }
        ++parenDepth_;
        ++pos_;
        continue;
      case ')':
        if (parenDepth_ == 0) {
          setError("unbalanced ')': no '(' is open", line_, column());
        } else {
          --parenDepth_;
        }
        ++pos_;
        continue;
      case '"': {
        Token t;
        t.kind = TokenKind::Quoted;
        t.line = line_;
        t.column = column();
        const std::size_t start = ++pos_;
        bool closed = false;
        while (pos_ < size) {
          const char q = buf_[pos_];
          if (q == '"') {
            closed = true;
            break;
          }
          if (q == '\n') break;
          if (q == '\\' && pos_ + 1 < size) {
            if (buf_[pos_ + 1] == '\n') {
              // An escaped newline continues the string on the next line (as BIND reads it).
              pos_ += 2;
              ++line_;
              lineStart_ = pos_;
              continue;
            }
            ++pos_;
          }
          ++pos_;
        }
        t.text = buf_.substr(start, pos_ - start);
        if (closed) {
          ++pos_;
        } else {
          setError("unterminated quoted string: expected '\"' before the end of the line", t.line, t.column);
        }
        lastWasEol_ = false;
        return t;
      }
      default: {
        Token t;
        t.kind = TokenKind::Word;
        t.line = line_;
        t.column = column();
        t.atLineStart = pos_ == lineStart_;
        const std::size_t start = pos_;
        while (pos_ < size) {
          const char w = buf_[pos_];
          if (w == '\\') {
            // An escaped character never ends the word; an escaped newline does.
            if (pos_ + 1 < size && buf_[pos_ + 1] != '\n') {
              pos_ += 2;
            } else {
              ++pos_;
            }
            continue;
          }
          if (endsWord(w)) break;
          ++pos_;
        }
        t.text = buf_.substr(start, pos_ - start);
        lastWasEol_ = false;
        return t;
      }
    }
  }
}

void Lexer::skipRecord() {
  for (;;) {
    const Token t = next();
    if (t.kind == TokenKind::EndOfLine || t.kind == TokenKind::EndOfFile) return;
  }
}

}  // namespace zk::zonefile
