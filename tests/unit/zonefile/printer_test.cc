#include "zonefile/printer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace zk::zonefile {
namespace {

TEST(Printer, OneLinePerRecord) {
  std::string out;
  const std::uint8_t a[4] = {192, 0, 2, 1};
  appendRecordLine(out, "www.example.com.", 300, wire::RRClass::IN, wire::RRType::A, a);
  const std::uint8_t u[3] = {0xab, 0xcd, 0xef};
  appendRecordLine(out, "x.example.com.", 0, wire::RRClass::IN, static_cast<wire::RRType>(65534), u);
  EXPECT_EQ(out, "www.example.com. 300 IN A 192.0.2.1\nx.example.com. 0 IN TYPE65534 \\# 3 abcdef\n");
}

TEST(Printer, OtherClasses) {
  std::string out;
  const std::uint8_t a[4] = {10, 0, 0, 1};
  appendRecordLine(out, "a.", 1, wire::RRClass::CH, wire::RRType::A, a);
  EXPECT_EQ(out, "a. 1 CH A 10.0.0.1\n");
}

}  // namespace
}  // namespace zk::zonefile
