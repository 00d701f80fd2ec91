#include "wire/rrtype.h"

#include <gtest/gtest.h>

namespace zk::wire {
namespace {

TEST(RRType, MnemonicsRoundTrip) {
  for (auto t : {RRType::A,     RRType::NS,    RRType::CNAME, RRType::SOA,    RRType::PTR,  RRType::HINFO,
                 RRType::MX,    RRType::TXT,   RRType::RP,    RRType::AAAA,   RRType::SRV,  RRType::NAPTR,
                 RRType::DNAME, RRType::DS,    RRType::SSHFP, RRType::DNSKEY, RRType::TLSA, RRType::SPF,
                 RRType::CAA,   RRType::ALIAS, RRType::OPT,   RRType::ANY,    RRType::AXFR, RRType::IXFR,
                 RRType::RRSIG, RRType::NSEC}) {
    auto r = typeFromText(typeToText(t));
    ASSERT_TRUE(r.ok()) << typeToText(t);
    EXPECT_EQ(*r, t) << typeToText(t);
  }
  EXPECT_EQ(typeToText(RRType::A), "A");
  EXPECT_EQ(typeToText(RRType::ALIAS), "ALIAS");
  EXPECT_EQ(static_cast<int>(RRType::ALIAS), 65401);
}

TEST(RRType, CaseInsensitive) {
  EXPECT_EQ(*typeFromText("aaaa"), RRType::AAAA);
  EXPECT_EQ(*typeFromText("Cname"), RRType::CNAME);
  EXPECT_EQ(*typeFromText("alias"), RRType::ALIAS);
  EXPECT_EQ(*typeFromText("type1"), RRType::A);
}

TEST(RRType, GenericTypeNumbers) {
  EXPECT_EQ(*typeFromText("TYPE1"), RRType::A);
  EXPECT_EQ(*typeFromText("TYPE65534"), static_cast<RRType>(65534));
  EXPECT_EQ(*typeFromText("TYPE0"), static_cast<RRType>(0));
  EXPECT_EQ(*typeFromText("TYPE65535"), static_cast<RRType>(65535));
  EXPECT_EQ(typeToText(static_cast<RRType>(65534)), "TYPE65534");
  EXPECT_EQ(typeToText(static_cast<RRType>(50)), "TYPE50");
}

TEST(RRType, RejectsBadText) {
  for (const char* bad : {"", "TYPE", "TYPE65536", "TYPE-1", "TYPE1x", "TYPE999999", "AAAAA", "B", "A ",
                          "XXXXXXXXXXXXXXXXXXXXXXXXXXX", "CLASS1"}) {
    auto r = typeFromText(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("unknown record type"), std::string::npos);
    }
  }
}

TEST(RRClass, MnemonicsAndGeneric) {
  EXPECT_EQ(*classFromText("IN"), RRClass::IN);
  EXPECT_EQ(*classFromText("in"), RRClass::IN);
  EXPECT_EQ(*classFromText("ch"), RRClass::CH);
  EXPECT_EQ(*classFromText("HS"), RRClass::HS);
  EXPECT_EQ(*classFromText("NONE"), RRClass::NONE);
  EXPECT_EQ(*classFromText("any"), RRClass::ANY);
  EXPECT_EQ(*classFromText("CLASS1"), RRClass::IN);
  EXPECT_EQ(*classFromText("chaos"), RRClass::CH);
  EXPECT_EQ(*classFromText("HESIOD"), RRClass::HS);
  EXPECT_EQ(classToText(RRClass::HS), "HS");
  EXPECT_EQ(classToText(RRClass::NONE), "NONE");
  EXPECT_EQ(classToText(RRClass::ANY), "ANY");
  EXPECT_EQ(*classFromText("class42"), static_cast<RRClass>(42));
  EXPECT_EQ(classToText(RRClass::IN), "IN");
  EXPECT_EQ(classToText(RRClass::CH), "CH");
  EXPECT_EQ(classToText(static_cast<RRClass>(42)), "CLASS42");
  EXPECT_FALSE(classFromText("INN").ok());
  EXPECT_FALSE(classFromText("CLASS70000").ok());
  EXPECT_FALSE(classFromText("TYPE1").ok());
  EXPECT_FALSE(classFromText("").ok());
}

TEST(RRType, MetaTypes) {
  EXPECT_TRUE(isMetaType(RRType::OPT));
  EXPECT_TRUE(isMetaType(RRType::ANY));
  EXPECT_TRUE(isMetaType(RRType::AXFR));
  EXPECT_TRUE(isMetaType(RRType::IXFR));
  EXPECT_TRUE(isMetaType(static_cast<RRType>(250)));  // TSIG
  EXPECT_TRUE(isMetaType(static_cast<RRType>(0)));
  EXPECT_FALSE(isMetaType(RRType::A));
  EXPECT_FALSE(isMetaType(RRType::CAA));
  EXPECT_FALSE(isMetaType(RRType::ALIAS));
  EXPECT_FALSE(isMetaType(static_cast<RRType>(65534)));
}

}  // namespace
}  // namespace zk::wire
