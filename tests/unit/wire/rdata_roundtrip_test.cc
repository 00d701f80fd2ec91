// Property tests: random RDATA built from each type's field list must survive
// wire -> text -> wire and wire -> generic -> wire unchanged, and random
// mutations must never crash and never print text that reads back differently.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <array>
#include <random>
#include <string>

#include "common/encoding.h"
#include "rdata_test_util.h"
#include "wire/rdata.h"

namespace zk::wire {
namespace {

using testing::tokenize;

class Gen {
 public:
  explicit Gen(std::uint32_t seed) : rng_(seed) {}

  std::uint8_t byte() { return static_cast<std::uint8_t>(rng_() & 0xFF); }
  std::size_t upTo(std::size_t n) { return static_cast<std::size_t>(rng_() % (n + 1)); }

  void bytes(Bytes& out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(byte());
  }
  void name(Bytes& out) {
    std::size_t labels = upTo(4);
    std::size_t total = 1;
    for (std::size_t i = 0; i < labels; ++i) {
      std::size_t len = 1 + upTo(upTo(1) ? 8 : 62);
      if (total + len + 1 > kMaxNameLength) break;
      out.push_back(static_cast<std::uint8_t>(len));
      for (std::size_t k = 0; k < len; ++k)
        out.push_back(upTo(3) ? static_cast<std::uint8_t>('a' + upTo(25)) : byte());
      total += len + 1;
    }
    out.push_back(0);
  }
  void field(Field f, Bytes& out) {
    switch (f) {
      case Field::U8:
        bytes(out, 1);
        break;
      case Field::U16:
        bytes(out, 2);
        break;
      case Field::U32:
      case Field::Period:
      case Field::Ipv4:
        bytes(out, 4);
        break;
      case Field::Ipv6:
        bytes(out, 16);
        break;
      case Field::Name:
        name(out);
        break;
      case Field::CharString: {
        std::size_t n = upTo(3) ? upTo(20) : upTo(255);
        out.push_back(static_cast<std::uint8_t>(n));
        bytes(out, n);
        break;
      }
      case Field::CharStrings: {
        std::size_t n = 1 + upTo(3);
        for (std::size_t i = 0; i < n; ++i) field(Field::CharString, out);
        break;
      }
      case Field::CaaTag: {
        static constexpr std::string_view kAlnum =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        std::size_t n = 1 + upTo(15);
        out.push_back(static_cast<std::uint8_t>(n));
        for (std::size_t i = 0; i < n; ++i)
          out.push_back(static_cast<std::uint8_t>(kAlnum[upTo(kAlnum.size() - 1)]));
        break;
      }
      case Field::StringRest:
        bytes(out, upTo(40));
        break;
      case Field::HexRest:
      case Field::Base64Rest:
        bytes(out, 1 + upTo(70));
        break;
    }
  }

 private:
  std::mt19937 rng_;
};

constexpr RRType kTypes[] = {RRType::A,      RRType::NS,    RRType::CNAME, RRType::SOA, RRType::PTR,
                             RRType::HINFO,  RRType::MX,    RRType::TXT,   RRType::RP,  RRType::AAAA,
                             RRType::SRV,    RRType::NAPTR, RRType::DNAME, RRType::DS,  RRType::SSHFP,
                             RRType::DNSKEY, RRType::TLSA,  RRType::SPF,   RRType::CAA, RRType::ALIAS};

Result<Bytes> parse(RRType type, const std::string& text) {
  auto toks = tokenize(text);
  Bytes out;
  auto st = rdataFromText(type, toks.tokens, Name(), out);
  if (!st.ok()) return st.error();
  return out;
}

TEST(RdataRoundTrip, RandomValidRdata) {
  Gen g(12345);
  for (RRType type : kTypes) {
    const TypeDescriptor* d = findType(type);
    ASSERT_NE(d, nullptr);
    std::size_t valid = 0;
    for (int iter = 0; iter < 2000; ++iter) {
      Bytes rd;
      std::size_t names = 0;
      for (Field f : d->fields) {
        g.field(f, rd);
        names += f == Field::Name ? 1 : 0;
      }
      if (!validateRdata(type, rd).ok()) continue;  // e.g. DS digest length rules
      ++valid;
      std::string text = rdataToText(type, rd);
      SCOPED_TRACE(typeToText(type) + " " + text);
      auto back = parse(type, text);
      ASSERT_TRUE(back.ok()) << back.error().message;
      ASSERT_EQ(hexEncode(*back), hexEncode(rd));
      auto generic = parse(type, rdataToGeneric(rd));
      ASSERT_TRUE(generic.ok()) << generic.error().message;
      ASSERT_EQ(*generic, rd);
      std::size_t offs[4];
      ASSERT_EQ(rdataNameOffsets(type, rd, offs), names);
      Bytes fromWire;
      ASSERT_TRUE(rdataFromWire(type, rd, 0, rd.size(), fromWire).ok());
      ASSERT_EQ(fromWire, rd);
    }
    EXPECT_GT(valid, 500U) << typeToText(type);
  }
}

TEST(RdataRoundTrip, RandomMutationsNeverCrashOrLie) {
  Gen g(777);
  for (RRType type : kTypes) {
    const TypeDescriptor* d = findType(type);
    for (int iter = 0; iter < 2000; ++iter) {
      Bytes rd;
      for (Field f : d->fields) g.field(f, rd);
      // Flip, truncate or extend.
      switch (g.upTo(2)) {
        case 0:
          if (!rd.empty()) rd[g.upTo(rd.size() - 1)] = g.byte();
          break;
        case 1:
          rd.resize(g.upTo(rd.size()));
          break;
        default:
          g.bytes(rd, 1 + g.upTo(3));
          break;
      }
      std::string text = rdataToText(type, rd);
      auto back = parse(type, text);
      if (validateRdata(type, rd).ok()) {
        ASSERT_TRUE(back.ok()) << typeToText(type) << " " << text << ": " << back.error().message;
        ASSERT_EQ(*back, rd) << typeToText(type) << " " << text;
      } else {
        ASSERT_EQ(text, rdataToGeneric(rd));
        ASSERT_FALSE(back.ok()) << typeToText(type) << " " << text;
      }
      // Reading it from a message must agree with validation (no compression here).
      Bytes out;
      Bytes msg(2, 0);
      msg.insert(msg.end(), rd.begin(), rd.end());
      auto st = rdataFromWire(type, msg, 2, rd.size(), out);
      if (st.ok()) {
        ASSERT_TRUE(validateRdata(type, out).ok());
      } else {
        ASSERT_TRUE(out.empty());
      }
    }
  }
}

TEST(RdataRoundTrip, RandomTokensNeverCrash) {
  Gen g(99);
  static constexpr std::string_view kChars = "0123456789abcdefABCDEF.:\\\"#@ -+=/;()xyz\t";
  for (RRType type : kTypes) {
    for (int iter = 0; iter < 1000; ++iter) {
      std::string s;
      std::size_t n = g.upTo(30);
      for (std::size_t i = 0; i < n; ++i) s.push_back(kChars[g.upTo(kChars.size() - 1)]);
      auto r = parse(type, s);
      if (r.ok()) {
        // Whatever was accepted is valid and prints to text that reads back the same.
        ASSERT_TRUE(validateRdata(type, *r).ok()) << s;
        auto again = parse(type, rdataToText(type, *r));
        ASSERT_TRUE(again.ok()) << s << " -> " << rdataToText(type, *r);
        ASSERT_EQ(*again, *r) << s;
      } else {
        ASSERT_FALSE(r.error().message.empty());
      }
    }
  }
}

// Names are printed without building a Name; the text must equal Name::toText.
TEST(RdataRoundTrip, NamePrintingAgreesWithNameToText) {
  Gen g(2024);
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes rd;
    g.name(rd);
    auto ref = Name::fromWire(rd);
    ASSERT_TRUE(ref.ok());
    ASSERT_EQ(rdataToText(RRType::CNAME, rd), ref->toText());
  }
}

// A addresses have a fast path too; it must agree with inet_pton.
TEST(RdataRoundTrip, Ipv4AgreesWithInetPton) {
  Gen g(31337);
  static constexpr std::string_view kChars = "0125.9";
  std::size_t accepted = 0;
  for (int iter = 0; iter < 50000; ++iter) {
    std::string s;
    if (iter % 2 == 0) {
      std::size_t n = 1 + g.upTo(16);
      for (std::size_t i = 0; i < n; ++i) s.push_back(kChars[g.upTo(kChars.size() - 1)]);
    } else {
      // Mostly well-formed quads with 1-4 digit parts: leading zeros, 256+, extra parts.
      std::size_t parts = 3 + g.upTo(2);
      for (std::size_t p = 0; p < parts; ++p) {
        if (p > 0) s.push_back('.');
        std::size_t digits = 1 + (g.upTo(4) == 0 ? g.upTo(3) : g.upTo(2));
        for (std::size_t i = 0; i < digits; ++i) s.push_back(static_cast<char>('0' + g.upTo(9)));
      }
    }
    std::array<std::uint8_t, 4> ref{};
    bool refOk = inet_pton(AF_INET, s.c_str(), ref.data()) == 1;
    TextToken tok{s, false};
    Bytes out;
    auto st = rdataFromText(RRType::A, std::span(&tok, 1), Name(), out);
    ASSERT_EQ(st.ok(), refOk) << "'" << s << "'";
    if (refOk) {
      ++accepted;
      ASSERT_EQ(out, Bytes(ref.begin(), ref.end())) << "'" << s << "'";
    }
  }
  EXPECT_GT(accepted, 1000U);
}

// rdataFromText parses names on its own fast path; it must agree with Name::fromText.
TEST(RdataRoundTrip, NameFieldsAgreeWithNameFromText) {
  Gen g(4242);
  static constexpr std::string_view kChars = "ab.\\09@ Z-";
  auto origin = *Name::fromText(std::string(60, 'o') + "." + std::string(60, 'p') + ".example.");
  std::size_t accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    std::size_t n = iter % 10 == 0 ? 200 + g.upTo(100) : g.upTo(12);
    for (std::size_t i = 0; i < n; ++i) s.push_back(kChars[g.upTo(kChars.size() - 1)]);
    const Name& org = iter % 2 == 0 ? origin : Name();
    auto ref = Name::fromText(s, org);
    TextToken tok{s, false};
    Bytes out;
    auto st = rdataFromText(RRType::NS, std::span(&tok, 1), org, out);
    ASSERT_EQ(st.ok(), ref.ok()) << "'" << s << "'";
    if (ref.ok()) {
      ++accepted;
      ASSERT_EQ(hexEncode(out), hexEncode(ref->bytes())) << "'" << s << "'";
    } else {
      ASSERT_EQ(st.error().message, "NS nsdname: " + ref.error().message);
    }
  }
  EXPECT_GT(accepted, 2000U);
}

}  // namespace
}  // namespace zk::wire
