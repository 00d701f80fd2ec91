// ChangeResourceRecordSets rules on aliases, types and wildcard NS sets, run
// through HostedZoneService over both stores (in-memory and SQLite), which must
// agree: alias beside plain A/AAAA (a zonekeeper limit), alias targets in our
// own zones (Route53's rules), Route53's type list, no wildcard NS.

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "api/route53/hosted_zone_service.h"
#include "api/route53/memory_zone_store.h"
#include "store/sqlite_zone_store.h"

namespace zk::api {
namespace {

class ChangeRulesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      std::string tmpl = (std::filesystem::temp_directory_path() / "zkrules-XXXXXX").string();
      ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
      dir_ = tmpl;
      store::SqliteStoreOptions o;
      o.path = dir_ + "/zones.db";
      o.seed = 11;
      o.clock = [] { return std::int64_t{1700000000}; };
      auto s = store::SqliteZoneStore::open(o);
      ASSERT_TRUE(s.ok()) << s.error().message;
      sqlite_ = std::move(*s);
      store_ = sqlite_.get();
    } else {
      store_ = &memory_;
    }
    service_ = std::make_unique<HostedZoneService>(
        *store_, HostedZoneService::Options{[] { return std::int64_t{1700000000}; },
                                            [this] { return "CZK" + std::to_string(++changes_); }});
  }
  void TearDown() override {
    service_.reset();
    sqlite_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  std::string createZone(const std::string& name) {
    auto r = service_->createHostedZone({name, "ref-" + name, std::nullopt, false, false, {}});
    EXPECT_FALSE(isError(r)) << std::get<ApiError>(r).message;
    return isError(r) ? "" : std::get<CreateHostedZoneOutput>(r).zone.id;
  }

  static RecordSetInput plain(std::string name, std::string type, std::vector<std::string> values) {
    RecordSetInput rs;
    rs.name = std::move(name);
    rs.type = std::move(type);
    rs.ttl = 60;
    rs.hasResourceRecords = true;
    rs.values = std::move(values);
    return rs;
  }
  static RecordSetInput alias(std::string name, std::string type, std::string zoneId, std::string target) {
    RecordSetInput rs;
    rs.name = std::move(name);
    rs.type = std::move(type);
    rs.alias = AliasInput{std::move(zoneId), std::move(target), false};
    return rs;
  }

  ApiResult<store::ChangeInfo> change(const std::string& zone, std::vector<ChangeInput> changes) {
    return service_->changeResourceRecordSets(zone, ChangeBatchInput{"", std::move(changes)});
  }
  static std::string code(const ApiResult<store::ChangeInfo>& r) {
    return isError(r) ? std::get<ApiError>(r).code : std::string("ok");
  }
  static std::vector<std::string> messages(const ApiResult<store::ChangeInfo>& r) {
    EXPECT_TRUE(isError(r));
    return isError(r) ? std::get<ApiError>(r).messages : std::vector<std::string>{};
  }
  // "name type" of every record set in the zone, "alias" appended for aliases.
  std::vector<std::string> contents(const std::string& zone) {
    std::vector<std::string> out;
    auto list = service_->listResourceRecordSets(zone, {}, {}, {}, {});
    EXPECT_FALSE(isError(list));
    if (isError(list)) return out;
    for (const auto& rs : std::get<ListRecordSetsOutput>(list).recordSets) {
      out.push_back(rs.name.toText() + " " + wire::typeToText(rs.type) + (rs.alias ? " alias" : ""));
    }
    return out;
  }
  static bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  MemoryZoneStore memory_;
  std::unique_ptr<store::SqliteZoneStore> sqlite_;
  store::ZoneStore* store_ = nullptr;
  std::unique_ptr<HostedZoneService> service_;
  std::string dir_;
  int changes_ = 0;
};

constexpr const char* kElbZone = "Z35SXDOTRQ7X7K";  // not ours: targets are taken on trust
constexpr const char* kLimit =
    "RRSet of type AAAA with DNS name mix.page.test. cannot be created beside an alias record set of type A "
    "at the same name: zonekeeper does not serve alias and plain A/AAAA record sets at one name yet (a "
    "zonekeeper limit; Route53 allows it)";

TEST_P(ChangeRulesTest, AliasBesidePlainAddressIsRefusedInBothOrders) {
  const auto z = createZone("page.test");
  const auto a = alias("mix.page.test", "A", kElbZone, "lb.elb.amazonaws.com");
  const auto aaaa = plain("mix.page.test", "AAAA", {"2001:db8::1"});
  // Within one batch, either order.
  EXPECT_EQ(messages(change(z, {{"CREATE", a}, {"CREATE", aaaa}})), std::vector<std::string>{kLimit});
  EXPECT_EQ(messages(change(z, {{"CREATE", aaaa}, {"CREATE", a}})), std::vector<std::string>{kLimit});
  EXPECT_FALSE(has(contents(z), "mix.page.test. A alias"));  // nothing applied
  // Against existing data: alias first, then plain; plain first, then alias.
  ASSERT_EQ(code(change(z, {{"CREATE", a}})), "ok");
  EXPECT_EQ(messages(change(z, {{"UPSERT", aaaa}})), std::vector<std::string>{kLimit});
  EXPECT_EQ(code(change(z, {{"CREATE", plain("mix.page.test", "TXT", {"\"owner\""})}})), "ok");  // not A/AAAA
  const auto z2 = createZone("other.test");
  ASSERT_EQ(code(change(z2, {{"CREATE", plain("w.other.test", "A", {"192.0.2.1"})}})), "ok");
  const auto msgs =
      messages(change(z2, {{"CREATE", alias("w.other.test", "AAAA", kElbZone, "lb.example.net")}}));
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_NE(
      msgs[0].find("RRSet of type A with DNS name w.other.test. cannot be created beside an alias record "
                   "set of type AAAA"),
      std::string::npos)
      << msgs[0];
  EXPECT_FALSE(has(contents(z2), "w.other.test. AAAA alias"));
}

TEST_P(ChangeRulesTest, ReplacingAliasByPlainOrPlainByAliasInOneBatchIsFine) {
  const auto z = createZone("page.test");
  const auto a = alias("mix.page.test", "A", kElbZone, "lb.elb.amazonaws.com");
  ASSERT_EQ(code(change(z, {{"CREATE", a}})), "ok");
  const auto pa = plain("mix.page.test", "A", {"192.0.2.7"});
  const auto paaaa = plain("mix.page.test", "AAAA", {"2001:db8::7"});
  ASSERT_EQ(code(change(z, {{"DELETE", a}, {"CREATE", pa}, {"CREATE", paaaa}})), "ok");
  EXPECT_TRUE(has(contents(z), "mix.page.test. AAAA"));
  ASSERT_EQ(code(change(z, {{"DELETE", pa}, {"DELETE", paaaa}, {"CREATE", a}})), "ok");
  EXPECT_TRUE(has(contents(z), "mix.page.test. A alias"));
}

TEST_P(ChangeRulesTest, AliasPairsMustShareOneTarget) {
  const auto z = createZone("page.test");
  const auto a = alias("two.page.test", "A", kElbZone, "lb.elb.amazonaws.com");
  EXPECT_EQ(code(change(z, {{"CREATE", a},
                            {"CREATE", alias("two.page.test", "AAAA", kElbZone, "lb.elb.amazonaws.com")}})),
            "ok");
  const auto msgs =
      messages(change(z, {{"UPSERT", alias("two.page.test", "AAAA", kElbZone, "other.elb.amazonaws.com")}}));
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(
      msgs[0],
      "Alias record sets of type A and AAAA with DNS name two.page.test. target different names "
      "(lb.elb.amazonaws.com. and other.elb.amazonaws.com.): zonekeeper serves one alias target per name "
      "yet (a zonekeeper limit; Route53 allows it)");
}

TEST_P(ChangeRulesTest, AliasTargetsInOurZonesMustExist) {
  const auto z = createZone("page.test");
  const auto zid = std::string(z);
  // Outside the target zone: Route53 reports both problems (the memory store sorts its messages).
  auto outside = messages(change(z, {{"CREATE", alias("www.page.test", "A", zid, "lb.elsewhere.net")}}));
  std::sort(outside.begin(), outside.end());
  const std::string prefix = "Tried to create an alias that targets lb.elsewhere.net., type A in zone " + zid;
  EXPECT_EQ(outside, (std::vector<std::string>{prefix + ", but that target was not found",
                                               prefix + ", but the alias target name does not lie within the "
                                                        "target zone"}));
  // Inside, but missing (and the /hostedzone/ prefix is accepted).
  EXPECT_EQ(
      messages(change(z, {{"CREATE", alias("www.page.test", "A", "/hostedzone/" + zid, "app.page.test")}})),
      std::vector<std::string>{"Tried to create an alias that targets app.page.test., type A in zone " + zid +
                               ", but that target was not found"});
  // Created in the same batch, after the alias: fine.
  const auto target = plain("app.page.test", "A", {"192.0.2.10"});
  ASSERT_EQ(
      code(change(z, {{"CREATE", alias("www.page.test", "A", zid, "app.page.test")}, {"CREATE", target}})),
      "ok");
  // The target's type must be the alias's: app has no AAAA.
  EXPECT_EQ(
      messages(change(z, {{"CREATE", alias("www.page.test", "AAAA", zid, "app.page.test")}})),
      std::vector<std::string>{"Tried to create an alias that targets app.page.test., type AAAA in zone " +
                               zid + ", but that target was not found"});
  // Another of our zones: checked against its committed record sets.
  const auto other = createZone("other.test");
  EXPECT_EQ(code(change(z, {{"CREATE", alias("x.page.test", "A", other, "svc.other.test")}})),
            "InvalidChangeBatch");
  ASSERT_EQ(code(change(other, {{"CREATE", plain("svc.other.test", "A", {"192.0.2.11"})}})), "ok");
  EXPECT_EQ(code(change(z, {{"CREATE", alias("x.page.test", "A", other, "svc.other.test")}})), "ok");
  // A zone that is not ours (an ELB's): unchecked, as before.
  EXPECT_EQ(code(change(z, {{"CREATE", alias("elb.page.test", "A", kElbZone, "k8s-lb.elb.amazonaws.com")}})),
            "ok");
  // Deleting a target an alias still points to stays allowed (Route53's behaviour is not documented).
  EXPECT_EQ(code(change(z, {{"DELETE", target}})), "ok");
}

TEST_P(ChangeRulesTest, TypesRoute53DoesNotListAreRefused) {
  const auto z = createZone("page.test");
  for (const char* type : {"DNAME", "HINFO", "RP", "TYPE62", "ALIAS"}) {
    auto r = change(z, {{"CREATE", plain("d.page.test", type, {"target.page.test."})}});
    ASSERT_TRUE(isError(r)) << type;
    EXPECT_EQ(std::get<ApiError>(r).code, "InvalidInput") << type;
    EXPECT_EQ(std::get<ApiError>(r).message,
              std::string("Invalid XML ; value '") + type + "' is not a supported record type");
  }
  for (const auto& [type, value] : std::vector<std::pair<std::string, std::string>>{
           {"SPF", "\"v=spf1 -all\""},
           {"CAA", "0 issue \"ca.example.net\""},
           {"SSHFP", "1 1 0123456789abcdef0123456789abcdef01234567"},
           {"NAPTR", "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."}}) {
    EXPECT_EQ(code(change(z, {{"CREATE", plain("ok.page.test", type, {value})}})), "ok") << type;
  }
}

TEST_P(ChangeRulesTest, WildcardNsIsRefused) {
  const auto z = createZone("page.test");
  const auto msgs = messages(change(z, {{"CREATE", plain("*.ns.page.test", "NS", {"ns1.example.net"})}}));
  EXPECT_EQ(msgs,
            std::vector<std::string>{"RRSet of type NS with DNS name \\052.ns.page.test. is not permitted: "
                                     "the * wildcard cannot be used for NS records"});
  EXPECT_FALSE(has(contents(z), "*.ns.page.test. NS"));
  EXPECT_EQ(code(change(z, {{"CREATE", plain("*.page.test", "A", {"192.0.2.1"})}})), "ok");
  EXPECT_EQ(code(change(z, {{"CREATE", plain("sub.page.test", "NS", {"ns1.example.net"})}})), "ok");
}

INSTANTIATE_TEST_SUITE_P(Stores, ChangeRulesTest, ::testing::Values("memory", "sqlite"));

}  // namespace
}  // namespace zk::api
