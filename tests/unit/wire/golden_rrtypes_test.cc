// Data-driven checks of every supported type against tests/golden/rrtypes*.tsv
// (generated from the RFC layouts by tests/golden/rrtypes_gen.py).

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "rdata_test_util.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

namespace zk::wire {
namespace {

using testing::tokenize;

std::vector<std::vector<std::string>> readTsv(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::size_t start = 0;
    while (true) {
      auto tab = line.find('\t', start);
      cols.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(cols));
  }
  return rows;
}

Bytes fromHex(const std::string& hex) {
  Bytes b;
  EXPECT_TRUE(hexDecode(hex, b).ok()) << hex;
  return b;
}

std::string toHex(const Bytes& b) { return hexEncode(b); }

Result<Bytes> parse(RRType type, const std::string& text) {
  auto toks = tokenize(text);
  Bytes out;
  auto st = rdataFromText(type, toks.tokens, Name(), out);
  if (!st.ok()) return st.error();
  return out;
}

TEST(GoldenRRTypes, EveryRow) {
  auto rows = readTsv(ZK_SOURCE_DIR "/tests/golden/rrtypes.tsv");
  ASSERT_GE(rows.size(), 50U);
  std::size_t checked = 0;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 4U) << "bad row starting " << row[0];
    const auto& [typeText, presentation, generic, hex] = std::tie(row[0], row[1], row[2], row[3]);
    SCOPED_TRACE(typeText + " " + presentation);
    auto type = typeFromText(typeText);
    ASSERT_TRUE(type.ok()) << typeText;
    Bytes want = fromHex(hex);

    auto fromText = parse(*type, presentation);
    ASSERT_TRUE(fromText.ok()) << fromText.error().message;
    EXPECT_EQ(toHex(*fromText), hex) << "text -> wire";

    auto fromGeneric = parse(*type, generic);
    ASSERT_TRUE(fromGeneric.ok()) << fromGeneric.error().message;
    EXPECT_EQ(toHex(*fromGeneric), hex) << "generic -> wire";

    EXPECT_EQ(rdataToText(*type, want), presentation) << "wire -> text";
    EXPECT_EQ(rdataToGeneric(want), generic) << "wire -> generic";
    auto valid = validateRdata(*type, want);
    EXPECT_TRUE(valid.ok()) << (valid.ok() ? "" : valid.error().message);

    // Reading the RDATA out of a message gives the same uncompressed bytes.
    Bytes msg = {0xde, 0xad};
    msg.insert(msg.end(), want.begin(), want.end());
    msg.push_back(0xff);
    Bytes fromWire;
    auto st = rdataFromWire(*type, msg, 2, want.size(), fromWire);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    EXPECT_EQ(toHex(fromWire), hex) << "wire -> wire";
    ++checked;
  }
  EXPECT_EQ(checked, rows.size());
}

TEST(GoldenRRTypes, CoversEverySupportedType) {
  auto rows = readTsv(ZK_SOURCE_DIR "/tests/golden/rrtypes.tsv");
  for (auto t :
       {RRType::A,   RRType::AAAA,  RRType::NS,   RRType::CNAME,  RRType::SOA,   RRType::PTR,  RRType::MX,
        RRType::TXT, RRType::SRV,   RRType::CAA,  RRType::DNAME,  RRType::HINFO, RRType::RP,   RRType::NAPTR,
        RRType::DS,  RRType::SSHFP, RRType::TLSA, RRType::DNSKEY, RRType::SPF,   RRType::ALIAS}) {
    ASSERT_NE(findType(t), nullptr) << typeToText(t);
    bool found = false;
    for (const auto& row : rows) {
      auto rt = typeFromText(row[0]);
      found = found || (rt.ok() && *rt == t);
    }
    EXPECT_TRUE(found) << "no golden row for " << typeToText(t);
  }
}

TEST(GoldenRRTypes, NonCanonicalInputs) {
  auto rows = readTsv(ZK_SOURCE_DIR "/tests/golden/rrtypes_noncanonical.tsv");
  ASSERT_GE(rows.size(), 20U);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 4U) << "bad row starting " << row[0];
    SCOPED_TRACE(row[0] + " " + row[1]);
    auto type = typeFromText(row[0]);
    ASSERT_TRUE(type.ok());
    auto wire = parse(*type, row[1]);
    ASSERT_TRUE(wire.ok()) << wire.error().message;
    EXPECT_EQ(toHex(*wire), row[3]);
    EXPECT_EQ(rdataToText(*type, *wire), row[2]);
    // The canonical form reads back to the same wire data.
    auto again = parse(*type, row[2]);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(toHex(*again), row[3]);
  }
}

}  // namespace
}  // namespace zk::wire
