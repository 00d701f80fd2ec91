// ListHostedZones / ListHostedZonesByName order and paging, the same checks on
// the in-memory store and the SQLite store.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/route53/hosted_zone_service.h"
#include "api/route53/memory_zone_store.h"
#include "api/route53/text.h"
#include "store/sqlite_zone_store.h"

#include "api_test_util.h"

namespace zk::api {
namespace {

using testing::TempDir;

class ZoneListingTest : public ::testing::TestWithParam<bool> {  // true: SQLite
 protected:
  void SetUp() override {
    if (GetParam()) {
      ASSERT_FALSE(dir_.path.empty());
      store::SqliteStoreOptions o;
      o.path = dir_.path + "/zones.db";
      o.seed = 11;
      auto opened = store::SqliteZoneStore::open(o);
      ASSERT_TRUE(opened.ok()) << opened.error().message;
      store_ = std::move(*opened);
    } else {
      store_ = std::make_unique<MemoryZoneStore>();
    }
    service_ = std::make_unique<HostedZoneService>(
        *store_, HostedZoneService::Options{[] { return std::int64_t{1700000000}; },
                                            [this] { return "CZK" + std::to_string(++changes_); }});
  }

  std::string createZone(const std::string& name) {
    auto r =
        service_->createHostedZone({name, "ref" + std::to_string(++refs_), std::nullopt, false, false, {}});
    EXPECT_FALSE(isError(r)) << name << ": " << std::get<ApiError>(r).message;
    return isError(r) ? "" : std::get<CreateHostedZoneOutput>(r).zone.id;
  }

  // Every zone as "name id", through ListHostedZonesByName pages of `pageSize`
  // from (dnsName, hostedZoneId).
  std::vector<std::string> byName(std::size_t pageSize, std::optional<std::string> dnsName = {},
                                  std::optional<std::string> zoneId = {}) {
    std::vector<std::string> seen;
    const std::string max = std::to_string(pageSize);
    for (int guard = 0; guard < 100; ++guard) {
      auto r = service_->listHostedZonesByName(dnsName, zoneId, std::string_view(max));
      EXPECT_FALSE(isError(r));
      if (isError(r)) break;
      const auto& out = std::get<ListHostedZonesByNameOutput>(r);
      EXPECT_LE(out.zones.size(), pageSize);
      for (const auto& z : out.zones) seen.push_back(formatRoute53Name(z.name) + " " + z.id);
      if (!out.nextDnsName) {
        EXPECT_FALSE(out.nextHostedZoneId.has_value());
        break;
      }
      EXPECT_TRUE(out.nextHostedZoneId.has_value());
      dnsName = formatRoute53Name(*out.nextDnsName);
      zoneId = out.nextHostedZoneId;
    }
    return seen;
  }

  std::vector<std::string> listAll(std::size_t pageSize) {
    std::vector<std::string> seen;
    std::optional<std::string> marker;
    const std::string max = std::to_string(pageSize);
    for (int guard = 0; guard < 100; ++guard) {
      auto r = service_->listHostedZones(marker, std::string_view(max));
      EXPECT_FALSE(isError(r));
      if (isError(r)) break;
      const auto& out = std::get<ListHostedZonesOutput>(r);
      for (const auto& z : out.zones) seen.push_back(formatRoute53Name(z.name) + " " + z.id);
      if (!out.nextMarker) break;
      marker = *out.nextMarker;
    }
    return seen;
  }

  static std::vector<std::string> names(const std::vector<std::string>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.substr(0, e.find(' ')));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::ZoneStore> store_;
  std::unique_ptr<HostedZoneService> service_;
  int changes_ = 0;
  int refs_ = 0;
};

// The API reference (ListHostedZonesByName): labels reversed, compared as the
// escaped text with the trailing dot, so "test.a-b." < "test.a." ('-' < '.'),
// then by hosted zone ID. RFC 4034's canonical order would put a.test and
// x.a.test before a-b.test.
TEST_P(ZoneListingTest, ByNameUsesRoute53Order) {
  for (const char* n : {"c.test", "a.test", "x.a.test", "a-b.test", "test", "0.test", "a0.test", "a_b.test",
                        "a\\041b.test", "A.B.Other", "z.a.test"}) {
    createZone(n);
  }
  const std::vector<std::string> want = {"a.b.other.",    "test.",     "0.test.",   "a-b.test.",
                                         "a.test.",       "x.a.test.", "z.a.test.", "a0.test.",
                                         "a\\041b.test.", "a_b.test.", "c.test."};
  const auto all = byName(100);
  EXPECT_EQ(names(all), want);
  // Every page size gives the same sequence, and ListHostedZones agrees.
  for (std::size_t page : {1U, 2U, 3U, 5U}) {
    EXPECT_EQ(byName(page), all) << "page size " << page;
    EXPECT_EQ(listAll(page), all) << "page size " << page;
  }
  // Starting at a-b.test does not skip a.test and x.a.test (they follow it).
  const auto fromAb = byName(100, std::string("a-b.test"));
  EXPECT_EQ(names(fromAb), (std::vector<std::string>(want.begin() + 3, want.end())));
  // A name that is no zone starts at the next one in this order.
  EXPECT_EQ(names(byName(100, std::string("b.a.test"))),
            (std::vector<std::string>(want.begin() + 5, want.end())));
  EXPECT_EQ(names(byName(100, std::string("a.test."))),
            (std::vector<std::string>(want.begin() + 4, want.end())));
  EXPECT_EQ(names(byName(100, std::string("zzz"))), std::vector<std::string>{});
  EXPECT_EQ(byName(100, std::string("aaa")), all);
}

TEST_P(ZoneListingTest, SameNameZonesPageByIdAcrossPages) {
  const std::string first = createZone("dup.example");
  const std::string second = createZone("dup.example");
  const std::string third = createZone("dup.example");
  createZone("a.example");
  createZone("dup-x.example");
  std::vector<std::string> dupIds = {first, second, third};
  std::sort(dupIds.begin(), dupIds.end());
  const auto all = byName(100);
  ASSERT_EQ(all.size(), 5U);
  EXPECT_EQ(all[0].substr(0, all[0].find(' ')), "a.example.");
  EXPECT_EQ(all[1].substr(0, all[1].find(' ')), "dup-x.example.");
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(all[2 + i], "dup.example. " + dupIds[i]);
  for (std::size_t page : {1U, 2U, 4U}) {
    EXPECT_EQ(byName(page), all) << "page size " << page;
    EXPECT_EQ(listAll(page), all) << "page size " << page;
  }
  // DNSName + HostedZoneId start at that zone, not before it.
  const auto fromSecond = byName(100, std::string("dup.example"), dupIds[1]);
  EXPECT_EQ(fromSecond, (std::vector<std::string>(all.begin() + 3, all.end())));
}

TEST_P(ZoneListingTest, HostedZoneTypeFilter) {
  createZone("a.example");
  createZone("b.example");
  auto all = service_->listHostedZones({}, {}, {});
  ASSERT_FALSE(isError(all));
  EXPECT_EQ(std::get<ListHostedZonesOutput>(all).zones.size(), 2U);
  // Every zone here is public.
  auto priv = service_->listHostedZones({}, {}, std::string_view("PrivateHostedZone"));
  ASSERT_FALSE(isError(priv));
  EXPECT_TRUE(std::get<ListHostedZonesOutput>(priv).zones.empty());
  EXPECT_FALSE(std::get<ListHostedZonesOutput>(priv).nextMarker.has_value());
  for (std::string_view bad : {"PublicHostedZone", "privatehostedzone", ""}) {
    auto r = service_->listHostedZones({}, {}, bad);
    ASSERT_TRUE(isError(r)) << bad;
    EXPECT_EQ(std::get<ApiError>(r).code, "InvalidInput");
    EXPECT_EQ(std::get<ApiError>(r).httpStatus, 400);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ZoneListingTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Sqlite" : "Memory"; });

}  // namespace
}  // namespace zk::api
