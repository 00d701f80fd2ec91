// ZoneBuilder/ZoneSnapshot/ZoneTable: build-time checks and the precomputed
// lookup data (empty non-terminals, cuts, DNAMEs, wildcard children).

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "zone/loader.h"
#include "zone/snapshot.h"
#include "zone/zone_table.h"

namespace zk::zone {
namespace {

using wire::Name;
using wire::RRClass;
using wire::RRType;

Name n(std::string_view s) { return *Name::fromText(s); }

std::shared_ptr<const ZoneSnapshot> load(std::string_view text, std::string_view origin = "example.com.") {
  auto z = loadZoneText(text, "test", n(origin));
  EXPECT_TRUE(z.ok()) << (z.ok() ? "" : z.error().message);
  return z.ok() ? *z : nullptr;
}

std::string loadError(std::string_view text) {
  auto z = loadZoneText(text, "test", n("example.com."));
  return z.ok() ? "" : z.error().message;
}

constexpr std::string_view kSoa =
    "$TTL 300\n@ SOA ns1 host 42 3600 600 86400 120\n@ NS ns1\nns1 A 192.0.2.1\n";

std::uint32_t find(const ZoneSnapshot& z, std::string_view name) {
  return z.find(n(name).lowercased().bytes());
}

TEST(ZoneBuilder, EmptyNonTerminalsAreNodes) {
  auto z = load(std::string(kSoa) + "a.b.c A 192.0.2.2\n");
  ASSERT_TRUE(z);
  auto bc = find(*z, "b.c.example.com.");
  ASSERT_NE(bc, kNoNode);
  EXPECT_TRUE(z->node(bc).flags & kFlagEmptyNonTerminal);
  EXPECT_EQ(z->node(bc).rrsetCount, 0U);
  EXPECT_NE(find(*z, "c.example.com."), kNoNode);
  EXPECT_EQ(find(*z, "d.example.com."), kNoNode);
  EXPECT_EQ(z->serial(), 42U);
}

TEST(ZoneBuilder, LookupIgnoresCaseOfZoneData) {
  auto z = load(std::string(kSoa) + "WWW.Sub A 192.0.2.2\n");
  ASSERT_TRUE(z);
  EXPECT_NE(find(*z, "www.sub.example.com."), kNoNode);
  EXPECT_NE(find(*z, "WwW.SUB.example.com."), kNoNode);
}

TEST(ZoneBuilder, CutsDnamesAndWildcardsArePrecomputed) {
  auto z = load(std::string(kSoa) +
                "deleg NS ns.other.\nns.deleg A 192.0.2.3\nx.y.deleg A 192.0.2.4\n"
                "dn DNAME other.\n*.wild A 192.0.2.5\n");
  ASSERT_TRUE(z);
  auto deleg = find(*z, "deleg.example.com.");
  auto below = find(*z, "x.y.deleg.example.com.");
  ASSERT_NE(deleg, kNoNode);
  ASSERT_NE(below, kNoNode);
  EXPECT_EQ(z->node(deleg).highestCut, deleg);
  EXPECT_EQ(z->node(below).highestCut, deleg);
  EXPECT_EQ(z->node(z->apexNode()).highestCut, kNoNode);  // apex NS is not a cut
  auto dn = find(*z, "dn.example.com.");
  EXPECT_EQ(z->node(dn).highestDname, dn);
  auto wild = find(*z, "wild.example.com.");
  ASSERT_NE(wild, kNoNode);
  EXPECT_EQ(z->node(wild).wildcardChild, find(*z, "*.wild.example.com."));
}

TEST(ZoneBuilder, DuplicatesDroppedAndTtlsUnified) {
  auto z = load(std::string(kSoa) + "w 600 A 192.0.2.9\nw 60 A 192.0.2.8\nw 600 A 192.0.2.9\n");
  ASSERT_TRUE(z);
  const Node& w = z->node(find(*z, "w.example.com."));
  const RRsetRef* a = z->findRRset(w, RRType::A);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, 2);
  EXPECT_EQ(a->ttl, 60U);
}

TEST(ZoneBuilder, NegativeTtlIsMinOfSoaTtlAndMinimum) {
  auto z = load(std::string(kSoa));
  ASSERT_TRUE(z);
  auto tail = z->negativeSoaTail();
  std::uint32_t ttl = (std::uint32_t{tail[4]} << 24) | (std::uint32_t{tail[5]} << 16) |
                      (std::uint32_t{tail[6]} << 8) | tail[7];
  EXPECT_EQ(ttl, 120U);
}

TEST(ZoneBuilder, RejectsBadZones) {
  EXPECT_NE(loadError("$TTL 1\nwww A 192.0.2.1\n"), "");                           // no SOA
  EXPECT_NE(loadError(std::string(kSoa) + "x CNAME y\nx A 192.0.2.1\n"), "");      // CNAME and other data
  EXPECT_NE(loadError(std::string(kSoa) + "x CNAME y\nx CNAME z\n"), "");          // two CNAMEs
  EXPECT_NE(loadError(std::string(kSoa) + "x ALIAS y\nx A 192.0.2.1\n"), "");      // ALIAS and A
  EXPECT_NE(loadError(std::string(kSoa) + "www.example.org. A 192.0.2.1\n"), "");  // outside the zone
  EXPECT_NE(loadError(std::string(kSoa) + "sub SOA a b 1 2 3 4 5\n"), "");         // SOA below apex
  EXPECT_NE(loadError(std::string(kSoa) + "x CH A 192.0.2.1\n"), "");
  EXPECT_NE(loadError(std::string(kSoa) + "@ SOA a b 1 2 3 4 5\n"), "");  // two SOAs
}

TEST(ZoneBuilder, RejectsMalformedRdataDirectly) {
  ZoneBuilder b(n("example.com."));
  const std::uint8_t badMx[] = {0, 10, 3, 'a'};
  EXPECT_FALSE(b.add(n("example.com."), RRType::MX, RRClass::IN, 1, badMx).ok());
  const std::uint8_t badA[] = {1, 2, 3};
  EXPECT_FALSE(b.add(n("example.com."), RRType::A, RRClass::IN, 1, badA).ok());
  EXPECT_FALSE(b.add(n("example.com."), RRType::OPT, RRClass::IN, 1, {}).ok());
}

TEST(ZoneTable, MostSpecificZoneWins) {
  ZoneTable t;
  t.upsert(load(std::string(kSoa)));
  t.upsert(load("$TTL 1\n@ SOA ns host 1 1 1 1 1\n", "sub.example.com."));
  auto set = t.current();
  auto find = [&](std::string_view name) {
    const ZoneSnapshot* z = set->findZone(n(name).lowercased().bytes());
    return z ? z->origin().toText() : std::string("none");
  };
  EXPECT_EQ(find("a.b.sub.example.com."), "sub.example.com.");
  EXPECT_EQ(find("sub.example.com."), "sub.example.com.");
  EXPECT_EQ(find("xsub.example.com."), "example.com.");
  EXPECT_EQ(find("example.com."), "example.com.");
  EXPECT_EQ(find("com."), "none");
  EXPECT_EQ(find("."), "none");
  EXPECT_TRUE(t.remove(n("sub.example.com.")));
  EXPECT_FALSE(t.remove(n("sub.example.com.")));
  set = t.current();
  EXPECT_EQ(find("a.b.sub.example.com."), "example.com.");
}

// A reader never sees half of a change: each version of the zone has both A
// records of "www" in the same /24, and versions are swapped while reading.
TEST(ZoneTable, ReadersSeeWholeSnapshots) {
  ZoneTable t;
  auto version = [&](int v) {
    return load(std::string(kSoa) + "www A 10.0." + std::to_string(v) + ".1\nwww A 10.0." +
                std::to_string(v) + ".2\n");
  };
  std::vector<std::shared_ptr<const ZoneSnapshot>> versions;
  for (int v = 0; v < 8; ++v) versions.push_back(version(v));
  t.upsert(versions[0]);
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::atomic<long> reads{0};
  std::thread reader([&] {
    ZoneTableReader r(t);
    auto key = n("www.example.com.").lowercased();
    while (!stop.load()) {
      const ZoneSet& set = r.get();
      const ZoneSnapshot* z = set.findZone(key.bytes());
      const Node& node = z->node(z->find(key.bytes()));
      const RRsetRef* a = z->findRRset(node, RRType::A);
      auto d = z->rrsetData(*a);
      // rdata of record 1 at 10..13, record 2 at 24..27
      if (a->count != 2 || d[12] != d[26]) torn.fetch_add(1);
      reads.fetch_add(1);
    }
  });
  for (int i = 0; i < 2000; ++i) t.upsert(versions[static_cast<std::size_t>(i % 8)]);
  while (reads.load() < 1000) std::this_thread::yield();
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
}

}  // namespace
}  // namespace zk::zone
