// The query path allocates nothing: global operator new is counted while
// process() runs over every golden query kind.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "golden_util.h"
#include "query/processor.h"
#include "zone/loader.h"

namespace {
std::atomic<bool> gCounting{false};
std::atomic<long> gAllocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (gCounting.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace zk::query::testing {
namespace {

TEST(QueryProcessor, NoHeapAllocationPerQuery) {
  zone::ZoneTable table;
  auto z = zone::loadZoneFile(std::string(ZK_SOURCE_DIR) + "/tests/golden/server/zones/example.com.zone",
                              *wire::Name::fromText("example.com."));
  ASSERT_TRUE(z.ok());
  table.upsert(*z);
  QueryProcessor qp(table);
  ProcessorOptions cachedOptions;
  cachedOptions.packetCacheSlots = 64;  // stores, replays and evictions all happen below
  QueryProcessor cached(table, nullptr, cachedOptions);
  const char* lines[] = {
      "www.example.com. A",           "WWW.example.com. AAAA edns", "nothere.example.com. A",
      "b.c.example.com. A",           "chain1.example.com. AAAA",   "loop1.example.com. A",
      "foo.wild.example.com. TXT",    "host.dn.example.com. A",     "www.deleg.example.com. A",
      "elb.example.com. A",           "elbfail.example.com. A",     "big.example.com. TXT",
      "example.com. MX edns",         "_sip._tcp.example.com. SRV", "www.example.org. A",
      "www.example.com. A ednsver=1", "www.example.com. A opt2",    "example.com. ANY"};
  std::vector<std::vector<std::uint8_t>> queries;
  for (const char* l : lines) {
    QuerySpec spec;
    std::string err;
    ASSERT_TRUE(parseQuerySpec(l, spec, err)) << err;
    queries.push_back(buildQuery(spec));
  }
  std::vector<std::uint8_t> out(65535);
  std::size_t total = 0;
  gAllocations = 0;
  gCounting = true;
  for (int round = 0; round < 100; ++round) {
    for (const auto& q : queries) total += qp.process(q, out, Transport::Udp);
    for (const auto& q : queries) {
      cached.prefetch(q);
      total += cached.process(q, out, Transport::Udp);
    }
  }
  gCounting = false;
  EXPECT_GT(total, 0U);
  EXPECT_EQ(gAllocations.load(), 0);
}

}  // namespace
}  // namespace zk::query::testing
