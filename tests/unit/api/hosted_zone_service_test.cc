#include "api/route53/hosted_zone_service.h"

#include <set>

#include <gtest/gtest.h>

#include "api/route53/memory_zone_store.h"
#include "api/route53/text.h"

namespace zk::api {
namespace {

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest()
      : service_(store_, HostedZoneService::Options{[] { return std::int64_t{1700000000}; },
                                                    [this] { return "CZK" + std::to_string(++changes_); }}) {}

  std::string createZone(const std::string& name, const std::string& ref) {
    auto r = service_.createHostedZone({name, ref, std::nullopt, false, false, {}});
    EXPECT_FALSE(isError(r)) << std::get<ApiError>(r).message;
    return isError(r) ? "" : std::get<CreateHostedZoneOutput>(r).zone.id;
  }

  static RecordSetInput rrset(std::string name, std::string type, std::int64_t ttl,
                              std::vector<std::string> values) {
    RecordSetInput rs;
    rs.name = std::move(name);
    rs.type = std::move(type);
    rs.ttl = ttl;
    rs.hasResourceRecords = true;
    rs.values = std::move(values);
    return rs;
  }

  ApiResult<store::ChangeInfo> change(const std::string& zone, std::vector<ChangeInput> changes) {
    return service_.changeResourceRecordSets(zone, ChangeBatchInput{"", std::move(changes)});
  }

  template <class T>
  static std::string code(const ApiResult<T>& r) {
    return isError(r) ? std::get<ApiError>(r).code : std::string("ok");
  }
  template <class T>
  static ApiError error(const ApiResult<T>& r) {
    EXPECT_TRUE(isError(r));
    return isError(r) ? std::get<ApiError>(r) : ApiError{};
  }

  MemoryZoneStore store_;
  int changes_ = 0;
  HostedZoneService service_;
};

TEST_F(ServiceTest, CreateGetCountDelete) {
  auto r = service_.createHostedZone({"Example.COM", "ref1", std::string("c"), false, false, {}});
  ASSERT_FALSE(isError(r));
  const auto& out = std::get<CreateHostedZoneOutput>(r);
  EXPECT_EQ(formatRoute53Name(out.zone.name), "example.com.");
  EXPECT_EQ(out.zone.recordSetCount, 2u);  // SOA + NS
  // The store journals zone creation: GetChange knows the change.
  ASSERT_FALSE(out.change.id.empty());
  EXPECT_EQ(code(service_.getChange(out.change.id)), "ok");
  EXPECT_EQ(out.zone.nameServers.size(), 2u);
  auto got = service_.getHostedZone("/hostedzone/" + out.zone.id);
  ASSERT_FALSE(isError(got));
  EXPECT_EQ(std::get<store::HostedZone>(got).comment, "c");
  EXPECT_EQ(std::get<std::uint64_t>(service_.getHostedZoneCount()), 1u);
  auto upd = service_.updateHostedZoneComment(out.zone.id, "new");
  ASSERT_FALSE(isError(upd));
  EXPECT_EQ(std::get<store::HostedZone>(upd).comment, "new");
  auto del = service_.deleteHostedZone(out.zone.id);
  ASSERT_FALSE(isError(del));
  EXPECT_EQ(code(service_.getChange(std::get<store::ChangeInfo>(del).id)), "ok");
  EXPECT_EQ(std::get<std::uint64_t>(service_.getHostedZoneCount()), 0u);
}

TEST_F(ServiceTest, CreateErrors) {
  createZone("example.com", "dup");
  auto dup = error(service_.createHostedZone({"other.com", "dup", std::nullopt, false, false, {}}));
  EXPECT_EQ(dup.code, "HostedZoneAlreadyExists");
  EXPECT_EQ(dup.httpStatus, 409);
  EXPECT_EQ(error(service_.createHostedZone({"bad..name", "r2", std::nullopt, false, false, {}})).code,
            "InvalidDomainName");
  EXPECT_EQ(error(service_.createHostedZone({".", "r3", std::nullopt, false, false, {}})).code,
            "InvalidDomainName");
  EXPECT_EQ(error(service_.createHostedZone({"p.com", "r4", std::nullopt, true, false, {}})).code,
            "InvalidInput");
  EXPECT_EQ(error(service_.createHostedZone({"p.com", "r5", std::nullopt, false, true, {}})).code,
            "InvalidInput");
  EXPECT_EQ(error(service_.createHostedZone({"p.com", "r6", std::nullopt, false, false, "N1"})).code,
            "InvalidInput");
  EXPECT_EQ(error(service_.createHostedZone({"p.com", "r7", std::string(300, 'c'), false, false, {}})).code,
            "InvalidInput");
}

TEST_F(ServiceTest, NoSuchHostedZoneEverywhere) {
  const auto e = error(service_.getHostedZone("ZNOPE"));
  EXPECT_EQ(e.code, "NoSuchHostedZone");
  EXPECT_EQ(e.httpStatus, 404);
  EXPECT_EQ(e.message, "No hosted zone found with ID: ZNOPE");
  EXPECT_EQ(code(service_.deleteHostedZone("ZNOPE")), "NoSuchHostedZone");
  EXPECT_EQ(code(service_.updateHostedZoneComment("ZNOPE", "x")), "NoSuchHostedZone");
  EXPECT_EQ(code(change("ZNOPE", {{"CREATE", rrset("a.example.com", "A", 60, {"192.0.2.1"})}})),
            "NoSuchHostedZone");
  EXPECT_EQ(code(service_.listResourceRecordSets("ZNOPE", {}, {}, {}, {})), "NoSuchHostedZone");
  EXPECT_EQ(code(service_.listTagsForResource("hostedzone", "ZNOPE")), "NoSuchHostedZone");
  EXPECT_EQ(code(service_.changeTagsForResource("hostedzone", "ZNOPE", {{{"k", "v"}}, {}})),
            "NoSuchHostedZone");
  EXPECT_EQ(code(service_.listTagsForResources("hostedzone", {"ZNOPE"})), "NoSuchHostedZone");
}

TEST_F(ServiceTest, ChangeBatchCreateUpsertDelete) {
  const auto z = createZone("example.com", "r");
  ASSERT_EQ(
      code(change(z, {{"CREATE", rrset("www.example.com", "A", 300, {"192.0.2.1", "192.0.2.2"})},
                      {"CREATE", rrset("www.example.com.", "TXT", 300, {"\"heritage=external-dns\""})}})),
      "ok");
  auto again = error(change(z, {{"CREATE", rrset("www.example.com", "A", 300, {"192.0.2.9"})}}));
  EXPECT_EQ(again.code, "InvalidChangeBatch");
  EXPECT_EQ(
      again.message,
      "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]");
  EXPECT_EQ(code(change(z, {{"UPSERT", rrset("www.example.com", "A", 60, {"192.0.2.3"})}})), "ok");
  // DELETE must match the current set exactly.
  EXPECT_EQ(code(change(z, {{"DELETE", rrset("www.example.com", "A", 300, {"192.0.2.3"})}})),
            "InvalidChangeBatch");
  EXPECT_EQ(code(change(z, {{"DELETE", rrset("nope.example.com", "A", 60, {"192.0.2.3"})}})),
            "InvalidChangeBatch");
  EXPECT_EQ(code(change(z, {{"DELETE", rrset("www.example.com", "A", 60, {"192.0.2.3"})}})), "ok");
  // All or nothing: the second change fails, so the first is not applied.
  EXPECT_EQ(code(change(z, {{"CREATE", rrset("new.example.com", "A", 60, {"192.0.2.5"})},
                            {"DELETE", rrset("gone.example.com", "A", 60, {"192.0.2.5"})}})),
            "InvalidChangeBatch");
  auto list =
      service_.listResourceRecordSets(z, std::string_view("new.example.com"), std::string_view("A"), {}, {});
  ASSERT_FALSE(isError(list));
  for (const auto& rs : std::get<ListRecordSetsOutput>(list).recordSets) {
    EXPECT_NE(formatRoute53Name(rs.name), "new.example.com.");
  }
}

TEST_F(ServiceTest, ChangeBatchValidation) {
  const auto z = createZone("example.com", "r");
  auto outside = error(change(z, {{"CREATE", rrset("a.other.com", "A", 60, {"192.0.2.1"})}}));
  EXPECT_EQ(outside.code, "InvalidChangeBatch");
  EXPECT_EQ(outside.messages.at(0), "RRSet with DNS name a.other.com. is not permitted in zone example.com.");
  auto badValue = error(change(z, {{"CREATE", rrset("a.example.com", "A", 60, {"1.2.3"})},
                                   {"CREATE", rrset("b.example.com", "AAAA", 60, {"x"})}}));
  EXPECT_EQ(badValue.code, "InvalidChangeBatch");
  EXPECT_EQ(badValue.messages.size(), 2u);  // every problem is listed
  EXPECT_EQ(code(change(z, {{"FROB", rrset("a.example.com", "A", 60, {"192.0.2.1"})}})), "InvalidInput");
  EXPECT_EQ(code(change(z, {{"CREATE", rrset("a.example.com", "BOGUS", 60, {"192.0.2.1"})}})),
            "InvalidInput");
  EXPECT_EQ(code(change(z, {{"CREATE", rrset("a.example.com", "ANY", 60, {"192.0.2.1"})}})), "InvalidInput");
  auto noTtl = rrset("a.example.com", "A", 60, {"192.0.2.1"});
  noTtl.ttl.reset();
  EXPECT_EQ(code(change(z, {{"CREATE", noTtl}})), "InvalidInput");
  auto both = rrset("a.example.com", "A", 60, {"192.0.2.1"});
  both.alias = AliasInput{"Z1", "lb.example.net", false};
  EXPECT_EQ(code(change(z, {{"CREATE", both}})), "InvalidInput");
  auto weighted = rrset("a.example.com", "A", 60, {"192.0.2.1"});
  weighted.unsupported = {"SetIdentifier"};
  auto routing = error(change(z, {{"CREATE", weighted}}));
  EXPECT_EQ(routing.code, "InvalidInput");
  EXPECT_NE(routing.message.find("routing policies are not supported yet"), std::string::npos);
  auto empty = rrset("a.example.com", "A", 60, {});
  EXPECT_EQ(code(change(z, {{"CREATE", empty}})), "InvalidInput");
  // Limits: 1001 records in one batch.
  std::vector<std::string> many;
  for (int i = 0; i < 1001; ++i) many.push_back("192.0.2." + std::to_string(i % 250));
  auto tooMany = error(change(z, {{"CREATE", rrset("m.example.com", "A", 60, many)}}));
  EXPECT_EQ(tooMany.code, "InvalidChangeBatch");
  EXPECT_EQ(tooMany.messages.at(0), "Number of records limit of 1000 exceeded.");
  // UPSERT counts twice: 501 records are over the limit, 500 are not.
  std::vector<std::string> half(501, "192.0.2.1");
  EXPECT_EQ(code(change(z, {{"UPSERT", rrset("u.example.com", "A", 60, half)}})), "InvalidChangeBatch");
  half.pop_back();
  for (std::size_t i = 0; i < half.size(); ++i)
    half[i] = "192.0." + std::to_string(i / 250) + "." + std::to_string(i % 250);
  EXPECT_EQ(code(change(z, {{"UPSERT", rrset("u.example.com", "A", 60, half)}})), "ok");
  std::vector<std::string> big(200, "\"" + std::string(200, 'x') + "\"");
  EXPECT_EQ(code(change(z, {{"CREATE", rrset("t.example.com", "TXT", 60, big)}})), "InvalidChangeBatch");
}

TEST_F(ServiceTest, CnameRulesAndApexProtection) {
  const auto z = createZone("example.com", "r");
  EXPECT_EQ(code(change(z, {{"CREATE", rrset("example.com", "CNAME", 60, {"x.example.net"})}})),
            "InvalidChangeBatch");
  ASSERT_EQ(code(change(z, {{"CREATE", rrset("c.example.com", "CNAME", 60, {"x.example.net"})}})), "ok");
  EXPECT_EQ(code(change(z, {{"CREATE", rrset("c.example.com", "TXT", 60, {"\"t\""})}})),
            "InvalidChangeBatch");
  auto list = service_.listResourceRecordSets(z, std::string_view("example.com"), std::string_view("SOA"), {},
                                              std::string_view("1"));
  ASSERT_FALSE(isError(list));
  const auto soa = std::get<ListRecordSetsOutput>(list).recordSets.at(0);
  ChangeInput del{"DELETE",
                  rrset("example.com", "SOA", soa.ttl, {formatRecordValue(soa.type, soa.rdata.at(0))})};
  EXPECT_EQ(code(change(z, {del})), "InvalidChangeBatch");
}

TEST_F(ServiceTest, AliasRecords) {
  const auto z = createZone("example.com", "r");
  RecordSetInput alias;
  alias.name = "example.com";
  alias.type = "A";
  alias.alias = AliasInput{"/hostedzone/Z2", "lb.example.net", true};
  ASSERT_EQ(code(change(z, {{"CREATE", alias}})), "ok");
  auto list = service_.listResourceRecordSets(z, {}, {}, {}, {});
  bool found = false;
  for (const auto& rs : std::get<ListRecordSetsOutput>(list).recordSets) {
    if (rs.alias) {
      found = true;
      EXPECT_EQ(rs.alias->hostedZoneId, "Z2");
      EXPECT_TRUE(rs.alias->evaluateTargetHealth);
    }
  }
  EXPECT_TRUE(found);
  alias.alias->dnsName = "bad..name";
  EXPECT_EQ(code(change(z, {{"UPSERT", alias}})), "InvalidChangeBatch");
}

TEST_F(ServiceTest, HostedZoneNotEmpty) {
  const auto z = createZone("example.com", "r");
  ASSERT_EQ(code(change(z, {{"CREATE", rrset("a.example.com", "A", 60, {"192.0.2.1"})}})), "ok");
  auto e = error(service_.deleteHostedZone(z));
  EXPECT_EQ(e.code, "HostedZoneNotEmpty");
  EXPECT_EQ(e.httpStatus, 400);
}

TEST_F(ServiceTest, ListRecordSetsPaging) {
  const auto z = createZone("example.com", "r");
  std::vector<ChangeInput> changes;
  for (int i = 0; i < 25; ++i) {
    changes.push_back({"CREATE", rrset("h" + std::to_string(i) + ".example.com", "A", 60, {"192.0.2.1"})});
    changes.push_back({"CREATE", rrset("h" + std::to_string(i) + ".example.com", "TXT", 60, {"\"x\""})});
  }
  ASSERT_EQ(code(change(z, changes)), "ok");
  std::vector<std::string> seen;
  std::optional<std::string> name;
  std::optional<std::string> type;
  int pages = 0;
  while (true) {
    auto r = service_.listResourceRecordSets(z, name, type, {}, std::string_view("7"));
    ASSERT_FALSE(isError(r));
    auto& page = std::get<ListRecordSetsOutput>(r);
    EXPECT_LE(page.recordSets.size(), 7u);
    for (const auto& rs : page.recordSets)
      seen.push_back(formatRoute53Name(rs.name) + wire::typeToText(rs.type));
    ++pages;
    if (!page.next) break;
    name = formatRoute53Name(page.next->name);
    type = wire::typeToText(*page.next->type);
  }
  EXPECT_EQ(seen.size(), 52u);
  EXPECT_EQ(pages, 8);
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  EXPECT_EQ(code(service_.listResourceRecordSets(z, {}, std::string_view("A"), {}, {})), "InvalidInput");
  EXPECT_EQ(code(service_.listResourceRecordSets(z, std::string_view("a.example.com"), std::string_view("XX"),
                                                 {}, {})),
            "InvalidInput");
  EXPECT_EQ(code(service_.listResourceRecordSets(z, {}, {}, std::string_view("id"), {})), "InvalidInput");
  EXPECT_EQ(code(service_.listResourceRecordSets(z, {}, {}, {}, std::string_view("0"))), "InvalidInput");
  EXPECT_EQ(code(service_.listResourceRecordSets(z, {}, {}, {}, std::string_view("ten"))), "InvalidInput");
}

TEST_F(ServiceTest, ListHostedZonesPagingAndByName) {
  std::vector<std::string> names = {"b.com", "a.com", "www.a.com", "c.org", "a.net"};
  for (std::size_t i = 0; i < names.size(); ++i) createZone(names[i], "ref" + std::to_string(i));
  std::vector<std::string> seen;
  std::optional<std::string> marker;
  while (true) {
    auto r = service_.listHostedZones(marker, std::string_view("2"));
    ASSERT_FALSE(isError(r));
    auto& out = std::get<ListHostedZonesOutput>(r);
    for (const auto& z : out.zones) seen.push_back(formatRoute53Name(z.name));
    if (!out.nextMarker) break;
    marker = *out.nextMarker;
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(code(service_.listHostedZones(std::string_view("ZBOGUS"), {})), "InvalidInput");

  auto byName = service_.listHostedZonesByName(std::string_view("a.com"), {}, std::string_view("2"));
  ASSERT_FALSE(isError(byName));
  const auto& b = std::get<ListHostedZonesByNameOutput>(byName);
  ASSERT_EQ(b.zones.size(), 2u);
  // Labels reversed: com.a, com.a.www, com.b, net.a, org.c
  EXPECT_EQ(formatRoute53Name(b.zones[0].name), "a.com.");
  EXPECT_EQ(formatRoute53Name(b.zones[1].name), "www.a.com.");
  ASSERT_TRUE(b.nextDnsName.has_value());
  EXPECT_EQ(formatRoute53Name(*b.nextDnsName), "b.com.");
  auto rest =
      service_.listHostedZonesByName(std::string_view("b.com"), std::string_view(*b.nextHostedZoneId), {});
  ASSERT_FALSE(isError(rest));
  EXPECT_EQ(std::get<ListHostedZonesByNameOutput>(rest).zones.size(), 3u);
  EXPECT_FALSE(std::get<ListHostedZonesByNameOutput>(rest).nextDnsName.has_value());
  EXPECT_EQ(code(service_.listHostedZonesByName({}, std::string_view("Z1"), {})), "InvalidInput");
  EXPECT_EQ(code(service_.listHostedZonesByName(std::string_view("a..b"), {}, {})), "InvalidDomainName");
}

TEST_F(ServiceTest, UpdateCommentWithoutCommentClearsIt) {
  auto r = service_.createHostedZone({"example.com", "r", std::string("first"), false, false, {}});
  ASSERT_FALSE(isError(r));
  const auto id = std::get<CreateHostedZoneOutput>(r).zone.id;
  auto u = service_.updateHostedZoneComment(id, "second");
  ASSERT_FALSE(isError(u));
  EXPECT_EQ(std::get<store::HostedZone>(u).comment, "second");
  auto cleared = service_.updateHostedZoneComment(id, "");
  ASSERT_FALSE(isError(cleared));
  EXPECT_EQ(std::get<store::HostedZone>(cleared).comment, "");
  auto got = service_.getHostedZone(id);
  ASSERT_FALSE(isError(got));
  EXPECT_EQ(std::get<store::HostedZone>(got).comment, "");
}

TEST_F(ServiceTest, GetChangeAndNoSuchChange) {
  const auto z = createZone("example.com", "r");
  auto c = change(z, {{"CREATE", rrset("a.example.com", "A", 60, {"192.0.2.1"})}});
  ASSERT_FALSE(isError(c));
  const auto id = std::get<store::ChangeInfo>(c).id;
  auto got = service_.getChange("/change/" + id);
  ASSERT_FALSE(isError(got));
  EXPECT_EQ(std::get<store::ChangeInfo>(got).status, store::ChangeStatus::InSync);
  auto e = error(service_.getChange("CNOPE"));
  EXPECT_EQ(e.code, "NoSuchChange");
  EXPECT_EQ(e.httpStatus, 404);
}

TEST_F(ServiceTest, Tags) {
  const auto z = createZone("example.com", "r");
  ASSERT_EQ(code(service_.changeTagsForResource("hostedzone", z, {{{"owner", "me"}, {"env", "dev"}}, {}})),
            "ok");
  ASSERT_EQ(code(service_.changeTagsForResource("hostedzone", z, {{{"env", "prod"}}, {"owner"}})), "ok");
  auto t = service_.listTagsForResource("hostedzone", z);
  ASSERT_FALSE(isError(t));
  EXPECT_EQ(std::get<TagSet>(t).tags, (store::Tags{{"env", "prod"}}));
  auto many = service_.listTagsForResources("hostedzone", {z, z});
  ASSERT_FALSE(isError(many));
  EXPECT_EQ(std::get<std::vector<TagSet>>(many).size(), 2u);
  EXPECT_EQ(code(service_.listTagsForResource("healthcheck", "h1")), "NoSuchHealthCheck");
  EXPECT_EQ(code(service_.listTagsForResource("bucket", "h1")), "InvalidInput");
  // Neither AddTags nor RemoveTagKeys: accepted, nothing changes.
  EXPECT_EQ(code(service_.changeTagsForResource("hostedzone", z, {})), "ok");
  auto same = service_.listTagsForResource("hostedzone", z);
  ASSERT_FALSE(isError(same));
  EXPECT_EQ(std::get<TagSet>(same).tags, (store::Tags{{"env", "prod"}}));
  EXPECT_EQ(code(service_.changeTagsForResource("hostedzone", "ZNOPE", {})), "NoSuchHostedZone");
  EXPECT_EQ(code(service_.changeTagsForResource("hostedzone", z, {{{std::string(129, 'k'), "v"}}, {}})),
            "InvalidInput");
}

TEST(StoreErrors, MapToRoute53Statuses) {
  EXPECT_EQ(fromStoreError({store::ErrorCode::Internal, {"disk full"}}).httpStatus, 500);
  EXPECT_FALSE(fromStoreError({store::ErrorCode::Internal, {"disk full"}}).senderFault);
  EXPECT_EQ(fromStoreError({store::ErrorCode::PriorRequestNotComplete, {"busy"}}).code,
            "PriorRequestNotComplete");
  EXPECT_EQ(fromStoreError({store::ErrorCode::HostedZoneAlreadyExists, {}}).httpStatus, 409);
  EXPECT_EQ(fromStoreError({store::ErrorCode::InvalidChangeBatch, {"a", "b"}}).message, "[a, b]");
}

}  // namespace
}  // namespace zk::api
