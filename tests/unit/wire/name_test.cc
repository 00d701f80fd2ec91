#include "wire/name.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace zk::wire {
namespace {

Name N(std::string_view text) {
  auto r = Name::fromText(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Name();
}

TEST(Name, ParsesAbsoluteAndRelative) {
  EXPECT_EQ(N("www.example.com.").toText(), "www.example.com.");
  auto origin = N("example.com.");
  auto r = Name::fromText("www", origin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->toText(), "www.example.com.");
  EXPECT_EQ(Name::fromText("@", origin)->toText(), "example.com.");
  EXPECT_TRUE(N(".").isRoot());
  EXPECT_EQ(N("a.b.").labelCount(), 2U);
  EXPECT_EQ(N(".").labelCount(), 0U);
}

TEST(Name, EscapesRoundTrip) {
  auto n = N("a\\.b.c\\032d.\\255.");
  EXPECT_EQ(n.labelCount(), 3U);
  EXPECT_EQ(n.label(0), "a.b");
  EXPECT_EQ(n.label(1), "c d");
  EXPECT_EQ(n.toText(), "a\\.b.c\\032d.\\255.");
  EXPECT_EQ(Name::fromText(n.toText())->wire(), n.wire());
}

TEST(Name, RejectsBadText) {
  EXPECT_FALSE(Name::fromText("").ok());
  EXPECT_FALSE(Name::fromText("a..b.").ok());
  EXPECT_FALSE(Name::fromText(".a.").ok());
  EXPECT_FALSE(Name::fromText("a\\").ok());
  EXPECT_FALSE(Name::fromText("a\\25").ok());
  EXPECT_FALSE(Name::fromText("a\\256.").ok());
  EXPECT_FALSE(Name::fromText(std::string(64, 'a') + ".").ok());
  EXPECT_TRUE(Name::fromText(std::string(63, 'a') + ".").ok());
}

TEST(Name, LengthLimitIs255Octets) {
  // 4 labels of 63 = 256 octets with length bytes, plus root = 257: too long.
  std::string l63(63, 'x');
  EXPECT_FALSE(Name::fromText(l63 + "." + l63 + "." + l63 + "." + l63 + ".").ok());
  // 3*64 + 62 + 1 (root) = 255: fits exactly.
  auto ok = Name::fromText(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'y') + ".");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->wireLength(), 255U);
}

TEST(Name, CaseInsensitiveEqualityPreservesCase) {
  EXPECT_EQ(N("WWW.Example.COM."), N("www.example.com."));
  EXPECT_EQ(N("WWW.Example.COM.").toText(), "WWW.Example.COM.");
  EXPECT_EQ(N("WWW.Example.COM.").hash(), N("www.example.com.").hash());
  EXPECT_NE(N("a.example."), N("b.example."));
}

// RFC 4034 section 6.1 example, in canonical order.
TEST(Name, CanonicalOrderRfc4034) {
  std::vector<std::string> want = {"example.",         "a.example.",      "yljkjljk.a.example.",
                                   "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
                                   "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
  std::vector<Name> names;
  for (auto it = want.rbegin(); it != want.rend(); ++it) names.push_back(N(*it));
  std::sort(names.begin(), names.end());
  std::vector<std::string> got;
  for (auto& n : names) got.push_back(n.toText());
  std::vector<std::string> wantText;
  for (auto& w : want) wantText.push_back(N(w).toText());
  EXPECT_EQ(got, wantText);
}

TEST(Name, SubdomainAndStrip) {
  auto n = N("a.b.example.com.");
  EXPECT_TRUE(n.isSubdomainOf(N("example.com.")));
  EXPECT_TRUE(n.isSubdomainOf(N("EXAMPLE.com.")));
  EXPECT_TRUE(n.isSubdomainOf(n));
  EXPECT_TRUE(n.isSubdomainOf(N(".")));
  EXPECT_FALSE(n.isSubdomainOf(N("ample.com.")));
  EXPECT_FALSE(N("example.com.").isSubdomainOf(n));
  EXPECT_EQ(n.stripLeft(2), N("example.com."));
  EXPECT_EQ(n.parent(), N("b.example.com."));
  EXPECT_EQ(N("x.example.com.").toText(N("example.com.")), "x");
  EXPECT_EQ(N("example.com.").toText(N("example.com.")), "@");
  EXPECT_EQ(N("x.example.org.").toText(N("example.com.")), "x.example.org.");
  EXPECT_TRUE(N("*.example.").isWildcard());
  EXPECT_EQ(N("b.").prepend("a")->toText(), "a.b.");
}

std::vector<std::uint8_t> msg(std::initializer_list<int> v) {
  std::vector<std::uint8_t> out;
  for (int x : v) out.push_back(static_cast<std::uint8_t>(x));
  return out;
}

TEST(ReadName, FollowsBackwardPointers) {
  // "example." at 0, then "www" + pointer to 0 at offset 9.
  auto m = msg({7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 3, 'w', 'w', 'w', 0xC0, 0});
  std::size_t off = 9;
  auto r = readName(m, off);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->toText(), "www.example.");
  EXPECT_EQ(off, m.size());
}

TEST(ReadName, RejectsLoopsForwardPointersAndTruncation) {
  auto loop = msg({0xC0, 0});
  std::size_t off = 0;
  EXPECT_FALSE(readName(loop, off).ok());
  auto forward = msg({0xC0, 2, 1, 'a', 0});
  off = 0;
  EXPECT_FALSE(readName(forward, off).ok());
  auto twoStep = msg({1, 'a', 0xC0, 4, 0xC0, 2});  // 4 -> 2 -> 4 ...
  off = 4;
  EXPECT_FALSE(readName(twoStep, off).ok());
  auto trunc = msg({3, 'a', 'b'});
  off = 0;
  EXPECT_FALSE(readName(trunc, off).ok());
  auto badType = msg({0x40, 0});
  off = 0;
  EXPECT_FALSE(readName(badType, off).ok());
}

TEST(ReadName, RejectsOverlongDecompressedName) {
  // 5 labels of 63 via a chain of pointers: decompressed > 255 octets.
  std::vector<std::uint8_t> m;
  std::vector<std::size_t> starts;
  for (int i = 0; i < 5; ++i) {
    starts.push_back(m.size());
    m.push_back(63);
    m.insert(m.end(), 63, 'a');
    if (i == 0) {
      m.push_back(0);
    } else {
      m.push_back(static_cast<std::uint8_t>(0xC0 | (starts[static_cast<std::size_t>(i) - 1] >> 8)));
      m.push_back(static_cast<std::uint8_t>(starts[static_cast<std::size_t>(i) - 1] & 0xFF));
    }
  }
  std::size_t off = starts.back();
  EXPECT_FALSE(readName(m, off).ok());
}

}  // namespace
}  // namespace zk::wire

namespace zk::wire {
namespace {
// Regression: a chain of 1000 pointers each one octet back is loop-free but must
// still be refused (CPU cost), as MessageView does.
TEST(ReadName, RejectsLongPointerChains) {
  std::vector<std::uint8_t> m = {0};  // root at offset 0
  for (int i = 0; i < 1000; ++i) {
    std::size_t prev = m.size() < 2 ? 0 : m.size() - 2;
    m.push_back(static_cast<std::uint8_t>(0xC0 | (prev >> 8)));
    m.push_back(static_cast<std::uint8_t>(prev & 0xFF));
  }
  std::size_t off = m.size() - 2;
  EXPECT_FALSE(readName(m, off).ok());
  std::size_t shortOff = 1 + 2 * 10;  // a chain of 11 pointers is fine
  EXPECT_TRUE(readName(m, shortOff).ok());
}
}  // namespace
}  // namespace zk::wire
