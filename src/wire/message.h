#pragma once
// DNS messages (RFC 1035 section 4.1) with EDNS(0) (RFC 6891 section 6).
//
// MessageView validates a received message in one pass and keeps only offsets:
// no heap allocation while parsing or iterating. MessageBuilder writes a message
// into a caller-owned buffer with name compression (RFC 1035 section 4.1.4) and a
// fixed-size compression table: no heap allocation per message either.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/result.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

namespace zk::wire {

inline constexpr std::size_t kHeaderSize = 12;         // RFC 1035 section 4.1.1
inline constexpr std::size_t kMaxMessageSize = 65535;  // TCP length prefix, RFC 1035 section 4.2.2
inline constexpr std::size_t kMinUdpPayload = 512;     // RFC 1035 section 2.3.4, RFC 6891 section 6.2.5
inline constexpr std::size_t kOptFixedSize = 11;       // root owner + type + class + ttl + rdlength

// RFC 1035 section 4.1.1, RFC 1996 (NOTIFY), RFC 2136 (UPDATE).
enum class Opcode : std::uint8_t { QUERY = 0, IQUERY = 1, STATUS = 2, NOTIFY = 4, UPDATE = 5 };

// RFC 1035 section 4.1.1, RFC 2136 section 2.2, RFC 6891 section 9 (BADVERS),
// RFC 7873 section 8 (BADCOOKIE). Values over 15 need an OPT record.
enum class Rcode : std::uint16_t {
  NOERROR = 0,
  FORMERR = 1,
  SERVFAIL = 2,
  NXDOMAIN = 3,
  NOTIMP = 4,
  REFUSED = 5,
  YXDOMAIN = 6,
  YXRRSET = 7,
  NXRRSET = 8,
  NOTAUTH = 9,
  NOTZONE = 10,
  BADVERS = 16,
  BADCOOKIE = 23,
};

enum class Section : std::uint8_t { Question = 0, Answer = 1, Authority = 2, Additional = 3 };
const char* sectionName(Section s);

// RFC 1035 section 4.1.1. The Z bit is not kept (it must be zero).
struct Header {
  std::uint16_t id = 0;
  bool qr = false;
  std::uint8_t opcode = 0;  // 4 bits
  bool aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  std::uint8_t rcode = 0;  // low 4 bits; the upper 8 bits live in the OPT record
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  friend bool operator==(const Header&, const Header&) = default;
};

// Reads the 12-octet header (e.g. to answer FORMERR with the right ID when the
// rest of the message does not parse).
Result<Header> parseHeader(std::span<const std::uint8_t> wire);

// EDNS(0) pseudo-RR fields, RFC 6891 section 6.1.2-6.1.4.
struct Edns {
  std::uint16_t udpPayload = 1232;
  std::uint8_t extendedRcode = 0;  // upper 8 bits of the 12-bit rcode
  std::uint8_t version = 0;
  bool dnssecOk = false;                  // DO bit (RFC 3225); also bit 15 of `flags`
  std::uint16_t flags = 0;                // all 16 flag bits including DO
  std::span<const std::uint8_t> options;  // option TLVs, opaque (code, length, data)*
};

inline constexpr std::uint16_t kEdnsFlagDo = 0x8000;
// EDNS option codes (IANA "DNS EDNS0 Option Codes").
inline constexpr std::uint16_t kEdnsOptionNsid = 3;            // RFC 5001
inline constexpr std::uint16_t kEdnsOptionClientSubnet = 8;    // RFC 7871
inline constexpr std::uint16_t kEdnsOptionCookie = 10;         // RFC 7873
inline constexpr std::uint16_t kEdnsOptionTcpKeepalive = 11;   // RFC 7828
inline constexpr std::uint16_t kEdnsOptionPadding = 12;        // RFC 7830
inline constexpr std::uint16_t kEdnsOptionExtendedError = 15;  // RFC 8914

namespace detail {
// Visitors may return bool (false stops the walk) or nothing.
template <class Fn, class... Args>
bool callContinues(Fn& fn, Args&&... args) {
  if constexpr (std::is_void_v<std::invoke_result_t<Fn&, Args...>>) {
    fn(std::forward<Args>(args)...);
    return true;
  } else {
    return static_cast<bool>(fn(std::forward<Args>(args)...));
  }
}
}  // namespace detail

// Calls fn(code, data) for each option in well-formed OPT RDATA (as checked by
// MessageView::parse); stops early when fn returns false.
template <class Fn>
void forEachEdnsOption(std::span<const std::uint8_t> options, Fn&& fn) {
  std::size_t pos = 0;
  while (pos + 4 <= options.size()) {
    auto code = static_cast<std::uint16_t>((options[pos] << 8) | options[pos + 1]);
    auto len = static_cast<std::size_t>((options[pos + 2] << 8) | options[pos + 3]);
    if (pos + 4 + len > options.size()) return;
    if (!detail::callContinues(fn, code, options.subspan(pos + 4, len))) return;
    pos += 4 + len;
  }
}

// Writes one option TLV (RFC 6891 section 6.1.2) at the start of `out`; returns
// the octets written, or 0 when it does not fit.
std::size_t writeEdnsOption(std::span<std::uint8_t> out, std::uint16_t code,
                            std::span<const std::uint8_t> data);

// Copies the (possibly compressed) name at `offset` of a message into `out` in
// uncompressed wire form; returns its length, or 0 when the name is malformed
// (never for names of a message MessageView::parse accepted).
std::size_t expandName(std::span<const std::uint8_t> message, std::size_t offset,
                       std::array<std::uint8_t, kMaxNameLength>& out);

struct QuestionView {
  std::size_t nameOffset = 0;  // in the message; may be compressed
  RRType type{};
  std::uint16_t klass = 0;
};

// One resource record of a parsed message. Offsets index the message the view
// was parsed from, which must outlive this object.
struct RecordView {
  Section section = Section::Answer;
  std::size_t nameOffset = 0;
  RRType type{};
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  std::size_t rdataOffset = 0;
  std::uint16_t rdlength = 0;
  std::span<const std::uint8_t> message;

  // Owner name (allocates; use expandOwner on hot paths).
  [[nodiscard]] Result<Name> owner() const;
  std::size_t expandOwner(std::array<std::uint8_t, kMaxNameLength>& out) const {
    return expandName(message, nameOffset, out);
  }
  // RDATA exactly as on the wire (names may hold compression pointers).
  [[nodiscard]] std::span<const std::uint8_t> rawRdata() const {
    return message.subspan(rdataOffset, rdlength);
  }
  // RDATA in uncompressed form (RFC 3597 section 4: names of the types whose
  // descriptor allows it are expanded), appended to `out`. Cannot fail for a
  // record of a message that MessageView::parse accepted.
  Status rdata(Bytes& out) const;
};

class MessageView {
 public:
  // Validates the whole message: header, every question and record (names with
  // safe decompression and at most 128 pointers each, RDLENGTH inside the
  // message, RDATA of known types laid out as its descriptor says, compressed
  // names only where RFC 3597 section 4 allows them; empty RDATA is accepted for
  // any type, as RFC 2136 deletions need), OPT only in the additional section
  // with the root as owner and well-formed option TLVs (RFC 6891 section
  // 6.1.1-6.1.2). No heap allocation unless it fails (the error text).
  //
  // Trailing octets after the last record announced by the header counts are an
  // error ("trailing octets"): such a message was built wrong or tampered with,
  // and a server answers it with FORMERR (as Knot DNS does).
  //
  // More than one OPT record is accepted here and reported by optCount(): the
  // server must answer FORMERR (RFC 6891 section 6.1.1) but can still echo the
  // question. Errors name the place: "record 3 in answer: RDLENGTH runs past the
  // end of the message".
  static Result<MessageView> parse(std::span<const std::uint8_t> wire);
  // The view points into `wire`: a temporary buffer would leave it dangling.
  static Result<MessageView> parse(std::vector<std::uint8_t>&&) = delete;

  [[nodiscard]] const Header& header() const { return header_; }
  [[nodiscard]] std::span<const std::uint8_t> wire() const { return wire_; }
  [[nodiscard]] std::size_t size() const { return wire_.size(); }

  [[nodiscard]] std::size_t questionCount() const { return header_.qdcount; }
  // The first question; only meaningful when questionCount() > 0.
  [[nodiscard]] const QuestionView& question() const { return question_; }
  [[nodiscard]] Result<Name> questionName() const;
  // Uncompressed wire form of the first question's name into `out`; returns length.
  std::size_t expandQuestionName(std::array<std::uint8_t, kMaxNameLength>& out) const {
    return expandName(wire_, question_.nameOffset, out);
  }
  // fn(const QuestionView&) for every question; stop early by returning false (or return void).
  template <class Fn>
  void forEachQuestion(Fn&& fn) const;

  [[nodiscard]] std::size_t recordCount() const {
    return std::size_t{header_.ancount} + header_.nscount + header_.arcount;
  }
  [[nodiscard]] std::size_t sectionOffset(Section s) const {
    return sectionOffset_[static_cast<std::size_t>(s)];
  }

  // Walks the records in message order. Usage: for (auto c = view.records(); c.next(rv);) ...
  class RecordCursor {
   public:
    bool next(RecordView& out);

   private:
    friend class MessageView;
    explicit RecordCursor(const MessageView& v) : view_(&v), pos_(v.sectionOffset_[1]) {}
    const MessageView* view_;
    std::size_t pos_;
    std::size_t index_ = 0;  // records returned so far
  };
  [[nodiscard]] RecordCursor records() const { return RecordCursor(*this); }
  // fn(const RecordView&) for every record; stop early by returning false (or return void).
  template <class Fn>
  void forEachRecord(Fn&& fn) const {
    RecordView rv;
    for (auto c = records(); c.next(rv);) {
      if (!detail::callContinues(fn, rv)) return;
    }
  }

  // The (first) OPT record's fields, RFC 6891 section 6.1.2-6.1.3.
  [[nodiscard]] std::optional<Edns> edns() const;
  [[nodiscard]] std::size_t optCount() const { return optCount_; }
  // Full 12-bit rcode: header bits plus the OPT extended rcode.
  [[nodiscard]] std::uint16_t rcode() const;

 private:
  MessageView() = default;
  std::span<const std::uint8_t> wire_;
  Header header_;
  QuestionView question_;
  std::array<std::size_t, 5> sectionOffset_{};  // question, answer, authority, additional, end
  std::size_t optOffset_ = 0;                   // offset of the first OPT record's owner
  std::size_t optCount_ = 0;
};

// Outcome of adding to a MessageBuilder. DoesNotFit leaves the message exactly
// as it was before the call. Invalid is a caller bug (bad name wire form, RDATA
// that does not match its type, RDATA over 65535 octets, section out of order).
enum class AddResult : std::uint8_t { Ok, DoesNotFit, Invalid };

class MessageBuilder {
 public:
  // Compression targets kept per message (each label written is one target).
  static constexpr std::size_t kCompressionEntries = 256;

  // `limit` (clamped to the buffer size and 65535) bounds the message; the
  // buffer must hold at least the 12-octet header.
  MessageBuilder(std::span<std::uint8_t> buffer, std::size_t limit);
  explicit MessageBuilder(std::span<std::uint8_t> buffer) : MessageBuilder(buffer, buffer.size()) {}

  // Copies ID, flags, opcode and rcode; the section counts are kept by the builder.
  void setHeader(const Header& h);
  [[nodiscard]] const Header& header() const { return header_; }
  void setTc() { header_.tc = true; }
  void setAa(bool on) { header_.aa = on; }
  // Sets the 12-bit rcode: the low 4 bits go in the header, the upper 8 bits in
  // the OPT record (RFC 6891 section 6.1.3), written or patched by addOpt.
  // Without an OPT record only the low 4 bits reach the wire.
  void setRcode(std::uint16_t rcode);
  void setRcode(Rcode rcode) { setRcode(static_cast<std::uint16_t>(rcode)); }

  // Changes the size bound (e.g. once the client's EDNS payload size is known).
  // Content already written beyond it stays; later adds respect it.
  void setLimit(std::size_t limit);
  [[nodiscard]] std::size_t limit() const { return limit_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  // Octets still free for records (limit minus the OPT reservation).
  [[nodiscard]] std::size_t available() const;

  AddResult addQuestion(const Name& name, RRType type, std::uint16_t klass);
  AddResult addQuestion(std::span<const std::uint8_t> nameWire, RRType type, std::uint16_t klass);

  // Adds one record; `rdata` is uncompressed. Sections must be added in order
  // (answer, authority, additional). Owner names and names inside RDATA of
  // types with compressOnWrite (RFC 3597 section 4) are compressed.
  AddResult addRecord(Section section, const Name& owner, RRType type, std::uint16_t klass, std::uint32_t ttl,
                      std::span<const std::uint8_t> rdata);
  // Same with the owner as uncompressed wire bytes (exactly one name).
  AddResult addRecord(Section section, std::span<const std::uint8_t> ownerWire, RRType type,
                      std::uint16_t klass, std::uint32_t ttl, std::span<const std::uint8_t> rdata);

  // Snapshot for undoing a group of adds (an RRset that does not fit whole:
  // truncation must drop whole RRsets, RFC 2181 section 9).
  struct Mark {
    std::uint16_t size;
    std::uint16_t compressionCount;
    std::uint16_t optReserve;
    std::array<std::uint16_t, 4> counts;
    Section section;
  };
  [[nodiscard]] Mark mark() const;
  void rollback(const Mark& m);

  // Keeps room for an OPT record with `optionsLength` octets of options so that
  // later records cannot take it (RFC 6891 section 7: the OPT record must be sent
  // whenever the query had one). Replaces any previous reservation.
  AddResult reserveOpt(std::size_t optionsLength = 0);
  // Writes the OPT record in the additional section (using the reservation when
  // there is one). The builder's rcode upper bits override edns.extendedRcode when
  // setRcode set one over 15. DO is set when edns.dnssecOk or flags bit 15 is.
  AddResult addOpt(const Edns& edns);
  [[nodiscard]] bool hasOpt() const { return optOffset_ != 0; }

  // Writes the header with the counts and returns the message.
  std::span<const std::uint8_t> finish();

 private:
  // Writes a name (validated uncompressed wire form) at size_, compressing its
  // longest known suffix; returns false when it does not fit below `end`.
  bool writeName(std::span<const std::uint8_t> name, std::size_t end, bool compress);
  // Offset of an earlier written name equal (octet for octet) to `suffix`, or 0.
  std::uint16_t findSuffix(std::span<const std::uint8_t> suffix) const;
  bool suffixMatches(std::size_t pos, std::span<const std::uint8_t> suffix) const;
  AddResult addQuestionImpl(std::span<const std::uint8_t> name, RRType type, std::uint16_t klass);
  AddResult addRecordImpl(Section section, std::span<const std::uint8_t> owner, RRType type,
                          std::uint16_t klass, std::uint32_t ttl, std::span<const std::uint8_t> rdata,
                          std::size_t end);
  bool writeRdata(RRType type, std::span<const std::uint8_t> rdata, std::size_t end, bool& invalid);

  std::span<std::uint8_t> buf_;
  std::size_t limit_;
  std::size_t size_ = kHeaderSize;
  std::size_t optReserve_ = 0;
  std::size_t optOffset_ = 0;  // where the OPT record starts, 0 = none
  bool rcodeSet_ = false;
  std::uint16_t rcode_ = 0;
  Header header_;
  std::array<std::uint16_t, 4> counts_{};
  Section section_ = Section::Question;
  // Compression targets: where a literally written label starts and the
  // uncompressed length of the name from there (incl. root). Only entries below
  // compressionCount_ are read, so the arrays are not zeroed per message.
  std::size_t compressionCount_ = 0;
  std::array<std::uint8_t, kCompressionEntries> targetLength_;
  std::array<std::uint16_t, kCompressionEntries> targetOffset_;
  // Bit n set when some target may have length n (stale bits after a rollback
  // only cost a scan): most suffixes are rejected without looking at the table.
  std::array<std::uint64_t, 4> lengthBits_{};
};

template <class Fn>
void MessageView::forEachQuestion(Fn&& fn) const {
  std::size_t pos = sectionOffset_[0];
  for (std::size_t i = 0; i < header_.qdcount; ++i) {
    QuestionView q;
    q.nameOffset = pos;
    // Skip the validated name: labels until the root or a pointer.
    while (wire_[pos] != 0 && (wire_[pos] & 0xC0) != 0xC0) pos += 1U + wire_[pos];
    pos += wire_[pos] == 0 ? 1U : 2U;
    q.type = static_cast<RRType>((wire_[pos] << 8) | wire_[pos + 1]);
    q.klass = static_cast<std::uint16_t>((wire_[pos + 2] << 8) | wire_[pos + 3]);
    pos += 4;
    if (!detail::callContinues(fn, q)) return;
  }
}

}  // namespace zk::wire
