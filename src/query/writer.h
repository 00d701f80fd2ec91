#pragma once
// AnswerWriter: builds a DNS response straight into the caller's buffer, with
// name compression (RFC 1035 section 4.1.4) and mark/rollback so a record set
// that does not fit is removed whole (RFC 2181 section 9). No allocation: the
// compression table is a fixed array of label offsets already in the buffer.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "wire/name.h"
#include "wire/rrtype.h"

namespace zk::query {

enum class Section : std::uint8_t { Answer = 0, Authority = 1, Additional = 2 };

class AnswerWriter {
 public:
  static constexpr std::size_t kMaxPointers = 128;

  struct Mark {
    std::size_t pos;
    std::size_t pointers;
    std::uint16_t counts[3];
  };

  // Only offsets_[0, pointers_) is ever read; zeroing all of it would cost every answer.
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init)
  AnswerWriter(std::uint8_t* buf, std::size_t limit) : buf_(buf), limit_(limit) {}

  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] std::size_t limit() const { return limit_; }
  void setLimit(std::size_t limit) { limit_ = limit; }
  [[nodiscard]] std::uint8_t* data() const { return buf_; }
  [[nodiscard]] std::uint16_t count(Section s) const { return counts_[static_cast<int>(s)]; }

  [[nodiscard]] Mark mark() const { return Mark{pos_, pointers_, {counts_[0], counts_[1], counts_[2]}}; }
  void rollback(const Mark& m) {
    pos_ = m.pos;
    pointers_ = m.pointers;
    counts_[0] = m.counts[0];
    counts_[1] = m.counts[1];
    counts_[2] = m.counts[2];
  }

  bool put(const std::uint8_t* p, std::size_t n) {
    if (pos_ + n > limit_) return false;
    std::memcpy(buf_ + pos_, p, n);
    pos_ += n;
    return true;
  }
  bool put16(std::uint16_t v) {
    if (pos_ + 2 > limit_) return false;
    buf_[pos_] = static_cast<std::uint8_t>(v >> 8);
    buf_[pos_ + 1] = static_cast<std::uint8_t>(v);
    pos_ += 2;
    return true;
  }
  bool put32(std::uint32_t v) {
    return put16(static_cast<std::uint16_t>(v >> 16)) && put16(static_cast<std::uint16_t>(v));
  }

  // Makes the name already at `offset` (e.g. the question name at 12)
  // available as a compression target.
  void addCompressionTarget(std::size_t offset) {
    const std::uint8_t* p = buf_ + offset;
    while (*p != 0 && (*p & 0xC0) == 0 && pointers_ < kMaxPointers) {
      auto off = static_cast<std::size_t>(p - buf_);
      if (off >= 0x4000) break;
      offsets_[pointers_++] = static_cast<std::uint16_t>(off);
      p += 1U + *p;
    }
  }

  // Declares that the name stored at `name` (compared by address) is already
  // in the packet at `offset`, so writing it is a 2-octet pointer without any
  // search: the query name at 12, then each CNAME target as it is written.
  void setOwnerHint(const std::uint8_t* name, std::size_t offset) {
    hintName_ = offset < 0x4000 ? name : nullptr;
    hintOffset_ = static_cast<std::uint16_t>(offset);
  }
  // Where the RDATA of the last record written starts.
  [[nodiscard]] std::size_t lastRdataOffset() const { return lastRdata_; }

  // Writes an uncompressed wire name (any case), compressed against names
  // already in the buffer. False if it does not fit.
  bool writeName(const std::uint8_t* name, bool compress = true);

  // Writes one record: `owner` then `tail` (TYPE CLASS TTL RDLENGTH RDATA as
  // stored in a zone snapshot), compressing names in RDATA for the types of
  // RFC 1035 (RFC 3597 section 4). Counts it in `section`. On failure the
  // buffer is left at an unspecified point: callers roll back to a mark.
  bool writeRecord(Section section, const std::uint8_t* owner, std::span<const std::uint8_t> tail);
  // Same with an overridden TTL.
  bool writeRecordTtl(Section section, const std::uint8_t* owner, std::span<const std::uint8_t> tail,
                      std::uint32_t ttl);
  // A record from parts (synthesised CNAME, ALIAS answers).
  bool writeRecordParts(Section section, const std::uint8_t* owner, wire::RRType type, std::uint32_t ttl,
                        std::span<const std::uint8_t> rdata);

  void finishCounts() {
    for (int i = 0; i < 3; ++i) {
      buf_[6 + 2 * i] = static_cast<std::uint8_t>(counts_[i] >> 8);
      buf_[7 + 2 * i] = static_cast<std::uint8_t>(counts_[i]);
    }
  }
  void bump(Section s) { ++counts_[static_cast<int>(s)]; }

 private:
  bool matchAt(const std::uint8_t* name, std::size_t off) const;
  bool writeRdata(std::uint16_t type, std::span<const std::uint8_t> rdata);

  std::uint8_t* buf_;
  std::size_t limit_;
  std::size_t pos_ = 0;
  std::size_t pointers_ = 0;
  std::uint16_t counts_[3] = {0, 0, 0};
  std::uint16_t offsets_[kMaxPointers];
  const std::uint8_t* hintName_ = nullptr;
  std::uint16_t hintOffset_ = 0;
  std::size_t lastRdata_ = 0;
};

}  // namespace zk::query
