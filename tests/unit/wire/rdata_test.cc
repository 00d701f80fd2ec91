#include "wire/rdata.h"

#include <gtest/gtest.h>

#include <string>

#include "common/encoding.h"
#include "rdata_test_util.h"

namespace zk::wire {
namespace {

using testing::tokenize;

Name N(std::string_view text) { return *Name::fromText(text); }

Result<Bytes> parse(RRType type, std::string_view text, const Name& origin = Name()) {
  auto toks = tokenize(text);
  Bytes out;
  auto st = rdataFromText(type, toks.tokens, origin, out);
  if (!st.ok()) return st.error();
  return out;
}

Bytes hex(std::string_view h) {
  Bytes b;
  EXPECT_TRUE(hexDecode(h, b).ok());
  return b;
}

// ---------------------------------------------------------------------------
// Bad presentation input: each is rejected with a message naming the problem.

struct BadCase {
  RRType type;
  const char* text;
  const char* expected;  // substring of the error message
};

class BadText : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadText, Rejected) {
  const auto& c = GetParam();
  auto r = parse(c.type, c.text);
  ASSERT_FALSE(r.ok()) << typeToText(c.type) << " '" << c.text << "' was accepted";
  EXPECT_NE(r.error().message.find(c.expected), std::string::npos)
      << "message: " << r.error().message << "\nexpected to contain: " << c.expected;
}

const std::string k256(256, 'x');
const std::string kTxt256 = "\"" + k256 + "\"";
const std::string kCaa256 = "0 " + k256 + " \"x\"";

INSTANTIATE_TEST_SUITE_P(
    Rdata, BadText,
    ::testing::Values(
        BadCase{RRType::A, "192.0.2", "bad IPv4 address '192.0.2'"},
        BadCase{RRType::A, "192.0.2.256", "bad IPv4 address '192.0.2.256'"},
        BadCase{RRType::A, "x", "bad IPv4 address 'x'"}, BadCase{RRType::A, "1.2.3.4.5", "bad IPv4 address"},
        BadCase{RRType::A, "0x1.2.3.4", "bad IPv4 address"},
        BadCase{RRType::A, "2001:db8::1", "bad IPv4 address"},
        BadCase{RRType::A, "", "A address: missing field"},
        BadCase{RRType::A, "1.2.3.4 5.6.7.8", "A: trailing data '5.6.7.8' after address"},
        BadCase{RRType::A, "1.2.3.4444444444444444444444444444444444444444444444444444444444",
                "bad IPv4 address"},
        BadCase{RRType::AAAA, "2001:db8::g", "bad IPv6 address '2001:db8::g'"},
        BadCase{RRType::AAAA, "1.2.3.4", "bad IPv6 address"},
        BadCase{RRType::AAAA, "1::2::3", "bad IPv6 address"},
        BadCase{RRType::MX, "x mail.example.", "MX preference: expected a number 0-65535, got 'x'"},
        BadCase{RRType::MX, "65536 mail.example.", "MX preference: expected a number 0-65535, got '65536'"},
        BadCase{RRType::MX, "-1 mail.example.", "MX preference: expected a number 0-65535"},
        BadCase{RRType::MX, "+1 mail.example.", "MX preference: expected a number 0-65535"},
        BadCase{RRType::MX, "10", "MX exchange: missing field"},
        BadCase{RRType::MX, "10 a. b.", "MX: trailing data 'b.' after exchange"},
        BadCase{RRType::MX, "10 a..b.", "MX exchange: empty label"},
        BadCase{RRType::NS, "a\\", "NS nsdname: dangling escape"},
        BadCase{RRType::CNAME, "a\\256.", "CNAME target:"},
        BadCase{RRType::SOA, "a. b. 1 2 3 4", "SOA minimum: missing field"},
        BadCase{RRType::SOA, "a. b. 4294967296 2 3 4 5", "SOA serial: expected a number 0-4294967295"},
        BadCase{RRType::SOA, "a. b. 1h 2 3 4 5", "SOA serial: expected a number"},
        BadCase{RRType::SOA, "a. b. 1 1x 3 4 5", "SOA refresh: expected seconds"},
        BadCase{RRType::SOA, "a. b. 1 2 h 4 5", "SOA retry: expected seconds"},
        BadCase{RRType::SOA, "a. b. 1 2 3 1h30 5", "SOA expire: expected seconds"},
        BadCase{RRType::SOA, "a. b. 1 2 3 4 7102w", "SOA minimum: expected seconds"},
        BadCase{RRType::SOA, "a. b. 1 2 3 4 4294967296", "SOA minimum: expected seconds"},
        BadCase{RRType::SOA, "a. b. 1 2 3 4 5 6", "SOA: trailing data '6' after minimum"},
        BadCase{RRType::TXT, "", "TXT text: missing field"},
        BadCase{RRType::TXT, kTxt256.c_str(), "character string is 256 octets, the limit is 255"},
        BadCase{RRType::TXT, "abc\\", "dangling backslash"},
        BadCase{RRType::TXT, "\"\\25\"", "bad \\DDD escape"},
        BadCase{RRType::TXT, "\"\\256\"", "\\DDD escape above 255"},
        BadCase{RRType::SPF, "ok \"\\25x\"", "SPF text: bad \\DDD escape"},
        BadCase{RRType::HINFO, "\"cpu\"", "HINFO os: missing field"},
        BadCase{RRType::HINFO, "a b c", "HINFO: trailing data 'c' after os"},
        BadCase{RRType::SRV, "1 2 70000 t.", "SRV port: expected a number 0-65535, got '70000'"},
        BadCase{RRType::SRV, "1 2 3", "SRV target: missing field"},
        BadCase{RRType::NAPTR, "1 2 \"U\" \"E2U\" \"re\"", "NAPTR replacement: missing field"},
        BadCase{RRType::DS, "1 8 2", "DS digest: missing field"},
        BadCase{RRType::DS, "1 8 2 abcx", "DS digest: bad hex digit in 'abcx'"},
        BadCase{RRType::DS, "1 8 2 abc", "DS digest: odd number of hex digits"},
        BadCase{RRType::DS, "1 256 2 ab", "DS algorithm: expected a number 0-255, got '256'"},
        BadCase{RRType::DS, "1 8 2 abcd", "DS digest: type 2 needs 32 octets, got 2"},
        BadCase{RRType::DS, "1 8 1 abcd", "DS digest: type 1 needs 20 octets, got 2"},
        BadCase{RRType::DS, "1 8 4 abcd", "DS digest: type 4 needs 48 octets, got 2"},
        BadCase{RRType::SSHFP, "1 1 abcd", "SSHFP fingerprint: type 1 needs 20 octets, got 2"},
        BadCase{RRType::SSHFP, "1 2 abcd", "SSHFP fingerprint: type 2 needs 32 octets, got 2"},
        BadCase{RRType::DS, "\\# 6 00010802abcd",
                "generic RDATA is not valid DS: DS digest: type 2 needs 32"},
        BadCase{RRType::MX, "\"10\" a.", "MX preference: expected an unquoted value, got \"10\""},
        BadCase{RRType::NS, "\"a.b\"", "NS nsdname: expected an unquoted value"},
        BadCase{RRType::A, "\"1.2.3.4\"", "A address: expected an unquoted value"},
        BadCase{RRType::DS, "1 8 3 ab \"cd\"", "DS digest: expected an unquoted value, got \"cd\""},
        BadCase{RRType::A, "\\# \"4\" 01020304", "generic RDATA: expected a length"},
        BadCase{RRType::A, "\\# 4 \"01020304\"", "generic RDATA: quoted hex"},
        BadCase{RRType::A, "01.2.3.4", "bad IPv4 address '01.2.3.4'"},
        BadCase{RRType::SSHFP, "1 1 a b c", "SSHFP fingerprint: odd number of hex digits"},
        BadCase{RRType::TLSA, "3 1 1 zz", "TLSA certificate data: bad hex digit"},
        BadCase{RRType::DNSKEY, "257 3 8 AwEAA", "DNSKEY public key: bad base64"},
        BadCase{RRType::DNSKEY, "257 3 8 Aw*A", "DNSKEY public key: bad base64"},
        BadCase{RRType::DNSKEY, "257 3 8 A=AA", "DNSKEY public key: bad base64"},
        BadCase{RRType::DNSKEY, "257 3", "DNSKEY algorithm: missing field"},
        BadCase{RRType::CAA, "0 is-sue \"x\"", "CAA tag: expected letters and digits only, got 'is-sue'"},
        BadCase{RRType::CAA, "0 \"\" \"x\"", "CAA tag: expected an unquoted value, got \"\""},
        BadCase{RRType::CAA, kCaa256.c_str(), "CAA tag: expected letters and digits only"},
        BadCase{RRType::CAA, "0 issue", "CAA value: missing field"},
        BadCase{RRType::CAA, "0 issue a b", "CAA: trailing data 'b' after value"},
        BadCase{RRType::CAA, "256 issue \"x\"", "CAA flags: expected a number 0-255, got '256'"},
        BadCase{RRType::ALIAS, "", "ALIAS target: missing field"},
        BadCase{RRType::DNAME, "a. b.", "DNAME: trailing data"},
        // RFC 3597 generic form.
        BadCase{RRType::A, "\\#", "generic RDATA: missing length"},
        BadCase{RRType::A, "\\# x", "generic RDATA: expected a length 0-65535, got 'x'"},
        BadCase{RRType::A, "\\# 65536 00", "generic RDATA: expected a length 0-65535"},
        BadCase{RRType::A, "\\# 4 c00002", "generic RDATA: length 4 does not match the 3 octets"},
        BadCase{RRType::A, "\\# 2 c00002", "generic RDATA: length 2 does not match the 3 octets"},
        BadCase{RRType::A, "\\# 4 c000020", "generic RDATA: odd number of hex digits"},
        BadCase{RRType::A, "\\# 4 c000020g", "generic RDATA: bad hex digit in 'c000020g'"},
        BadCase{RRType::A, "\\# 3 c00002", "generic RDATA is not valid A"},
        BadCase{RRType::A, "\\# 0", "generic RDATA is not valid A"},
        BadCase{RRType::MX, "\\# 3 000a01",
                "generic RDATA is not valid MX: malformed MX RDATA: bad or truncated exchange"},
        BadCase{RRType::MX, "\\# 5 000ac00c00", "generic RDATA is not valid MX"},  // compressed name
        BadCase{RRType::TXT, "\\# 0", "generic RDATA is not valid TXT"},
        BadCase{RRType::TXT, "\\# 2 0561", "generic RDATA is not valid TXT"},
        BadCase{RRType::CAA, "\\# 4 00012d21", "generic RDATA is not valid CAA"},  // tag "-"
        BadCase{static_cast<RRType>(65534), "abcdef", "type TYPE65534 has no known presentation format"},
        BadCase{static_cast<RRType>(65534), "", "type TYPE65534 has no known presentation format"},
        BadCase{static_cast<RRType>(65534), "\\# 1", "generic RDATA: length 1 does not match the 0 octets"}));

TEST(Rdata, QuotedBackslashHashIsNotGeneric) {
  // "\#" in quotes is an ordinary string for TXT (RFC 3597 section 5).
  TextToken toks[] = {{"\\#", true}, {"0", false}};
  Bytes out;
  ASSERT_TRUE(rdataFromText(RRType::TXT, toks, Name(), out).ok());
  EXPECT_EQ(hexEncode(out),
            "0123"
            "0130");
}

TEST(Rdata, RelativeNamesUseOrigin) {
  auto origin = N("example.com.");
  auto r = parse(RRType::MX, "10 mail", origin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rdataToText(RRType::MX, *r), "10 mail.example.com.");
  r = parse(RRType::CNAME, "@", origin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rdataToText(RRType::CNAME, *r), "example.com.");
  r = parse(RRType::SOA, "ns1 hostmaster 1 2 3 4 5", origin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rdataToText(RRType::SOA, *r), "ns1.example.com. hostmaster.example.com. 1 2 3 4 5");
  r = parse(RRType::SRV, "0 0 443 www", origin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rdataToText(RRType::SRV, *r), "0 0 443 www.example.com.");
  r = parse(RRType::NS, "ns.other.", origin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rdataToText(RRType::NS, *r), "ns.other.");
}

TEST(Rdata, AppendsAndLeavesOutputAloneOnError) {
  Bytes out = {0xaa};
  auto a = tokenize("192.0.2.1");
  ASSERT_TRUE(rdataFromText(RRType::A, a.tokens, Name(), out).ok());
  EXPECT_EQ(hexEncode(out), "aac0000201");
  auto bad = tokenize("\"ok\" \"\\999\"");
  EXPECT_FALSE(rdataFromText(RRType::TXT, bad.tokens, Name(), out).ok());
  EXPECT_EQ(hexEncode(out), "aac0000201");
  auto badGeneric = tokenize("\\# 3 0102");
  EXPECT_FALSE(rdataFromText(RRType::TXT, badGeneric.tokens, Name(), out).ok());
  EXPECT_EQ(hexEncode(out), "aac0000201");
}

TEST(Rdata, CharStringOf255IsTheLimit) {
  std::string s255(255, 'y');
  auto r = parse(RRType::TXT, "\"" + s255 + "\" " + s255);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 512U);
  // Escapes count as one octet each.
  std::string esc;
  for (int i = 0; i < 255; ++i) esc += "\\065";
  r = parse(RRType::TXT, "\"" + esc + "\"");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 256U);
  r = parse(RRType::TXT, "\"" + esc + "A\"");
  EXPECT_FALSE(r.ok());
}

TEST(Rdata, RdataOver65535Rejected) {
  std::string text;
  for (int i = 0; i < 258; ++i) text += "\"" + std::string(254, 'z') + "\" ";
  auto r = parse(RRType::TXT, text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("limit is 65535"), std::string::npos) << r.error().message;
}

TEST(Rdata, MalformedWirePrintsGeneric) {
  EXPECT_EQ(rdataToText(RRType::A, hex("c00002")), "\\# 3 c00002");
  EXPECT_EQ(rdataToText(RRType::MX, hex("000a")), "\\# 2 000a");
  EXPECT_EQ(rdataToText(RRType::MX, hex("000a0000")), "\\# 4 000a0000");  // trailing octet
  EXPECT_EQ(rdataToText(RRType::TXT, hex("")), "\\# 0");
  EXPECT_EQ(rdataToText(RRType::TXT, hex("0361")), "\\# 2 0361");
  EXPECT_EQ(rdataToText(RRType::CAA, hex("0000")), "\\# 2 0000");              // empty tag
  EXPECT_EQ(rdataToText(RRType::CAA, hex("00022d2d78")), "\\# 5 00022d2d78");  // tag "--"
  EXPECT_EQ(rdataToText(RRType::DS, hex("00010803")), "\\# 4 00010803");       // empty digest
  EXPECT_EQ(rdataToText(RRType::DNSKEY, hex("01010308")), "\\# 4 01010308");
  EXPECT_EQ(rdataToText(RRType::CNAME, hex("c00c")), "\\# 2 c00c");  // compression pointer
  EXPECT_EQ(rdataToText(static_cast<RRType>(65534), hex("01")), "\\# 1 01");
  EXPECT_EQ(rdataToText(RRType::OPT, hex("")), "\\# 0");
  EXPECT_FALSE(validateRdata(RRType::DS, hex("000108")).ok());
  EXPECT_TRUE(validateRdata(RRType::DS, hex("00010803")).ok());   // valid, just has no text form
  EXPECT_FALSE(validateRdata(RRType::DS, hex("00010802")).ok());  // SHA-256 needs 32 octets
  EXPECT_EQ(rdataToText(RRType::DS, hex("000108013228")), "\\# 6 000108013228");  // SHA-1 needs 20
  EXPECT_EQ(rdataToText(RRType::SSHFP, hex("01023228")), "\\# 4 01023228");
  // ...and the generic form it prints reads back.
  auto r = parse(RRType::DS, rdataToText(RRType::DS, hex("00010803")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(hexEncode(*r), "00010803");
}

TEST(Rdata, ValidateNamesErrors) {
  auto st = validateRdata(RRType::SOA, hex("0000000000010000000200000003000000040000"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("SOA"), std::string::npos);
  EXPECT_NE(st.error().message.find("minimum"), std::string::npos) << st.error().message;
  st = validateRdata(RRType::A, hex("0102030405"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("1 octets after the last field"), std::string::npos)
      << st.error().message;
  // A name of 256 octets is too long even without compression.
  Bytes longName;
  for (int i = 0; i < 4; ++i) {
    longName.push_back(63);
    longName.insert(longName.end(), 63, 'a');
  }
  longName.push_back(0);
  EXPECT_FALSE(validateRdata(RRType::NS, longName).ok());
  EXPECT_TRUE(validateRdata(static_cast<RRType>(65534), longName).ok());
}

// ---------------------------------------------------------------------------
// Wire reading with compression (RFC 1035 section 4.1.4, RFC 3597 section 4).

// A message prefix holding "example.com." at offset 12, as a real header+question would.
Bytes messageWithExampleCom() {
  Bytes m(12, 0);
  Bytes name = hex("076578616d706c6503636f6d00");  // example.com.
  m.insert(m.end(), name.begin(), name.end());
  return m;
}

TEST(RdataWire, MxWithCompressedExchange) {
  Bytes m = messageWithExampleCom();
  std::size_t off = m.size();
  Bytes rd = hex("000a046d61696cc00c");  // 10 mail.<ptr to 12>
  m.insert(m.end(), rd.begin(), rd.end());
  Bytes out = {0x55};
  ASSERT_TRUE(rdataFromWire(RRType::MX, m, off, rd.size(), out).ok());
  EXPECT_EQ(hexEncode(out),
            "55"
            "000a046d61696c076578616d706c6503636f6d00");
  EXPECT_EQ(rdataToText(RRType::MX, std::span(out).subspan(1)), "10 mail.example.com.");
}

TEST(RdataWire, NsAndSoaWithPointers) {
  Bytes m = messageWithExampleCom();
  std::size_t off = m.size();
  Bytes ns = hex("c00c");
  m.insert(m.end(), ns.begin(), ns.end());
  Bytes out;
  ASSERT_TRUE(rdataFromWire(RRType::NS, m, off, 2, out).ok());
  EXPECT_EQ(rdataToText(RRType::NS, out), "example.com.");

  // SOA: mname = ns1.<ptr 12>, rname = hostmaster.<ptr 12>, then 5 u32.
  std::size_t soaOff = m.size();
  Bytes soa =
      hex("036e7331c00c"
          "0a686f73746d6173746572c00c"
          "00000001"
          "00000e10"
          "00000384"
          "00093a80"
          "0000012c");
  m.insert(m.end(), soa.begin(), soa.end());
  out.clear();
  ASSERT_TRUE(rdataFromWire(RRType::SOA, m, soaOff, soa.size(), out).ok());
  EXPECT_EQ(rdataToText(RRType::SOA, out), "ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300");
  std::size_t offs[4];
  ASSERT_EQ(rdataNameOffsets(RRType::SOA, out, offs), 2U);
  EXPECT_EQ(offs[0], 0U);
  EXPECT_EQ(offs[1], 17U);
  // A pointer to the earlier SOA's own mname (ns1.example.com. at soaOff).
  std::size_t cnameOff = m.size();
  Bytes cname = hex("03777777");
  cname.push_back(0xC0);
  cname.push_back(static_cast<std::uint8_t>(soaOff));
  m.insert(m.end(), cname.begin(), cname.end());
  out.clear();
  ASSERT_TRUE(rdataFromWire(RRType::CNAME, m, cnameOff, cname.size(), out).ok());
  EXPECT_EQ(rdataToText(RRType::CNAME, out), "www.ns1.example.com.");
}

TEST(RdataWire, SrvRpNaptrAreDecompressedOnRead) {
  for (auto [type, rdHex, text] :
       {std::tuple{RRType::SRV, "000100020003035f7369c00c", "1 2 3 _si.example.com."},
        std::tuple{RRType::RP, "c00c0174c00c", "example.com. t.example.com."},
        std::tuple{RRType::NAPTR, "000a00140155014100c00c", "10 20 \"U\" \"A\" \"\" example.com."},
        std::tuple{RRType::PTR, "c00c", "example.com."}}) {
    Bytes m = messageWithExampleCom();
    std::size_t off = m.size();
    Bytes rd = hex(rdHex);
    m.insert(m.end(), rd.begin(), rd.end());
    Bytes out;
    auto st = rdataFromWire(type, m, off, rd.size(), out);
    ASSERT_TRUE(st.ok()) << typeToText(type) << ": " << st.error().message;
    EXPECT_EQ(rdataToText(type, out), text);
  }
}

TEST(RdataWire, CompressionRejectedWhereNotAllowed) {
  // DNAME and ALIAS targets and names in unknown types are never expanded.
  for (auto type : {RRType::DNAME, RRType::ALIAS}) {
    Bytes m = messageWithExampleCom();
    std::size_t off = m.size();
    m.push_back(0xC0);
    m.push_back(12);
    Bytes out;
    EXPECT_FALSE(rdataFromWire(type, m, off, 2, out).ok()) << typeToText(type);
    EXPECT_TRUE(out.empty());
  }
  Bytes m = messageWithExampleCom();
  std::size_t off = m.size();
  m.push_back(0xC0);
  m.push_back(12);
  Bytes out;
  ASSERT_TRUE(rdataFromWire(static_cast<RRType>(65534), m, off, 2, out).ok());
  EXPECT_EQ(hexEncode(out), "c00c");  // opaque
}

TEST(RdataWire, TruncatedAndOverlong) {
  Bytes m = messageWithExampleCom();
  std::size_t off = m.size();
  Bytes rd = hex("000a046d61696cc00c");
  m.insert(m.end(), rd.begin(), rd.end());
  Bytes out;
  // rdlength past the end of the message.
  EXPECT_FALSE(rdataFromWire(RRType::MX, m, off, rd.size() + 1, out).ok());
  EXPECT_FALSE(rdataFromWire(RRType::MX, m, m.size() + 1, 0, out).ok());
  EXPECT_FALSE(rdataFromWire(RRType::A, m, off, SIZE_MAX, out).ok());
  // rdlength shorter than the data: the pointer is cut off.
  EXPECT_FALSE(rdataFromWire(RRType::MX, m, off, rd.size() - 1, out).ok());
  EXPECT_FALSE(rdataFromWire(RRType::MX, m, off, 2, out).ok());
  EXPECT_FALSE(rdataFromWire(RRType::MX, m, off, 1, out).ok());
  EXPECT_FALSE(rdataFromWire(RRType::MX, m, off, 0, out).ok());
  EXPECT_TRUE(out.empty());
  // rdlength longer than the data: an octet is left over.
  m.push_back(0);
  auto st = rdataFromWire(RRType::MX, m, off, rd.size() + 1, out);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("1 octets after the last field"), std::string::npos)
      << st.error().message;
  EXPECT_TRUE(out.empty());
  // A with the wrong length; A reading stops at rdlength.
  EXPECT_FALSE(rdataFromWire(RRType::A, m, off, 3, out).ok());
  EXPECT_FALSE(rdataFromWire(RRType::A, m, off, 5, out).ok());
  EXPECT_TRUE(rdataFromWire(RRType::A, m, off, 4, out).ok());
  EXPECT_EQ(out.size(), 4U);
}

TEST(RdataWire, BadPointers) {
  Bytes m = messageWithExampleCom();
  std::size_t off = m.size();
  // Pointer to itself, forward pointer, pointer into the RDATA's own start.
  for (std::string_view rdHex : {"000a", "000ac0", "000ac0ff", "000a0161c01b", "000a8000", "000a40"}) {
    Bytes mm = m;
    Bytes rd = hex(rdHex);
    mm.insert(mm.end(), rd.begin(), rd.end());
    Bytes out;
    EXPECT_FALSE(rdataFromWire(RRType::MX, mm, off, rd.size(), out).ok()) << rdHex;
    EXPECT_TRUE(out.empty()) << rdHex;
  }
  // Self-pointing name (exact offset of the exchange).
  Bytes mm = m;
  mm.push_back(0);
  mm.push_back(10);
  mm.push_back(0xC0);
  mm.push_back(static_cast<std::uint8_t>(off + 2));
  Bytes out;
  EXPECT_FALSE(rdataFromWire(RRType::MX, mm, off, 4, out).ok());
}

TEST(RdataWire, LabelsRunningPastRdataAreRejected) {
  // The exchange's labels continue beyond rdlength into the next bytes.
  Bytes m(12, 0);
  std::size_t off = m.size();
  Bytes rd = hex("000a046d61696c00");
  m.insert(m.end(), rd.begin(), rd.end());
  Bytes out;
  EXPECT_FALSE(rdataFromWire(RRType::MX, m, off, 5, out).ok());
  EXPECT_TRUE(rdataFromWire(RRType::MX, m, off, rd.size(), out).ok());
}

TEST(RdataWire, NameOffsets) {
  std::size_t offs[4];
  auto mx = *parse(RRType::MX, "10 mail.example.");
  ASSERT_EQ(rdataNameOffsets(RRType::MX, mx, offs), 1U);
  EXPECT_EQ(offs[0], 2U);
  auto rp = *parse(RRType::RP, "a.example. b.example.");
  ASSERT_EQ(rdataNameOffsets(RRType::RP, rp, offs), 2U);
  EXPECT_EQ(offs[0], 0U);
  EXPECT_EQ(offs[1], 11U);
  auto naptr = *parse(RRType::NAPTR, "1 2 \"a\" \"bc\" \"\" x.");
  ASSERT_EQ(rdataNameOffsets(RRType::NAPTR, naptr, offs), 1U);
  EXPECT_EQ(offs[0], 10U);
  auto srv = *parse(RRType::SRV, "1 2 3 t.");
  ASSERT_EQ(rdataNameOffsets(RRType::SRV, srv, offs), 1U);
  EXPECT_EQ(offs[0], 6U);
  auto a = *parse(RRType::A, "1.2.3.4");
  EXPECT_EQ(rdataNameOffsets(RRType::A, a, offs), 0U);
  EXPECT_EQ(rdataNameOffsets(static_cast<RRType>(65534), a, offs), 0U);
  EXPECT_EQ(rdataNameOffsets(RRType::MX, hex("000a03"), offs), 0U);  // malformed
}

TEST(RdataTable, Flags) {
  for (auto t : {RRType::NS, RRType::CNAME, RRType::SOA, RRType::PTR, RRType::MX}) {
    ASSERT_NE(findType(t), nullptr);
    EXPECT_TRUE(findType(t)->compressOnWrite) << typeToText(t);
    EXPECT_TRUE(findType(t)->decompressOnRead) << typeToText(t);
  }
  for (auto t : {RRType::RP, RRType::SRV, RRType::NAPTR}) {
    EXPECT_FALSE(findType(t)->compressOnWrite) << typeToText(t);
    EXPECT_TRUE(findType(t)->decompressOnRead) << typeToText(t);
  }
  for (auto t : {RRType::DNAME, RRType::ALIAS, RRType::A, RRType::TXT, RRType::CAA}) {
    EXPECT_FALSE(findType(t)->compressOnWrite) << typeToText(t);
    EXPECT_FALSE(findType(t)->decompressOnRead) << typeToText(t);
  }
  EXPECT_EQ(findType(RRType::OPT), nullptr);
  EXPECT_EQ(findType(RRType::RRSIG), nullptr);
  EXPECT_EQ(findType(static_cast<RRType>(65534)), nullptr);
  EXPECT_EQ(findType(RRType::ALIAS)->mnemonic, "ALIAS");
  EXPECT_EQ(findType(RRType::CAA)->fields.size(), 3U);
}

}  // namespace
}  // namespace zk::wire
