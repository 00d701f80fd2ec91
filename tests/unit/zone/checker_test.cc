#include "zone/checker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/rdata.h"
#include "zonefile/parser.h"

namespace zk::zone {
namespace {

using wire::Name;

constexpr const char* kHead =
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
    "@ IN NS ns1\n"
    "ns1 IN A 192.0.2.53\n";  // lines 1-4

struct Checked {
  std::unique_ptr<ZoneRecords> zone;
  CheckResult result;
  std::vector<std::string> messages;
};

Checked check(const std::string& text, std::string_view origin = "example.com.") {
  Checked c;
  zonefile::ParseOptions opts;
  opts.origin = *Name::fromText(origin);
  c.zone = std::make_unique<ZoneRecords>(opts.origin, wire::RRClass::IN);
  auto parsed = zonefile::parseZoneBuffer(text, "z", opts, [&](const zonefile::RecordView& r) {
    EXPECT_TRUE(c.zone->add(r.owner, r.type, r.ttl, r.rdata, r.location));
  });
  for (const auto& d : parsed.diagnostics) ADD_FAILURE() << "parse: " << d.message;
  c.result = checkZone(*c.zone);
  for (const auto& d : c.result.diagnostics)
    c.messages.push_back(zonefile::formatDiagnostic(parsed.files, d));
  return c;
}

using V = std::vector<std::string>;

TEST(Checker, ValidZoneCountsAndSerial) {
  auto c = check(std::string(kHead) + "www A 192.0.2.1\nwww AAAA 2001:db8::1\nmail MX 10 www\n");
  EXPECT_TRUE(c.messages.empty()) << c.messages[0];
  EXPECT_TRUE(c.result.ok());
  EXPECT_EQ(c.result.records, 6U);
  EXPECT_EQ(c.result.names, 4U);
  ASSERT_TRUE(c.result.serial);
  EXPECT_EQ(*c.result.serial, 2024010101U);
}

TEST(Checker, NoSoaAndNoNs) {
  auto c = check("$TTL 1\nwww A 192.0.2.1\n");
  EXPECT_EQ(c.messages, (V{"z: no SOA record at the zone apex example.com.",
                           "z: no NS records at the zone apex example.com."}));
  EXPECT_EQ(c.result.errors, 2U);
}

TEST(Checker, TwoSoaRecords) {
  auto c = check(std::string(kHead) + "@ SOA ns1 hostmaster 2 7200 3600 1209600 300\n");
  EXPECT_EQ(c.messages,
            (V{"z:5:1: more than one SOA record at the zone apex example.com. (RFC 1035 section 5.2)"}));
}

TEST(Checker, SoaBelowTheApex) {
  auto c = check(std::string(kHead) + "sub SOA ns1 hostmaster 2 7200 3600 1209600 300\n");
  EXPECT_EQ(c.messages, (V{"z:5:1: SOA record at sub.example.com. is not at the zone apex example.com."}));
}

TEST(Checker, CnameAndOtherData) {
  auto c = check(std::string(kHead) + "www CNAME ns1\nwww A 192.0.2.1\n");
  EXPECT_EQ(c.messages,
            (V{"z:6:1: www.example.com. has a CNAME and other data (A) (RFC 2181 section 10.1)"}));
}

TEST(Checker, CnameAtTheApex) {
  auto c = check(std::string(kHead) + "@ CNAME other.example.net.\n");
  ASSERT_EQ(c.result.errors, 1U);
  EXPECT_EQ(c.messages[0], "z:5:1: example.com. has a CNAME and other data (SOA) (RFC 2181 section 10.1)");
}

TEST(Checker, CnameWithDnssecDataIsFine) {
  auto c = check(std::string(kHead) + "www CNAME ns1\nwww NSEC \\# 4 00000104\n");
  EXPECT_TRUE(c.result.ok()) << c.messages[0];
}

TEST(Checker, TwoCnames) {
  auto c = check(std::string(kHead) + "www CNAME a.example.net.\nwww CNAME b.example.net.\n");
  EXPECT_EQ(c.messages, (V{"z:6:1: more than one CNAME record at www.example.com. (RFC 2181 section 10.1)"}));
}

TEST(Checker, TwoDnames) {
  auto c = check(std::string(kHead) + "x DNAME a.example.net.\nx DNAME b.example.net.\n");
  EXPECT_EQ(c.messages, (V{"z:6:1: more than one DNAME record at x.example.com. (RFC 6672 section 2.4)"}));
}

TEST(Checker, OutOfZoneDataIsAnError) {
  auto c = check(std::string(kHead) + "www.example.net. A 192.0.2.1\n$ORIGIN example.org.\nx A 192.0.2.2\n");
  EXPECT_EQ(
      c.messages,
      (V{"z:5:1: www.example.net. A is outside the zone example.com. (zonekeeper never drops data silently)",
         "z:7:1: x.example.org. A is outside the zone example.com. (zonekeeper never drops data silently)"}));
  EXPECT_EQ(c.result.records, 3U);
}

TEST(Checker, DuplicatesCollapseSilently) {
  auto c = check(std::string(kHead) + "a A 192.0.2.1\na A 192.0.2.1\nA A 192.0.2.1\nns1 A 192.0.2.53\n");
  EXPECT_TRUE(c.messages.empty()) << c.messages[0];
  EXPECT_EQ(c.result.records, 4U);
  EXPECT_EQ(c.zone->recordCount(), 4U);
}

TEST(Checker, RrsetTtlsAreUnifiedToTheFirst) {
  auto c = check(std::string(kHead) + "a 600 A 192.0.2.9\na 300 A 192.0.2.1\n");
  EXPECT_EQ(
      c.messages,
      (V{"z:6:1: warning: TTL 300 differs from TTL 600 of the a.example.com. A RRset (RFC 2181 section 5.2); "
         "using 600"}));
  EXPECT_TRUE(c.result.ok());
  const auto a = c.zone->findName(Name::fromText("a.example.com.")->bytes());
  ASSERT_TRUE(a);
  int seen = 0;
  for (const auto& r : c.zone->records()) {
    if (r.name == *a) {
      EXPECT_EQ(r.ttl, 600U);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
}

TEST(Checker, ApexNsWithoutAddressIsAnError) {
  auto c = check(std::string(kHead) + "@ NS ns2\n@ NS ns.example.net.\n");
  EXPECT_EQ(c.messages,
            (V{"z:5:1: NS target ns2.example.com. is in the zone but has no address records (A or AAAA)"}));
}

TEST(Checker, ApexNsToCnameIsAnError) {
  auto c = check(std::string(kHead) + "@ NS ns2\nns2 CNAME ns1\n");
  EXPECT_EQ(c.messages, (V{"z:5:1: NS target ns2.example.com. is a CNAME (RFC 2181 section 10.3)"}));
}

TEST(Checker, DelegationGlueWarnings) {
  auto c = check(std::string(kHead) +
                 "child NS ns1.child\n"        // 5: glue present
                 "child NS ns2.child\n"        // 6: glue missing
                 "child NS ns.other\n"         // 7: in zone, no address
                 "child NS ns.example.net.\n"  // 8: out of zone: fine
                 "ns1.child A 192.0.2.1\n"     // 9
                 "stray.child A 192.0.2.2\n"   // 10: unused glue
                 "txt.child TXT x\n");         // 11: occluded
  EXPECT_TRUE(c.result.ok());
  EXPECT_EQ(
      c.messages,
      (V{"z:6:1: warning: delegation child.example.com. to ns2.child.example.com. lacks the required glue "
         "address records (A or AAAA)",
         "z:7:1: warning: delegation child.example.com.: NS target ns.other.example.com. has no address "
         "records (A or AAAA)",
         "z:10:1: warning: stray.child.example.com. A is below the delegation child.example.com. but no NS "
         "record uses it as glue",
         "z:11:1: warning: txt.child.example.com. TXT is below the delegation child.example.com. and can "
         "never be answered"}));
}

TEST(Checker, DataBelowDname) {
  auto c = check(std::string(kHead) + "d DNAME example.net.\nx.d A 192.0.2.1\n");
  EXPECT_TRUE(c.result.ok());
  EXPECT_EQ(c.messages, (V{"z:6:1: warning: x.d.example.com. A is below the DNAME at d.example.com. and can "
                           "never be answered"}));
}

TEST(Checker, CanonicalOrderRfc4034Example) {
  // RFC 4034 section 6.1's example, shuffled.
  const char* names[] = {"z.example.",   "\\200.z.example.",    "a.example.",
                         "*.z.example.", "yljkjljk.a.example.", "example.",
                         "Z.a.example.", "zABC.a.EXAMPLE.",     "\\001.z.example."};
  ZoneRecords zone(*Name::fromText("example."), wire::RRClass::IN);
  const std::uint8_t addr[4] = {192, 0, 2, 1};
  for (const char* n : names) ASSERT_TRUE(zone.add(*Name::fromText(n), wire::RRType::A, 1, addr, {}));
  zone.finishAdding();
  V got;
  for (std::uint32_t id : zone.canonicalNameOrder())
    got.push_back(Name::fromWire(zone.nameWire(id))->toText());
  EXPECT_EQ(got, (V{"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
                    "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example."}));
}

TEST(Checker, NamesAreCaseInsensitiveAndKeepTheFirstSpelling) {
  ZoneRecords zone(*Name::fromText("example."), wire::RRClass::IN);
  const std::uint8_t addr[4] = {192, 0, 2, 1};
  ASSERT_TRUE(zone.add(*Name::fromText("WWW.example."), wire::RRType::A, 1, addr, {}));
  ASSERT_TRUE(zone.add(*Name::fromText("www.EXAMPLE."), wire::RRType::A, 1, addr, {}));
  zone.finishAdding();
  EXPECT_EQ(zone.nameCount(), 1U);
  EXPECT_EQ(Name::fromWire(zone.nameWire(0))->toText(), "WWW.example.");
  EXPECT_TRUE(zone.findName(Name::fromText("Www.Example.")->bytes()));
  EXPECT_FALSE(zone.findName(Name::fromText("w.example.")->bytes()));
}

TEST(Checker, InterleavedNamesMergeInBatches) {
  ZoneRecords zone(*Name::fromText("example."), wire::RRClass::IN);
  const std::uint8_t addr[4] = {192, 0, 2, 1};
  // a b a B c, then a second batch with a new name and old ones.
  for (const char* n : {"a.example.", "b.example.", "a.example.", "B.example.", "c.example."}) {
    ASSERT_TRUE(zone.add(*Name::fromText(n), wire::RRType::A, 1, addr, {}));
  }
  zone.finishAdding();
  EXPECT_EQ(zone.nameCount(), 3U);
  for (const char* n : {"d.example.", "A.example.", "c.example.", "d.example."}) {
    ASSERT_TRUE(zone.add(*Name::fromText(n), wire::RRType::A, 1, addr, {}));
  }
  zone.finishAdding();
  ASSERT_EQ(zone.nameCount(), 4U);
  V names;
  for (std::uint32_t id = 0; id < 4; ++id) names.push_back(Name::fromWire(zone.nameWire(id))->toText());
  EXPECT_EQ(names, (V{"a.example.", "b.example.", "c.example.", "d.example."}));
  std::vector<std::uint32_t> ids;
  for (const auto& r : zone.records()) ids.push_back(r.name);
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{0, 1, 0, 1, 2, 3, 0, 2, 3}));
}

TEST(Checker, ManyNamesGrowTheTable) {
  ZoneRecords zone(*Name::fromText("example."), wire::RRClass::IN);
  const std::uint8_t addr[4] = {192, 0, 2, 1};
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(
        zone.add(*Name::fromText("h" + std::to_string(i) + ".example."), wire::RRType::A, 1, addr, {}));
  }
  zone.finishAdding();
  EXPECT_EQ(zone.nameCount(), 5000U);
  for (int i = 0; i < 5000; i += 7) {
    auto id = zone.findName(Name::fromText("H" + std::to_string(i) + ".example.")->bytes());
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, static_cast<std::uint32_t>(i));
  }
}

}  // namespace
}  // namespace zk::zone

namespace zk::zone {
namespace {

TEST(Checker, DiagnosticsAreCountedButBounded) {
  std::string text = kHead;
  for (int i = 0; i < 1500; ++i) text += "x" + std::to_string(i) + ".example.net. A 192.0.2.1\n";
  auto c = check(text);
  EXPECT_EQ(c.result.errors, 1500U);
  ASSERT_EQ(c.messages.size(), 1001U);
  EXPECT_EQ(c.messages.back(), "z: 500 more errors not shown");
}

}  // namespace
}  // namespace zk::zone

namespace zk::zone {
namespace {

TEST(Checker, DnameAtTheApexHidesTheApexNsTarget) {
  auto c = check(std::string(kHead) + "@ DNAME example.net.\n");
  ASSERT_EQ(c.result.errors, 1U);
  EXPECT_EQ(c.messages[0],
            "z:3:1: NS target ns1.example.com. is below the DNAME at example.com. (RFC 6672 section 2.3)");
}

TEST(Checker, DsAtTheApexIsAnError) {
  auto c = check(std::string(kHead) +
                 "@ DS 1 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
  EXPECT_EQ(c.messages, (V{"z:5:1: DS record at the zone apex example.com.: it belongs in the parent zone "
                           "(RFC 4035 section 2.4)"}));
}

TEST(Checker, MxAndSrvTargetWarnings) {
  auto c = check(std::string(kHead) +
                 "@ MX 10 w\n"                  // 5: CNAME
                 "@ MX 20 nothere\n"            // 6: no address
                 "@ MX 30 ns1\n"                // 7: fine
                 "@ MX 40 mail.example.net.\n"  // 8: outside
                 "_s._tcp SRV 0 0 1 nothere\n"  // 9
                 "_t._tcp SRV 0 0 1 .\n"        // 10: no service
                 "w CNAME ns1\n");
  EXPECT_TRUE(c.result.ok());
  EXPECT_EQ(c.messages,
            (V{"z:5:1: warning: MX target w.example.com. is a CNAME (RFC 2181 section 10.3)",
               "z:6:1: warning: MX target nothere.example.com. has no address records (A or AAAA)",
               "z:9:1: warning: SRV target nothere.example.com. has no address records (A or AAAA)"}));
}

}  // namespace
}  // namespace zk::zone

namespace zk::zone {
namespace {

TEST(Checker, FindNamesAgreesWithFindName) {
  ZoneRecords zone(*Name::fromText("example."), wire::RRClass::IN);
  const std::uint8_t addr[4] = {192, 0, 2, 1};
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(
        zone.add(*Name::fromText("n" + std::to_string(i) + ".example."), wire::RRType::A, 1, addr, {}));
  }
  zone.finishAdding();
  std::vector<Name> queries;
  for (int i = 0; i < 6000; i += 3) queries.push_back(*Name::fromText("N" + std::to_string(i) + ".example."));
  std::vector<std::span<const std::uint8_t>> spans;
  for (const auto& q : queries) spans.push_back(q.bytes());
  std::vector<std::uint32_t> ids;
  zone.findNames(spans, ids);
  ASSERT_EQ(ids.size(), queries.size());
  for (std::size_t k = 0; k < queries.size(); ++k) {
    const auto one = zone.findName(spans[k]);
    EXPECT_EQ(ids[k], one ? *one : ZoneRecords::kNoName) << queries[k].toText();
    EXPECT_EQ(one.has_value(), k * 3 < 3000);
  }
}

}  // namespace
}  // namespace zk::zone
