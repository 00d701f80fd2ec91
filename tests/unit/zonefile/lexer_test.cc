#include "zonefile/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zk::zonefile {
namespace {

// "W:text@line:col" / "Q:text@line:col" / "EOL" / "EOF" for each token.
std::vector<std::string> lex(std::string_view text, std::string* error = nullptr) {
  Lexer lexer(text);
  std::vector<std::string> out;
  for (int guard = 0; guard < 1000; ++guard) {
    const Token t = lexer.next();
    if (lexer.hasError() && error != nullptr && error->empty()) {
      *error = std::to_string(lexer.errorLine()) + ":" + std::to_string(lexer.errorColumn()) + ": " +
               std::string(lexer.error());
    }
    lexer.clearError();
    switch (t.kind) {
      case TokenKind::Word:
        out.push_back("W:" + std::string(t.text) + "@" + std::to_string(t.line) + ":" +
                      std::to_string(t.column) + (t.atLineStart ? "^" : ""));
        break;
      case TokenKind::Quoted:
        out.push_back("Q:" + std::string(t.text) + "@" + std::to_string(t.line) + ":" +
                      std::to_string(t.column));
        break;
      case TokenKind::EndOfLine:
        out.push_back("EOL");
        break;
      case TokenKind::EndOfFile:
        out.push_back("EOF");
        return out;
    }
  }
  ADD_FAILURE() << "lexer did not reach the end";
  return out;
}

using V = std::vector<std::string>;

TEST(Lexer, WordsLinesAndColumns) {
  EXPECT_EQ(lex("a IN A 1.2.3.4\n  b\n"),
            (V{"W:a@1:1^", "W:IN@1:3", "W:A@1:6", "W:1.2.3.4@1:8", "EOL", "W:b@2:3", "EOL", "EOF"}));
}

TEST(Lexer, BlankLinesAndCommentsGiveNoTokens) {
  EXPECT_EQ(lex("\n; comment\n   ; indented\n\na ; trailing\n"), (V{"W:a@5:1^", "EOL", "EOF"}));
}

TEST(Lexer, ParenthesesJoinLines) {
  EXPECT_EQ(lex("a ( 1\n 2 ; c\n 3 )\nb\n"),
            (V{"W:a@1:1^", "W:1@1:5", "W:2@2:2", "W:3@3:2", "EOL", "W:b@4:1^", "EOL", "EOF"}));
  EXPECT_EQ(lex("a (b)(c)\n"), (V{"W:a@1:1^", "W:b@1:4", "W:c@1:7", "EOL", "EOF"}));
}

TEST(Lexer, QuotedStringsKeepEscapesAndSpecials) {
  EXPECT_EQ(lex(R"x(t "a \" b" "semi ; (paren)" "")x"),
            (V{"W:t@1:1^", R"(Q:a \" b@1:3)", "Q:semi ; (paren)@1:12", "Q:@1:29", "EOL", "EOF"}));
}

TEST(Lexer, EscapesDoNotEndWords) {
  EXPECT_EQ(lex(R"(a\ b c\;d e\(f \"g)"),
            (V{R"(W:a\ b@1:1^)", R"(W:c\;d@1:6)", R"(W:e\(f@1:11)", R"(W:\"g@1:16)", "EOL", "EOF"}));
}

TEST(Lexer, QuoteEndsWord) { EXPECT_EQ(lex("ab\"c\"\n"), (V{"W:ab@1:1^", "Q:c@1:3", "EOL", "EOF"})); }

TEST(Lexer, CrLfAndTabs) {
  EXPECT_EQ(lex("a\tIN\r\nb\r\n"), (V{"W:a@1:1^", "W:IN@1:3", "EOL", "W:b@2:1^", "EOL", "EOF"}));
}

TEST(Lexer, LastLineWithoutNewline) { EXPECT_EQ(lex("a b"), (V{"W:a@1:1^", "W:b@1:3", "EOL", "EOF"})); }

TEST(Lexer, EmptyInput) { EXPECT_EQ(lex(""), (V{"EOF"})); }

TEST(Lexer, UnterminatedQuoteIsAnErrorAtTheQuote) {
  std::string err;
  EXPECT_EQ(lex("t TXT \"abc\nnext\n", &err),
            (V{"W:t@1:1^", "W:TXT@1:3", "Q:abc@1:7", "EOL", "W:next@2:1^", "EOL", "EOF"}));
  EXPECT_EQ(err, "1:7: unterminated quoted string: expected '\"' before the end of the line");
}

TEST(Lexer, UnbalancedCloseParen) {
  std::string err;
  lex("a b )\n", &err);
  EXPECT_EQ(err, "1:5: unbalanced ')': no '(' is open");
}

TEST(Lexer, UnclosedParenReportsWhereItOpened) {
  std::string err;
  EXPECT_EQ(lex("a\nb ( c\n d\n", &err),
            (V{"W:a@1:1^", "EOL", "W:b@2:1^", "W:c@2:5", "W:d@3:2", "EOL", "EOF"}));
  EXPECT_EQ(err, "2:3: expected ')' to close this '(', got end of file");
}

// Regression: BIND accepts a backslash-newline inside quotes (found by the BIND diff).
TEST(Lexer, EscapedNewlineInsideQuotesContinuesTheString) {
  std::string err;
  EXPECT_EQ(lex("t \"a\\\nb\" c\nd\n", &err),
            (V{"W:t@1:1^", "Q:a\\\nb@1:3", "W:c@2:4", "EOL", "W:d@3:1^", "EOL", "EOF"}));
  EXPECT_EQ(err, "");
}

TEST(Lexer, TrailingBackslash) { EXPECT_EQ(lex("a\\"), (V{"W:a\\@1:1^", "EOL", "EOF"})); }

TEST(Lexer, EscapedNewlineEndsWord) {
  EXPECT_EQ(lex("a\\\nb\n"), (V{"W:a\\@1:1^", "EOL", "W:b@2:1^", "EOL", "EOF"}));
}

TEST(Lexer, SkipRecordStopsAtTheEndOfTheLogicalLine) {
  Lexer lexer("a ( b\n c ) d\ne\n");
  EXPECT_EQ(lexer.next().text, "a");
  lexer.skipRecord();
  const Token t = lexer.next();
  EXPECT_EQ(t.text, "e");
  EXPECT_EQ(t.line, 3U);
}

}  // namespace
}  // namespace zk::zonefile
