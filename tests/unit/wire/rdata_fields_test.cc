#include "wire/rdata_fields.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace zk::wire {
namespace {

struct Seen {
  std::size_t index;
  Field kind;
  std::size_t offset;
  std::size_t length;
};

FieldWalk walkAll(RRType type, const std::vector<std::uint8_t>& rd, std::vector<Seen>& seen) {
  const TypeDescriptor* d = findType(type);
  EXPECT_NE(d, nullptr);
  return walkUncompressedFields(*d, rd, [&](std::size_t i, Field f, std::size_t off, std::size_t len) {
    seen.push_back({i, f, off, len});
    return true;
  });
}

TEST(RdataFields, MxFieldsAndOffsets) {
  // preference 10, exchange "mx.example." (RFC 1035 section 3.3.9)
  std::vector<std::uint8_t> rd = {0, 10, 2, 'm', 'x', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  std::vector<Seen> seen;
  FieldWalk w = walkAll(RRType::MX, rd, seen);
  EXPECT_EQ(w.fault, FieldFault::None);
  EXPECT_EQ(w.pos, rd.size());
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].kind, Field::U16);
  EXPECT_EQ(seen[0].length, 2U);
  EXPECT_EQ(seen[1].kind, Field::Name);
  EXPECT_EQ(seen[1].offset, 2U);
  EXPECT_EQ(seen[1].length, 12U);
}

TEST(RdataFields, FaultsNameTheField) {
  std::vector<Seen> seen;
  EXPECT_EQ(walkAll(RRType::MX, {0}, seen).fault, FieldFault::Short);
  FieldWalk w = walkAll(RRType::MX, {0, 10, 0xC0, 0}, seen);  // pointer in uncompressed RDATA
  EXPECT_EQ(w.fault, FieldFault::BadName);
  EXPECT_EQ(w.field, 1U);
  EXPECT_EQ(walkAll(RRType::MX, {0, 10, 0, 1}, seen).fault, FieldFault::Trailing);
  EXPECT_EQ(walkAll(RRType::TXT, {}, seen).fault, FieldFault::NoStrings);
  EXPECT_EQ(walkAll(RRType::TXT, {1, 'a', 3, 'b'}, seen).fault, FieldFault::StringOverrun);
  EXPECT_EQ(walkAll(RRType::CAA, {0, 0}, seen).fault, FieldFault::EmptyCaaTag);
  EXPECT_EQ(walkAll(RRType::CAA, {0, 2, 'a', '-'}, seen).fault, FieldFault::BadCaaTag);
  EXPECT_EQ(walkAll(RRType::CAA, {0, 5, 'i', 's', 's', 'u', 'e', 'x'}, seen).fault, FieldFault::None);
}

TEST(RdataFields, VisitorStopsTheWalk) {
  std::vector<std::uint8_t> rd = {0, 10, 0};
  FieldWalk w = walkUncompressedFields(*findType(RRType::MX), rd,
                                       [](std::size_t i, Field, std::size_t, std::size_t) { return i == 0; });
  EXPECT_EQ(w.fault, FieldFault::Stopped);
  EXPECT_EQ(w.field, 1U);
  EXPECT_EQ(w.pos, 2U);
}

TEST(RdataFields, CompressedNamesUseTheCallersLength) {
  // An MX whose exchange is a 2-octet pointer: the caller measures it.
  std::vector<std::uint8_t> rd = {0, 10, 0xC0, 12};
  std::size_t names = 0;
  FieldWalk w = walkFields(
      *findType(RRType::MX), rd, 0, rd.size(), [](std::size_t) -> std::size_t { return 2; },
      [&](std::size_t, Field f, std::size_t, std::size_t len) {
        if (f == Field::Name) names += len;
        return true;
      });
  EXPECT_EQ(w.fault, FieldFault::None);
  EXPECT_EQ(names, 2U);
  // A name length beyond the end is refused whatever the callback says.
  w = walkFields(
      *findType(RRType::MX), rd, 0, rd.size(), [](std::size_t) -> std::size_t { return 3; },
      [](std::size_t, Field, std::size_t, std::size_t) { return true; });
  EXPECT_EQ(w.fault, FieldFault::BadName);
}

}  // namespace
}  // namespace zk::wire
