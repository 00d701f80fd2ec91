#include "zonefile/parser.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "wire/rdata.h"

namespace zk::zonefile {
namespace {

using wire::Name;
using wire::RRClass;
using wire::RRType;

struct Parsed {
  std::vector<std::string> records;   // "owner ttl CLASS TYPE rdata @line:col"
  std::vector<std::string> messages;  // formatted diagnostics
  ParseResult result;
};

ParseOptions options(std::string_view origin = "example.com.") {
  ParseOptions o;
  o.origin = *Name::fromText(origin);
  return o;
}

std::string show(const RecordView& r) {
  return r.owner.toText() + " " + std::to_string(r.ttl) + " " + wire::classToText(r.cls) + " " +
         wire::typeToText(r.type) + " " + wire::rdataToText(r.type, r.rdata) + " @" +
         std::to_string(r.location.line) + ":" + std::to_string(r.location.column);
}

Parsed parse(std::string_view text, const ParseOptions& opts = options()) {
  Parsed p;
  p.result =
      parseZoneBuffer(text, "x.zone", opts, [&](const RecordView& r) { p.records.push_back(show(r)); });
  for (const auto& d : p.result.diagnostics) p.messages.push_back(formatDiagnostic(p.result.files, d));
  return p;
}

using V = std::vector<std::string>;

TEST(Parser, BasicRecordsOwnersAndOrigin) {
  auto p = parse(
      "$TTL 300\n"
      "@ IN A 192.0.2.1\n"
      "www IN A 192.0.2.2\n"
      "abs.example.org. IN A 192.0.2.3\n"
      "  IN A 192.0.2.4\n");
  EXPECT_TRUE(p.messages.empty()) << p.messages[0];
  EXPECT_EQ(p.records,
            (V{"example.com. 300 IN A 192.0.2.1 @2:1", "www.example.com. 300 IN A 192.0.2.2 @3:1",
               "abs.example.org. 300 IN A 192.0.2.3 @4:1", "abs.example.org. 300 IN A 192.0.2.4 @5:3"}));
  EXPECT_EQ(p.result.records, 4U);
}

TEST(Parser, OriginDirectiveAbsoluteAndRelative) {
  auto p = parse(
      "$TTL 300\n"
      "$ORIGIN sub.example.com.\n"
      "a A 192.0.2.1\n"
      "$ORIGIN deeper\n"
      "b A 192.0.2.2\n"
      "@ A 192.0.2.3\n");
  EXPECT_TRUE(p.messages.empty());
  EXPECT_EQ(p.records, (V{"a.sub.example.com. 300 IN A 192.0.2.1 @3:1",
                          "b.deeper.sub.example.com. 300 IN A 192.0.2.2 @5:1",
                          "deeper.sub.example.com. 300 IN A 192.0.2.3 @6:1"}));
}

TEST(Parser, RelativeNamesInRdataUseTheCurrentOrigin) {
  auto p = parse("$TTL 1\n$ORIGIN a.example.com.\nx CNAME y\n");
  EXPECT_EQ(p.records, (V{"x.a.example.com. 1 IN CNAME y.a.example.com. @3:1"}));
}

TEST(Parser, TtlAndClassInEitherOrder) {
  auto p = parse(
      "$TTL 100\n"
      "a 200 IN A 192.0.2.1\n"
      "b IN 300 A 192.0.2.2\n"
      "c 400 A 192.0.2.3\n"
      "d IN A 192.0.2.4\n"
      "e A 192.0.2.5\n"
      "f 1h30m A 192.0.2.6\n");
  EXPECT_TRUE(p.messages.empty());
  EXPECT_EQ(p.records,
            (V{"a.example.com. 200 IN A 192.0.2.1 @2:1", "b.example.com. 300 IN A 192.0.2.2 @3:1",
               "c.example.com. 400 IN A 192.0.2.3 @4:1", "d.example.com. 100 IN A 192.0.2.4 @5:1",
               "e.example.com. 100 IN A 192.0.2.5 @6:1", "f.example.com. 5400 IN A 192.0.2.6 @7:1"}));
}

TEST(Parser, NoDollarTtlUsesSoaMinimumLikeBind) {
  auto p = parse(
      "@ IN SOA ns hm 1 2 3 4 300\n"
      "a 600 A 192.0.2.1\n"
      "b A 192.0.2.2\n");
  EXPECT_EQ(p.messages,
            (V{"x.zone:1:6: warning: no TTL and no $TTL: using the SOA minimum 300 as the default"}));
  ASSERT_EQ(p.records.size(), 3U);
  EXPECT_EQ(p.records[0].substr(0, 17), "example.com. 300 ");
  EXPECT_EQ(p.records[2], "b.example.com. 300 IN A 192.0.2.2 @3:1");  // the default, not the previous 600
}

TEST(Parser, NoDollarTtlUsesPreviousTtlRfc1035) {
  auto p = parse(
      "@ 500 IN SOA ns hm 1 2 3 4 300\n"
      "a A 192.0.2.1\n"
      "b 600 A 192.0.2.2\n"
      "c A 192.0.2.3\n");
  EXPECT_EQ(
      p.messages,
      (V{"x.zone:2:3: warning: no TTL and no $TTL: using the previous record's TTL (RFC 1035 section 5.1)"}));
  EXPECT_EQ(p.records[1], "a.example.com. 500 IN A 192.0.2.1 @2:1");
  EXPECT_EQ(p.records[3], "c.example.com. 600 IN A 192.0.2.3 @4:1");
}

TEST(Parser, NoTtlAtAllIsAnError) {
  auto p = parse("a A 192.0.2.1\n");
  EXPECT_EQ(p.messages, (V{"x.zone:1:3: no TTL: give one, or a $TTL directive before this record"}));
  EXPECT_TRUE(p.records.empty());
}

TEST(Parser, TtlAboveMaximumBecomesZero) {
  auto p = parse("a 4294967295 A 192.0.2.1\n$TTL 2147483648\nb A 192.0.2.2\n");
  EXPECT_EQ(p.messages,
            (V{"x.zone:1:3: warning: TTL 4294967295 is above 2^31-1; using 0 (RFC 2181 section 8)",
               "x.zone:2:6: warning: $TTL 2147483648 is above 2^31-1; using 0 (RFC 2181 section 8)"}));
  EXPECT_EQ(p.records, (V{"a.example.com. 0 IN A 192.0.2.1 @1:1", "b.example.com. 0 IN A 192.0.2.2 @3:1"}));
}

TEST(Parser, ParseTtlUnits) {
  std::uint32_t v = 0;
  EXPECT_TRUE(parseTtl("3600", v));
  EXPECT_EQ(v, 3600U);
  EXPECT_TRUE(parseTtl("1h30m", v));
  EXPECT_EQ(v, 5400U);
  EXPECT_TRUE(parseTtl("1W2d", v));
  EXPECT_EQ(v, 777600U);
  EXPECT_TRUE(parseTtl("1s1s", v));
  EXPECT_EQ(v, 2U);
  EXPECT_TRUE(parseTtl("4294967295", v));
  EXPECT_EQ(v, 4294967295U);
  EXPECT_FALSE(parseTtl("4294967296", v));
  EXPECT_FALSE(parseTtl("1h30", v));
  EXPECT_FALSE(parseTtl("1x", v));
  EXPECT_FALSE(parseTtl("h", v));
  EXPECT_FALSE(parseTtl("", v));
  EXPECT_FALSE(parseTtl("1hh", v));
  EXPECT_FALSE(parseTtl("100000000w", v));
}

TEST(Parser, BadTypeMessage) {
  auto p = parse("$TTL 1\nwww INN A 192.0.2.1\n");
  EXPECT_EQ(p.messages, (V{"x.zone:2:5: expected a TTL, class or type, got 'INN'"}));
}

TEST(Parser, ExpectedFieldsNarrowDown) {
  auto p = parse(
      "$TTL 1\n"
      "a 300 BOGUS x\n"
      "b IN BOGUS x\n"
      "c 300 IN BOGUS x\n"
      "d IN\n"
      "e\n");
  EXPECT_EQ(p.messages,
            (V{"x.zone:2:7: expected a class or type, got 'BOGUS'",
               "x.zone:3:6: expected a TTL or type, got 'BOGUS'", "x.zone:4:10: expected a type, got 'BOGUS'",
               "x.zone:5:5: expected a TTL or type, got end of line",
               "x.zone:6:2: expected a TTL, class or type, got end of line"}));
}

TEST(Parser, BadTtlMessage) {
  auto p = parse("a 1h30 A 192.0.2.1\n");
  EXPECT_EQ(p.messages, (V{"x.zone:1:3: expected a TTL (seconds or units like 1h30m), got '1h30'"}));
}

TEST(Parser, ClassMismatch) {
  auto p = parse("$TTL 1\na CH A 192.0.2.1\n");
  EXPECT_EQ(p.messages, (V{"x.zone:2:3: class CH does not match the zone's class IN"}));
}

TEST(Parser, ChaosZone) {
  auto opts = options("example.");
  opts.defaultClass = RRClass::CH;
  auto p = parse("$TTL 1\na CHAOS TXT x\nb CH TXT y\nc IN TXT z\n", opts);
  EXPECT_EQ(p.records, (V{"a.example. 1 CH TXT \"x\" @2:1", "b.example. 1 CH TXT \"y\" @3:1"}));
  EXPECT_EQ(p.messages, (V{"x.zone:4:3: class IN does not match the zone's class CH"}));
}

TEST(Parser, GenericTypeClassAndRdata) {
  auto p = parse(
      "$TTL 1\n"
      "a CLASS1 TYPE65534 \\# 3 abcdef\n"
      "b IN A \\# 4 c0000201\n"
      "c TYPE1 192.0.2.2\n"
      "d TYPE65280 \\# 0\n");
  EXPECT_TRUE(p.messages.empty()) << p.messages[0];
  EXPECT_EQ(p.records,
            (V{"a.example.com. 1 IN TYPE65534 \\# 3 abcdef @2:1", "b.example.com. 1 IN A 192.0.2.1 @3:1",
               "c.example.com. 1 IN A 192.0.2.2 @4:1", "d.example.com. 1 IN TYPE65280 \\# 0 @5:1"}));
}

TEST(Parser, RdataErrorPointsAtTheRdata) {
  auto p = parse("$TTL 1\na IN A 192.0.2\n");
  ASSERT_EQ(p.messages.size(), 1U);
  EXPECT_EQ(p.messages[0].substr(0, 31), "x.zone:2:8: bad A record data: ");
}

TEST(Parser, MissingRdataIsAnError) {
  auto p = parse("$TTL 1\na IN MX\n");
  ASSERT_EQ(p.messages.size(), 1U);
  EXPECT_EQ(p.messages[0].substr(0, 32), "x.zone:2:8: bad MX record data: ");
}

TEST(Parser, ParenthesesAcrossLines) {
  auto p = parse(
      "$TTL 1\n"
      "@ IN SOA ns hm (\n"
      "   1 ; serial\n"
      "   2 3 4\n"
      "   5 )\n"
      "t TXT ( \"a\"\n"
      "  \"b\" )\n");
  EXPECT_TRUE(p.messages.empty());
  EXPECT_EQ(p.records, (V{"example.com. 1 IN SOA ns.example.com. hm.example.com. 1 2 3 4 5 @2:1",
                          "t.example.com. 1 IN TXT \"a\" \"b\" @6:1"}));
}

TEST(Parser, QuotedStringsWithEscapes) {
  auto p = parse("$TTL 1\nt TXT \"a \\\"q\\\" ; ( \\065\"\n");
  EXPECT_TRUE(p.messages.empty()) << p.messages[0];
  EXPECT_EQ(p.records, (V{"t.example.com. 1 IN TXT \"a \\\"q\\\" ; ( A\" @2:1"}));
}

TEST(Parser, NameEscapes) {
  auto p = parse("$TTL 1\na\\.b\\032c A 192.0.2.1\n\\065 A 192.0.2.2\n");
  EXPECT_TRUE(p.messages.empty()) << p.messages[0];
  EXPECT_EQ(p.records,
            (V{"a\\.b\\032c.example.com. 1 IN A 192.0.2.1 @2:1", "A.example.com. 1 IN A 192.0.2.2 @3:1"}));
}

TEST(Parser, BadOwnerNames) {
  auto p = parse("$TTL 1\na..b A 192.0.2.1\nx\\256 A 192.0.2.1\n" + std::string(64, 'l') + " A 192.0.2.1\n");
  ASSERT_EQ(p.messages.size(), 3U);
  EXPECT_EQ(p.messages[0], "x.zone:2:1: bad owner name 'a..b': empty label in name 'a..b'");
  EXPECT_EQ(p.messages[1].substr(0, 31), "x.zone:3:1: bad owner name 'x\\2");
  EXPECT_NE(p.messages[2].find("label longer than 63 octets"), std::string::npos);
  EXPECT_TRUE(p.records.empty());
}

TEST(Parser, NoOwnerForTheFirstRecord) {
  auto p = parse("$TTL 1\n  A 192.0.2.1\n");
  EXPECT_EQ(p.messages,
            (V{"x.zone:2:3: no owner name: the first record must start with a name in column 1"}));
}

TEST(Parser, QuotedOwnerIsRejected) {
  auto p = parse("$TTL 1\n\"a\" A 192.0.2.1\n");
  EXPECT_EQ(p.messages, (V{"x.zone:2:1: expected an owner name, got quoted string \"a\""}));
}

TEST(Parser, LexerErrorsAreReportedOnce) {
  auto p = parse("$TTL 1\nt TXT \"open\nu A 192.0.2.1 )\nv ( A\n");
  EXPECT_EQ(p.messages, (V{"x.zone:2:7: unterminated quoted string: expected '\"' before the end of the line",
                           "x.zone:3:15: unbalanced ')': no '(' is open",
                           "x.zone:4:3: expected ')' to close this '(', got end of file"}));
  EXPECT_TRUE(p.records.empty());
}

TEST(Parser, ErrorsDoNotStopTheParse) {
  auto p = parse(
      "$TTL 1\n"
      "a INN A 192.0.2.1\n"
      "b A 192.0.2.2\n"
      "c A ( 1.2.3\n"
      " )\n"
      "d A 192.0.2.4\n");
  EXPECT_EQ(p.messages.size(), 2U);
  EXPECT_EQ(p.records, (V{"b.example.com. 1 IN A 192.0.2.2 @3:1", "d.example.com. 1 IN A 192.0.2.4 @6:1"}));
  EXPECT_EQ(p.result.errors, 2U);
  EXPECT_FALSE(p.result.ok());
}

TEST(Parser, MaxErrorsStops) {
  std::string text = "$TTL 1\n";
  for (int i = 0; i < 10; ++i) text += "a BAD x\n";
  auto opts = options();
  opts.maxErrors = 3;
  auto p = parse(text, opts);
  EXPECT_EQ(p.result.errors, 3U);
  EXPECT_TRUE(p.result.stoppedEarly);
  EXPECT_EQ(p.messages.back(), "x.zone: too many errors (3), stopping");
}

TEST(Parser, DirectiveErrors) {
  auto p = parse(
      "$TTL\n"
      "$TTL 1 2\n"
      "$ORIGIN\n"
      "$ORIGIN a..b.\n"
      "$FOO x\n"
      "$GENERATE 1-2 a A 192.0.2.$\n");
  EXPECT_EQ(p.messages,
            (V{"x.zone:1:5: expected a TTL (seconds or units like 1h30m) after $TTL, got end of line",
               "x.zone:2:8: expected end of line after the $TTL value, got '2'",
               "x.zone:3:8: expected a domain name after $ORIGIN, got end of line",
               "x.zone:4:9: bad $ORIGIN name 'a..b.': empty label in name 'a..b.'",
               "x.zone:5:1: expected a directive ($ORIGIN, $TTL, $INCLUDE) or owner name, got '$FOO'",
               "x.zone:6:1: $GENERATE is not supported; expand the records in the file"}));
}

TEST(Parser, MetaTypeIsRejected) {
  auto p = parse("$TTL 1\na ANY \\# 0\n");
  EXPECT_EQ(p.messages, (V{"x.zone:2:3: type ANY is a query type and cannot appear in a zone"}));
}

TEST(Parser, RdataOver65535Octets) {
  std::string text = "$TTL 1\nt TXT";
  const std::string s(255, 'x');
  for (int i = 0; i < 260; ++i) text += " \"" + s + "\"";
  text += "\n";
  auto p = parse(text);
  ASSERT_EQ(p.messages.size(), 1U);
  EXPECT_EQ(p.messages[0].substr(0, 11), "x.zone:2:7:");
  EXPECT_NE(p.messages[0].find("66560 octets"), std::string::npos) << p.messages[0];
  EXPECT_TRUE(p.records.empty());
}

TEST(Parser, ReadsFilesAndReportsMissingOnes) {
  auto p = parseZoneFile("/nonexistent/zone.db", options(), [](const RecordView&) {});
  ASSERT_EQ(p.diagnostics.size(), 1U);
  EXPECT_EQ(formatDiagnostic(p.files, p.diagnostics[0]),
            "/nonexistent/zone.db: cannot read zone file: No such file or directory");
}

// $INCLUDE tests write files into a fresh temporary folder.
class IncludeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("zk_include_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  Parsed parseFile(const std::string& name, const ParseOptions& opts = options()) {
    Parsed p;
    p.result = parseZoneFile((dir_ / name).string(), opts,
                             [&](const RecordView& r) { p.records.push_back(show(r)); });
    for (const auto& d : p.result.diagnostics) {
      std::string m = formatDiagnostic(p.result.files, d);
      const std::string prefix = dir_.string() + "/";
      for (auto pos = m.find(prefix); pos != std::string::npos; pos = m.find(prefix))
        m.erase(pos, prefix.size());
      p.messages.push_back(m);
    }
    return p;
  }
  std::filesystem::path dir_;
};

TEST_F(IncludeTest, IncludeRelativeToTheIncludingFile) {
  write("main.zone", "$TTL 1\n$INCLUDE sub/part.inc\nafter A 192.0.2.9\n");
  write("sub/part.inc", "inc A 192.0.2.1\n$INCLUDE deeper.inc\n");
  write("sub/deeper.inc", "deep A 192.0.2.2\n");
  auto p = parseFile("main.zone");
  EXPECT_TRUE(p.messages.empty()) << p.messages[0];
  EXPECT_EQ(p.records, (V{"inc.example.com. 1 IN A 192.0.2.1 @1:1", "deep.example.com. 1 IN A 192.0.2.2 @1:1",
                          "after.example.com. 1 IN A 192.0.2.9 @3:1"}));
  EXPECT_EQ(p.result.files.size(), 3U);
}

TEST_F(IncludeTest, IncludeOriginIsRestoredAfterwards) {
  write("main.zone",
        "$TTL 1\nown A 192.0.2.1\n$INCLUDE part.inc sub.example.com.\n  A 192.0.2.9\nx A 192.0.2.8\n");
  write("part.inc", "host A 192.0.2.2\n@ A 192.0.2.3\n");
  auto p = parseFile("main.zone");
  EXPECT_TRUE(p.messages.empty()) << p.messages[0];
  EXPECT_EQ(p.records,
            (V{"own.example.com. 1 IN A 192.0.2.1 @2:1", "host.sub.example.com. 1 IN A 192.0.2.2 @1:1",
               "sub.example.com. 1 IN A 192.0.2.3 @2:1", "own.example.com. 1 IN A 192.0.2.9 @4:3",
               "x.example.com. 1 IN A 192.0.2.8 @5:1"}));
}

TEST_F(IncludeTest, ErrorsInIncludedFilesNameThatFile) {
  write("main.zone", "$TTL 1\n$INCLUDE part.inc\n");
  write("part.inc", "ok A 192.0.2.1\nbad INN A 192.0.2.2\n");
  auto p = parseFile("main.zone");
  EXPECT_EQ(p.messages, (V{"part.inc:2:5: expected a TTL, class or type, got 'INN'"}));
}

TEST_F(IncludeTest, IncludeLoopIsDetected) {
  write("a.zone", "$TTL 1\n$INCLUDE b.inc\n");
  write("b.inc", "b A 192.0.2.1\n$INCLUDE a.zone\n");
  auto p = parseFile("a.zone");
  EXPECT_EQ(p.messages, (V{"b.inc:2:1: $INCLUDE loop: 'a.zone' is already being read"}));
  EXPECT_EQ(p.records.size(), 1U);
}

TEST_F(IncludeTest, SelfIncludeIsALoop) {
  write("a.zone", "$TTL 1\n$INCLUDE a.zone\n");
  auto p = parseFile("a.zone");
  EXPECT_EQ(p.messages, (V{"a.zone:2:1: $INCLUDE loop: 'a.zone' is already being read"}));
}

TEST_F(IncludeTest, DepthIsLimited) {
  for (int i = 0; i < 5; ++i) {
    write("l" + std::to_string(i) + ".inc",
          "x" + std::to_string(i) + " A 192.0.2.1\n$INCLUDE l" + std::to_string(i + 1) + ".inc\n");
  }
  write("l5.inc", "end A 192.0.2.1\n");
  write("main.zone", "$TTL 1\n$INCLUDE l0.inc\n");
  auto opts = options();
  opts.maxIncludeDepth = 3;
  auto p = parseFile("main.zone", opts);
  EXPECT_EQ(p.messages, (V{"l2.inc:2:1: $INCLUDE nested more than 3 levels deep"}));
  EXPECT_EQ(p.records.size(), 3U);
}

TEST_F(IncludeTest, MissingFileAndDisallowedInclude) {
  write("main.zone", "$TTL 1\n$INCLUDE nope.inc\n$INCLUDE\n$INCLUDE x y..z\n");
  auto p = parseFile("main.zone");
  ASSERT_EQ(p.messages.size(), 3U);
  EXPECT_EQ(p.messages[0], "main.zone:2:1: cannot read $INCLUDE file 'nope.inc': No such file or directory");
  EXPECT_EQ(p.messages[1], "main.zone:3:9: expected a file name after $INCLUDE, got end of line");
  EXPECT_EQ(p.messages[2], "main.zone:4:12: bad $INCLUDE origin 'y..z': empty label in name 'y..z'");

  write("part.inc", "a A 192.0.2.1\n");
  write("main2.zone", "$TTL 1\n$INCLUDE part.inc\n");
  auto opts = options();
  opts.allowInclude = false;
  auto q = parseFile("main2.zone", opts);
  EXPECT_EQ(q.messages, (V{"main2.zone:2:1: $INCLUDE is not allowed here"}));
  EXPECT_TRUE(q.records.empty());
}

}  // namespace
}  // namespace zk::zonefile
