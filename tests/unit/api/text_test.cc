#include "api/route53/text.h"

#include <gtest/gtest.h>

namespace zk::api {
namespace {

std::string roundTrip(std::string_view in) {
  auto n = parseRoute53Name(in);
  EXPECT_TRUE(n.ok()) << in << ": " << (n.ok() ? "" : n.error().message);
  return n.ok() ? formatRoute53Name(*n) : "";
}

TEST(Route53Name, TrailingDotOptionalAndLowerCased) {
  EXPECT_EQ(roundTrip("www.Example.COM"), "www.example.com.");
  EXPECT_EQ(roundTrip("www.example.com."), "www.example.com.");
  EXPECT_EQ(roundTrip("."), ".");
}

TEST(Route53Name, WildcardPrintedAsOctal052) {
  EXPECT_EQ(roundTrip("*.example.com"), "\\052.example.com.");
  EXPECT_EQ(roundTrip("\\052.example.com"), "\\052.example.com.");
  auto a = parseRoute53Name("*.example.com");
  auto b = parseRoute53Name("\\052.example.com.");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_TRUE(a->isWildcard());
}

TEST(Route53Name, OctalEscapesForOtherOctets) {
  // '@' is 0100 octal; a dot inside a label is \056.
  EXPECT_EQ(roundTrip("a\\100b.example.com"), "a\\100b.example.com.");
  EXPECT_EQ(roundTrip("a@b.example.com"), "a\\100b.example.com.");
  auto n = parseRoute53Name("a\\056b.example.com");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->labelCount(), 3u);
  EXPECT_EQ(n->label(0), "a.b");
  EXPECT_EQ(roundTrip("under_score.example.com"), "under_score.example.com.");
}

TEST(Route53Name, Rejects) {
  EXPECT_FALSE(parseRoute53Name("").ok());
  EXPECT_FALSE(parseRoute53Name("a..b").ok());
  EXPECT_FALSE(parseRoute53Name("a\\9b.com").ok());   // not octal
  EXPECT_FALSE(parseRoute53Name("a\\400.com").ok());  // > 255
  EXPECT_FALSE(parseRoute53Name("a b.com").ok());     // space must be escaped
  EXPECT_FALSE(parseRoute53Name(std::string(64, 'a') + ".com").ok());
  std::string longName;
  for (int i = 0; i < 50; ++i) longName += "abcde.";
  EXPECT_FALSE(parseRoute53Name(longName).ok());
}

TEST(RecordValue, TxtQuotedStrings) {
  auto r = parseRecordValue(wire::RRType::TXT, "\"hello world\" \"second\"");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(formatRecordValue(wire::RRType::TXT, *r), "\"hello world\" \"second\"");
  auto esc = parseRecordValue(wire::RRType::TXT, R"("say \"hi\"")");
  ASSERT_TRUE(esc.ok());
  EXPECT_EQ(formatRecordValue(wire::RRType::TXT, *esc), R"("say \"hi\"")");
  EXPECT_FALSE(parseRecordValue(wire::RRType::TXT, "\"unterminated").ok());
}

TEST(RecordValue, NumericEscapesAreOctal) {
  auto r = parseRecordValue(wire::RRType::TXT, R"("a\011b\101")");
  ASSERT_TRUE(r.ok()) << r.error().message;
  // Length octet, 'a', TAB (octal 011), 'b', 'A' (octal 101).
  EXPECT_EQ(*r, (wire::Bytes{4, 'a', 9, 'b', 'A'}));
  EXPECT_EQ(formatRecordValue(wire::RRType::TXT, *r), R"("a\011bA")");
  auto high = parseRecordValue(wire::RRType::TXT, R"("\377")");
  ASSERT_TRUE(high.ok());
  EXPECT_EQ(*high, (wire::Bytes{1, 255}));
  EXPECT_EQ(formatRecordValue(wire::RRType::TXT, *high), R"("\377")");
  EXPECT_FALSE(parseRecordValue(wire::RRType::TXT, R"("\089")").ok());  // 8, 9 are not octal
  EXPECT_FALSE(parseRecordValue(wire::RRType::TXT, R"("\400")").ok());
  auto slash = parseRecordValue(wire::RRType::TXT, R"("a\\123")");  // escaped backslash, then digits
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(*slash, (wire::Bytes{5, 'a', '\\', '1', '2', '3'}));
}

TEST(RecordValue, NamesAreAbsoluteWithOrWithoutDot) {
  auto a = parseRecordValue(wire::RRType::CNAME, "target.example.org");
  auto b = parseRecordValue(wire::RRType::CNAME, "target.example.org.");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(formatRecordValue(wire::RRType::CNAME, *a), "target.example.org.");
  auto mx = parseRecordValue(wire::RRType::MX, "10 mail.example.com");
  ASSERT_TRUE(mx.ok());
  EXPECT_EQ(formatRecordValue(wire::RRType::MX, *mx), "10 mail.example.com.");
}

TEST(RecordValue, BadValues) {
  EXPECT_FALSE(parseRecordValue(wire::RRType::A, "1.2.3").ok());
  EXPECT_FALSE(parseRecordValue(wire::RRType::A, "").ok());
  EXPECT_FALSE(parseRecordValue(wire::RRType::AAAA, "1.2.3.4").ok());
  EXPECT_FALSE(parseRecordValue(wire::RRType::MX, "mail.example.com").ok());
  auto ok = parseRecordValue(wire::RRType::AAAA, "2001:db8::1");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(formatRecordValue(wire::RRType::AAAA, *ok), "2001:db8::1");
}

}  // namespace
}  // namespace zk::api
