// ZoneBuilder::derive: a snapshot derived from another plus replaced names
// must equal the snapshot built from scratch from the resulting zone.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "zone/loader.h"
#include "zone/snapshot.h"

namespace zk::zone {
namespace {

using wire::Name;
using wire::RRType;

Name n(std::string_view s) { return *Name::fromText(s); }

std::shared_ptr<const ZoneSnapshot> load(const std::string& text) {
  auto z = loadZoneText(text, "test", n("example.com."));
  EXPECT_TRUE(z.ok()) << (z.ok() ? "" : z.error().message);
  return z.ok() ? *z : nullptr;
}

std::string hex(std::span<const std::uint8_t> b) {
  std::string out;
  for (auto c : b) out += fmt::format("{:02x}", c);
  return out;
}

// Reachable nodes as sorted lines: name, flags, RRsets, and the names that
// the precomputed indexes point at.
std::vector<std::string> dump(const ZoneSnapshot& z) {
  std::vector<std::string> out;
  auto nameOf = [&](std::uint32_t i) { return i == kNoNode ? std::string("-") : hex(z.nodeName(z.node(i))); };
  for (std::uint32_t i = 0; i < z.nodeCount(); ++i) {
    const Node& nd = z.node(i);
    if (z.find(z.nodeName(nd)) != i) continue;  // left behind by derive
    std::string line =
        fmt::format("{} f={:x} labels={} cut={} dname={} wc={}", hex(z.nodeName(nd)), nd.flags, nd.labelCount,
                    nameOf(nd.highestCut), nameOf(nd.highestDname), nameOf(nd.wildcardChild));
    std::vector<std::string> sets;
    for (const auto& set : z.rrsets(nd)) {
      std::string s = fmt::format(" {}/{}:", set.type, set.ttl);
      forEachRecord(z, set, [&](const RecordView& r) { s += " " + hex(r.tail); });
      sets.push_back(s);
    }
    std::sort(sets.begin(), sets.end());
    for (const auto& s : sets) line += s;
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  out.push_back(fmt::format("serial={} records={} apex={} neg={}", z.serial(), z.recordCount(),
                            hex(z.nodeName(z.node(z.apexNode()))), hex(z.negativeSoaTail())));
  return out;
}

UpdateRecord rec(RRType type, std::uint32_t ttl, std::vector<std::uint8_t> rdata) {
  return {type, ttl, std::move(rdata)};
}
std::vector<std::uint8_t> a(std::uint8_t last) { return {192, 0, 2, last}; }
std::vector<std::uint8_t> soa(std::uint32_t serial, std::uint32_t minimum) {
  const Name mname = n("ns1.example.com.");
  const Name rname = n("host.example.com.");
  std::vector<std::uint8_t> out(mname.bytes().begin(), mname.bytes().end());
  out.insert(out.end(), rname.bytes().begin(), rname.bytes().end());
  for (std::uint32_t v : {serial, 3600U, 600U, 86400U, minimum}) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
  }
  return out;
}

const std::string kBase =
    "$TTL 300\n@ SOA ns1 host 42 3600 600 86400 120\n@ NS ns1\nns1 A 192.0.2.1\n"
    "deleg NS ns.other.net.\nwww A 192.0.2.80\nx.y.z A 192.0.2.9\nold.e A 192.0.2.7\nkeep.e A 192.0.2.6\n";

void expectDerived(const std::string& before, const std::vector<NameUpdate>& updates,
                   const std::string& after) {
  auto base = load(before);
  auto want = load(after);
  ASSERT_TRUE(base && want);
  auto got = ZoneBuilder::derive(*base, updates);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(dump(**got), dump(*want));
  EXPECT_EQ(dump(*base), dump(*load(before)));  // the base is untouched
}

TEST(ZoneDerive, AddsNamesWithEmptyNonTerminalsAndWildcards) {
  expectDerived(kBase,
                {{n("a.b.c.example.com."), {rec(RRType::A, 60, a(5))}, false},
                 {n("*.w.example.com."), {rec(RRType::TXT, 60, {2, 'h', 'i'})}, false},
                 {n("host.deleg.example.com."), {rec(RRType::A, 60, a(6))}, false}},
                kBase + "a.b.c 60 A 192.0.2.5\n*.w 60 TXT hi\nhost.deleg 60 A 192.0.2.6\n");
}

TEST(ZoneDerive, ReplacesAndRemovesNames) {
  // www gets new values and a new type; x.y.z goes with its empty
  // non-terminals; old.e goes but e stays (keep.e below it).
  std::string after =
      "$TTL 300\n@ SOA ns1 host 42 3600 600 86400 120\n@ NS ns1\nns1 A 192.0.2.1\n"
      "deleg NS ns.other.net.\nwww 60 A 192.0.2.81\nwww 60 A 192.0.2.82\nwww 70 AAAA ::1\nkeep.e A "
      "192.0.2.6\n";
  std::vector<std::uint8_t> v6(16, 0);
  v6[15] = 1;
  expectDerived(kBase,
                {{n("WWW.example.com."),
                  {rec(RRType::A, 60, a(82)), rec(RRType::A, 60, a(81)), rec(RRType::AAAA, 70, v6)},
                  false},
                 {n("x.y.z.example.com."), {}, false},
                 {n("y.z.example.com."), {}, false},
                 {n("z.example.com."), {}, false},
                 {n("old.e.example.com."), {}, false}},
                after);
}

TEST(ZoneDerive, NameWithNamesBelowBecomesEmptyNonTerminal) {
  std::string before = kBase + "e A 192.0.2.4\n*.e TXT wild\n";
  std::string after = kBase + "*.e TXT wild\n";
  expectDerived(before, {{n("e.example.com."), {}, true}}, after);
  // and the wildcard child goes away with its node
  expectDerived(before, {{n("*.e.example.com."), {}, false}}, kBase + "e A 192.0.2.4\n");
}

TEST(ZoneDerive, NewSoaGivesSerialAndNegativeTtl) {
  std::string after =
      "$TTL 300\n@ SOA ns1 host 43 3600 600 86400 60\n@ NS ns1\n@ MX 10 www\nns1 A 192.0.2.1\n"
      "deleg NS ns.other.net.\nwww A 192.0.2.80\nx.y.z A 192.0.2.9\nold.e A 192.0.2.7\nkeep.e A 192.0.2.6\n";
  const Name mxName = n("www.example.com.");
  auto mx = mxName.bytes();
  std::vector<std::uint8_t> mxData = {0, 10};
  mxData.insert(mxData.end(), mx.begin(), mx.end());
  const Name nsHost = n("ns1.example.com.");
  auto ns = nsHost.bytes();
  expectDerived(kBase,
                {{n("example.com."),
                  {rec(RRType::SOA, 300, soa(43, 60)), rec(RRType::NS, 300, {ns.begin(), ns.end()}),
                   rec(RRType::MX, 300, mxData)},
                  false}},
                after);
}

TEST(ZoneDerive, RefusesWhatItCannotDo) {
  auto base = load(kBase);
  ASSERT_TRUE(base);
  const Name nsName = n("ns.x.net.");
  std::vector<std::uint8_t> ns(nsName.bytes().begin(), nsName.bytes().end());
  // New delegation, removed delegation, CNAME beside data, outside the zone,
  // the apex emptied, malformed A.
  EXPECT_FALSE(ZoneBuilder::derive(
                   *base, std::vector<NameUpdate>{{n("sub.example.com."), {rec(RRType::NS, 60, ns)}, false}})
                   .ok());
  EXPECT_FALSE(
      ZoneBuilder::derive(*base, std::vector<NameUpdate>{{n("deleg.example.com."), {}, false}}).ok());
  EXPECT_FALSE(ZoneBuilder::derive(
                   *base, std::vector<NameUpdate>{{n("www.example.com."),
                                                   {rec(RRType::A, 60, a(1)), rec(RRType::CNAME, 60, ns)},
                                                   false}})
                   .ok());
  EXPECT_FALSE(ZoneBuilder::derive(
                   *base, std::vector<NameUpdate>{{n("www.example.org."), {rec(RRType::A, 60, a(1))}, false}})
                   .ok());
  EXPECT_FALSE(ZoneBuilder::derive(*base, std::vector<NameUpdate>{{n("example.com."), {}, false}}).ok());
  EXPECT_FALSE(
      ZoneBuilder::derive(
          *base, std::vector<NameUpdate>{{n("www.example.com."), {rec(RRType::A, 60, {1, 2})}, false}})
          .ok());
}

TEST(ZoneDerive, ManyDerivationsThenCompactionIsAsked) {
  std::string text = kBase;
  for (int i = 0; i < 200; ++i) text += fmt::format("h{} A 192.0.2.{}\n", i, i % 250);
  auto snap = load(text);
  ASSERT_TRUE(snap);
  int derived = 0;
  for (int i = 0; i < 5000; ++i) {
    auto next = ZoneBuilder::derive(
        *snap, std::vector<NameUpdate>{{n(fmt::format("h{}.example.com.", i % 200)),
                                        {rec(RRType::A, 60, a(static_cast<std::uint8_t>(i % 250)))},
                                        false}});
    if (!next.ok()) {
      EXPECT_NE(next.error().message.find("compaction"), std::string::npos) << next.error().message;
      break;
    }
    snap = *next;
    ++derived;
  }
  EXPECT_GT(derived, 50);
  EXPECT_LT(derived, 5000);
  EXPECT_EQ(snap->recordCount(), 8U + 200);  // kBase has 8
}

// Informative: time of one derivation on a 100,000-record zone.
TEST(ZoneDerive, TimeOnALargeZone) {
  ZoneBuilder b(n("example.com."));
  auto soaData = soa(1, 60);
  ASSERT_TRUE(b.add(n("example.com."), RRType::SOA, wire::RRClass::IN, 300, soaData).ok());
  for (std::uint32_t i = 0; i < 100000; ++i) {
    auto owner = n(fmt::format("host{}.example.com.", i));
    std::vector<std::uint8_t> rd = {10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                                    static_cast<std::uint8_t>(i)};
    ASSERT_TRUE(b.add(owner, RRType::A, wire::RRClass::IN, 300, rd).ok());
  }
  auto built = b.build();
  ASSERT_TRUE(built.ok());
  std::shared_ptr<const ZoneSnapshot> snap = *built;
  std::vector<double> ms;
  for (std::uint32_t i = 0; i < 50; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto next = ZoneBuilder::derive(
        *snap, std::vector<NameUpdate>{
                   {n("example.com."), {rec(RRType::SOA, 300, soa(2 + i, 60))}, false},
                   {n(fmt::format("new{}.example.com.", i)), {rec(RRType::A, 60, a(1))}, false}});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_TRUE(next.ok()) << next.error().message;
    snap = *next;
  }
  std::sort(ms.begin(), ms.end());
  std::printf("derive on a 100k-record zone: p50 %.2f ms, max %.2f ms (%.1f MiB per snapshot)\n",
              ms[ms.size() / 2], ms.back(), static_cast<double>(snap->memoryBytes()) / (1024.0 * 1024.0));
  EXPECT_EQ(snap->serial(), 51U);

  // The same batches with the previous snapshot brought forward in place (the
  // publisher's steady state): no copy of the arrays.
  std::shared_ptr<const ZoneSnapshot> spare = ZoneBuilder::derive(*snap, {}).value();
  std::vector<NameUpdate> prev;  // turns spare's contents into snap's
  std::vector<double> reuse;
  for (std::uint32_t i = 50; i < 100; ++i) {
    std::vector<NameUpdate> now = {
        {n("example.com."), {rec(RRType::SOA, 300, soa(2 + i, 60))}, false},
        {n(fmt::format("new{}.example.com.", i)), {rec(RRType::A, 60, a(1))}, false}};
    std::vector<std::span<const NameUpdate>> steps;
    if (!prev.empty()) steps.emplace_back(prev);
    steps.emplace_back(now);
    auto t0 = std::chrono::steady_clock::now();
    auto next = ZoneBuilder::rederive(std::move(spare), steps);
    reuse.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_TRUE(next.ok()) << next.error().message;
    spare = std::move(snap);  // one step behind the new snapshot
    snap = *next;
    prev = std::move(now);
  }
  std::sort(reuse.begin(), reuse.end());
  std::printf("rederive (spare brought forward in place): p50 %.3f ms, max %.3f ms\n",
              reuse[reuse.size() / 2], reuse.back());
  EXPECT_EQ(snap->serial(), 101U);
  EXPECT_NE(snap->find(n("new99.example.com.").bytes()), kNoNode);
}

TEST(ZoneDerive, RederiveBringsASpareForwardInPlace) {
  auto s0 = load(kBase);
  ASSERT_TRUE(s0);
  const std::vector<NameUpdate> u0 = {{n("a.b.c.example.com."), {rec(RRType::A, 60, a(5))}, false},
                                      {n("*.w.example.com."), {rec(RRType::TXT, 60, {2, 'h', 'i'})}, false}};
  const std::vector<NameUpdate> u1 = {{n("www.example.com."), {rec(RRType::A, 60, a(81))}, false},
                                      {n("x.y.z.example.com."), {}, false},
                                      {n("y.z.example.com."), {}, false},
                                      {n("z.example.com."), {}, false}};
  const std::vector<NameUpdate> u2 = {{n("a.b.c.example.com."), {}, false},
                                      {n("b.c.example.com."), {}, false},
                                      {n("c.example.com."), {}, false},
                                      {n("example.com."), {rec(RRType::SOA, 300, soa(43, 60))}, false}};
  auto s1 = ZoneBuilder::derive(*s0, u0).value();
  auto s2 = ZoneBuilder::derive(*s1, u1).value();
  auto want = ZoneBuilder::derive(*s2, u2).value();
  const auto before = dump(*s0);

  // Still referenced elsewhere: refused, and the spare is untouched.
  std::shared_ptr<const ZoneSnapshot> held = s0;
  std::vector<std::span<const NameUpdate>> steps = {u0, u1, u2};
  EXPECT_FALSE(ZoneBuilder::rederive(s0, steps).ok());
  EXPECT_EQ(dump(*held), before);
  held.reset();

  const ZoneSnapshot* storage = s0.get();
  auto got = ZoneBuilder::rederive(std::move(s0), steps);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->get(), storage);  // the same object, brought forward
  EXPECT_EQ(dump(**got), dump(*want));
  // (the apex update lists the SOA alone: the NS goes)
  EXPECT_EQ(dump(**got), dump(*load("$TTL 300\n@ SOA ns1 host 43 3600 600 86400 60\nns1 A 192.0.2.1\n"
                                    "deleg NS ns.other.net.\nwww 60 A 192.0.2.81\nold.e A 192.0.2.7\n"
                                    "keep.e A 192.0.2.6\n*.w 60 TXT hi\n")));
  EXPECT_EQ((*got)->serial(), 43U);

  // A step that needs a full build fails the rederive too.
  auto s3 = ZoneBuilder::derive(*want, {}).value();
  std::vector<std::span<const NameUpdate>> bad;
  const std::vector<NameUpdate> deleg = {{n("deleg.example.com."), {}, false}};
  bad.emplace_back(deleg);
  EXPECT_FALSE(ZoneBuilder::rederive(std::move(s3), bad).ok());
}

}  // namespace
}  // namespace zk::zone
