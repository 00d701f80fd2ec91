#include "wire/message.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "wire/rdata_fields.h"

namespace zk::wire {
namespace {

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t pos) {
  return static_cast<std::uint16_t>((b[pos] << 8) | b[pos + 1]);
}
std::uint32_t get32(std::span<const std::uint8_t> b, std::size_t pos) {
  return (std::uint32_t{b[pos]} << 24) | (std::uint32_t{b[pos + 1]} << 16) |
         (std::uint32_t{b[pos + 2]} << 8) | std::uint32_t{b[pos + 3]};
}
void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

constexpr std::uint8_t kPointerMask = 0xC0;
// A name has at most 128 labels (root included) and an encoder needs at most one
// pointer per label; longer chains (pointer to pointer) only burn CPU: an 8K-hop
// chain below offset 0x4000 reused by thousands of records is a cheap DoS.
constexpr std::size_t kMaxPointerHops = kMaxLabels;

// RFC 1035 section 4.1.1 header layout.
Header decodeHeader(std::span<const std::uint8_t> w) {
  Header h;
  h.id = get16(w, 0);
  std::uint8_t f1 = w[2];
  std::uint8_t f2 = w[3];
  h.qr = (f1 & 0x80) != 0;
  h.opcode = static_cast<std::uint8_t>((f1 >> 3) & 0x0F);
  h.aa = (f1 & 0x04) != 0;
  h.tc = (f1 & 0x02) != 0;
  h.rd = (f1 & 0x01) != 0;
  h.ra = (f2 & 0x80) != 0;
  // 0x40 is Z (must be zero, ignored on receipt).
  h.ad = (f2 & 0x20) != 0;  // RFC 4035 section 3.2.3
  h.cd = (f2 & 0x10) != 0;  // RFC 4035 section 3.2.2
  h.rcode = static_cast<std::uint8_t>(f2 & 0x0F);
  h.qdcount = get16(w, 4);
  h.ancount = get16(w, 6);
  h.nscount = get16(w, 8);
  h.arcount = get16(w, 10);
  return h;
}

// Walks the possibly compressed name at `pos` without copying it (the same rules
// as readName: every pointer goes strictly backwards from where the walk last
// started, so it always terminates). The part of the name in place must lie
// below `limit`; after a jump the whole message is allowed. On success `pos` is
// past the name in place and `length` is the uncompressed length. Returns an
// error text or nullptr.
const char* walkName(std::span<const std::uint8_t> msg, std::size_t& pos, std::size_t limit, bool inRdata,
                     bool allowPointers, std::size_t& length) {
  std::size_t p = pos;
  std::size_t lowest = pos;
  std::size_t bound = limit;
  std::size_t len = 0;
  std::size_t hops = 0;
  bool jumped = false;
  while (true) {
    if (p >= bound) {
      return inRdata && !jumped ? "name runs past the end of the RDATA"
                                : "name runs past the end of the message";
    }
    std::uint8_t b = msg[p];
    if ((b & kPointerMask) == kPointerMask) {
      if (!allowPointers) return "compressed name where this type forbids compression (RFC 3597 section 4)";
      if (p + 1 >= bound) return "truncated compression pointer";
      std::size_t target = (static_cast<std::size_t>(b & 0x3F) << 8) | msg[p + 1];
      if (target >= lowest) return "compression pointer does not point backwards";
      if (++hops > kMaxPointerHops) return "more than 128 compression pointers in one name";
      if (!jumped) pos = p + 2;
      jumped = true;
      bound = msg.size();
      lowest = target;
      p = target;
      continue;
    }
    if ((b & kPointerMask) != 0) return "unsupported label type";  // RFC 6891 section 5
    if (p + 1U + b > bound) {
      return inRdata && !jumped ? "label runs past the end of the RDATA"
                                : "label runs past the end of the message";
    }
    len += 1U + b;
    if (len > kMaxNameLength) return "name longer than 255 octets";
    p += 1U + b;
    if (b == 0) break;
  }
  if (!jumped) pos = p;
  length = len;
  return nullptr;
}

// Skips a name of an already validated message.
std::size_t skipName(std::span<const std::uint8_t> msg, std::size_t pos) {
  while (msg[pos] != 0 && (msg[pos] & kPointerMask) != kPointerMask) pos += 1U + msg[pos];
  return pos + (msg[pos] == 0 ? 1 : 2);
}

// RFC 6891 section 6.1.2: OPT RDATA is a sequence of {code, length, data}.
const char* checkEdnsOptions(std::span<const std::uint8_t> opts) {
  std::size_t pos = 0;
  while (pos < opts.size()) {
    if (pos + 4 > opts.size()) return "truncated EDNS option header";
    std::size_t len = get16(opts, pos + 2);
    if (pos + 4 + len > opts.size()) return "EDNS option runs past the end of the OPT RDATA";
    pos += 4 + len;
  }
  return nullptr;
}

// Checks RDATA at [start, start + rdlength) of `msg` against the type's field
// list and, when `out` is given, appends it with names expanded. Types without a
// descriptor are opaque. Empty RDATA is accepted for every type (RFC 2136
// section 2.5.2 deletions, meta queries).
const char* walkRdataWire(RRType type, std::span<const std::uint8_t> msg, std::size_t start,
                          std::size_t rdlength, Bytes* out) {
  const std::size_t end = start + rdlength;
  const TypeDescriptor* desc = (rdlength == 0 || type == RRType::OPT) ? nullptr : findType(type);
  if (desc == nullptr) {
    if (type == RRType::OPT) {
      if (const char* e = checkEdnsOptions(msg.subspan(start, rdlength))) return e;
    }
    if (out != nullptr)
      out->insert(out->end(), msg.begin() + static_cast<std::ptrdiff_t>(start),
                  msg.begin() + static_cast<std::ptrdiff_t>(end));
    return nullptr;
  }
  std::size_t expanded = 0;
  std::size_t nameLen = 0;
  const char* nameError = nullptr;
  auto nameLength = [&](std::size_t pos) -> std::size_t {
    std::size_t after = pos;
    nameError = walkName(msg, after, end, true, desc->decompressOnRead, nameLen);
    return nameError == nullptr ? after - pos : 0;
  };
  auto copy = [&](std::size_t, Field f, std::size_t from, std::size_t n) {
    if (f == Field::Name) {
      if (out != nullptr) {
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): expandName writes what is read
        std::array<std::uint8_t, kMaxNameLength> buf;
        std::size_t len = expandName(msg, from, buf);
        out->insert(out->end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(len));
      }
      expanded += nameLen;
      return true;
    }
    if (out != nullptr) {
      out->insert(out->end(), msg.begin() + static_cast<std::ptrdiff_t>(from),
                  msg.begin() + static_cast<std::ptrdiff_t>(from + n));
    }
    expanded += n;
    return true;
  };
  switch (walkFields(*desc, msg, start, end, nameLength, copy).fault) {
    case FieldFault::None:
      break;
    case FieldFault::Short:
      return "RDATA too short for its type";
    case FieldFault::BadName:
      return nameError != nullptr ? nameError : "name runs past the end of the RDATA";
    case FieldFault::StringOverrun:
      return "character-string runs past the end of the RDATA";
    case FieldFault::EmptyCaaTag:
      return "empty CAA tag";
    case FieldFault::BadCaaTag:
      return "CAA tag with a character other than a letter or digit";
    case FieldFault::NoStrings:
      return "missing character-string";
    case FieldFault::Stopped:
    case FieldFault::Trailing:
      return "RDATA longer than its type's fields";
  }
  if (expanded > 0xFFFF) return "RDATA longer than 65535 octets once names are expanded";
  return nullptr;
}

}  // namespace

const char* sectionName(Section s) {
  switch (s) {
    case Section::Question:
      return "question";
    case Section::Answer:
      return "answer";
    case Section::Authority:
      return "authority";
    case Section::Additional:
      return "additional";
  }
  return "?";
}

Result<Header> parseHeader(std::span<const std::uint8_t> wire) {
  if (wire.size() < kHeaderSize)
    return Error(fmt::format("truncated header: {} octets, need 12", wire.size()));
  return decodeHeader(wire);
}

std::size_t writeEdnsOption(std::span<std::uint8_t> out, std::uint16_t code,
                            std::span<const std::uint8_t> data) {
  if (data.size() > 0xFFFF || out.size() < 4 + data.size()) return 0;
  put16(out.data(), code);
  put16(out.data() + 2, static_cast<std::uint16_t>(data.size()));
  if (!data.empty()) std::memcpy(out.data() + 4, data.data(), data.size());
  return 4 + data.size();
}

std::size_t expandName(std::span<const std::uint8_t> message, std::size_t offset,
                       std::array<std::uint8_t, kMaxNameLength>& out) {
  // Safe on any input (returns 0 when the name is malformed): bounds are checked
  // and pointers must go strictly backwards as in readName, so the walk ends.
  std::size_t n = 0;
  std::size_t pos = offset;
  std::size_t lowest = offset;
  while (true) {
    if (pos >= message.size()) return 0;
    std::uint8_t b = message[pos];
    if ((b & kPointerMask) == kPointerMask) {
      if (pos + 1 >= message.size()) return 0;
      std::size_t target = (static_cast<std::size_t>(b & 0x3F) << 8) | message[pos + 1];
      if (target >= lowest) return 0;
      lowest = pos = target;
      continue;
    }
    if (b > kMaxLabelLength || n + 1U + b > kMaxNameLength || pos + 1U + b > message.size()) return 0;
    std::memcpy(out.data() + n, message.data() + pos, 1U + b);
    n += 1U + b;
    pos += 1U + b;
    if (b == 0) return n;
  }
}

Result<Name> RecordView::owner() const {
  std::size_t off = nameOffset;
  return readName(message, off);
}

Status RecordView::rdata(Bytes& out) const {
  if (rdataOffset > message.size() || rdlength > message.size() - rdataOffset) {
    return Error("RDATA runs past the end of the message");
  }
  if (const char* e = walkRdataWire(type, message, rdataOffset, rdlength, &out)) return Error(e);
  return {};
}

// ---------------------------------------------------------------------------
// MessageView

Result<MessageView> MessageView::parse(std::span<const std::uint8_t> wire) {
  if (wire.size() < kHeaderSize)
    return Error(fmt::format("truncated header: {} octets, need 12", wire.size()));
  MessageView v;
  v.wire_ = wire;
  v.header_ = decodeHeader(wire);
  const std::size_t size = wire.size();
  std::size_t pos = kHeaderSize;
  v.sectionOffset_[0] = pos;
  // RFC 1035 section 4.1.2
  for (std::size_t i = 0; i < v.header_.qdcount; ++i) {
    std::size_t start = pos;
    std::size_t len = 0;
    if (const char* e = walkName(wire, pos, size, false, true, len))
      return Error(fmt::format("question {}: {}", i + 1, e));
    if (pos + 4 > size) return Error(fmt::format("question {}: truncated QTYPE/QCLASS", i + 1));
    if (i == 0)
      v.question_ = QuestionView{start, static_cast<RRType>(get16(wire, pos)), get16(wire, pos + 2)};
    pos += 4;
  }
  // RFC 1035 section 4.1.3
  const std::uint16_t counts[3] = {v.header_.ancount, v.header_.nscount, v.header_.arcount};
  for (int s = 1; s <= 3; ++s) {
    v.sectionOffset_[static_cast<std::size_t>(s)] = pos;
    const auto section = static_cast<Section>(s);
    for (std::size_t i = 0; i < counts[s - 1]; ++i) {
      auto fail = [&](std::string_view what) {
        return Error(fmt::format("record {} in {}: {}", i + 1, sectionName(section), what));
      };
      std::size_t start = pos;
      std::size_t nameLen = 0;
      if (const char* e = walkName(wire, pos, size, false, true, nameLen))
        return fail(fmt::format("owner name: {}", e));
      if (pos + 10 > size) return fail("truncated TYPE/CLASS/TTL/RDLENGTH");
      const auto type = static_cast<RRType>(get16(wire, pos));
      const std::size_t rdlength = get16(wire, pos + 8);
      pos += 10;
      if (pos + rdlength > size) return fail("RDLENGTH runs past the end of the message");
      if (type == RRType::OPT) {
        // RFC 6891 section 6.1.1
        if (section != Section::Additional) return fail("OPT record outside the additional section");
        if (nameLen != 1) return fail("OPT owner name is not the root");
        if (v.optCount_++ == 0) v.optOffset_ = start;
      }
      if (const char* e = walkRdataWire(type, wire, pos, rdlength, nullptr)) {
        return fail(fmt::format("{} RDATA: {}", typeToText(type), e));
      }
      pos += rdlength;
    }
  }
  v.sectionOffset_[4] = pos;
  if (pos != size) return Error(fmt::format("{} trailing octets after the last record", size - pos));
  return v;
}

Result<Name> MessageView::questionName() const {
  if (header_.qdcount == 0) return Error("no question");
  std::size_t off = question_.nameOffset;
  return readName(wire_, off);
}

bool MessageView::RecordCursor::next(RecordView& out) {
  const MessageView& v = *view_;
  const Header& h = v.header_;
  if (index_ >= v.recordCount()) return false;
  const auto& w = v.wire_;
  if (index_ < h.ancount) {
    out.section = Section::Answer;
  } else if (index_ < std::size_t{h.ancount} + h.nscount) {
    out.section = Section::Authority;
  } else {
    out.section = Section::Additional;
  }
  out.nameOffset = pos_;
  std::size_t p = skipName(w, pos_);
  out.type = static_cast<RRType>(get16(w, p));
  out.klass = get16(w, p + 2);
  out.ttl = get32(w, p + 4);
  out.rdlength = get16(w, p + 8);
  out.rdataOffset = p + 10;
  out.message = w;
  pos_ = out.rdataOffset + out.rdlength;
  ++index_;
  return true;
}

std::optional<Edns> MessageView::edns() const {
  if (optCount_ == 0) return std::nullopt;
  std::size_t p = skipName(wire_, optOffset_);
  Edns e;
  e.udpPayload = get16(wire_, p + 2);  // RFC 6891 section 6.1.2: CLASS is the payload size
  std::uint32_t ttl = get32(wire_, p + 4);
  e.extendedRcode = static_cast<std::uint8_t>(ttl >> 24);
  e.version = static_cast<std::uint8_t>(ttl >> 16);
  e.flags = static_cast<std::uint16_t>(ttl);
  e.dnssecOk = (e.flags & kEdnsFlagDo) != 0;
  e.options = wire_.subspan(p + 10, get16(wire_, p + 8));
  return e;
}

std::uint16_t MessageView::rcode() const {
  std::uint16_t r = header_.rcode;
  if (auto e = edns()) r = static_cast<std::uint16_t>(r | (e->extendedRcode << 4));
  return r;
}

// ---------------------------------------------------------------------------
// MessageBuilder

// The compression tables are read only below compressionCount_ (see message.h);
// zeroing them per message would cost the hot path.
// NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init)
MessageBuilder::MessageBuilder(std::span<std::uint8_t> buffer, std::size_t limit)
    : buf_(buffer), limit_(std::min({limit, buffer.size(), kMaxMessageSize})) {
  assert(buffer.size() >= kHeaderSize);
}

void MessageBuilder::setHeader(const Header& h) {
  header_ = h;
  header_.qdcount = header_.ancount = header_.nscount = header_.arcount = 0;
  rcode_ = static_cast<std::uint16_t>((rcode_ & 0xFF0) | (h.rcode & 0x0F));
}

void MessageBuilder::setRcode(std::uint16_t rcode) {
  rcode_ = static_cast<std::uint16_t>(rcode & 0xFFF);
  rcodeSet_ = true;
  header_.rcode = static_cast<std::uint8_t>(rcode_ & 0x0F);
  if (optOffset_ != 0) buf_[optOffset_ + 5] = static_cast<std::uint8_t>(rcode_ >> 4);
}

void MessageBuilder::setLimit(std::size_t limit) { limit_ = std::min({limit, buf_.size(), kMaxMessageSize}); }

std::size_t MessageBuilder::available() const {
  std::size_t used = size_ + optReserve_;
  return limit_ > used ? limit_ - used : 0;
}

MessageBuilder::Mark MessageBuilder::mark() const {
  return Mark{static_cast<std::uint16_t>(size_), static_cast<std::uint16_t>(compressionCount_),
              static_cast<std::uint16_t>(optReserve_), counts_, section_};
}

void MessageBuilder::rollback(const Mark& m) {
  size_ = m.size;
  compressionCount_ = m.compressionCount;
  // Rebuild the length filter so rolled-back targets stop costing scans.
  lengthBits_ = {};
  for (std::size_t i = 0; i < compressionCount_; ++i) {
    lengthBits_[targetLength_[i] >> 6] |= std::uint64_t{1} << (targetLength_[i] & 63);
  }
  optReserve_ = m.optReserve;
  counts_ = m.counts;
  section_ = m.section;
  if (optOffset_ >= size_) optOffset_ = 0;
}

bool MessageBuilder::suffixMatches(std::size_t pos, std::span<const std::uint8_t> suffix) const {
  // Follows pointers in what was written; the suffix is uncompressed and valid.
  std::size_t i = 0;
  while (true) {
    std::uint8_t b = buf_[pos];
    if ((b & kPointerMask) == kPointerMask) {
      pos = (static_cast<std::size_t>(b & 0x3F) << 8) | buf_[pos + 1];
      continue;
    }
    if (b != suffix[i]) return false;
    if (b == 0) return true;
    // Labels are short: an inline loop beats a memcmp call.
    const std::uint8_t* x = buf_.data() + pos + 1;
    const std::uint8_t* y = suffix.data() + i + 1;
    for (std::size_t k = 0; k < b; ++k) {
      if (x[k] != y[k]) return false;
    }
    pos += 1U + b;
    i += 1U + b;
  }
}

std::uint16_t MessageBuilder::findSuffix(std::span<const std::uint8_t> suffix) const {
  const auto len = static_cast<std::uint8_t>(suffix.size());
  if (((lengthBits_[len >> 6] >> (len & 63)) & 1) == 0) return 0;
  // Candidates have the same uncompressed length and first label length; then
  // the labels are compared.
  for (std::size_t i = 0; i < compressionCount_; ++i) {
    if (targetLength_[i] != len) continue;
    const std::uint16_t off = targetOffset_[i];
    if (buf_[off] == suffix[0] && suffixMatches(off, suffix)) return off;
  }
  return 0;
}

bool MessageBuilder::writeName(std::span<const std::uint8_t> name, std::size_t end, bool compress) {
  // RFC 1035 section 4.1.4: replace the longest suffix already in the message by
  // a pointer. Matching is octet-exact so the decoded name keeps its case.
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): only the first `labels` are read
  std::array<std::uint8_t, kMaxLabels + 1> starts;
  std::size_t labels = 0;
  for (std::size_t p = 0; name[p] != 0; p += 1U + name[p]) starts[labels++] = static_cast<std::uint8_t>(p);
  std::size_t literal = name.size();  // octets written as labels
  std::uint16_t pointer = 0;
  if (compress) {
    for (std::size_t i = 0; i < labels; ++i) {
      if (std::uint16_t t = findSuffix(name.subspan(starts[i])); t != 0) {
        literal = starts[i];
        pointer = t;
        break;
      }
    }
  }
  const std::size_t total = literal + (pointer != 0 ? 2 : 0);
  if (size_ + total > end) return false;
  std::memcpy(buf_.data() + size_, name.data(), literal);
  if (pointer != 0) put16(buf_.data() + size_ + literal, static_cast<std::uint16_t>(0xC000 | pointer));
  // Every label written literally becomes a target (pointers reach 14 bits).
  for (std::size_t i = 0; i < labels && starts[i] < literal; ++i) {
    std::size_t off = size_ + starts[i];
    if (off >= 0x4000 || compressionCount_ == kCompressionEntries) break;
    const auto len = static_cast<std::uint8_t>(name.size() - starts[i]);
    targetOffset_[compressionCount_] = static_cast<std::uint16_t>(off);
    targetLength_[compressionCount_++] = len;
    lengthBits_[len >> 6] |= std::uint64_t{1} << (len & 63);
  }
  size_ += total;
  return true;
}

bool MessageBuilder::writeRdata(RRType type, std::span<const std::uint8_t> rdata, std::size_t end,
                                bool& invalid) {
  const TypeDescriptor* desc = rdata.empty() ? nullptr : findType(type);
  if (desc == nullptr || !desc->compressOnWrite) {
    if (size_ + rdata.size() > end) return false;
    if (!rdata.empty()) std::memcpy(buf_.data() + size_, rdata.data(), rdata.size());
    size_ += rdata.size();
    return true;
  }
  // RFC 3597 section 4: names in the RDATA of RFC 1035 types may be compressed.
  bool full = false;
  auto write = [&](std::size_t, Field f, std::size_t pos, std::size_t n) {
    if (f == Field::Name) {
      full = !writeName(rdata.subspan(pos, n), end, true);
    } else if (size_ + n > end) {
      full = true;
    } else {
      std::memcpy(buf_.data() + size_, rdata.data() + pos, n);
      size_ += n;
    }
    return !full;
  };
  FieldWalk w = walkUncompressedFields(*desc, rdata, write);
  if (full) return false;
  if (w.fault != FieldFault::None) return !(invalid = true);
  return true;
}

AddResult MessageBuilder::addQuestion(const Name& name, RRType type, std::uint16_t klass) {
  return addQuestionImpl(name.bytes(), type, klass);
}

AddResult MessageBuilder::addQuestion(std::span<const std::uint8_t> nameWire, RRType type,
                                      std::uint16_t klass) {
  if (nameWire.empty() || uncompressedNameLength(nameWire) != nameWire.size()) return AddResult::Invalid;
  return addQuestionImpl(nameWire, type, klass);
}

AddResult MessageBuilder::addQuestionImpl(std::span<const std::uint8_t> name, RRType type,
                                          std::uint16_t klass) {
  // RFC 1035 section 4.1.2
  if (section_ != Section::Question) return AddResult::Invalid;
  const Mark m = mark();
  const std::size_t end = limit_ > optReserve_ ? limit_ - optReserve_ : 0;
  if (!writeName(name, end, true) || size_ + 4 > end) {
    rollback(m);
    return AddResult::DoesNotFit;
  }
  put16(buf_.data() + size_, static_cast<std::uint16_t>(type));
  put16(buf_.data() + size_ + 2, klass);
  size_ += 4;
  ++counts_[0];
  return AddResult::Ok;
}

AddResult MessageBuilder::addRecord(Section section, const Name& owner, RRType type, std::uint16_t klass,
                                    std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
  const std::size_t end = limit_ > optReserve_ ? limit_ - optReserve_ : 0;
  return addRecordImpl(section, owner.bytes(), type, klass, ttl, rdata, end);
}

AddResult MessageBuilder::addRecord(Section section, std::span<const std::uint8_t> ownerWire, RRType type,
                                    std::uint16_t klass, std::uint32_t ttl,
                                    std::span<const std::uint8_t> rdata) {
  if (ownerWire.empty() || uncompressedNameLength(ownerWire) != ownerWire.size()) return AddResult::Invalid;
  const std::size_t end = limit_ > optReserve_ ? limit_ - optReserve_ : 0;
  return addRecordImpl(section, ownerWire, type, klass, ttl, rdata, end);
}

AddResult MessageBuilder::addRecordImpl(Section section, std::span<const std::uint8_t> owner, RRType type,
                                        std::uint16_t klass, std::uint32_t ttl,
                                        std::span<const std::uint8_t> rdata, std::size_t end) {
  if (section == Section::Question || section < section_ || rdata.size() > 0xFFFF) return AddResult::Invalid;
  const Mark m = mark();
  if (!writeName(owner, end, true) || size_ + 10 > end) {
    rollback(m);
    return AddResult::DoesNotFit;
  }
  // RFC 1035 section 4.1.3
  std::uint8_t* p = buf_.data() + size_;
  put16(p, static_cast<std::uint16_t>(type));
  put16(p + 2, klass);
  put32(p + 4, ttl);
  const std::size_t rdlengthAt = size_ + 8;
  size_ += 10;
  bool invalid = false;
  if (!writeRdata(type, rdata, end, invalid)) {
    rollback(m);
    return invalid ? AddResult::Invalid : AddResult::DoesNotFit;
  }
  std::size_t rdlength = size_ - rdlengthAt - 2;
  put16(buf_.data() + rdlengthAt, static_cast<std::uint16_t>(rdlength));
  ++counts_[static_cast<std::size_t>(section)];
  section_ = section;
  return AddResult::Ok;
}

AddResult MessageBuilder::reserveOpt(std::size_t optionsLength) {
  if (optOffset_ != 0 || optionsLength > 0xFFFF) return AddResult::Invalid;
  if (size_ + kOptFixedSize + optionsLength > limit_) return AddResult::DoesNotFit;
  optReserve_ = kOptFixedSize + optionsLength;
  return AddResult::Ok;
}

AddResult MessageBuilder::addOpt(const Edns& edns) {
  // RFC 6891 section 6.1.1: at most one OPT record, in the additional section.
  if (optOffset_ != 0 || edns.options.size() > 0xFFFF) return AddResult::Invalid;
  const std::size_t need = kOptFixedSize + edns.options.size();
  if (size_ + need > limit_) return AddResult::DoesNotFit;
  std::uint8_t* p = buf_.data() + size_;
  p[0] = 0;  // root owner
  put16(p + 1, static_cast<std::uint16_t>(RRType::OPT));
  put16(p + 3, edns.udpPayload);
  p[5] = rcodeSet_ ? static_cast<std::uint8_t>(rcode_ >> 4) : edns.extendedRcode;
  p[6] = edns.version;
  put16(p + 7, static_cast<std::uint16_t>(edns.flags | (edns.dnssecOk ? kEdnsFlagDo : 0)));
  put16(p + 9, static_cast<std::uint16_t>(edns.options.size()));
  if (!edns.options.empty()) std::memcpy(p + 11, edns.options.data(), edns.options.size());
  optOffset_ = size_;
  size_ += need;
  optReserve_ = 0;
  ++counts_[3];
  section_ = Section::Additional;
  return AddResult::Ok;
}

std::span<const std::uint8_t> MessageBuilder::finish() {
  std::uint8_t* p = buf_.data();
  const Header& h = header_;
  put16(p, h.id);
  p[2] = static_cast<std::uint8_t>((h.qr ? 0x80 : 0) | ((h.opcode & 0x0F) << 3) | (h.aa ? 0x04 : 0) |
                                   (h.tc ? 0x02 : 0) | (h.rd ? 0x01 : 0));
  p[3] =
      static_cast<std::uint8_t>((h.ra ? 0x80 : 0) | (h.ad ? 0x20 : 0) | (h.cd ? 0x10 : 0) | (h.rcode & 0x0F));
  for (std::size_t i = 0; i < 4; ++i) put16(p + 4 + 2 * i, counts_[i]);
  header_.qdcount = counts_[0];
  header_.ancount = counts_[1];
  header_.nscount = counts_[2];
  header_.arcount = counts_[3];
  return {buf_.data(), size_};
}

}  // namespace zk::wire
