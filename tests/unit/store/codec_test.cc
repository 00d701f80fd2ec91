// Journal and value codecs: round trips, and damaged blobs (every truncation,
// random byte flips) give errors, never crashes or over-reads (run under ASan).

#include <gtest/gtest.h>

#include <random>

#include "store/codec.h"
#include "store_test_util.h"

namespace zk::store {
namespace {

using namespace zk::store::testing;
using wire::RRType;

std::vector<RecordSet> sample() {
  return {rset("www.example.com.", RRType::A, 300, {"192.0.2.1", "192.0.2.2"}),
          rset("example.com.", RRType::MX, 60, {"10 mx.example.com."}),
          aliasSet("example.com.", RRType::AAAA, "Z123", "lb.example.net.")};
}

TEST(StoreCodec, ValuesRoundTrip) {
  const auto sets = sample();
  for (const auto& rs : sets) {
    auto back = decodeValues(encodeValues(rs.rdata));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, rs.rdata);
  }
  auto empty = decodeValues({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// The values as written follow the RDATA after a 0xFFFF marker; blobs without
// them (written before) decode with no texts; every truncation is an error.
TEST(StoreCodec, ValueTextsRoundTripAndOldBlobsStillRead) {
  const auto mx = rset("example.com.", RRType::MX, 60, {"10 mx.example.com.", "20 mx2.example.com."});
  const std::vector<std::string> texts = {"10 mx.example.com", "20 mx2.example.com"};
  const auto blob = encodeValues(mx.rdata, texts);
  std::vector<std::string> got;
  auto values = decodeValues(blob, &got);
  ASSERT_TRUE(values.ok()) << values.error().message;
  EXPECT_EQ(*values, mx.rdata);
  EXPECT_EQ(got, texts);
  auto withoutOut = decodeValues(blob);  // callers that do not want the texts
  ASSERT_TRUE(withoutOut.ok());
  EXPECT_EQ(*withoutOut, mx.rdata);
  std::vector<std::string> none;
  auto old = decodeValues(encodeValues(mx.rdata), &none);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*old, mx.rdata);
  EXPECT_TRUE(none.empty());
  for (std::size_t cut = encodeValues(mx.rdata).size() + 1; cut < blob.size(); ++cut) {
    std::vector<std::string> partial;
    EXPECT_FALSE(decodeValues(std::span(blob).first(cut), &partial).ok()) << cut;
  }
  auto trailing = blob;
  trailing.push_back(0);
  EXPECT_FALSE(decodeValues(trailing).ok());
}

TEST(StoreCodec, DiffRoundTrip) {
  const auto removed = sample();
  const std::vector<RecordSet> added{rset("new.example.com.", RRType::TXT, 1, {"\"a\" \"b\""})};
  std::vector<RecordSet> r;
  std::vector<RecordSet> a;
  ASSERT_TRUE(decodeDiff(encodeDiff(removed, added), r, a).ok());
  EXPECT_EQ(r, removed);
  EXPECT_EQ(a, added);
}

TEST(StoreCodec, DamagedBlobsAreErrors) {
  const auto blob = encodeDiff(sample(), sample());
  for (std::size_t n = 0; n < blob.size(); ++n) {
    std::vector<std::uint8_t> cut(blob.begin(), blob.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<RecordSet> r;
    std::vector<RecordSet> a;
    EXPECT_FALSE(decodeDiff(cut, r, a).ok()) << "truncated to " << n;
  }
  auto extra = blob;
  extra.push_back(0);
  std::vector<RecordSet> r;
  std::vector<RecordSet> a;
  EXPECT_FALSE(decodeDiff(extra, r, a).ok()) << "trailing bytes";
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    auto bad = blob;
    for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<std::uint8_t>(rng());
    std::vector<RecordSet> r2;
    std::vector<RecordSet> a2;
    (void)decodeDiff(bad, r2, a2);  // must not crash or read out of bounds
    (void)decodeValues(bad);
  }
  EXPECT_FALSE(decodeValues(std::vector<std::uint8_t>{0, 5, 1, 2}).ok());
}

}  // namespace
}  // namespace zk::store
