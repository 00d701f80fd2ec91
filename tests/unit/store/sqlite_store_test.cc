// SqliteZoneStore: Route53 ChangeResourceRecordSets rules with their exact
// messages, atomicity, serials, listing order and pages, zones, tags, changes.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "store/route53_names.h"
#include "store/sqlite.h"
#include "store_test_util.h"

namespace zk::store {
namespace {

using namespace zk::store::testing;
using wire::RRType;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = openStore(dir_.file("zones.db"));
    ASSERT_NE(store_, nullptr);
    zone_ = ok(store_->createZone({name("example.com."), "ref-1", "test zone"}));
    id_ = zone_.id;
  }

  StoreResult<ChangeInfo> apply(std::vector<Change> changes) {
    return store_->applyChanges(id_, batch(std::move(changes)));
  }

  std::uint32_t serial() { return ok(store_->getZone(id_)).serial; }

  std::optional<RecordSet> find(std::string_view owner, RRType type) {
    const auto c = ok(store_->zoneContents(id_));
    for (const auto& rs : c.recordSets) {
      if (rs.name == name(owner) && rs.type == type) return rs;
    }
    return std::nullopt;
  }

  std::vector<std::string> messages(std::vector<Change> changes,
                                    ErrorCode code = ErrorCode::InvalidChangeBatch) {
    const auto before = serial();
    auto e = err(apply(std::move(changes)));
    EXPECT_EQ(e.code, code);
    EXPECT_EQ(serial(), before) << "a rejected batch must not change the serial";
    return e.messages;
  }

  TempDir dir_;
  std::unique_ptr<SqliteZoneStore> store_;
  HostedZone zone_;
  std::string id_;
};

// ---- CreateHostedZone -------------------------------------------------------

TEST_F(StoreTest, CreateZoneLikeRoute53) {
  EXPECT_EQ(id_.size(), 21U);
  EXPECT_EQ(id_[0], 'Z');
  EXPECT_TRUE(
      std::all_of(id_.begin() + 1, id_.end(), [](char c) { return std::isupper(c) || std::isdigit(c); }));
  EXPECT_EQ(zone_.serial, 1U);
  EXPECT_EQ(zone_.recordSetCount, 2U);
  EXPECT_EQ(zone_.comment, "test zone");
  EXPECT_EQ(zone_.createdAt, 1700000000);
  ASSERT_EQ(zone_.nameServers.size(), 4U);
  EXPECT_EQ(zone_.nameServers[0].toText(), "ns-1.zonekeeper.invalid.");
  EXPECT_EQ(zone_.nameServers[3].toText(), "ns-4.zonekeeper.invalid.");

  auto soa = find("example.com.", RRType::SOA);
  ASSERT_TRUE(soa);
  EXPECT_EQ(soa->ttl, 900U);
  ASSERT_EQ(soa->rdata.size(), 1U);
  EXPECT_EQ(wire::rdataToText(RRType::SOA, soa->rdata[0]),
            "ns-1.zonekeeper.invalid. hostmaster.zonekeeper.invalid. 1 7200 900 1209600 86400");
  auto ns = find("example.com.", RRType::NS);
  ASSERT_TRUE(ns);
  EXPECT_EQ(ns->ttl, 172800U);
  EXPECT_EQ(ns->rdata.size(), 4U);

  // The creation is a change of its own (CreateHostedZone's ChangeInfo).
  auto ch = ok(store_->getChange(zone_.changeId));
  EXPECT_EQ(ch.zoneId, id_);
  EXPECT_EQ(ch.status, ChangeStatus::InSync);
  EXPECT_EQ(ch.serial, 1U);
}

TEST_F(StoreTest, CreateZoneWithConfiguredNameServers) {
  SqliteStoreOptions o;
  o.path = dir_.file("other.db");
  o.nameServerSuffix = "dns.example.net.";
  o.seed = 7;
  auto s = SqliteZoneStore::open(o);
  ASSERT_TRUE(s.ok());
  auto z = ok((*s)->createZone({name("example.org."), "r", ""}));
  EXPECT_EQ(z.nameServers[0].toText(), "ns-1.dns.example.net.");
  auto c = ok((*s)->zoneContents(z.id));
  EXPECT_EQ(wire::rdataToText(RRType::SOA, c.recordSets[1].rdata[0]),
            "ns-1.dns.example.net. hostmaster.dns.example.net. 1 7200 900 1209600 86400");

  o.path = dir_.file("third.db");
  o.nameServers = {name("a.ns.test."), name("b.ns.test.")};
  auto s2 = SqliteZoneStore::open(o);
  ASSERT_TRUE(s2.ok());
  auto z2 = ok((*s2)->createZone({name("example.org."), "r", ""}));
  ASSERT_EQ(z2.nameServers.size(), 2U);
  EXPECT_EQ(z2.nameServers[1].toText(), "b.ns.test.");
}

TEST_F(StoreTest, CallerReferenceIsIdempotent) {
  auto e = err(store_->createZone({name("other.com."), "ref-1", ""}));
  EXPECT_EQ(e.code, ErrorCode::HostedZoneAlreadyExists);
  ASSERT_EQ(e.messages.size(), 1U);
  EXPECT_NE(e.messages[0].find(id_), std::string::npos);
  EXPECT_EQ(ok(store_->listZones()).size(), 1U);
  EXPECT_EQ(err(store_->createZone({name("other.com."), "", ""})).code, ErrorCode::InvalidInput);
  EXPECT_EQ(err(store_->createZone({name("."), "root", ""})).code, ErrorCode::InvalidInput);
}

TEST_F(StoreTest, DuplicateZoneNamesAllowed) {
  auto z2 = ok(store_->createZone({name("EXAMPLE.com."), "ref-2", ""}));
  EXPECT_NE(z2.id, id_);
  EXPECT_EQ(z2.name.toText(), "example.com.");
  auto zones = ok(store_->listZones());
  ASSERT_EQ(zones.size(), 2U);
}

TEST_F(StoreTest, ListZonesInRoute53Order) {
  ok(store_->createZone({name("a.example.com."), "r2", ""}));
  ok(store_->createZone({name("a-b.example.com."), "r3", ""}));
  ok(store_->createZone({name("example.net."), "r4", ""}));
  ok(store_->createZone({name("zzz.com."), "r5", ""}));
  std::vector<std::string> names;
  const auto zones = ok(store_->listZones());
  for (const auto& z : zones) names.push_back(z.name.toText());
  // com.example. < com.example.a-b. < com.example.a. < com.zzz. < net.example.
  EXPECT_EQ(names, (std::vector<std::string>{"example.com.", "a-b.example.com.", "a.example.com.", "zzz.com.",
                                             "example.net."}));
}

TEST_F(StoreTest, GetUnknownZone) {
  auto e = err(store_->getZone("ZNOPE"));
  EXPECT_EQ(e.code, ErrorCode::NoSuchHostedZone);
  EXPECT_EQ(e.messages, std::vector<std::string>{"No hosted zone found with ID: ZNOPE"});
  EXPECT_EQ(err(store_->applyChanges("ZNOPE",
                                     batch({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))})))
                .code,
            ErrorCode::NoSuchHostedZone);
  EXPECT_EQ(err(store_->listRecordSets("ZNOPE", std::nullopt, 10)).code, ErrorCode::NoSuchHostedZone);
}

TEST_F(StoreTest, UpdateComment) {
  auto z = ok(store_->updateZoneComment(id_, "new comment"));
  EXPECT_EQ(z.comment, "new comment");
  EXPECT_EQ(ok(store_->getZone(id_)).comment, "new comment");
  EXPECT_EQ(err(store_->updateZoneComment("ZNOPE", "x")).code, ErrorCode::NoSuchHostedZone);
  EXPECT_EQ(err(store_->updateZoneComment(id_, std::string(257, 'x'))).code, ErrorCode::InvalidInput);
}

TEST_F(StoreTest, DeleteZoneRefusesNonEmpty) {
  ok(apply({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}));
  // Changing the apex NS does not count: only records other than apex SOA/NS do.
  auto e = err(store_->deleteZone(id_));
  EXPECT_EQ(e.code, ErrorCode::HostedZoneNotEmpty);
  EXPECT_EQ(e.messages,
            std::vector<std::string>{
                "The specified hosted zone contains non-required resource record sets and so cannot be "
                "deleted."});
  ok(apply({del(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}));
  ok(apply({upsert(rset("example.com.", RRType::NS, 3600, {"ns1.example.net."}))}));
  ok(store_->changeTags(TagResource::HostedZone, id_, {{"k", "v"}}, {}));
  auto info = ok(store_->removeZone(id_));
  EXPECT_EQ(info.status, ChangeStatus::InSync);
  EXPECT_EQ(ok(store_->getChange(info.id)).zoneId, id_);
  EXPECT_EQ(err(store_->getZone(id_)).code, ErrorCode::NoSuchHostedZone);
  EXPECT_EQ(err(store_->deleteZone(id_)).code, ErrorCode::NoSuchHostedZone);
  EXPECT_TRUE(ok(store_->listZones()).empty());
}

// ---- ChangeResourceRecordSets: actions ---------------------------------------

TEST_F(StoreTest, CreateThenCreateFails) {
  auto info = ok(apply({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1", "192.0.2.2"}))}));
  EXPECT_EQ(info.serial, 2U);
  EXPECT_EQ(info.id.size(), 14U);
  EXPECT_EQ(info.id[0], 'C');
  EXPECT_EQ(
      messages({create(rset("WWW.example.com.", RRType::A, 300, {"192.0.2.9"}))}),
      std::vector<std::string>{
          "Tried to create resource record set [name='www.example.com.', type='A'] but it already exists"});
  EXPECT_EQ(ok(store_->getZone(id_)).recordSetCount, 3U);
}

TEST_F(StoreTest, DeleteMustMatchExactly) {
  ok(apply({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1", "192.0.2.2"}))}));
  const std::string mismatch =
      "Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do "
      "not match "
      "the current values";
  EXPECT_EQ(messages({del(rset("www.example.com.", RRType::A, 60, {"192.0.2.1", "192.0.2.2"}))}),
            std::vector<std::string>{mismatch});  // TTL differs
  EXPECT_EQ(messages({del(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}),
            std::vector<std::string>{mismatch});  // a value missing
  EXPECT_EQ(messages({del(rset("www.example.com.", RRType::A, 300, {"192.0.2.1", "192.0.2.3"}))}),
            std::vector<std::string>{mismatch});
  EXPECT_EQ(
      messages({del(rset("nope.example.com.", RRType::A, 300, {"192.0.2.1"}))}),
      std::vector<std::string>{
          "Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found"});
  // Values in another order match.
  ok(apply({del(rset("www.example.com.", RRType::A, 300, {"192.0.2.2", "192.0.2.1"}))}));
  EXPECT_FALSE(find("www.example.com.", RRType::A));
  EXPECT_EQ(ok(store_->getZone(id_)).recordSetCount, 2U);
}

TEST_F(StoreTest, UpsertCreatesOrReplaces) {
  ok(apply({upsert(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}));
  ok(apply({upsert(rset("www.example.com.", RRType::A, 60, {"192.0.2.7", "192.0.2.8"}))}));
  auto rs = find("www.example.com.", RRType::A);
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->ttl, 60U);
  EXPECT_EQ(rs->rdata.size(), 2U);
  EXPECT_EQ(ok(store_->getZone(id_)).recordSetCount, 3U);
  EXPECT_EQ(serial(), 3U);
}

TEST_F(StoreTest, DeleteThenCreateInOneBatchReplaces) {
  ok(apply({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}));
  ok(apply({del(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"})),
            create(rset("www.example.com.", RRType::A, 300, {"192.0.2.2"}))}));
  EXPECT_EQ(wire::rdataToText(RRType::A, find("www.example.com.", RRType::A)->rdata[0]), "192.0.2.2");
  // CNAME in place of an A in one batch, as Route53 allows.
  ok(apply({del(rset("www.example.com.", RRType::A, 300, {"192.0.2.2"})),
            create(rset("www.example.com.", RRType::CNAME, 300, {"target.example.net."}))}));
  EXPECT_TRUE(find("www.example.com.", RRType::CNAME));
}

TEST_F(StoreTest, TwoChangesToOneSetRejected) {
  const std::string msg =
      "The request contains an invalid set of changes for a resource record set 'A www.example.com.'";
  EXPECT_EQ(messages({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"})),
                      upsert(rset("www.example.com.", RRType::A, 300, {"192.0.2.2"}))}),
            std::vector<std::string>{msg});
  EXPECT_EQ(messages({upsert(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"})),
                      upsert(rset("www.example.com.", RRType::A, 300, {"192.0.2.2"}))}),
            std::vector<std::string>{msg});
  ok(apply({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}));
  EXPECT_EQ(messages({del(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"})),
                      del(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}),
            std::vector<std::string>{msg});
}

// ---- rules --------------------------------------------------------------------

TEST_F(StoreTest, CnameExclusivity) {
  ok(apply({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}));
  EXPECT_EQ(
      messages({create(rset("www.example.com.", RRType::CNAME, 300, {"x.example.net."}))}),
      std::vector<std::string>{"RRSet of type CNAME with DNS name www.example.com. is not permitted as it "
                               "conflicts with other records with the same DNS name in zone example.com."});
  ok(apply({create(rset("alias.example.com.", RRType::CNAME, 300, {"x.example.net."}))}));
  EXPECT_EQ(
      messages({create(rset("alias.example.com.", RRType::TXT, 300, {"\"hello\""}))}),
      std::vector<std::string>{"RRSet of type TXT with DNS name alias.example.com. is not permitted because "
                               "a conflicting RRSet of "
                               "type  CNAME with the same DNS name already exists in zone example.com."});
  // A CNAME and another type created in the same batch conflict too.
  EXPECT_EQ(
      messages({create(rset("new.example.com.", RRType::CNAME, 300, {"x.example.net."})),
                create(rset("new.example.com.", RRType::A, 300, {"192.0.2.1"}))}),
      std::vector<std::string>{
          "RRSet of type A with DNS name new.example.com. is not permitted because a conflicting RRSet of "
          "type  CNAME with the same DNS name already exists in zone example.com."});
  // UPSERT of the CNAME itself is fine.
  ok(apply({upsert(rset("alias.example.com.", RRType::CNAME, 60, {"y.example.net."}))}));
}

TEST_F(StoreTest, CnameNotAtApexAndSingleValued) {
  EXPECT_EQ(
      messages({upsert(rset("example.com.", RRType::CNAME, 300, {"x.example.net."}))}),
      (std::vector<std::string>{
          "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.",
          "RRSet of type CNAME with DNS name example.com. is not permitted as it conflicts with other "
          "records "
          "with the same DNS name in zone example.com."}));
  EXPECT_EQ(
      messages({create(rset("c.example.com.", RRType::CNAME, 300, {"x.example.net.", "y.example.net."}))}),
      std::vector<std::string>{"RRSet of type CNAME with DNS name c.example.com. has 2 values: a CNAME "
                               "record set holds exactly one"});
}

TEST_F(StoreTest, ApexSoaAndNsProtected) {
  auto soa = *find("example.com.", RRType::SOA);
  auto ns = *find("example.com.", RRType::NS);
  EXPECT_EQ(messages({del(soa)}),
            std::vector<std::string>{"A HostedZone must contain exactly one SOA record."});
  EXPECT_EQ(
      messages({create(soa)}),
      std::vector<std::string>{
          "Tried to create resource record set [name='example.com.', type='SOA'] but it already exists"});
  EXPECT_EQ(
      messages({del(ns)}),
      std::vector<std::string>{"A HostedZone must contain at least one NS record for the zone itself."});
  EXPECT_EQ(
      messages(
          {create(rset("sub.example.com.", RRType::SOA, 300, {"ns.example.com. h.example.com. 1 2 3 4 5"}))}),
      std::vector<std::string>{"RRSet of type SOA with DNS name sub.example.com. is not permitted: SOA is "
                               "only permitted at the apex of zone example.com."});
  // UPSERT of apex NS is allowed; NS below the apex (a delegation) may be deleted.
  ok(apply({upsert(rset("example.com.", RRType::NS, 3600, {"a.ns.test.", "b.ns.test."}))}));
  ok(apply({create(rset("sub.example.com.", RRType::NS, 300, {"a.ns.test."}))}));
  ok(apply({del(rset("sub.example.com.", RRType::NS, 300, {"a.ns.test."}))}));
}

TEST_F(StoreTest, NamesMustBeInTheZone) {
  EXPECT_EQ(messages({create(rset("www.example.net.", RRType::A, 300, {"192.0.2.1"})),
                      create(rset("notexample.com.", RRType::A, 300, {"192.0.2.1"}))}),
            (std::vector<std::string>{
                "RRSet with DNS name www.example.net. is not permitted in zone example.com.",
                "RRSet with DNS name notexample.com. is not permitted in zone example.com."}));
}

TEST_F(StoreTest, TtlRange) {
  ok(apply({create(rset("zero.example.com.", RRType::A, 0, {"192.0.2.1"}))}));
  ok(apply({create(rset("max.example.com.", RRType::A, 2147483647, {"192.0.2.1"}))}));
  EXPECT_EQ(messages({create(rset("big.example.com.", RRType::A, 2147483648U, {"192.0.2.1"}))}),
            std::vector<std::string>{
                "Invalid TTL 2147483648 for RRSet of type A with DNS name big.example.com.: TTL "
                "must be between 0 and 2147483647"});
}

TEST_F(StoreTest, ValuesValidatedPerType) {
  auto bad = rset("www.example.com.", RRType::A, 300, {});
  bad.rdata.push_back({192, 0, 2});  // 3 octets
  auto badMx = rset("mx.example.com.", RRType::MX, 300, {});
  badMx.rdata.push_back({0, 10});  // preference without exchange
  auto msgs = messages({create(bad), create(badMx)});
  ASSERT_EQ(msgs.size(), 2U);
  EXPECT_EQ(msgs[0].rfind("Invalid Resource Record: 'FATAL problem: ", 0), 0U) << msgs[0];
  EXPECT_NE(msgs[0].find("encountered with '\\# 3 c00002''"), std::string::npos) << msgs[0];
  EXPECT_NE(msgs[1].find("encountered with '\\# 2 000a''"), std::string::npos) << msgs[1];

  EXPECT_EQ(messages({create(rset("d.example.com.", RRType::A, 300, {"192.0.2.1", "192.0.2.1"}))}),
            std::vector<std::string>{"Duplicate Resource Record: '192.0.2.1'"});
  EXPECT_EQ(
      messages({create(rset("e.example.com.", RRType::A, 300, {}))}, ErrorCode::InvalidInput),
      std::vector<std::string>{"Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and "
                               "ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with "
                               "[Action=CREATE, Name=e.example.com., Type=A, SetIdentifier=null]"});
}

TEST_F(StoreTest, UnsupportedTypesRejected) {
  RecordSet rs = rset("x.example.com.", RRType::A, 300, {"192.0.2.1"});
  rs.type = RRType::ANY;
  EXPECT_EQ(
      messages({create(rs)}),
      std::vector<std::string>{
          "RRSet of type ANY with DNS name x.example.com. is not permitted: the type is not supported"});
}

TEST_F(StoreTest, EmptyBatchIsInvalidInput) {
  EXPECT_EQ(messages({}, ErrorCode::InvalidInput),
            std::vector<std::string>{"Invalid request: the change batch must contain at least one change"});
}

TEST_F(StoreTest, AliasRecordSets) {
  ok(apply({create(rset("target.example.com.", RRType::A, 60, {"192.0.2.5"})),
            create(aliasSet("example.com.", RRType::A, id_, "target.example.com."))}));
  auto a = find("example.com.", RRType::A);
  ASSERT_TRUE(a && a->alias);
  EXPECT_EQ(a->alias->hostedZoneId, id_);
  EXPECT_EQ(a->alias->dnsName.toText(), "target.example.com.");
  EXPECT_TRUE(a->rdata.empty());
  // DELETE must name the same target.
  EXPECT_EQ(
      messages({del(aliasSet("example.com.", RRType::A, id_, "other.example.com."))}),
      std::vector<std::string>{"Tried to delete resource record set [name='example.com.', type='A'] but the "
                               "values provided do not match the current values"});
  auto mx = aliasSet("m.example.com.", RRType::MX, id_, "target.example.com.");
  EXPECT_EQ(messages({create(mx)}),
            std::vector<std::string>{
                "RRSet of type MX with DNS name m.example.com. cannot be an alias: alias record "
                "sets must be of type A or AAAA"});
  auto both = aliasSet("b.example.com.", RRType::A, id_, "target.example.com.");
  both.rdata.push_back(rdata(RRType::A, "192.0.2.1"));
  EXPECT_EQ(messages({create(both)}, ErrorCode::InvalidInput),
            std::vector<std::string>{
                "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and "
                "ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change "
                "with [Action=CREATE, Name=b.example.com., Type=A, SetIdentifier=null]"});
  ok(apply({del(aliasSet("example.com.", RRType::A, id_, "TARGET.example.com."))}));
}

TEST_F(StoreTest, EveryProblemListed) {
  ok(apply({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"}))}));
  auto msgs = messages({create(rset("www.example.com.", RRType::A, 300, {"192.0.2.1"})),
                        create(rset("ok.example.com.", RRType::A, 300, {"192.0.2.1"})),
                        del(rset("gone.example.com.", RRType::TXT, 300, {"\"x\""})),
                        create(rset("out.example.org.", RRType::A, 300, {"192.0.2.1"}))});
  EXPECT_EQ(
      msgs,
      (std::vector<std::string>{
          "Tried to create resource record set [name='www.example.com.', type='A'] but it already exists",
          "Tried to delete resource record set [name='gone.example.com.', type='TXT'] but it was not found",
          "RRSet with DNS name out.example.org. is not permitted in zone example.com."}));
  EXPECT_FALSE(find("ok.example.com.", RRType::A)) << "a rejected batch changes nothing";
}

TEST_F(StoreTest, AtomicityNothingChangesOnError) {
  ok(apply({create(rset("keep.example.com.", RRType::A, 300, {"192.0.2.1"}))}));
  const auto before = ok(store_->zoneContents(id_));
  EXPECT_FALSE(store_
                   ->applyChanges(id_, batch({upsert(rset("keep.example.com.", RRType::A, 1, {"192.0.2.9"})),
                                              del(rset("keep2.example.com.", RRType::A, 1, {"192.0.2.9"})),
                                              create(rset("new.example.com.", RRType::A, 1, {"192.0.2.9"}))}))
                   .index() == 0);
  const auto after = ok(store_->zoneContents(id_));
  EXPECT_EQ(after.recordSets, before.recordSets);
  EXPECT_EQ(after.zone.serial, before.zone.serial);
  EXPECT_EQ(after.zone.recordSetCount, before.zone.recordSetCount);
  EXPECT_EQ(ok(store_->journal(id_, before.zone.serial)).size(), 0U);
}

TEST_F(StoreTest, BatchLimits) {
  // 1000 values are fine; 1001 are not; UPSERT counts twice.
  std::vector<Change> changes;
  for (int i = 0; i < 1000; ++i) {
    changes.push_back(create(rset(fmt::format("h{}.example.com.", i), RRType::A, 60, {"192.0.2.1"})));
  }
  ok(apply(changes));
  changes.clear();
  for (int i = 0; i < 1001; ++i) {
    changes.push_back(create(rset(fmt::format("g{}.example.com.", i), RRType::A, 60, {"192.0.2.1"})));
  }
  EXPECT_EQ(messages(changes), std::vector<std::string>{"Number of records limit of 1000 exceeded."});
  changes.clear();
  for (int i = 0; i < 501; ++i) {
    changes.push_back(upsert(rset(fmt::format("u{}.example.com.", i), RRType::A, 60, {"192.0.2.1"})));
  }
  EXPECT_EQ(messages(changes), std::vector<std::string>{"Number of records limit of 1000 exceeded."});
  // 32,000 characters of values: 130 TXT values of 250 characters (+2 quotes) = 32,760.
  changes.clear();
  const std::string text = "\"" + std::string(250, 'x') + "\"";
  for (int i = 0; i < 130; ++i) {
    changes.push_back(create(rset(fmt::format("t{}.example.com.", i), RRType::TXT, 60, {text})));
  }
  EXPECT_EQ(messages(changes), std::vector<std::string>{"Number of characters limit of 32000 exceeded."});
  changes.resize(126);  // 31,752
  ok(apply(changes));
}

// ---- serials and journal -------------------------------------------------------

TEST_F(StoreTest, SerialBumpsAndSoaCarriesIt) {
  for (int i = 0; i < 3; ++i) {
    ok(apply({upsert(rset("s.example.com.", RRType::A, 60 + static_cast<std::uint32_t>(i), {"192.0.2.1"}))}));
  }
  EXPECT_EQ(serial(), 4U);
  auto soa = find("example.com.", RRType::SOA);
  EXPECT_EQ(wire::rdataToText(RRType::SOA, soa->rdata[0]),
            "ns-1.zonekeeper.invalid. hostmaster.zonekeeper.invalid. 4 7200 900 1209600 86400");
  // An UPSERT of the SOA with a larger serial moves the serial there; a smaller one is bumped.
  ok(apply({upsert(
      rset("example.com.", RRType::SOA, 300, {"ns.example.com. admin.example.com. 2024010100 1 2 3 4"}))}));
  EXPECT_EQ(serial(), 2024010100U);
  ok(apply(
      {upsert(rset("example.com.", RRType::SOA, 300, {"ns.example.com. admin.example.com. 7 1 2 3 4"}))}));
  EXPECT_EQ(serial(), 2024010101U);
  EXPECT_EQ(wire::rdataToText(RRType::SOA, find("example.com.", RRType::SOA)->rdata[0]),
            "ns.example.com. admin.example.com. 2024010101 1 2 3 4");
}

TEST_F(StoreTest, SerialWrapsAtTwoToThe32) {
  ok(apply({upsert(
      rset("example.com.", RRType::SOA, 300, {"ns.example.com. admin.example.com. 2147483648 1 2 3 4"}))}));
  ok(apply({upsert(
      rset("example.com.", RRType::SOA, 300, {"ns.example.com. admin.example.com. 4294967295 1 2 3 4"}))}));
  EXPECT_EQ(serial(), 4294967295U);
  auto info = ok(apply({create(rset("w.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  EXPECT_EQ(info.serial, 0U);  // RFC 1982: 2^32-1 + 1 = 0
  EXPECT_EQ(serial(), 0U);
  info = ok(apply({create(rset("w2.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  EXPECT_EQ(info.serial, 1U);
  // The journal follows the wrap: everything after 4294967295 is 0 and 1.
  auto j = ok(store_->journal(id_, 4294967295U));
  ASSERT_EQ(j.size(), 2U);
  EXPECT_EQ(j[0].serialBefore, 4294967295U);
  EXPECT_EQ(j[0].serial, 0U);
  EXPECT_EQ(j[1].serial, 1U);
}

TEST(SerialArithmetic, Rfc1982) {
  EXPECT_EQ(serialNext(4294967295U), 0U);
  EXPECT_TRUE(serialGreater(0, 4294967295U));
  EXPECT_TRUE(serialGreater(1, 0));
  EXPECT_FALSE(serialGreater(0, 1));
  EXPECT_TRUE(serialGreater(0x7fffffffU, 0));
  EXPECT_FALSE(serialGreater(0x80000000U, 0));  // undefined: 2^31 apart
  EXPECT_FALSE(serialGreater(0, 0x80000000U));
  EXPECT_TRUE(serialGreater(5, 0x80000006U));
  EXPECT_TRUE(serialAtOrAfter(7, 7));
  EXPECT_FALSE(serialAtOrAfter(6, 7));
}

TEST_F(StoreTest, JournalKeepsTheDiff) {
  ok(apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  auto info =
      ok(store_->applyChanges(id_, batch({upsert(rset("a.example.com.", RRType::A, 60, {"192.0.2.2"})),
                                          create(rset("b.example.com.", RRType::TXT, 60, {"\"hi\""}))},
                                         "second")));
  auto j = ok(store_->journal(id_, 2));
  ASSERT_EQ(j.size(), 1U);
  EXPECT_EQ(j[0].changeId, info.id);
  EXPECT_EQ(j[0].serialBefore, 2U);
  EXPECT_EQ(j[0].serial, 3U);
  ASSERT_EQ(j[0].removed.size(), 1U);
  EXPECT_EQ(wire::rdataToText(RRType::A, j[0].removed[0].rdata[0]), "192.0.2.1");
  ASSERT_EQ(j[0].added.size(), 2U);
  EXPECT_EQ(wire::rdataToText(RRType::A, j[0].added[0].rdata[0]), "192.0.2.2");
  EXPECT_EQ(j[0].added[1].type, RRType::TXT);
  EXPECT_EQ(ok(store_->journal(id_, 1)).size(), 2U);
  EXPECT_EQ(ok(store_->journal(id_, 0)).size(), 3U);  // from the zone's creation
  EXPECT_TRUE(ok(store_->journal(id_, 3)).empty());
  auto ch = ok(store_->getChange(info.id));
  EXPECT_EQ(ch.comment, "second");
  EXPECT_EQ(ch.submittedAt, 1700000000);
}

// ---- ListResourceRecordSets ---------------------------------------------------

TEST_F(StoreTest, ListingOrderIsRoute53s) {
  ok(apply({create(rset("www.example.com.", RRType::A, 60, {"192.0.2.1"})),
            create(rset("www.example.com.", RRType::AAAA, 60, {"2001:db8::1"})),
            create(rset("a.example.com.", RRType::TXT, 60, {"\"x\""})),
            create(rset("a-b.example.com.", RRType::A, 60, {"192.0.2.1"})),
            create(rset("b.a.example.com.", RRType::A, 60, {"192.0.2.1"})),
            create(rset("*.example.com.", RRType::A, 60, {"192.0.2.1"})),
            create(rset("example.com.", RRType::MX, 60, {"10 mx.example.com."})),
            create(rset("example.com.", RRType::A, 60, {"192.0.2.1"})),
            create(rset("Z.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  std::vector<std::string> got;
  const auto page = ok(store_->listRecordSets(id_, std::nullopt, 100));
  for (const auto& rs : page.recordSets) {
    got.push_back(route53NameText(rs.name) + " " + wire::typeToText(rs.type));
  }
  // Keys: com.example. (A, MX, NS, SOA), com.example.\052., com.example.a-b., com.example.a.,
  // com.example.a.b., com.example.www. (A, AAAA), com.example.z.
  EXPECT_EQ(got, (std::vector<std::string>{"example.com. A", "example.com. MX", "example.com. NS",
                                           "example.com. SOA", "\\052.example.com. A", "a-b.example.com. A",
                                           "a.example.com. TXT", "b.a.example.com. A", "www.example.com. A",
                                           "www.example.com. AAAA", "z.example.com. A"}));
}

TEST_F(StoreTest, ListingPages) {
  std::vector<Change> changes;
  for (int i = 0; i < 25; ++i) {
    changes.push_back(create(rset(fmt::format("h{:02}.example.com.", i), RRType::A, 60, {"192.0.2.1"})));
    changes.push_back(create(rset(fmt::format("h{:02}.example.com.", i), RRType::TXT, 60, {"\"t\""})));
  }
  ok(apply(changes));
  std::vector<std::string> all;
  std::optional<RecordSetKey> start;
  int pages = 0;
  do {
    auto page = ok(store_->listRecordSets(id_, start, 7));
    EXPECT_LE(page.recordSets.size(), 7U);
    for (const auto& rs : page.recordSets) all.push_back(rs.name.toText() + wire::typeToText(rs.type));
    start = page.next;
    ++pages;
  } while (start && pages < 100);
  EXPECT_EQ(all.size(), 52U);
  EXPECT_EQ(pages, 8);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 52U) << "no duplicates across pages";

  // StartRecordName alone starts at the first set with that name or later.
  auto p = ok(store_->listRecordSets(id_, RecordSetKey{name("h10.example.com."), std::nullopt}, 3));
  ASSERT_EQ(p.recordSets.size(), 3U);
  EXPECT_EQ(p.recordSets[0].name.toText(), "h10.example.com.");
  EXPECT_EQ(p.recordSets[0].type, RRType::A);
  ASSERT_TRUE(p.next);
  EXPECT_EQ(p.next->name.toText(), "h11.example.com.");
  EXPECT_EQ(p.next->type, RRType::TXT);
  // With a type: that name from that type on.
  p = ok(store_->listRecordSets(id_, RecordSetKey{name("h10.example.com."), RRType::TXT}, 1));
  EXPECT_EQ(p.recordSets[0].type, RRType::TXT);
  EXPECT_EQ(p.next->name.toText(), "h11.example.com.");
  // A name that is not there starts at the next one.
  p = ok(store_->listRecordSets(id_, RecordSetKey{name("h105.example.com."), std::nullopt}, 1));
  EXPECT_EQ(p.recordSets[0].name.toText(), "h11.example.com.");
  // Past the end: empty, not truncated.
  p = ok(store_->listRecordSets(id_, RecordSetKey{name("zzz.example.com."), std::nullopt}, 5));
  EXPECT_TRUE(p.recordSets.empty());
  EXPECT_FALSE(p.next);
}

TEST(Route53Names, TextAndKeys) {
  EXPECT_EQ(route53NameText(name("*.Example.COM.")), "\\052.example.com.");
  EXPECT_EQ(route53NameText(name("a\\.b.example.com.")), "a\\056b.example.com.");
  EXPECT_EQ(route53NameText(name("_srv._tcp.example.com.")), "_srv._tcp.example.com.");
  EXPECT_EQ(route53NameText(wire::Name()), ".");
  EXPECT_EQ(route53NameKey(name("www.example.com.")), "com.example.www.");
  EXPECT_LT(route53NameKey(name("a-b.example.com.")), route53NameKey(name("a.example.com.")));
}

// ---- tags ------------------------------------------------------------------------

TEST_F(StoreTest, Tags) {
  EXPECT_TRUE(ok(store_->tags(TagResource::HostedZone, id_)).empty());
  ok(store_->changeTags(TagResource::HostedZone, id_, {{"owner", "team-a"}, {"env", "prod"}}, {}));
  EXPECT_EQ(ok(store_->tags(TagResource::HostedZone, id_)), (Tags{{"env", "prod"}, {"owner", "team-a"}}));
  ok(store_->changeTags(TagResource::HostedZone, id_, {{"owner", "team-b"}}, {"env", "missing"}));
  EXPECT_EQ(ok(store_->tags(TagResource::HostedZone, id_)), (Tags{{"owner", "team-b"}}));
  EXPECT_EQ(err(store_->changeTags(TagResource::HostedZone, "ZNOPE", {{"a", "b"}}, {})).code,
            ErrorCode::NoSuchHostedZone);
  EXPECT_EQ(err(store_->changeTags(TagResource::HostedZone, id_, {{"", "b"}}, {})).code,
            ErrorCode::InvalidInput);
  EXPECT_EQ(err(store_->tags(TagResource::HealthCheck, "abc")).code, ErrorCode::NoSuchHealthCheck);
  // Tags are per resource.
  auto z2 = ok(store_->createZone({name("two.com."), "r2", ""}));
  EXPECT_TRUE(ok(store_->tags(TagResource::HostedZone, z2.id)).empty());
}

// ---- GetChange / markServed --------------------------------------------------------

TEST_F(StoreTest, InsyncImmediatelyWithoutServers) {
  auto info = ok(apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  EXPECT_EQ(info.status, ChangeStatus::InSync);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::InSync);
  EXPECT_EQ(err(store_->getChange("CNOPE")).code, ErrorCode::NoSuchChange);
}

TEST_F(StoreTest, PendingUntilEveryServerServesIt) {
  store_->registerServer("dns-1");
  store_->registerServer("dns-2");
  auto info = ok(apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  EXPECT_EQ(info.status, ChangeStatus::Pending);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::Pending);
  store_->markServedBy("dns-1", id_, info.serial);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::Pending);
  store_->markServedBy("dns-2", id_, info.serial - 1);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::Pending);
  store_->markServedBy("dns-2", id_, info.serial + 5);  // later serials count
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::InSync);
  // Once INSYNC, it stays so when another server registers.
  store_->registerServer("dns-3");
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::InSync);
  store_->unregisterServer("dns-3");
}

// A server that declined a zone (another hosted zone of that name is served
// there) is not waited for, until it reports the zone served or registers afresh.
TEST_F(StoreTest, DeclinedZonesDoNotWaitForThatServer) {
  store_->registerServer("dns-1");
  store_->registerServer("dns-2");
  auto info = ok(apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  store_->markServedBy("dns-1", id_, info.serial);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::Pending);
  store_->markDeclinedBy("dns-2", id_);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::InSync);
  // dns-2 serves the zone now: its changes wait for dns-2 again.
  store_->markServedBy("dns-2", id_, info.serial);
  auto next = ok(apply({create(rset("b.example.com.", RRType::A, 60, {"192.0.2.2"}))}));
  store_->markServedBy("dns-1", id_, next.serial);
  EXPECT_EQ(ok(store_->getChange(next.id)).status, ChangeStatus::Pending);
  // Declined again, then registered afresh (a restart): waited for again.
  store_->markDeclinedBy("dns-2", id_);
  EXPECT_EQ(ok(store_->getChange(next.id)).status, ChangeStatus::InSync);
  store_->registerServer("dns-2");
  auto third = ok(apply({create(rset("c.example.com.", RRType::A, 60, {"192.0.2.3"}))}));
  store_->markServedBy("dns-1", id_, third.serial);
  EXPECT_EQ(ok(store_->getChange(third.id)).status, ChangeStatus::Pending);
  // A decline names one zone only.
  store_->markDeclinedBy("dns-2", "ZOTHER");
  EXPECT_EQ(ok(store_->getChange(third.id)).status, ChangeStatus::Pending);
  store_->unregisterServer("dns-2");
  EXPECT_EQ(ok(store_->getChange(third.id)).status, ChangeStatus::InSync);
}

TEST_F(StoreTest, ServedSerialUsesRfc1982) {
  // Two steps: 2^32-1 is "before" 2 in RFC 1982 terms, 2^31 is after it.
  ok(apply({upsert(
      rset("example.com.", RRType::SOA, 300, {"ns.example.com. admin.example.com. 2147483648 1 2 3 4"}))}));
  ok(apply({upsert(
      rset("example.com.", RRType::SOA, 300, {"ns.example.com. admin.example.com. 4294967295 1 2 3 4"}))}));
  store_->registerServer("dns-1");
  auto info = ok(apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  EXPECT_EQ(info.serial, 0U);
  store_->markServedBy("dns-1", id_, 4294967295U);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::Pending);
  store_->markServedBy("dns-1", id_, 3);  // 3 is after 0 (and after 2^32-1)
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::InSync);
}

TEST_F(StoreTest, LocalServerReportsWithTwoArgumentForm) {
  store_->registerServer("local");
  auto info = ok(apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  EXPECT_EQ(info.status, ChangeStatus::Pending);
  store_->markServed(id_, info.serial);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::InSync);
}

// Registrations live in a file beside the store (`zones.db-servers`), so every
// process (here: a second store object on the same file) sees every server.
TEST_F(StoreTest, ServersAreSharedByEveryStoreOnTheFile) {
  auto other = openStore(dir_.file("zones.db"), 43);
  ASSERT_NE(other, nullptr);
  other->registerServer("dns-b");
  auto info = ok(apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  EXPECT_EQ(info.status, ChangeStatus::Pending);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::Pending);
  other->markServedBy("dns-b", id_, info.serial);
  EXPECT_EQ(ok(store_->getChange(info.id)).status, ChangeStatus::InSync);
  other->unregisterServer("dns-b");
  EXPECT_EQ(ok(apply({create(rset("b.example.com.", RRType::A, 60, {"192.0.2.2"}))})).status,
            ChangeStatus::InSync);
}

TEST(StoreServers, StaleOrDeadServersAreNotWaitedFor) {
  TempDir dir;
  auto t = std::make_shared<std::atomic<std::int64_t>>(1000);
  SqliteStoreOptions o;
  o.path = dir.file("zones.db");
  o.seed = 7;
  o.clock = [t] { return t->load(); };
  auto opened = SqliteZoneStore::open(o);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& s = **opened;
  const auto id = ok(s.createZone({name("example.com."), "r", ""})).id;
  auto change = [&](const char* owner) {
    return ok(s.applyChanges(id, batch({create(rset(owner, RRType::A, 60, {"192.0.2.1"}))})));
  };
  s.registerServer("dns-1");
  t->store(1004);  // heartbeat 4 s old: live
  auto c1 = change("a.example.com.");
  EXPECT_EQ(c1.status, ChangeStatus::Pending);
  t->store(1006);  // 6 s without a heartbeat: not live, nothing to wait for
  EXPECT_EQ(ok(s.getChange(c1.id)).status, ChangeStatus::InSync);
  s.heartbeat("dns-1");  // back: registered again
  auto c2 = change("b.example.com.");
  EXPECT_EQ(c2.status, ChangeStatus::Pending);
  // A process that no longer exists (a pid above any pid_max) is not live either.
  {
    auto db = sqlite::Database::open(o.path + "-servers");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->exec("UPDATE servers SET pid=2147483646").ok());
  }
  EXPECT_EQ(ok(s.getChange(c2.id)).status, ChangeStatus::InSync);
}

TEST(StoreJournal, PrunedToTheLastChangesOfEachZone) {
  TempDir dir;
  SqliteStoreOptions o;
  o.path = dir.file("zones.db");
  o.seed = 9;
  o.clock = [] { return std::int64_t{1700000000}; };
  o.journalKeep = 20;
  auto opened = SqliteZoneStore::open(o);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& s = **opened;
  const auto a = ok(s.createZone({name("a.example."), "ra", ""}));
  const auto b = ok(s.createZone({name("b.example."), "rb", ""}));
  std::vector<ChangeInfo> changes;
  for (int i = 0; i < 100; ++i) {
    changes.push_back(ok(s.applyChanges(
        a.id, batch({create(rset(fmt::format("h{}.a.example.", i), RRType::A, 60, {"192.0.2.1"}))}))));
  }
  const auto other =
      ok(s.applyChanges(b.id, batch({create(rset("x.b.example.", RRType::A, 60, {"192.0.2.2"}))})));
  // Old changes are gone (AWS: NoSuchChange), recent ones and other zones' stay.
  EXPECT_EQ(err(s.getChange(changes.front().id)).code, ErrorCode::NoSuchChange);
  EXPECT_EQ(err(s.getChange(changes[60].id)).code, ErrorCode::NoSuchChange);
  EXPECT_EQ(ok(s.getChange(changes.back().id)).id, changes.back().id);
  EXPECT_EQ(ok(s.getChange(changes[100 - 20].id)).id, changes[100 - 20].id);
  EXPECT_EQ(ok(s.getChange(other.id)).id, other.id);
  // The journal keeps between journalKeep and journalKeep + kPruneEvery - 1 entries,
  // and does not chain from a serial older than that: a server so far behind reloads.
  const auto j = ok(s.journal(a.id, a.serial));
  EXPECT_GE(j.size(), 20U);
  EXPECT_LT(j.size(), 20U + SqliteZoneStore::kPruneEvery);
  EXPECT_NE(j.front().serialBefore, a.serial);
  EXPECT_EQ(j.back().serial, changes.back().serial);
  for (std::size_t i = 1; i < j.size(); ++i) EXPECT_EQ(j[i].serialBefore, j[i - 1].serial);
}

TEST_F(StoreTest, ListenerCalledAfterCommit) {
  std::vector<std::pair<std::string, std::uint32_t>> calls;
  store_->setListener([&](const std::string& zone, std::uint32_t s) {
    // The listener may read the store (no lock held).
    EXPECT_EQ(ok(store_->getZone(zone)).serial, s);
    calls.emplace_back(zone, s);
  });
  ok(apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  (void)apply({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))});  // rejected: no call
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0], std::make_pair(id_, std::uint32_t{2}));
}

// ---- durability and files ------------------------------------------------------------

TEST(StoreFiles, ReopenKeepsEverything) {
  TempDir dir;
  std::string id;
  std::string changeId;
  {
    auto s = openStore(dir.file("z.db"));
    id = ok(s->createZone({name("example.com."), "ref", "c"})).id;
    changeId =
        ok(s->applyChanges(id, batch({create(rset("a.example.com.", RRType::A, 60, {"192.0.2.1"}))}))).id;
    ok(s->changeTags(TagResource::HostedZone, id, {{"k", "v"}}, {}));
  }
  auto s = openStore(dir.file("z.db"), 99);
  auto z = ok(s->getZone(id));
  EXPECT_EQ(z.serial, 2U);
  EXPECT_EQ(z.recordSetCount, 3U);
  EXPECT_EQ(ok(s->listRecordSets(id, std::nullopt, 10)).recordSets.size(), 3U);
  EXPECT_EQ(ok(s->getChange(changeId)).serial, 2U);
  EXPECT_EQ(ok(s->tags(TagResource::HostedZone, id)), (Tags{{"k", "v"}}));
  EXPECT_EQ(err(s->createZone({name("x.com."), "ref", ""})).code, ErrorCode::HostedZoneAlreadyExists);
}

TEST(StoreFiles, DataDirAndDatabaseAreOwnerOnly) {
  TempDir dir;
  const std::string data = dir.file("data");
  auto path = SqliteZoneStore::prepareDataDir(data);
  ASSERT_TRUE(path.ok()) << path.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(data.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
  auto s = openStore(*path);
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  ok(s->createZone({name("example.com."), "r", ""}));
  for (const char* suffix : {"-wal", "-shm"}) {  // SQLite gives them the database's mode
    ASSERT_EQ(::stat((*path + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600U) << suffix;
  }
  // A database file others can read is tightened to 0600 at open.
  s.reset();
  ASSERT_EQ(::chmod(path->c_str(), 0644), 0);
  s = openStore(*path);
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  // A directory others can read is refused.
  const std::string open = dir.file("open");
  ASSERT_EQ(::mkdir(open.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(open.c_str(), 0755), 0);
  EXPECT_FALSE(SqliteZoneStore::prepareDataDir(open).ok());
}

TEST(StoreFiles, NewerSchemaRefused) {
  TempDir dir;
  { auto s = openStore(dir.file("z.db")); }
  {
    auto db = sqlite::Database::open(dir.file("z.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->exec("UPDATE schema_version SET version=99").ok());
  }
  SqliteStoreOptions o;
  o.path = dir.file("z.db");
  auto s = SqliteZoneStore::open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("schema version 99"), std::string::npos) << s.error().message;
}

TEST(StoreFiles, UnopenablePathIsAnError) {
  SqliteStoreOptions o;
  o.path = "/nonexistent-dir/zones.db";
  auto s = SqliteZoneStore::open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("/nonexistent-dir/zones.db"), std::string::npos);
}

}  // namespace
}  // namespace zk::store

namespace zk::store {
namespace {

using namespace zk::store::testing;
using wire::RRType;

TEST(StoreImport, WholeZoneInOneTransactionWithoutBatchLimits) {
  TempDir dir;
  auto s = openStore(dir.file("z.db"));
  std::vector<RecordSet> sets;
  sets.push_back(
      rset("example.com.", RRType::SOA, 3600, {"ns1.example.com. admin.example.com. 2024010101 1 2 3 4"}));
  sets.push_back(rset("example.com.", RRType::NS, 3600, {"ns1.example.com."}));
  for (int i = 0; i < 1500; ++i) {
    sets.push_back(rset(fmt::format("h{}.example.com.", i), RRType::A, 60, {"192.0.2.1"}));
  }
  sets.push_back(aliasSet("example.com.", RRType::A, "", "h1.example.com."));
  auto z = ok(s->importZone({name("example.com."), "imp", ""}, sets));
  EXPECT_EQ(z.recordSetCount, 1503U);
  EXPECT_EQ(z.serial, 2024010101U);
  EXPECT_FALSE(z.changeId.empty());
  auto c = ok(s->zoneContents(z.id));
  ASSERT_EQ(c.recordSets.size(), 1503U);
  EXPECT_EQ(c.recordSets[0].type, RRType::A);  // com.example. A (the alias) first
  ASSERT_TRUE(c.recordSets[0].alias);
  EXPECT_EQ(c.recordSets[0].alias->hostedZoneId, z.id);
  EXPECT_EQ(wire::rdataToText(RRType::NS, c.recordSets[1].rdata[0]), "ns1.example.com.");
}

// A zone file's ALIAS becomes A and AAAA aliases into the new zone: their targets
// are not checked (an ELB's name, an in-zone name with an A set only), while
// batches through applyChanges are (tests/unit/api/change_batch_rules_test.cc).
TEST(StoreImport, ZoneFileAliasTargetsAreNotChecked) {
  TempDir dir;
  auto s = openStore(dir.file("z.db"));
  std::vector<RecordSet> sets{
      rset("example.com.", RRType::SOA, 3600, {"ns1.example.com. admin.example.com. 1 1 2 3 4"}),
      rset("example.com.", RRType::NS, 3600, {"ns1.example.com."}),
      rset("app.example.com.", RRType::A, 60, {"192.0.2.1"}),
      aliasSet("example.com.", RRType::A, "", "lb.example.net."),
      aliasSet("example.com.", RRType::AAAA, "", "lb.example.net."),
      aliasSet("www.example.com.", RRType::A, "", "app.example.com."),
      aliasSet("www.example.com.", RRType::AAAA, "", "app.example.com.")};
  auto z = ok(s->importZone({name("example.com."), "imp", ""}, sets));
  EXPECT_EQ(z.recordSetCount, 7U);
  // The same alias through a batch is checked: app has no AAAA.
  ChangeBatch batch;
  batch.changes.push_back(
      {ChangeAction::Create, aliasSet("v6.example.com.", RRType::AAAA, z.id, "app.example.com.")});
  auto e = err(s->applyChanges(z.id, batch));
  EXPECT_EQ(e.code, ErrorCode::InvalidChangeBatch);
  ASSERT_EQ(e.messages.size(), 1U);
  EXPECT_EQ(e.messages[0], "Tried to create an alias that targets app.example.com., type AAAA in zone " +
                               z.id + ", but that target was not found");
}

TEST(StoreImport, InvalidZoneCreatesNothing) {
  TempDir dir;
  auto s = openStore(dir.file("z.db"));
  std::vector<RecordSet> sets{rset("x.example.com.", RRType::CNAME, 60, {"y.example.com."}),
                              rset("x.example.com.", RRType::A, 60, {"192.0.2.1"})};
  auto e = err(s->importZone({name("example.com."), "imp", ""}, sets));
  EXPECT_EQ(e.code, ErrorCode::InvalidChangeBatch);
  EXPECT_EQ(e.messages.size(), 1U);
  EXPECT_TRUE(ok(s->listZones()).empty());
  // The caller reference was not used up either.
  ok(s->importZone({name("example.com."), "imp", ""}, {}));
}

TEST(StoreFiles, DatabaseIsInWalMode) {
  TempDir dir;
  auto s = openStore(dir.file("z.db"));
  auto db = sqlite::Database::open(dir.file("z.db"));
  ASSERT_TRUE(db.ok());
  auto st = (*db)->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE((*st)->step());
  EXPECT_EQ((*st)->columnText(0), "wal");
}

}  // namespace
}  // namespace zk::store

namespace zk::store {
namespace {

using namespace zk::store::testing;
using wire::RRType;

TEST(StoreThreads, ConcurrentBatchesGetDistinctSerials) {
  TempDir dir;
  auto s = openStore(dir.file("z.db"));
  const auto id = ok(s->createZone({name("example.com."), "r", ""})).id;
  constexpr int kThreads = 4;
  constexpr int kBatches = 8;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::uint32_t>> serials(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        auto r = s->applyChanges(
            id,
            batch({create(rset(fmt::format("t{}-{}.example.com.", t, b), RRType::A, 60, {"192.0.2.1"}))}));
        if (r.index() == 0) serials[static_cast<std::size_t>(t)].push_back(std::get<0>(r).serial);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::uint32_t> all;
  for (const auto& v : serials) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kBatches));
  EXPECT_EQ(*all.begin(), 2U);
  EXPECT_EQ(*all.rbegin(), static_cast<std::uint32_t>(1 + kThreads * kBatches));
  EXPECT_EQ(ok(s->getZone(id)).recordSetCount, static_cast<std::uint64_t>(2 + kThreads * kBatches));
}

}  // namespace
}  // namespace zk::store

namespace zk::store {
namespace {

using namespace zk::store::testing;
using wire::RRType;

// Checkpoints run in the background: the WAL stays small without the
// committing call doing the checkpoint.
TEST(StoreFiles, BackgroundCheckpointKeepsTheWalSmall) {
  TempDir dir;
  SqliteStoreOptions o;
  o.path = dir.file("z.db");
  o.seed = 3;
  o.checkpointPages = 8;
  auto s = SqliteZoneStore::open(o);
  ASSERT_TRUE(s.ok());
  const auto id = ok((*s)->createZone({name("example.com."), "r", ""})).id;
  std::uintmax_t largest = 0;
  for (int i = 0; i < 150; ++i) {
    ok((*s)->applyChanges(id, batch({create(rset(fmt::format("h{}.example.com.", i), RRType::TXT, 60,
                                                 {"\"" + std::string(200, 'x') + "\""}))})));
    largest = std::max(largest, std::filesystem::file_size(o.path + "-wal"));
  }
  // 150 batches write some 600 pages (2.4 MB) of WAL; checkpoints every 8 pages
  // let the WAL restart from the top.
  EXPECT_LT(largest, 1024U * 1024U) << "WAL was never checkpointed";
  EXPECT_EQ(ok((*s)->getZone(id)).recordSetCount, 152U);
  s->reset();
  auto again = openStore(o.path);
  EXPECT_EQ(ok(again->getZone(id)).serial, 151U);
}

}  // namespace
}  // namespace zk::store

namespace zk::store {
namespace {

using namespace zk::store::testing;
using wire::RRType;

// Group commit: batches that arrive while a commit is in progress share the
// next transaction (one fsync); a failing batch in a group is rolled back alone.
TEST(StoreGroupCommit, WaitingBatchesShareOneCommitAndFailAlone) {
  TempDir dir;
  std::atomic<SqliteZoneStore*> self{nullptr};
  std::atomic<int> groups{0};
  std::vector<std::size_t> sizes;
  SqliteStoreOptions o;
  o.path = dir.file("z.db");
  o.seed = 7;
  o.beforeGroupCommit = [&](std::size_t n) {
    sizes.push_back(n);
    // Hold the first group until the other seven callers are queued.
    if (groups.fetch_add(1) == 0) {
      for (int i = 0; i < 5000 && self.load()->queuedBatches() < 7; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  auto opened = SqliteZoneStore::open(o);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto s = std::move(*opened);
  self = s.get();
  const auto id = ok(s->createZone({name("example.com."), "r", ""})).id;
  std::vector<std::uint32_t> listened;
  std::mutex listenedMutex;
  s->setListener([&](const std::string&, std::uint32_t serial) {
    std::lock_guard lock(listenedMutex);
    listened.push_back(serial);
  });

  // Thread 0 goes first and becomes the leader of a group of one, held in
  // the hook; threads 1-7 queue meanwhile and commit together. Threads 3
  // and 5 send batches that fail (DELETE of a set that does not exist).
  std::vector<StoreResult<ChangeInfo>> results(8, StoreError{ErrorCode::Internal, {}});
  auto work = [&](int t) {
    Change c = t == 3 || t == 5
                   ? del(rset(fmt::format("missing{}.example.com.", t), RRType::A, 60, {"192.0.2.1"}))
                   : create(rset(fmt::format("t{}.example.com.", t), RRType::A, 60, {"192.0.2.1"}));
    results[static_cast<std::size_t>(t)] = s->applyChanges(id, batch({c}));
  };
  std::vector<std::thread> threads;
  threads.emplace_back(work, 0);
  while (groups.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int t = 1; t < 8; ++t) threads.emplace_back(work, t);
  for (auto& th : threads) th.join();

  ASSERT_EQ(sizes.size(), 2U);
  EXPECT_EQ(sizes[0], 1U);
  EXPECT_EQ(sizes[1], 7U);
  const auto stats = s->groupCommitStats();
  EXPECT_EQ(stats.commits, 2U);
  EXPECT_EQ(stats.batches, 8U);
  std::set<std::uint32_t> serials;
  for (int t = 0; t < 8; ++t) {
    const auto& r = results[static_cast<std::size_t>(t)];
    if (t == 3 || t == 5) {
      EXPECT_EQ(err(r).code, ErrorCode::InvalidChangeBatch) << t;
      continue;
    }
    ASSERT_EQ(r.index(), 0U) << t;
    serials.insert(std::get<ChangeInfo>(r).serial);
    EXPECT_TRUE(ok(s->getChange(std::get<ChangeInfo>(r).id)).id == std::get<ChangeInfo>(r).id);
  }
  // Six batches committed, with consecutive serials after the zone's 1.
  EXPECT_EQ(serials, (std::set<std::uint32_t>{2, 3, 4, 5, 6, 7}));
  const auto zone = ok(s->getZone(id));
  EXPECT_EQ(zone.serial, 7U);
  EXPECT_EQ(zone.recordSetCount, 2U + 6U);
  const auto contents = ok(s->zoneContents(id));
  for (int t = 0; t < 8; ++t) {
    const bool present =
        std::any_of(contents.recordSets.begin(), contents.recordSets.end(),
                    [&](const RecordSet& rs) { return rs.name == name(fmt::format("t{}.example.com.", t)); });
    EXPECT_EQ(present, t != 3 && t != 5) << t;
  }
  // The journal chains through the group: each entry starts at the previous serial.
  auto journal = std::get<std::vector<JournalEntry>>(s->journal(id, 1));
  ASSERT_EQ(journal.size(), 6U);
  for (std::size_t i = 0; i < journal.size(); ++i) EXPECT_EQ(journal[i].serialBefore, 1U + i);
  std::sort(listened.begin(), listened.end());
  EXPECT_EQ(listened, (std::vector<std::uint32_t>{2, 3, 4, 5, 6, 7}));
}

// A group whose batches all fail commits nothing.
TEST(StoreGroupCommit, AllFailingGroupCommitsNothing) {
  TempDir dir;
  auto s = openStore(dir.file("z.db"));
  const auto id = ok(s->createZone({name("example.com."), "r", ""})).id;
  auto r = s->applyChanges(id, batch({del(rset("nope.example.com.", RRType::A, 60, {"192.0.2.1"}))}));
  EXPECT_EQ(err(r).code, ErrorCode::InvalidChangeBatch);
  EXPECT_EQ(s->groupCommitStats().commits, 0U);
  EXPECT_EQ(ok(s->getZone(id)).serial, 1U);
}

}  // namespace
}  // namespace zk::store
