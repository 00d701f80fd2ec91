#include "wire/message.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/encoding.h"

namespace zk::wire {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf hex(std::string_view text) {
  std::string clean;
  for (char c : text) {
    if (c != ' ' && c != '\n') clean.push_back(c);
  }
  Buf out;
  auto st = hexDecode(clean, out);
  EXPECT_TRUE(st.ok()) << text;
  return out;
}

Name N(std::string_view text) {
  auto r = Name::fromText(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : Name();
}

Buf nameWire(std::string_view text) {
  auto n = N(text);
  return Buf(n.bytes().begin(), n.bytes().end());
}

Buf readFile(const std::string& rel) {
  std::ifstream f(std::string(ZK_SOURCE_DIR) + "/" + rel, std::ios::binary);
  EXPECT_TRUE(f.good()) << rel;
  return Buf(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::string parseError(const Buf& wire) {
  auto r = MessageView::parse(wire);
  return r.ok() ? std::string("<parsed>") : r.error().message;
}

std::vector<RecordView> allRecords(const MessageView& v) {
  std::vector<RecordView> out;
  v.forEachRecord([&](const RecordView& rv) {
    out.push_back(rv);
    return true;
  });
  return out;
}

Buf expandedRdata(const RecordView& rv) {
  Buf out;
  auto st = rv.rdata(out);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return out;
}

// A hand-assembled authoritative response (RFC 1035 section 4.1 layout) using
// compression in owners and in CNAME/NS RDATA:
//   www.example.com. CNAME web.example.com. ; web.example.com. A 192.0.2.1
//   example.com. NS ns1.example.com. ; ns1.example.com. A 192.0.2.53 ; OPT DO 4096
const char* kResponse =
    "1234 8580 0001 0002 0001 0002"
    "03777777 076578616d706c65 03636f6d 00 0001 0001"  // question at 12
    "c00c 0005 0001 00000e10 0006 03776562 c010"       // CNAME at 33, rdata at 45
    "c02d 0001 0001 0000012c 0004 c0000201"            // A at 51
    "c010 0002 0001 00015180 0006 036e7331 c010"       // NS at 67, rdata at 79
    "c04f 0001 0001 00015180 0004 c0000235"            // glue at 85
    "00 0029 1000 00008000 0000";                      // OPT at 101

// ---------------------------------------------------------------------------
// Parsing real and hand-made messages

TEST(MessageView, ParsesDigQueryWithCookie) {
  // Captured from `dig www.example.com A` (BIND 9.18): EDNS 1232, cookie option.
  auto wire = readFile("tests/fuzz/corpus/fuzz_message/dig_a_cookie.bin");
  auto r = MessageView::parse(wire);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& v = *r;
  EXPECT_FALSE(v.header().qr);
  EXPECT_TRUE(v.header().rd);
  EXPECT_TRUE(v.header().ad);
  EXPECT_EQ(v.header().opcode, 0);
  EXPECT_EQ(v.questionCount(), 1U);
  EXPECT_EQ(v.questionName()->toText(), "www.example.com.");
  EXPECT_EQ(v.question().type, RRType::A);
  EXPECT_EQ(v.question().klass, 1);
  std::array<std::uint8_t, kMaxNameLength> buf;
  std::size_t n = v.expandQuestionName(buf);
  EXPECT_EQ(Buf(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n)), nameWire("www.example.com."));
  EXPECT_EQ(v.optCount(), 1U);
  auto e = v.edns();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->udpPayload, 1232);
  EXPECT_EQ(e->version, 0);
  EXPECT_FALSE(e->dnssecOk);
  int options = 0;
  forEachEdnsOption(e->options, [&](std::uint16_t code, std::span<const std::uint8_t> data) {
    ++options;
    EXPECT_EQ(code, kEdnsOptionCookie);
    EXPECT_EQ(data.size(), 8U);  // client cookie only (RFC 7873 section 4)
    return true;
  });
  EXPECT_EQ(options, 1);
}

TEST(MessageView, ParsesDigQueryWithDoAndManyOptions) {
  // The view points into the buffer: keep it alive.
  auto w1 = readFile("tests/fuzz/corpus/fuzz_message/dig_mx_do_cookie.bin");
  auto v1 = MessageView::parse(w1);
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_TRUE(v1->edns()->dnssecOk);
  EXPECT_EQ(v1->edns()->flags, kEdnsFlagDo);
  EXPECT_EQ(v1->question().type, RRType::MX);

  // dig +nsid +subnet=192.0.2.0/24 +padding=128: three options, padded to 128 octets.
  auto wire = readFile("tests/fuzz/corpus/fuzz_message/dig_nsid_ecs_padding.bin");
  EXPECT_EQ(wire.size(), 128U);
  auto v = MessageView::parse(wire);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->questionName()->toText(), "Example.NET.");  // case kept
  std::vector<std::uint16_t> codes;
  forEachEdnsOption(v->edns()->options, [&](std::uint16_t code, std::span<const std::uint8_t>) {
    codes.push_back(code);
    return true;
  });
  EXPECT_EQ(codes, (std::vector<std::uint16_t>{kEdnsOptionNsid, kEdnsOptionClientSubnet, kEdnsOptionCookie,
                                               kEdnsOptionPadding}));
}

TEST(MessageView, ParsesQueryWithoutEdnsAndWithTsig) {
  auto w = readFile("tests/fuzz/corpus/fuzz_message/dig_noedns_aaaa.bin");
  auto v = MessageView::parse(w);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_FALSE(v->edns().has_value());
  EXPECT_EQ(v->optCount(), 0U);
  EXPECT_EQ(v->recordCount(), 0U);

  // dig -y: OPT then TSIG (type 250, class ANY) in the additional section.
  auto wt = readFile("tests/fuzz/corpus/fuzz_message/dig_tsig.bin");
  auto t = MessageView::parse(wt);
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto recs = allRecords(*t);
  ASSERT_EQ(recs.size(), 2U);
  EXPECT_EQ(recs[0].type, RRType::OPT);
  EXPECT_EQ(static_cast<int>(recs[1].type), 250);
  EXPECT_EQ(recs[1].klass, 255);
  EXPECT_EQ(recs[1].owner()->toText(), "key.");
  EXPECT_EQ(recs[1].section, Section::Additional);
}

TEST(MessageView, ParsesCompressedResponse) {
  auto wire = hex(kResponse);
  auto r = MessageView::parse(wire);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& v = *r;
  EXPECT_TRUE(v.header().qr);
  EXPECT_TRUE(v.header().aa);
  EXPECT_EQ(v.header().id, 0x1234);
  EXPECT_EQ(v.sectionOffset(Section::Answer), 33U);
  EXPECT_EQ(v.sectionOffset(Section::Authority), 67U);
  EXPECT_EQ(v.sectionOffset(Section::Additional), 85U);
  auto recs = allRecords(v);
  ASSERT_EQ(recs.size(), 5U);
  EXPECT_EQ(recs[0].section, Section::Answer);
  EXPECT_EQ(recs[0].type, RRType::CNAME);
  EXPECT_EQ(recs[0].ttl, 3600U);
  EXPECT_EQ(recs[0].owner()->toText(), "www.example.com.");
  EXPECT_EQ(recs[0].rdlength, 6);
  EXPECT_EQ(expandedRdata(recs[0]), nameWire("web.example.com."));
  EXPECT_EQ(recs[1].owner()->toText(), "web.example.com.");
  EXPECT_EQ(expandedRdata(recs[1]), hex("c0000201"));
  EXPECT_EQ(recs[2].section, Section::Authority);
  EXPECT_EQ(expandedRdata(recs[2]), nameWire("ns1.example.com."));
  EXPECT_EQ(recs[3].section, Section::Additional);
  EXPECT_EQ(recs[3].owner()->toText(), "ns1.example.com.");
  EXPECT_EQ(recs[4].type, RRType::OPT);
  auto e = v.edns();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->udpPayload, 4096);
  EXPECT_TRUE(e->dnssecOk);
  EXPECT_TRUE(e->options.empty());
  EXPECT_EQ(v.rcode(), 0);
  // The view's expansion agrees with the RDATA library's.
  for (const auto& rv : recs) {
    Buf mine = expandedRdata(rv);
    Buf theirs;
    ASSERT_TRUE(rdataFromWire(rv.type, wire, rv.rdataOffset, rv.rdlength, theirs).ok());
    EXPECT_EQ(mine, theirs);
  }
  // Early stop, and visitors returning nothing.
  int seen = 0;
  v.forEachRecord([&](const RecordView&) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
  seen = 0;
  v.forEachRecord([&](const RecordView&) { ++seen; });
  EXPECT_EQ(seen, 5);
  v.forEachQuestion([&](const QuestionView& q) { EXPECT_EQ(q.nameOffset, 12U); });
}

TEST(MessageView, ExtendedRcodeCombinesHeaderAndOpt) {
  auto wire =
      hex("0001 8000 0000 0000 0000 0001"
          "00 0029 0200 01000000 0000");  // ext rcode 1, header rcode 0 -> 16 (BADVERS)
  auto v = MessageView::parse(wire);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->rcode(), static_cast<std::uint16_t>(Rcode::BADVERS));
  EXPECT_EQ(v->edns()->extendedRcode, 1);
}

TEST(MessageView, ParseHeaderAlone) {
  auto h = parseHeader(hex("abcd 2910 0001 0002 0003 0004 ffff"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->id, 0xabcd);
  EXPECT_EQ(h->opcode, static_cast<int>(Opcode::UPDATE));
  EXPECT_TRUE(h->rd);
  EXPECT_TRUE(h->cd);
  EXPECT_EQ(h->qdcount, 1);
  EXPECT_EQ(h->arcount, 4);
  EXPECT_FALSE(parseHeader(hex("abcd 2910 0001")).ok());
}

// ---------------------------------------------------------------------------
// Malformed messages: every one is rejected with the first error, nothing crashes.

TEST(MessageViewMalformed, TruncatedHeader) {
  auto wire = hex(kResponse);
  for (std::size_t n = 0; n < kHeaderSize; ++n) {
    Buf cut(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(parseError(cut), "truncated header: " + std::to_string(n) + " octets, need 12");
  }
}

TEST(MessageViewMalformed, EveryTruncationIsRejected) {
  auto wire = hex(kResponse);
  for (std::size_t n = kHeaderSize; n < wire.size(); ++n) {
    Buf cut(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(MessageView::parse(cut).ok()) << "cut at " << n;
  }
  EXPECT_EQ(parseError(Buf(wire.begin(), wire.begin() + 20)),
            "question 1: label runs past the end of the message");
  EXPECT_EQ(parseError(Buf(wire.begin(), wire.begin() + 31)), "question 1: truncated QTYPE/QCLASS");
  EXPECT_EQ(parseError(Buf(wire.begin(), wire.begin() + 40)),
            "record 1 in answer: truncated TYPE/CLASS/TTL/RDLENGTH");
  EXPECT_EQ(parseError(Buf(wire.begin(), wire.begin() + 48)),
            "record 1 in answer: RDLENGTH runs past the end of the message");
  EXPECT_EQ(parseError(Buf(wire.begin(), wire.begin() + 86)),
            "record 1 in additional: owner name: truncated compression pointer");
}

TEST(MessageViewMalformed, RdlengthOverflow) {
  auto wire = hex(kResponse);
  wire[61] = 0x00;
  wire[62] = 0x05;  // the A record's RDLENGTH 4 -> 5: swallows the NS owner's first octet
  EXPECT_EQ(parseError(wire), "record 2 in answer: A RDATA: RDATA longer than its type's fields");
  wire = hex(kResponse);
  wire[110] = 0x00;
  wire[111] = 0x01;  // OPT RDLENGTH 0 -> 1 with no octet left
  EXPECT_EQ(parseError(wire), "record 2 in additional: RDLENGTH runs past the end of the message");
  wire = hex(kResponse);
  wire[110] = 0xff;
  wire[111] = 0xff;
  EXPECT_EQ(parseError(wire), "record 2 in additional: RDLENGTH runs past the end of the message");
}

TEST(MessageViewMalformed, TrailingOctets) {
  auto wire = hex(kResponse);
  wire.push_back(0);
  EXPECT_EQ(parseError(wire), "1 trailing octets after the last record");
  // Counts that announce fewer records than present leave trailing octets too.
  wire = hex(kResponse);
  wire[11] = 1;
  EXPECT_EQ(parseError(wire), "11 trailing octets after the last record");
}

TEST(MessageViewMalformed, PointerLoopInsideRdataName) {
  // CNAME RDATA "web" + pointer to its own first label (45): a loop.
  auto wire = hex(kResponse);
  wire[49] = 0xc0;
  wire[50] = 0x2d;
  EXPECT_EQ(parseError(wire),
            "record 1 in answer: CNAME RDATA: compression pointer does not point backwards");
  // A pointer to itself.
  wire = hex(kResponse);
  wire[49] = 0xc0;
  wire[50] = 0x31;
  EXPECT_EQ(parseError(wire),
            "record 1 in answer: CNAME RDATA: compression pointer does not point backwards");
  // Two pointers that point at each other: 45 -> 47 -> 45 (the second hop goes forwards).
  wire =
      hex("1234 8180 0000 0001 0000 0000"
          "00 0005 0001 00000000 0006 00 c00f c00d 00");  // owner root at 12; rdata at 23
  EXPECT_FALSE(MessageView::parse(wire).ok());
}

TEST(MessageViewMalformed, ForwardPointerAndBadLabelTypes) {
  // Question name pointing forwards (to itself).
  EXPECT_EQ(parseError(hex("0000 0000 0001 0000 0000 0000 c00c 0001 0001")),
            "question 1: compression pointer does not point backwards");
  // Pointer into the header is backwards and legal as long as it forms a name;
  // here offset 4 holds 00 01 ... -> root.
  EXPECT_EQ(parseError(hex("0000 0000 0001 0000 0000 0000 c005 0001 0001")), "<parsed>");
  // 0x40 and 0x80 label types (RFC 6891 section 5: extended label types are gone).
  EXPECT_EQ(parseError(hex("0000 0000 0001 0000 0000 0000 4100 0001 0001")),
            "question 1: unsupported label type");
  EXPECT_EQ(parseError(hex("0000 0000 0001 0000 0000 0000 8100 0001 0001")),
            "question 1: unsupported label type");
}

TEST(MessageViewMalformed, NameLongerThan255) {
  Buf wire = hex("0000 0000 0001 0000 0000 0000");
  for (int i = 0; i < 4; ++i) {
    wire.push_back(63);
    wire.insert(wire.end(), 63, 'a');
  }
  wire.push_back(0);  // 256 octets
  wire.insert(wire.end(), {0, 1, 0, 1});
  EXPECT_EQ(parseError(wire), "question 1: name longer than 255 octets");
  // Built from pointers: each question is 63 octets + a pointer to the previous
  // question's name, so the fourth expands to 65 + 3 * 64 = 257 octets.
  Buf w2 = hex("0000 0000 0004 0000 0000 0000");
  std::size_t prev = w2.size();
  w2.push_back(63);
  w2.insert(w2.end(), 63, 'a');
  w2.insert(w2.end(), {0, 0, 1, 0, 1});
  for (int i = 0; i < 3; ++i) {
    std::size_t here = w2.size();
    w2.push_back(63);
    w2.insert(w2.end(), 63, static_cast<std::uint8_t>('b' + i));
    w2.push_back(static_cast<std::uint8_t>(0xc0 | (prev >> 8)));
    w2.push_back(static_cast<std::uint8_t>(prev));
    w2.insert(w2.end(), {0, 1, 0, 1});
    prev = here;
  }
  EXPECT_EQ(parseError(w2), "question 4: name longer than 255 octets");
  w2[5] = 3;
  w2.resize(w2.size() - 70);
  EXPECT_EQ(parseError(w2), "<parsed>");
}

// Regression (found in review): a chain of pointers to pointers, each going
// backwards, is legal for readName but costs one step per hop for every name
// that uses it; the view caps a name at 128 pointers.
Buf pointerChainMessage(std::size_t hops) {
  Buf w = hex("0000 8000 0001 0002 0000 0000 00 0001 0001 00 fff0 0001 00000000");
  std::size_t len = 2 * (hops - 1);
  w.push_back(static_cast<std::uint8_t>(len >> 8));
  w.push_back(static_cast<std::uint8_t>(len));
  const std::size_t r = w.size();  // 28
  for (std::size_t i = 0; i + 1 < hops; ++i) {
    std::size_t target = i == 0 ? 12 : r + 2 * (i - 1);
    w.push_back(static_cast<std::uint8_t>(0xc0 | (target >> 8)));
    w.push_back(static_cast<std::uint8_t>(target));
  }
  std::size_t last = hops == 1 ? 12 : r + 2 * (hops - 2);
  w.push_back(static_cast<std::uint8_t>(0xc0 | (last >> 8)));
  w.push_back(static_cast<std::uint8_t>(last));
  Buf tail = hex("0001 0001 00000000 0004 7f000001");
  w.insert(w.end(), tail.begin(), tail.end());
  return w;
}

TEST(MessageViewMalformed, LongPointerChainIsRejected) {
  auto ok = pointerChainMessage(128);
  auto v = MessageView::parse(ok);
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto recs = allRecords(*v);
  ASSERT_EQ(recs.size(), 2U);
  EXPECT_TRUE(recs[1].owner()->isRoot());
  std::array<std::uint8_t, kMaxNameLength> buf;
  EXPECT_EQ(recs[1].expandOwner(buf), 1U);
  EXPECT_EQ(parseError(pointerChainMessage(129)),
            "record 2 in answer: owner name: more than 128 compression pointers in one name");
  auto huge = pointerChainMessage(5000);
  EXPECT_FALSE(MessageView::parse(huge).ok());
}

TEST(ExpandName, SafeOnMalformedInput) {
  std::array<std::uint8_t, kMaxNameLength> buf;
  EXPECT_EQ(expandName(hex("c000"), 0, buf), 0U);     // pointer to itself
  EXPECT_EQ(expandName(hex("00 c002"), 1, buf), 0U);  // forwards
  EXPECT_EQ(expandName(hex("0361 62"), 0, buf), 0U);  // runs past the end
  EXPECT_EQ(expandName(hex("00 c000"), 1, buf), 1U);  // backwards to the root
  EXPECT_EQ(expandName(hex("0161 00 0162 c000"), 3, buf), 5U);
  EXPECT_EQ(Buf(buf.begin(), buf.begin() + 5), hex("0162 0161 00"));
  EXPECT_EQ(expandName(hex("41 00"), 0, buf), 0U);  // label type 01
  EXPECT_EQ(expandName(hex(""), 0, buf), 0U);
}

TEST(MessageViewMalformed, OptRules) {
  const char* head = "0001 0000 0000 0000 0000 0002";
  const char* opt = "00 0029 1000 00000000 0000";
  // Two OPT records: parsed, counted (the server answers FORMERR, RFC 6891 section 6.1.1).
  auto twoOpts = hex(std::string(head) + opt + opt);
  auto v = MessageView::parse(twoOpts);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->optCount(), 2U);
  // OPT whose owner is not the root.
  EXPECT_EQ(parseError(hex("0001 0000 0000 0000 0000 0001 0161 00 0029 1000 00000000 0000")),
            "record 1 in additional: OPT owner name is not the root");
  // OPT in the answer section.
  EXPECT_EQ(parseError(hex("0001 0000 0000 0001 0000 0000 00 0029 1000 00000000 0000")),
            "record 1 in answer: OPT record outside the additional section");
  // Option TLV running past the OPT RDATA.
  EXPECT_EQ(parseError(hex("0001 0000 0000 0000 0000 0001 00 0029 1000 00000000 0006 000a 0008 0102")),
            "record 1 in additional: OPT RDATA: EDNS option runs past the end of the OPT RDATA");
  EXPECT_EQ(parseError(hex("0001 0000 0000 0000 0000 0001 00 0029 1000 00000000 0002 000a")),
            "record 1 in additional: OPT RDATA: truncated EDNS option header");
}

TEST(MessageViewMalformed, RdataLayout) {
  auto rr = [](const char* typeClassTtl, const char* rdata) {
    std::string s = std::string("0001 8000 0000 0001 0000 0000 00 ") + typeClassTtl;
    Buf rd = hex(rdata);
    char len[8];
    std::snprintf(len, sizeof len, "%04zx", rd.size());
    return hex(s + len + rdata);
  };
  EXPECT_EQ(parseError(rr("0001 0001 00000000", "c00002")),
            "record 1 in answer: A RDATA: RDATA too short for its type");
  EXPECT_EQ(parseError(rr("0001 0001 00000000", "c0000201")), "<parsed>");
  // MX: preference then a name that runs past the RDATA.
  EXPECT_EQ(parseError(rr("000f 0001 00000000", "000a 03 6d78")),
            "record 1 in answer: MX RDATA: label runs past the end of the RDATA");
  // DNAME must not be compressed (RFC 6672 section 2.5, RFC 3597 section 4).
  EXPECT_EQ(parseError(rr("0027 0001 00000000", "c00c")),
            "record 1 in answer: DNAME RDATA: compressed name where this type forbids compression (RFC 3597 "
            "section 4)");
  // TXT with a string running past the end.
  EXPECT_EQ(parseError(rr("0010 0001 00000000", "05 6869")),
            "record 1 in answer: TXT RDATA: character-string runs past the end of the RDATA");
  // CAA with an empty tag.
  EXPECT_EQ(parseError(rr("0101 0001 00000000", "00 00 61")), "record 1 in answer: CAA RDATA: empty CAA tag");
  // Unknown types are opaque; empty RDATA is allowed for any type (RFC 2136 deletions).
  EXPECT_EQ(parseError(rr("fff0 0001 00000000", "c00c")), "<parsed>");
  EXPECT_EQ(parseError(rr("000f 00ff 00000000", "")), "<parsed>");
}

// ---------------------------------------------------------------------------
// Builder

struct Rec {
  Section section;
  Name owner;
  RRType type;
  std::uint16_t klass;
  std::uint32_t ttl;
  Buf rdata;
};

Buf mxRdata(std::uint16_t pref, std::string_view exchange) {
  Buf rd{static_cast<std::uint8_t>(pref >> 8), static_cast<std::uint8_t>(pref)};
  auto n = nameWire(exchange);
  rd.insert(rd.end(), n.begin(), n.end());
  return rd;
}

Buf soaRdata() {
  Buf rd = nameWire("ns1.example.com.");
  auto r = nameWire("hostmaster.example.com.");
  rd.insert(rd.end(), r.begin(), r.end());
  Buf nums = hex("78000001 00000e10 00000384 00093a80 0000012c");
  rd.insert(rd.end(), nums.begin(), nums.end());
  return rd;
}

TEST(MessageBuilder, RoundTrip) {
  std::vector<Rec> recs = {
      {Section::Answer, N("example.com."), RRType::MX, 1, 300, mxRdata(10, "mail.example.com.")},
      {Section::Answer, N("example.com."), RRType::MX, 1, 300, mxRdata(20, "mx.other.net.")},
      {Section::Authority, N("example.com."), RRType::SOA, 1, 3600, soaRdata()},
      {Section::Authority, N("example.com."), RRType::NS, 1, 3600, nameWire("ns1.example.com.")},
      {Section::Additional, N("mail.example.com."), RRType::A, 1, 60, hex("c0000202")},
      {Section::Additional, N("mail.example.com."), RRType::AAAA, 1, 60,
       hex("20010db8000000000000000000000001")},
      {Section::Additional, N("_sip._tcp.example.com."), RRType::SRV, 1, 60, hex("0001 0002 13c4 00")},
      {Section::Additional, N("t.example.com."), RRType::TXT, 1, 60, hex("0568656c6c6f 00")},
      {Section::Additional, N("u.example.com."), static_cast<RRType>(65280), 1, 60, hex("deadbeef")},
  };
  std::array<std::uint8_t, 1024> buf;
  MessageBuilder b(buf, 512);
  Header h;
  h.id = 0xbeef;
  h.qr = h.aa = h.rd = h.ad = h.cd = true;
  h.opcode = 0;
  h.rcode = 3;
  b.setHeader(h);
  ASSERT_EQ(b.addQuestion(N("Example.COM."), RRType::MX, 1), AddResult::Ok);
  for (const auto& r : recs) {
    ASSERT_EQ(b.addRecord(r.section, r.owner, r.type, r.klass, r.ttl, r.rdata), AddResult::Ok);
  }
  Buf opts(12, 0);
  ASSERT_EQ(writeEdnsOption(opts, kEdnsOptionCookie, hex("0102030405060708")), 12U);
  Edns e;
  e.udpPayload = 1232;
  e.dnssecOk = true;
  e.options = opts;
  ASSERT_EQ(b.addOpt(e), AddResult::Ok);
  auto wire = b.finish();

  auto v = MessageView::parse(wire);
  ASSERT_TRUE(v.ok()) << v.error().message;
  Header got = v->header();
  EXPECT_EQ(got.qdcount, 1);
  EXPECT_EQ(got.ancount, 2);
  EXPECT_EQ(got.nscount, 2);
  EXPECT_EQ(got.arcount, 6);
  got.qdcount = got.ancount = got.nscount = got.arcount = 0;
  EXPECT_EQ(got, h);
  EXPECT_EQ(v->questionName()->wire(), N("Example.COM.").wire());  // case kept octet for octet
  auto parsed = allRecords(*v);
  ASSERT_EQ(parsed.size(), recs.size() + 1);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(parsed[i].section, recs[i].section);
    EXPECT_EQ(parsed[i].owner()->wire(), recs[i].owner.wire());
    EXPECT_EQ(parsed[i].type, recs[i].type);
    EXPECT_EQ(parsed[i].klass, recs[i].klass);
    EXPECT_EQ(parsed[i].ttl, recs[i].ttl);
    EXPECT_EQ(expandedRdata(parsed[i]), recs[i].rdata);
  }
  auto ed = v->edns();
  ASSERT_TRUE(ed);
  EXPECT_TRUE(ed->dnssecOk);
  EXPECT_EQ(ed->udpPayload, 1232);
  EXPECT_EQ(Buf(ed->options.begin(), ed->options.end()), opts);
  EXPECT_EQ(v->rcode(), 3);
}

TEST(MessageBuilder, CompressionShortensAndDecodes) {
  std::array<std::uint8_t, 512> buf;
  MessageBuilder b(buf);
  ASSERT_EQ(b.addQuestion(N("www.example.com."), RRType::A, 1), AddResult::Ok);
  EXPECT_EQ(b.size(), 12U + 17 + 4);
  // Same owner as the question: a 2-octet pointer.
  ASSERT_EQ(b.addRecord(Section::Answer, N("www.example.com."), RRType::A, 1, 60, hex("c0000201")),
            AddResult::Ok);
  EXPECT_EQ(b.size(), 33U + 2 + 10 + 4);
  // Sibling: one label + pointer to example.com (offset 16).
  ASSERT_EQ(b.addRecord(Section::Answer, N("ftp.example.com."), RRType::A, 1, 60, hex("c0000202")),
            AddResult::Ok);
  EXPECT_EQ(b.size(), 49U + 4 + 2 + 10 + 4);
  EXPECT_EQ(buf[49], 3);
  EXPECT_EQ(buf[53], 0xc0);
  EXPECT_EQ(buf[54], 16);
  // NS RDATA (compressOnWrite): "ns" + pointer to example.com.
  ASSERT_EQ(
      b.addRecord(Section::Authority, N("example.com."), RRType::NS, 1, 60, nameWire("ns.ftp.example.com.")),
      AddResult::Ok);
  // owner pointer (2) + fixed (10) + "ns" (3) + pointer to ftp.example.com (2)
  EXPECT_EQ(b.size(), 69U + 2 + 10 + 3 + 2);
  EXPECT_EQ(buf[69 + 10], 0);
  EXPECT_EQ(buf[69 + 11], 5);  // RDLENGTH 5
  // SRV RDATA is never compressed (RFC 3597 section 4): target written in full.
  auto srv = hex("0001 0002 0035");
  auto t = nameWire("www.example.com.");
  srv.insert(srv.end(), t.begin(), t.end());
  std::size_t before = b.size();
  ASSERT_EQ(b.addRecord(Section::Additional, N("www.example.com."), RRType::SRV, 1, 60, srv), AddResult::Ok);
  EXPECT_EQ(b.size(), before + 2 + 10 + srv.size());
  auto wire = b.finish();
  auto v = MessageView::parse(wire);
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto recs = allRecords(*v);
  ASSERT_EQ(recs.size(), 4U);
  EXPECT_EQ(recs[1].owner()->toText(), "ftp.example.com.");
  EXPECT_EQ(expandedRdata(recs[2]), nameWire("ns.ftp.example.com."));
  EXPECT_EQ(expandedRdata(recs[3]), srv);
}

TEST(MessageBuilder, CompressionIsCaseExact) {
  // Matching octet for octet keeps each name's case (0x20 query randomisation).
  std::array<std::uint8_t, 512> buf;
  MessageBuilder b(buf);
  ASSERT_EQ(b.addQuestion(N("WwW.ExAmPlE.cOm."), RRType::A, 1), AddResult::Ok);
  ASSERT_EQ(b.addRecord(Section::Answer, N("www.example.com."), RRType::A, 1, 60, hex("c0000201")),
            AddResult::Ok);
  ASSERT_EQ(b.addRecord(Section::Answer, N("x.ExAmPlE.cOm."), RRType::A, 1, 60, hex("c0000201")),
            AddResult::Ok);
  auto v = MessageView::parse(b.finish());
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto recs = allRecords(*v);
  EXPECT_EQ(recs[0].owner()->wire(), N("www.example.com.").wire());
  EXPECT_EQ(recs[0].owner()->toText(), "www.example.com.");
  EXPECT_EQ(recs[1].owner()->toText(), "x.ExAmPlE.cOm.");
  EXPECT_EQ(recs[1].nameOffset + 4, recs[1].rdataOffset - 10);  // "x" + pointer
}

TEST(MessageBuilder, OwnerAsWireBytes) {
  std::array<std::uint8_t, 512> buf;
  MessageBuilder b(buf);
  auto q = nameWire("a.example.");
  ASSERT_EQ(b.addQuestion(q, RRType::A, 1), AddResult::Ok);
  ASSERT_EQ(b.addRecord(Section::Answer, q, RRType::A, 1, 5, hex("7f000001")), AddResult::Ok);
  // Malformed wire names are caller bugs.
  EXPECT_EQ(b.addRecord(Section::Answer, hex("0161"), RRType::A, 1, 5, hex("7f000001")), AddResult::Invalid);
  EXPECT_EQ(b.addRecord(Section::Answer, hex("016100 00"), RRType::A, 1, 5, hex("7f000001")),
            AddResult::Invalid);
  EXPECT_EQ(b.addRecord(Section::Answer, hex("c00c"), RRType::A, 1, 5, hex("7f000001")), AddResult::Invalid);
  EXPECT_EQ(b.addRecord(Section::Answer, Buf{}, RRType::A, 1, 5, hex("7f000001")), AddResult::Invalid);
  auto v = MessageView::parse(b.finish());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->header().ancount, 1);
  EXPECT_EQ(allRecords(*v)[0].owner()->toText(), "a.example.");
}

TEST(MessageBuilder, SectionOrderAndBadRdata) {
  std::array<std::uint8_t, 512> buf;
  MessageBuilder b(buf);
  ASSERT_EQ(b.addRecord(Section::Authority, N("a."), RRType::A, 1, 5, hex("7f000001")), AddResult::Ok);
  EXPECT_EQ(b.addRecord(Section::Answer, N("a."), RRType::A, 1, 5, hex("7f000001")), AddResult::Invalid);
  EXPECT_EQ(b.addQuestion(N("a."), RRType::A, 1), AddResult::Invalid);
  EXPECT_EQ(b.addRecord(Section::Question, N("a."), RRType::A, 1, 5, {}), AddResult::Invalid);
  std::size_t size = b.size();
  // MX RDATA whose name is malformed: rejected, nothing written.
  EXPECT_EQ(b.addRecord(Section::Authority, N("a."), RRType::MX, 1, 5, hex("000a 0561")), AddResult::Invalid);
  EXPECT_EQ(b.addRecord(Section::Authority, N("a."), RRType::MX, 1, 5, hex("000a 00 00")),
            AddResult::Invalid);
  EXPECT_EQ(b.addRecord(Section::Authority, N("a."), RRType::SOA, 1, 5, nameWire("a.")), AddResult::Invalid);
  EXPECT_EQ(b.size(), size);
  EXPECT_EQ(b.finish().size(), size);
  EXPECT_EQ(b.header().nscount, 1);
}

// Size of the message with one question and `n` A records below it.
TEST(MessageBuilder, DoesNotFitAtExactBoundary) {
  std::array<std::uint8_t, 512> buf;
  // question "example.com." A IN: 12 + 13 + 4 = 29; each A with pointer owner: 2 + 10 + 4 = 16.
  for (std::size_t limit : {29U + 16U, 29U + 16U - 1U}) {
    MessageBuilder b(buf, limit);
    ASSERT_EQ(b.addQuestion(N("example.com."), RRType::A, 1), AddResult::Ok);
    EXPECT_EQ(b.size(), 29U);
    auto r = b.addRecord(Section::Answer, N("example.com."), RRType::A, 1, 5, hex("7f000001"));
    if (limit == 45) {
      EXPECT_EQ(r, AddResult::Ok);
      EXPECT_EQ(b.size(), 45U);
      EXPECT_EQ(b.available(), 0U);
    } else {
      EXPECT_EQ(r, AddResult::DoesNotFit);
      EXPECT_EQ(b.size(), 29U);
      EXPECT_EQ(b.header().ancount, 0);
      auto v = MessageView::parse(b.finish());
      ASSERT_TRUE(v.ok()) << v.error().message;
      EXPECT_EQ(v->recordCount(), 0U);
    }
  }
  // The question itself not fitting.
  MessageBuilder small(buf, 28);
  EXPECT_EQ(small.addQuestion(N("example.com."), RRType::A, 1), AddResult::DoesNotFit);
  EXPECT_EQ(small.size(), kHeaderSize);
  EXPECT_EQ(small.finish().size(), kHeaderSize);
  // A compressOnWrite RDATA that fits only thanks to compression.
  MessageBuilder c(buf, 29 + 2 + 10 + 3 + 2 - 1);
  ASSERT_EQ(c.addQuestion(N("example.com."), RRType::A, 1), AddResult::Ok);
  EXPECT_EQ(c.addRecord(Section::Answer, N("example.com."), RRType::NS, 1, 5, nameWire("ns.example.com.")),
            AddResult::DoesNotFit);
  MessageBuilder c2(buf, 29 + 2 + 10 + 3 + 2);
  ASSERT_EQ(c2.addQuestion(N("example.com."), RRType::A, 1), AddResult::Ok);
  EXPECT_EQ(c2.addRecord(Section::Answer, N("example.com."), RRType::NS, 1, 5, nameWire("ns.example.com.")),
            AddResult::Ok);
}

TEST(MessageBuilder, RollbackRestoresEverything) {
  std::array<std::uint8_t, 512> buf1;
  std::array<std::uint8_t, 512> buf2;
  MessageBuilder a(buf1);
  MessageBuilder ref(buf2);
  for (auto* b : {&a, &ref}) {
    ASSERT_EQ(b->addQuestion(N("example.com."), RRType::ANY, 1), AddResult::Ok);
    ASSERT_EQ(b->addRecord(Section::Answer, N("example.com."), RRType::A, 1, 5, hex("7f000001")),
              AddResult::Ok);
  }
  auto m = a.mark();
  // An RRset whose names become compression targets, then one in the next section.
  ASSERT_EQ(a.addRecord(Section::Answer, N("mail.example.com."), RRType::MX, 1, 5,
                        mxRdata(1, "mx.zz.example.com.")),
            AddResult::Ok);
  ASSERT_EQ(a.addRecord(Section::Additional, N("mx.zz.example.com."), RRType::A, 1, 5, hex("7f000002")),
            AddResult::Ok);
  ASSERT_EQ(a.addOpt(Edns{}), AddResult::Ok);
  a.rollback(m);
  EXPECT_EQ(a.size(), ref.size());
  EXPECT_FALSE(a.hasOpt());
  // Names written after the rollback must not point into the discarded part, and
  // the section order is back to "answer".
  for (auto* b : {&a, &ref}) {
    ASSERT_EQ(b->addRecord(Section::Answer, N("mx.zz.example.com."), RRType::A, 1, 5, hex("7f000003")),
              AddResult::Ok);
    ASSERT_EQ(b->addOpt(Edns{}), AddResult::Ok);
  }
  auto wa = a.finish();
  auto wr = ref.finish();
  EXPECT_EQ(Buf(wa.begin(), wa.end()), Buf(wr.begin(), wr.end()));
  auto v = MessageView::parse(wa);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->header().ancount, 2);
  EXPECT_EQ(v->header().arcount, 1);
  EXPECT_EQ(allRecords(*v)[1].owner()->toText(), "mx.zz.example.com.");
}

TEST(MessageBuilder, TruncatesWholeRrsets) {
  // The pattern the server uses: mark, add the RRset, roll back and set TC if it does not fit.
  std::array<std::uint8_t, 512> buf;
  MessageBuilder b(buf, 100);
  ASSERT_EQ(b.addQuestion(N("example.com."), RRType::TXT, 1), AddResult::Ok);
  auto m = b.mark();
  bool truncated = false;
  for (int i = 0; i < 10; ++i) {
    Buf txt = hex("0a 30313233343536373839");
    txt[1] = static_cast<std::uint8_t>('0' + i);
    if (b.addRecord(Section::Answer, N("example.com."), RRType::TXT, 1, 5, txt) != AddResult::Ok) {
      b.rollback(m);
      b.setTc();
      truncated = true;
      break;
    }
  }
  EXPECT_TRUE(truncated);
  auto v = MessageView::parse(b.finish());
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->header().tc);
  EXPECT_EQ(v->recordCount(), 0U);
  EXPECT_EQ(v->size(), 29U);
}

TEST(MessageBuilder, OptReservationAlwaysFits) {
  std::array<std::uint8_t, 512> buf;
  MessageBuilder b(buf, 512);
  ASSERT_EQ(b.addQuestion(N("example.com."), RRType::A, 1), AddResult::Ok);
  Buf opts(4 + 16, 0);
  ASSERT_EQ(writeEdnsOption(opts, kEdnsOptionCookie, Buf(16, 7)), opts.size());
  ASSERT_EQ(b.reserveOpt(opts.size()), AddResult::Ok);
  EXPECT_EQ(b.available(), 512U - 29 - 11 - 20);
  int added = 0;
  while (b.addRecord(Section::Answer, N("example.com."), RRType::A, 1, 5, hex("7f000001")) == AddResult::Ok) {
    ++added;
  }
  EXPECT_EQ(added, static_cast<int>((512 - 29 - 31) / 16));
  EXPECT_LT(b.available(), 16U);
  b.setRcode(Rcode::BADVERS);  // before the OPT exists: its upper bits go in later
  Edns e;
  e.udpPayload = 1232;
  e.options = opts;
  ASSERT_EQ(b.addOpt(e), AddResult::Ok);
  EXPECT_LE(b.size(), 512U);
  EXPECT_EQ(b.addOpt(e), AddResult::Invalid);  // only one OPT
  auto v = MessageView::parse(b.finish());
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->rcode(), 16);
  EXPECT_EQ(v->header().rcode, 0);
  EXPECT_EQ(v->optCount(), 1U);
  EXPECT_EQ(Buf(v->edns()->options.begin(), v->edns()->options.end()), opts);
  // Reservation bigger than what is left.
  MessageBuilder tiny(buf, 23);
  EXPECT_EQ(tiny.reserveOpt(0), AddResult::Ok);
  EXPECT_EQ(tiny.reserveOpt(1), AddResult::DoesNotFit);
}

TEST(MessageBuilder, SetRcodeAfterOptPatchesIt) {
  std::array<std::uint8_t, 512> buf;
  MessageBuilder b(buf);
  Edns e;
  e.extendedRcode = 0;
  e.version = 0;
  e.flags = 0x8001;  // DO plus an unassigned bit: flags are written as given
  ASSERT_EQ(b.addOpt(e), AddResult::Ok);
  b.setRcode(Rcode::BADCOOKIE);
  auto v = MessageView::parse(b.finish());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->rcode(), 23);
  EXPECT_EQ(v->header().rcode, 23 & 0xF);
  EXPECT_TRUE(v->edns()->dnssecOk);
  EXPECT_EQ(v->edns()->flags, 0x8001);
}

TEST(MessageBuilder, ManyNamesAndLargeMessages) {
  // More names than the compression table holds, and offsets past 0x3FFF
  // (pointers cannot reach them): still correct, just less compressed.
  std::vector<std::uint8_t> buf(65535);
  MessageBuilder b(buf, 65535);
  ASSERT_EQ(b.addQuestion(N("zone.example."), RRType::AXFR, 1), AddResult::Ok);
  std::vector<Name> owners;
  for (int i = 0; i < 2000; ++i) {
    owners.push_back(N("host" + std::to_string(i) + ".sub" + std::to_string(i % 7) + ".zone.example."));
  }
  int added = 0;
  for (const auto& o : owners) {
    if (b.addRecord(Section::Answer, o, RRType::CNAME, 1, 5, nameWire("target.sub3.zone.example.")) !=
        AddResult::Ok) {
      break;
    }
    ++added;
  }
  EXPECT_EQ(added, 2000);
  EXPECT_GT(b.size(), 0x4000U);
  auto v = MessageView::parse(b.finish());
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto recs = allRecords(*v);
  ASSERT_EQ(recs.size(), owners.size());
  for (std::size_t i = 0; i < recs.size(); i += 97) {
    EXPECT_EQ(recs[i].owner()->wire(), owners[i].wire());
    EXPECT_EQ(expandedRdata(recs[i]), nameWire("target.sub3.zone.example."));
  }
}

TEST(MessageBuilder, LimitClampsAndCanChange) {
  std::array<std::uint8_t, 100> buf;
  MessageBuilder b(buf, 4096);
  EXPECT_EQ(b.limit(), 100U);
  b.setLimit(50);
  EXPECT_EQ(b.limit(), 50U);
  EXPECT_EQ(b.addQuestion(N("a-rather-long-label-to-take-space.example."), RRType::A, 1),
            AddResult::DoesNotFit);
  b.setLimit(100);
  EXPECT_EQ(b.addQuestion(N("a-rather-long-label-to-take-space.example."), RRType::A, 1), AddResult::Ok);
}

}  // namespace
}  // namespace zk::wire

namespace zk::wire {
namespace {

// Every seed of the fuzz corpus is a well-formed message (queries captured from
// dig/kdig, responses checked with kdig) and survives parse -> build -> parse.
TEST(MessageCorpus, EverySeedParsesAndRoundTrips) {
  const char* seeds[] = {
      "dig_a_cookie.bin",         "dig_mx_do_cookie.bin",     "dig_noedns_aaaa.bin",
      "dig_nsid_ecs_padding.bin", "dig_soa_ednsopt.bin",      "dig_tsig.bin",
      "kdig_srv_nsid_cookie.bin", "notify_soa.bin",           "resp_any_many_types.bin",
      "resp_badvers.bin",         "resp_cname_a_ns_glue.bin", "resp_dname.bin",
      "resp_nxdomain_soa.bin",    "resp_tc_empty.bin",        "update_deletes.bin",
  };
  for (const char* s : seeds) {
    SCOPED_TRACE(s);
    auto wire = readFile(std::string("tests/fuzz/corpus/fuzz_message/") + s);
    auto v = MessageView::parse(wire);
    ASSERT_TRUE(v.ok()) << v.error().message;
    std::vector<std::uint8_t> buf(65535);
    MessageBuilder b(buf);
    b.setHeader(v->header());
    v->forEachQuestion([&](const QuestionView& q) {
      std::array<std::uint8_t, kMaxNameLength> n;
      std::size_t len = expandName(wire, q.nameOffset, n);
      EXPECT_EQ(b.addQuestion(std::span(n.data(), len), q.type, q.klass), AddResult::Ok);
      return true;
    });
    auto recs = allRecords(*v);
    std::size_t growth = 0;  // names the sender compressed where RFC 3597 section 4 says we must not
    for (const auto& rv : recs) {
      const TypeDescriptor* d = findType(rv.type);
      if (d != nullptr && !d->compressOnWrite) growth += expandedRdata(rv).size() - rv.rdlength;
      std::array<std::uint8_t, kMaxNameLength> n;
      std::size_t len = rv.expandOwner(n);
      EXPECT_EQ(
          b.addRecord(rv.section, std::span(n.data(), len), rv.type, rv.klass, rv.ttl, expandedRdata(rv)),
          AddResult::Ok);
    }
    auto out = b.finish();
    // Our compression is at least as good as these senders' on these messages.
    EXPECT_LE(out.size(), wire.size() + growth);
    auto v2 = MessageView::parse(out);
    ASSERT_TRUE(v2.ok()) << v2.error().message;
    EXPECT_EQ(v2->header(), v->header());
    auto recs2 = allRecords(*v2);
    ASSERT_EQ(recs2.size(), recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
      EXPECT_EQ(recs2[i].owner()->wire(), recs[i].owner()->wire());
      EXPECT_EQ(recs2[i].type, recs[i].type);
      EXPECT_EQ(recs2[i].ttl, recs[i].ttl);
      EXPECT_EQ(expandedRdata(recs2[i]), expandedRdata(recs[i]));
    }
  }
}

}  // namespace
}  // namespace zk::wire

namespace zk::wire {
namespace {

// The builder reproduces the hand-assembled kResponse octet for octet: same
// pointers (question name, the "web" label inside CNAME RDATA, "ns1" inside NS
// RDATA), same header bits, same OPT.
TEST(MessageBuilder, ReproducesHandAssembledResponse) {
  std::array<std::uint8_t, 512> buf;
  MessageBuilder b(buf);
  Header h;
  h.id = 0x1234;
  h.qr = h.aa = h.rd = h.ra = true;
  b.setHeader(h);
  ASSERT_EQ(b.reserveOpt(), AddResult::Ok);
  ASSERT_EQ(b.addQuestion(N("www.example.com."), RRType::A, 1), AddResult::Ok);
  ASSERT_EQ(b.addRecord(Section::Answer, N("www.example.com."), RRType::CNAME, 1, 3600,
                        nameWire("web.example.com.")),
            AddResult::Ok);
  ASSERT_EQ(b.addRecord(Section::Answer, N("web.example.com."), RRType::A, 1, 300, hex("c0000201")),
            AddResult::Ok);
  ASSERT_EQ(
      b.addRecord(Section::Authority, N("example.com."), RRType::NS, 1, 86400, nameWire("ns1.example.com.")),
      AddResult::Ok);
  ASSERT_EQ(b.addRecord(Section::Additional, N("ns1.example.com."), RRType::A, 1, 86400, hex("c0000235")),
            AddResult::Ok);
  Edns e;
  e.udpPayload = 4096;
  e.dnssecOk = true;
  ASSERT_EQ(b.addOpt(e), AddResult::Ok);
  auto out = b.finish();
  EXPECT_EQ(hexEncode(out), hexEncode(hex(kResponse)));
}

}  // namespace
}  // namespace zk::wire
