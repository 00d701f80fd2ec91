// MessageBuilder driven by arbitrary sequences of operations (add question/record,
// mark, rollback, limits, OPT reservation, rcode) checked against a simple model:
// the finished message must parse and hold exactly the records the model says,
// DoesNotFit must leave the message untouched and must not happen when the
// uncompressed record would fit.
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "wire/message.h"

namespace {

using zk::wire::AddResult;
using zk::wire::Bytes;
using zk::wire::MessageBuilder;
using zk::wire::MessageView;
using zk::wire::RRType;
using zk::wire::Section;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_builder oracle: %s\n", what);
  std::abort();
}

class Input {
 public:
  Input(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  bool empty() const { return i_ >= n_; }
  std::uint8_t byte() { return i_ < n_ ? d_[i_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>((byte() << 8) | byte()); }

 private:
  const std::uint8_t* d_;
  std::size_t n_;
  std::size_t i_ = 0;
};

// Names from a few labels (with case variants) so that suffixes are shared often.
Bytes makeName(Input& in) {
  static constexpr std::string_view kLabels[] = {
      "a",       "b",   "www", "WWW",  "example",
      "Example", "com", "net", "mail", "x-very-long-label-to-fill-the-buffer-quickly-0123456789"};
  Bytes n;
  int count = in.byte() % 6;
  for (int i = 0; i < count; ++i) {
    auto l = kLabels[in.byte() % std::size(kLabels)];
    if (n.size() + 1 + l.size() + 1 > zk::wire::kMaxNameLength) break;
    n.push_back(static_cast<std::uint8_t>(l.size()));
    n.insert(n.end(), l.begin(), l.end());
  }
  n.push_back(0);
  return n;
}

struct Item {
  bool question;
  Section section;
  Bytes owner;
  RRType type;
  std::uint32_t ttl;
  Bytes rdata;
  bool operator==(const Item&) const = default;
};

void makeRecord(Input& in, Item& it) {
  static constexpr RRType kTypes[] = {RRType::A,  RRType::NS,  RRType::CNAME, RRType::SOA,
                                      RRType::MX, RRType::TXT, RRType::SRV,   RRType::PTR};
  it.type = kTypes[in.byte() % std::size(kTypes)];
  it.ttl = in.u16();
  it.rdata.clear();
  auto append = [&](const Bytes& b) { it.rdata.insert(it.rdata.end(), b.begin(), b.end()); };
  switch (it.type) {
    case RRType::A:
      append({10, 0, in.byte(), in.byte()});
      break;
    case RRType::NS:
    case RRType::CNAME:
    case RRType::PTR:
      append(makeName(in));
      break;
    case RRType::SOA:
      append(makeName(in));
      append(makeName(in));
      for (int i = 0; i < 20; ++i) it.rdata.push_back(in.byte());
      break;
    case RRType::MX:
      append({0, in.byte()});
      append(makeName(in));
      break;
    case RRType::SRV:
      append({0, 1, 0, 2, 0, in.byte()});
      append(makeName(in));
      break;
    default: {
      std::uint8_t len = in.byte() % 64;
      it.rdata.push_back(len);
      for (int i = 0; i < len; ++i) it.rdata.push_back('t');
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  static std::vector<std::uint8_t> buf(65535);
  MessageBuilder b(buf, 64 + in.u16() % 2048);
  std::vector<Item> model;
  struct Saved {
    MessageBuilder::Mark mark;
    std::size_t items;
    bool opt;
  };
  std::vector<Saved> marks;
  bool opt = false;
  bool limitLowered = false;
  Section current = Section::Question;
  for (int steps = 0; !in.empty() && steps < 200; ++steps) {
    std::uint8_t op = in.byte() % 10;
    const std::size_t before = b.size();
    const std::size_t avail = b.available();
    if (op <= 4) {
      Item it;
      it.question = (op == 0);
      it.section = it.question ? Section::Question : static_cast<Section>(1 + in.byte() % 3);
      it.owner = makeName(in);
      if (it.question) {
        it.type = static_cast<RRType>(in.u16());
        it.ttl = 0;
      } else {
        makeRecord(in, it);
      }
      AddResult r = it.question ? b.addQuestion(it.owner, it.type, 1)
                                : b.addRecord(it.section, it.owner, it.type, 1, it.ttl, it.rdata);
      const bool inOrder = it.question ? current == Section::Question : it.section >= current;
      if (!inOrder) {
        if (r != AddResult::Invalid) fail("out-of-order add accepted");
      } else if (r == AddResult::Invalid) {
        fail("valid add rejected as Invalid");
      }
      if (r == AddResult::Ok) {
        model.push_back(it);
        current = it.section;
        if (b.size() > b.limit() && !limitLowered) fail("message grew past its limit");
      } else {
        if (b.size() != before) fail("failed add changed the size");
        std::size_t uncompressed = it.owner.size() + (it.question ? 4 : 10 + it.rdata.size());
        if (r == AddResult::DoesNotFit && uncompressed <= avail)
          fail("DoesNotFit although it fits uncompressed");
      }
    } else if (op == 5) {
      marks.push_back({b.mark(), model.size(), opt});
    } else if (op == 6) {
      if (!marks.empty()) {
        b.rollback(marks.back().mark);
        model.resize(marks.back().items);
        opt = marks.back().opt;
        current = model.empty() ? Section::Question : model.back().section;
        marks.pop_back();
        if (opt && !b.hasOpt()) fail("rollback lost an OPT added before the mark");
        if (!opt && b.hasOpt()) fail("rollback kept an OPT added after the mark");
        // An OPT counts as an additional record in the model's section order.
      }
    } else if (op == 7) {
      std::size_t l = 12 + in.u16() % 4096;
      if (l < b.size()) limitLowered = true;
      b.setLimit(l);
    } else if (op == 8) {
      AddResult r = b.reserveOpt(in.byte() % 40);
      if (opt && r != AddResult::Invalid) fail("reserveOpt after the OPT accepted");
    } else {
      zk::wire::Edns e;
      e.udpPayload = in.u16();
      e.flags = in.u16();
      Bytes opts;
      if (in.byte() & 1) opts = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
      e.options = opts;
      if (in.byte() & 1) b.setRcode(static_cast<std::uint16_t>(in.u16() & 0xFFF));
      AddResult r = b.addOpt(e);
      if (r == AddResult::Ok) {
        if (opt) fail("second OPT accepted");
        opt = true;
        Item it{false, Section::Additional, {0}, RRType::OPT, 0, opts};
        model.push_back(it);
        current = Section::Additional;
      } else if (b.size() != before) {
        fail("failed addOpt changed the size");
      }
    }
  }
  auto wire = b.finish();
  auto v = MessageView::parse(wire);
  if (!v.ok()) {
    std::fprintf(stderr, "%s\n", v.error().message.c_str());
    fail("built message does not parse");
  }
  std::vector<Item> got;
  v->forEachQuestion([&](const zk::wire::QuestionView& q) {
    std::array<std::uint8_t, zk::wire::kMaxNameLength> n;
    std::size_t len = zk::wire::expandName(wire, q.nameOffset, n);
    got.push_back({true,
                   Section::Question,
                   Bytes(n.begin(), n.begin() + static_cast<std::ptrdiff_t>(len)),
                   q.type,
                   0,
                   {}});
    return true;
  });
  v->forEachRecord([&](const zk::wire::RecordView& rv) {
    std::array<std::uint8_t, zk::wire::kMaxNameLength> n;
    std::size_t len = rv.expandOwner(n);
    Item it{false,
            rv.section,
            Bytes(n.begin(), n.begin() + static_cast<std::ptrdiff_t>(len)),
            rv.type,
            rv.type == RRType::OPT ? 0 : rv.ttl,
            {}};
    if (!rv.rdata(it.rdata).ok()) fail("rdata of a built record");
    got.push_back(std::move(it));
    return true;
  });
  if (got != model) fail("parsed records differ from the model");
  if ((v->optCount() == 1) != opt) fail("OPT presence differs");
  if (!limitLowered && wire.size() > b.limit()) fail("finished message over its limit");
  return 0;
}
