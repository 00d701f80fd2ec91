#include "api/route53/xml_codec.h"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "api/route53/text.h"

namespace zk::api::xml {
namespace {

constexpr const char* kNs = R"( xmlns="https://route53.amazonaws.com/doc/2013-04-01/")";

std::string req(std::string_view root, std::string_view inner) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + std::string(root) + kNs + ">" + std::string(inner) +
         "</" + std::string(root) + ">";
}

pugi::xml_document parseDoc(const std::string& text) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(text.c_str())) << text;
  EXPECT_STREQ(doc.document_element().attribute("xmlns").value(),
               "https://route53.amazonaws.com/doc/2013-04-01/");
  return doc;
}

store::HostedZone sampleZone() {
  store::HostedZone z;
  z.id = "Z0123456789ABC";
  z.name = *wire::Name::fromText("example.com.");
  z.callerReference = "ref-1";
  z.comment = "a <comment> & more";
  z.recordSetCount = 3;
  z.nameServers = {*wire::Name::fromText("ns1.example.net."), *wire::Name::fromText("ns2.example.net.")};
  return z;
}

TEST(XmlParse, CreateHostedZone) {
  auto r = parseCreateHostedZone(req("CreateHostedZoneRequest",
                                     "<Name>example.com</Name><CallerReference>r1</CallerReference>"
                                     "<HostedZoneConfig><Comment>hi</Comment><PrivateZone>false</PrivateZone>"
                                     "</HostedZoneConfig>"));
  ASSERT_FALSE(isError(r));
  const auto& in = std::get<CreateHostedZoneInput>(r);
  EXPECT_EQ(in.name, "example.com");
  EXPECT_EQ(in.callerReference, "r1");
  EXPECT_EQ(in.comment.value_or(""), "hi");
  EXPECT_FALSE(in.privateZone);
  EXPECT_FALSE(in.hasVpc);
}

TEST(XmlParse, CreateHostedZoneErrors) {
  auto code = [](const std::string& body) {
    auto r = parseCreateHostedZone(body);
    return isError(r) ? std::get<ApiError>(r).code : std::string("ok");
  };
  EXPECT_EQ(code(""), "InvalidInput");
  EXPECT_EQ(code("<CreateHostedZoneRequest><Name>x"), "InvalidInput");  // malformed
  EXPECT_EQ(code(req("Other", "<Name>a</Name><CallerReference>r</CallerReference>")), "InvalidInput");
  EXPECT_EQ(code(req("CreateHostedZoneRequest", "<CallerReference>r</CallerReference>")), "InvalidInput");
  EXPECT_EQ(code(req("CreateHostedZoneRequest", "<Name>a.com</Name>")), "InvalidInput");
  EXPECT_EQ(
      code(req("CreateHostedZoneRequest",
               "<Name>a.com</Name><CallerReference>r</CallerReference><HostedZoneConfig><PrivateZone>maybe"
               "</PrivateZone></HostedZoneConfig>")),
      "InvalidInput");
  // Entities beyond XML's own are not expanded (no DTD processing).
  EXPECT_EQ(code("<!DOCTYPE x [<!ENTITY e \"boom\">]>" +
                 req("CreateHostedZoneRequest", "<Name>&e;.com</Name><CallerReference>r</CallerReference>")),
            "ok");
}

TEST(XmlParse, ChangeBatchWithRecordsAliasAndRoutingElements) {
  const std::string body =
      req("ChangeResourceRecordSetsRequest", R"(<ChangeBatch><Comment>c</Comment><Changes>
    <Change><Action>CREATE</Action><ResourceRecordSet><Name>a.example.com</Name><Type>A</Type><TTL>300</TTL>
      <ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord>
      <ResourceRecord><Value>192.0.2.2</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>
    <Change><Action>UPSERT</Action><ResourceRecordSet><Name>example.com</Name><Type>A</Type>
      <AliasTarget><HostedZoneId>Z2</HostedZoneId><DNSName>lb.example.net</DNSName>
      <EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></Change>
    <Change><Action>DELETE</Action><ResourceRecordSet><Name>w.example.com</Name><Type>A</Type>
      <SetIdentifier>one</SetIdentifier><Weight>10</Weight><TTL>60</TTL>
      <ResourceRecords><ResourceRecord><Value>192.0.2.9</Value></ResourceRecord></ResourceRecords>
    </ResourceRecordSet></Change></Changes></ChangeBatch>)");
  auto r = parseChangeResourceRecordSets(body);
  ASSERT_FALSE(isError(r)) << std::get<ApiError>(r).message;
  const auto& b = std::get<ChangeBatchInput>(r);
  EXPECT_EQ(b.comment, "c");
  ASSERT_EQ(b.changes.size(), 3u);
  EXPECT_EQ(b.changes[0].action, "CREATE");
  EXPECT_EQ(b.changes[0].recordSet.ttl, 300);
  EXPECT_EQ(b.changes[0].recordSet.values, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  ASSERT_TRUE(b.changes[1].recordSet.alias.has_value());
  EXPECT_EQ(b.changes[1].recordSet.alias->hostedZoneId, "Z2");
  EXPECT_TRUE(b.changes[1].recordSet.alias->evaluateTargetHealth);
  EXPECT_EQ(b.changes[2].recordSet.unsupported, (std::vector<std::string>{"SetIdentifier", "Weight"}));
}

TEST(XmlParse, ChangeBatchErrors) {
  auto code = [](std::string_view inner) {
    auto r = parseChangeResourceRecordSets(req("ChangeResourceRecordSetsRequest", inner));
    return isError(r) ? std::get<ApiError>(r).code : std::string("ok");
  };
  EXPECT_EQ(code(""), "InvalidInput");
  EXPECT_EQ(code("<ChangeBatch><Changes></Changes></ChangeBatch>"), "InvalidInput");
  EXPECT_EQ(code("<ChangeBatch><Changes><Change><Action>CREATE</Action></Change></Changes></ChangeBatch>"),
            "InvalidInput");
  EXPECT_EQ(
      code("<ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet><Name>a</Name><Type>A"
           "</Type><TTL>-1</TTL></ResourceRecordSet></Change></Changes></ChangeBatch>"),
      "InvalidInput");
  EXPECT_EQ(code("<ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet><Bogus/>"
                 "</ResourceRecordSet></Change></Changes></ChangeBatch>"),
            "InvalidInput");
  EXPECT_EQ(
      code("<ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet><AliasTarget>"
           "<HostedZoneId>Z</HostedZoneId><DNSName>x</DNSName></AliasTarget></ResourceRecordSet></Change>"
           "</Changes></ChangeBatch>"),
      "InvalidInput");
}

TEST(XmlParse, CommentTagsAndResourceIds) {
  auto c = parseUpdateHostedZoneComment(req("UpdateHostedZoneCommentRequest", "<Comment>new</Comment>"));
  ASSERT_FALSE(isError(c));
  EXPECT_EQ(std::get<std::string>(c), "new");
  auto t = parseChangeTagsForResource(req("ChangeTagsForResourceRequest",
                                          "<AddTags><Tag><Key>k</Key><Value>v</Value></Tag></AddTags>"
                                          "<RemoveTagKeys><Key>old</Key></RemoveTagKeys>"));
  ASSERT_FALSE(isError(t));
  EXPECT_EQ(std::get<ChangeTagsInput>(t).add, (store::Tags{{"k", "v"}}));
  EXPECT_EQ(std::get<ChangeTagsInput>(t).removeKeys, (std::vector<std::string>{"old"}));
  auto bad = parseChangeTagsForResource(
      req("ChangeTagsForResourceRequest", "<AddTags><Tag><Value>v</Value></Tag></AddTags>"));
  EXPECT_TRUE(isError(bad));
  auto ids = parseListTagsForResources(
      req("ListTagsForResourcesRequest",
          "<ResourceIds><ResourceId>Z1</ResourceId><ResourceId>Z2</ResourceId></ResourceIds>"));
  ASSERT_FALSE(isError(ids));
  EXPECT_EQ(std::get<std::vector<std::string>>(ids), (std::vector<std::string>{"Z1", "Z2"}));
  EXPECT_TRUE(isError(parseListTagsForResources(req("ListTagsForResourcesRequest", "<ResourceIds/>"))));
}

// Comment, AddTags and RemoveTagKeys are optional members: botocore sends no
// body at all without them.
TEST(XmlParse, OptionalBodiesMayBeEmpty) {
  for (std::string_view body : {std::string_view(""), std::string_view(" \r\n")}) {
    auto c = parseUpdateHostedZoneComment(body);
    ASSERT_FALSE(isError(c));
    EXPECT_EQ(std::get<std::string>(c), "");
    auto t = parseChangeTagsForResource(body);
    ASSERT_FALSE(isError(t));
    EXPECT_TRUE(std::get<ChangeTagsInput>(t).add.empty());
    EXPECT_TRUE(std::get<ChangeTagsInput>(t).removeKeys.empty());
  }
  auto noComment = parseUpdateHostedZoneComment(req("UpdateHostedZoneCommentRequest", ""));
  ASSERT_FALSE(isError(noComment));
  EXPECT_EQ(std::get<std::string>(noComment), "");
  auto noTags = parseChangeTagsForResource(req("ChangeTagsForResourceRequest", ""));
  ASSERT_FALSE(isError(noTags));
  EXPECT_TRUE(std::get<ChangeTagsInput>(noTags).add.empty());
  // Still XML when there is something: a wrong root or junk is refused.
  EXPECT_TRUE(isError(parseUpdateHostedZoneComment(req("ChangeTagsForResourceRequest", ""))));
  EXPECT_TRUE(isError(parseUpdateHostedZoneComment("junk")));
  EXPECT_TRUE(isError(parseChangeTagsForResource("<x")));
}

TEST(XmlWrite, CreateHostedZoneShape) {
  CreateHostedZoneOutput out{sampleZone(), {}};
  out.change.id = "C1";
  out.change.submittedAt = 0;
  auto doc = parseDoc(writeCreateHostedZone(out));
  auto root = doc.child("CreateHostedZoneResponse");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.child("HostedZone").child_value("Id"), "/hostedzone/Z0123456789ABC");
  EXPECT_STREQ(root.child("HostedZone").child_value("Name"), "example.com.");
  EXPECT_STREQ(root.child("HostedZone").child("Config").child_value("Comment"), "a <comment> & more");
  EXPECT_STREQ(root.child("HostedZone").child_value("ResourceRecordSetCount"), "3");
  EXPECT_STREQ(root.child("ChangeInfo").child_value("Id"), "/change/C1");
  EXPECT_STREQ(root.child("ChangeInfo").child_value("Status"), "PENDING");
  EXPECT_STREQ(root.child("ChangeInfo").child_value("SubmittedAt"), "1970-01-01T00:00:00.000Z");
  auto ns = root.child("DelegationSet").child("NameServers");
  EXPECT_STREQ(ns.first_child().child_value(), "ns1.example.net");
}

TEST(XmlWrite, ListsAndPaging) {
  ListHostedZonesOutput l;
  l.zones = {sampleZone()};
  l.marker = "";
  l.nextMarker = "Z2";
  l.maxItems = 1;
  auto d = parseDoc(writeListHostedZones(l));
  auto root = d.child("ListHostedZonesResponse");
  EXPECT_STREQ(root.child_value("IsTruncated"), "true");
  EXPECT_STREQ(root.child_value("NextMarker"), "Z2");
  EXPECT_STREQ(root.child_value("MaxItems"), "1");
  EXPECT_TRUE(root.child("Marker"));

  ListHostedZonesByNameOutput b;
  b.dnsName = *wire::Name::fromText("example.com.");
  b.nextDnsName = *wire::Name::fromText("\\*.z.com.");
  b.nextHostedZoneId = "Z9";
  auto bd = parseDoc(writeListHostedZonesByName(b));
  auto broot = bd.child("ListHostedZonesByNameResponse");
  EXPECT_STREQ(broot.child_value("DNSName"), "example.com.");
  EXPECT_STREQ(broot.child_value("NextDNSName"), "\\052.z.com.");
  EXPECT_STREQ(broot.child_value("NextHostedZoneId"), "Z9");
  EXPECT_STREQ(broot.child_value("IsTruncated"), "true");

  ListRecordSetsOutput rs;
  store::RecordSet txt{*wire::Name::fromText("*.example.com."), wire::RRType::TXT, 60, {}, std::nullopt, {}};
  txt.rdata.push_back(*parseRecordValue(wire::RRType::TXT, "\"v=1\""));
  store::RecordSet alias{*wire::Name::fromText("example.com."), wire::RRType::A, 0, {}, std::nullopt, {}};
  alias.alias = store::AliasTarget{"Z2", *wire::Name::fromText("lb.example.net."), false};
  rs.recordSets = {alias, txt};
  rs.next = store::RecordSetKey{*wire::Name::fromText("z.example.com."), wire::RRType::AAAA};
  rs.maxItems = 2;
  auto rd = parseDoc(writeListResourceRecordSets(rs));
  auto rroot = rd.child("ListResourceRecordSetsResponse");
  auto first = rroot.child("ResourceRecordSets").first_child();
  EXPECT_STREQ(first.child("AliasTarget").child_value("DNSName"), "lb.example.net.");
  EXPECT_STREQ(first.child("AliasTarget").child_value("EvaluateTargetHealth"), "false");
  EXPECT_FALSE(first.child("TTL"));
  auto second = first.next_sibling();
  EXPECT_STREQ(second.child_value("Name"), "\\052.example.com.");
  EXPECT_STREQ(second.child_value("TTL"), "60");
  EXPECT_STREQ(second.child("ResourceRecords").child("ResourceRecord").child_value("Value"), "\"v=1\"");
  EXPECT_STREQ(rroot.child_value("NextRecordName"), "z.example.com.");
  EXPECT_STREQ(rroot.child_value("NextRecordType"), "AAAA");
  EXPECT_STREQ(rroot.child_value("IsTruncated"), "true");
}

TEST(XmlWrite, SmallResponses) {
  store::ChangeInfo c;
  c.id = "C9";
  c.status = store::ChangeStatus::InSync;
  c.submittedAt = 1700000000;
  c.comment = "x";
  for (const auto& [text, root] : {std::pair{writeGetChange(c), "GetChangeResponse"},
                                   {writeChangeResourceRecordSets(c), "ChangeResourceRecordSetsResponse"},
                                   {writeDeleteHostedZone(c), "DeleteHostedZoneResponse"}}) {
    auto d = parseDoc(text);
    auto info = d.child(root).child("ChangeInfo");
    EXPECT_STREQ(info.child_value("Status"), "INSYNC") << root;
    EXPECT_STREQ(info.child_value("SubmittedAt"), "2023-11-14T22:13:20.000Z");
    EXPECT_STREQ(info.child_value("Comment"), "x");
  }
  EXPECT_STREQ(
      parseDoc(writeGetHostedZoneCount(7)).child("GetHostedZoneCountResponse").child_value("HostedZoneCount"),
      "7");
  EXPECT_TRUE(parseDoc(writeChangeTagsForResource()).child("ChangeTagsForResourceResponse"));
  EXPECT_TRUE(
      parseDoc(writeGetHostedZone(sampleZone())).child("GetHostedZoneResponse").child("DelegationSet"));
  EXPECT_TRUE(parseDoc(writeUpdateHostedZoneComment(sampleZone()))
                  .child("UpdateHostedZoneCommentResponse")
                  .child("HostedZone"));
  TagSet t{"hostedzone", "Z1", {{"k", "v"}}};
  // Keep each document alive while its nodes are used.
  const auto oneDoc = parseDoc(writeListTagsForResource(t));
  auto one = oneDoc.child("ListTagsForResourceResponse").child("ResourceTagSet");
  EXPECT_STREQ(one.child_value("ResourceType"), "hostedzone");
  EXPECT_STREQ(one.child("Tags").child("Tag").child_value("Key"), "k");
  const auto manyDoc = parseDoc(writeListTagsForResources({t, t}));
  auto many = manyDoc.child("ListTagsForResourcesResponse").child("ResourceTagSets");
  EXPECT_EQ(std::distance(many.begin(), many.end()), 2);
}

TEST(XmlWrite, ErrorResponse) {
  auto d =
      parseDoc(writeError(makeError(404, "NoSuchHostedZone", "No hosted zone found with ID: Z1"), "req-1"));
  auto root = d.child("ErrorResponse");
  EXPECT_STREQ(root.child("Error").child_value("Type"), "Sender");
  EXPECT_STREQ(root.child("Error").child_value("Code"), "NoSuchHostedZone");
  EXPECT_STREQ(root.child("Error").child_value("Message"), "No hosted zone found with ID: Z1");
  EXPECT_STREQ(root.child_value("RequestId"), "req-1");
  auto batch = invalidChangeBatch({"one", "two"});
  EXPECT_EQ(batch.message, "[one, two]");
  const auto rDoc = parseDoc(writeError(internalError("disk"), "r"));
  auto r = rDoc.child("ErrorResponse");
  EXPECT_STREQ(r.child("Error").child_value("Type"), "Receiver");
}

}  // namespace
}  // namespace zk::api::xml
