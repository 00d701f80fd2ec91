// rdataFromText is on the zone-loading hot path: for the common types it must
// not touch the heap once `out` has capacity. Counts allocations by replacing
// the global operator new for this test binary.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "rdata_test_util.h"
#include "wire/rdata.h"

namespace {
std::atomic<std::size_t> gAllocations{0};
}  // namespace

void* operator new(std::size_t n) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }

namespace zk::wire {
namespace {

TEST(RdataAlloc, CommonTypesParseWithoutHeapAllocation) {
  auto origin = *Name::fromText("a-rather-long-origin-name.example.com.");
  struct Case {
    RRType type;
    const char* text;
  };
  const Case cases[] = {
      {RRType::A, "192.0.2.1"},
      {RRType::AAAA, "2001:db8::1"},
      {RRType::NS, "ns1.some-long-provider-name.example.net."},
      {RRType::CNAME, "www"},
      {RRType::MX, "10 mail"},
      {RRType::TXT, "\"v=spf1 include:_spf.example.com ~all\" second"},
      {RRType::SOA, "ns1 hostmaster 2024010101 1h 15m 1w 5m"},
      {RRType::SRV, "0 5 443 target"},
      {RRType::CAA, "0 issue \"ca.example.net\""},
      {RRType::DS, "1 8 2 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"},
      {RRType::A, "\\# 4 c0000201"},
  };
  for (const auto& c : cases) {
    auto toks = testing::tokenize(c.text);
    Bytes out;
    out.reserve(4096);
    std::size_t before = gAllocations.load();
    auto st = rdataFromText(c.type, toks.tokens, origin, out);
    std::size_t after = gAllocations.load();
    ASSERT_TRUE(st.ok()) << c.text << ": " << st.error().message;
    EXPECT_EQ(after - before, 0U) << typeToText(c.type) << " " << c.text;
  }
}

TEST(RdataAlloc, CounterWorks) {
  std::size_t before = gAllocations.load();
  auto* p = new std::string(100, 'x');
  EXPECT_GT(gAllocations.load(), before);
  delete p;
}

}  // namespace
}  // namespace zk::wire
