// Round-trip oracle for DNS messages: parse -> rebuild every question and record
// with MessageBuilder -> parse again -> the same content. Also checks that
// rollback leaves no trace, that a size-limited build still parses, and that the
// view's RDATA expansion agrees with the RDATA library's.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "wire/message.h"

namespace {

using zk::wire::AddResult;
using zk::wire::Bytes;
using zk::wire::MessageBuilder;
using zk::wire::MessageView;
using zk::wire::RecordView;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_message oracle: %s\n", what);
  std::abort();
}

struct Item {
  bool question;
  zk::wire::Section section;
  Bytes owner;
  std::uint16_t type;
  std::uint16_t klass;
  std::uint32_t ttl;
  Bytes rdata;
  bool operator==(const Item&) const = default;
};

Bytes nameAt(std::span<const std::uint8_t> msg, std::size_t off) {
  std::array<std::uint8_t, zk::wire::kMaxNameLength> buf;
  std::size_t n = zk::wire::expandName(msg, off, buf);
  if (n == 0) fail("expandName failed on a validated message");
  // readName must agree octet for octet.
  std::size_t o = off;
  auto r = zk::wire::readName(msg, o);
  if (!r.ok()) fail("readName rejects a name the view accepted");
  Bytes b(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  if (Bytes(r->bytes().begin(), r->bytes().end()) != b) fail("readName and expandName disagree");
  return b;
}

std::vector<Item> collect(const MessageView& v) {
  std::vector<Item> items;
  v.forEachQuestion([&](const zk::wire::QuestionView& q) {
    items.push_back({true,
                     zk::wire::Section::Question,
                     nameAt(v.wire(), q.nameOffset),
                     static_cast<std::uint16_t>(q.type),
                     q.klass,
                     0,
                     {}});
    return true;
  });
  v.forEachRecord([&](const RecordView& rv) {
    Item it{
        false,  rv.section, nameAt(v.wire(), rv.nameOffset), static_cast<std::uint16_t>(rv.type), rv.klass,
        rv.ttl, {}};
    if (!rv.rdata(it.rdata).ok()) fail("RecordView::rdata fails on a validated record");
    Bytes theirs;
    if (zk::wire::rdataFromWire(rv.type, v.wire(), rv.rdataOffset, rv.rdlength, theirs).ok() &&
        theirs != it.rdata) {
      fail("RecordView::rdata and rdataFromWire disagree");
    }
    items.push_back(std::move(it));
    return true;
  });
  if (items.size() != v.questionCount() + v.recordCount()) fail("iteration count differs from header counts");
  return items;
}

// Adds every item; with `retry`, each record is added, rolled back and added again.
// Returns false when the message does not fit.
bool build(MessageBuilder& b, const MessageView& v, const std::vector<Item>& items, bool retry) {
  b.setHeader(v.header());
  for (const auto& it : items) {
    AddResult r;
    if (it.question) {
      r = b.addQuestion(it.owner, static_cast<zk::wire::RRType>(it.type), it.klass);
    } else {
      auto add = [&] {
        return b.addRecord(it.section, it.owner, static_cast<zk::wire::RRType>(it.type), it.klass, it.ttl,
                           it.rdata);
      };
      if (retry) {
        auto m = b.mark();
        r = add();
        b.rollback(m);
      }
      r = add();
    }
    if (r == AddResult::Invalid) fail("builder says Invalid for data the view accepted");
    if (r == AddResult::DoesNotFit) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  auto v = MessageView::parse(in);
  if (!v.ok()) return 0;
  (void)v->edns();
  (void)v->rcode();
  auto items = collect(*v);

  static std::vector<std::uint8_t> buf1(65535), buf2(65535), buf3(65535);
  MessageBuilder b1(buf1, 65535);
  if (!build(b1, *v, items, false)) return 0;  // expanded names may need more room than the original
  auto w1 = b1.finish();
  auto v1 = MessageView::parse(w1);
  if (!v1.ok()) {
    std::fprintf(stderr, "rebuilt message does not parse: %s\n", v1.error().message.c_str());
    fail("rebuilt message does not parse");
  }
  if (!(v1->header() == v->header())) fail("header differs after the round trip");
  if (collect(*v1) != items) fail("records differ after the round trip");
  if (v1->optCount() != v->optCount() || v1->rcode() != v->rcode()) fail("EDNS differs after the round trip");

  // Rolled-back adds must leave no trace.
  MessageBuilder b2(buf2, 65535);
  if (!build(b2, *v, items, true)) fail("retry build does not fit where the plain one did");
  auto w2 = b2.finish();
  if (w2.size() != w1.size() || !std::equal(w1.begin(), w1.end(), w2.begin())) fail("rollback left a trace");

  // A size-limited build keeps a parseable prefix of whole records.
  MessageBuilder b3(buf3, w1.size() / 2 + zk::wire::kHeaderSize);
  (void)build(b3, *v, items, false);
  auto v3 = MessageView::parse(b3.finish());
  if (!v3.ok()) fail("truncated build does not parse");
  auto items3 = collect(*v3);
  if (items3.size() > items.size() || !std::equal(items3.begin(), items3.end(), items.begin())) {
    fail("truncated build is not a prefix of the full one");
  }
  return 0;
}
