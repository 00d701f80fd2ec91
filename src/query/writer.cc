#include "query/writer.h"

namespace zk::query {
namespace {

std::size_t nameLen(const std::uint8_t* name) {
  std::size_t p = 0;
  while (name[p] != 0) p += 1U + name[p];
  return p + 1;
}

}  // namespace

// Compares the uncompressed `name` with the (possibly compressed) name at
// `off` in the buffer, ignoring ASCII case (RFC 4343).
bool AnswerWriter::matchAt(const std::uint8_t* name, std::size_t off) const {
  for (;;) {
    while ((buf_[off] & 0xC0) == 0xC0) off = ((buf_[off] & 0x3FU) << 8) | buf_[off + 1];
    std::uint8_t len = buf_[off];
    if (len != *name) return false;
    if (len == 0) return true;
    for (std::size_t i = 1; i <= len; ++i) {
      if (wire::asciiLower(buf_[off + i]) != wire::asciiLower(name[i])) return false;
    }
    off += 1U + len;
    name += 1U + len;
  }
}

bool AnswerWriter::writeName(const std::uint8_t* name, bool compress) {
  if (name == hintName_ && compress) {
    if (pos_ + 2 > limit_) return false;
    buf_[pos_] = static_cast<std::uint8_t>(0xC0 | (hintOffset_ >> 8));
    buf_[pos_ + 1] = static_cast<std::uint8_t>(hintOffset_);
    pos_ += 2;
    return true;
  }
  std::size_t s = 0;
  std::size_t target = 0;
  bool found = false;
  if (compress) {
    while (name[s] != 0 && !found) {
      for (std::size_t k = 0; k < pointers_; ++k) {
        if (matchAt(name + s, offsets_[k])) {
          target = offsets_[k];
          found = true;
          break;
        }
      }
      if (!found) s += 1U + name[s];
    }
  } else {
    s = nameLen(name) - 1;
  }
  std::size_t need = s + (found ? 2 : 1);
  if (pos_ + need > limit_) return false;
  if (compress) {
    for (std::size_t p = 0; p < s && pointers_ < kMaxPointers; p += 1U + name[p]) {
      if (pos_ + p >= 0x4000) break;
      offsets_[pointers_++] = static_cast<std::uint16_t>(pos_ + p);
    }
  }
  std::memcpy(buf_ + pos_, name, s);
  pos_ += s;
  if (found) {
    buf_[pos_] = static_cast<std::uint8_t>(0xC0 | (target >> 8));
    buf_[pos_ + 1] = static_cast<std::uint8_t>(target);
    pos_ += 2;
  } else {
    buf_[pos_++] = 0;
  }
  return true;
}

bool AnswerWriter::writeRdata(std::uint16_t type, std::span<const std::uint8_t> rd) {
  using wire::RRType;
  switch (static_cast<RRType>(type)) {
    case RRType::NS:
    case RRType::CNAME:
    case RRType::PTR:
      return writeName(rd.data());
    case RRType::MX:
      return put(rd.data(), 2) && writeName(rd.data() + 2);
    case RRType::SOA: {
      std::size_t m = nameLen(rd.data());
      std::size_t r = nameLen(rd.data() + m);
      return writeName(rd.data()) && writeName(rd.data() + m) && put(rd.data() + m + r, 20);
    }
    default:
      return put(rd.data(), rd.size());
  }
}

bool AnswerWriter::writeRecord(Section section, const std::uint8_t* owner,
                               std::span<const std::uint8_t> tail) {
  if (!writeName(owner)) return false;
  auto type = static_cast<std::uint16_t>((tail[0] << 8) | tail[1]);
  switch (static_cast<wire::RRType>(type)) {
    case wire::RRType::NS:
    case wire::RRType::CNAME:
    case wire::RRType::PTR:
    case wire::RRType::MX:
    case wire::RRType::SOA: {
      if (!put(tail.data(), 8)) return false;
      std::size_t lenPos = pos_;
      if (!put16(0)) return false;
      lastRdata_ = pos_;
      if (!writeRdata(type, tail.subspan(10))) return false;
      std::size_t rdlen = pos_ - lenPos - 2;
      buf_[lenPos] = static_cast<std::uint8_t>(rdlen >> 8);
      buf_[lenPos + 1] = static_cast<std::uint8_t>(rdlen);
      break;
    }
    default:
      lastRdata_ = pos_ + 10;
      if (!put(tail.data(), tail.size())) return false;
  }
  bump(section);
  return true;
}

bool AnswerWriter::writeRecordTtl(Section section, const std::uint8_t* owner,
                                  std::span<const std::uint8_t> tail, std::uint32_t ttl) {
  std::size_t start = pos_;
  if (!writeRecord(section, owner, tail)) return false;
  // The TTL sits 4 octets after the owner name; find the end of the owner.
  std::size_t p = start;
  while (buf_[p] != 0 && (buf_[p] & 0xC0) != 0xC0) p += 1U + buf_[p];
  p += (buf_[p] == 0) ? 1 : 2;
  p += 4;
  buf_[p] = static_cast<std::uint8_t>(ttl >> 24);
  buf_[p + 1] = static_cast<std::uint8_t>(ttl >> 16);
  buf_[p + 2] = static_cast<std::uint8_t>(ttl >> 8);
  buf_[p + 3] = static_cast<std::uint8_t>(ttl);
  return true;
}

bool AnswerWriter::writeRecordParts(Section section, const std::uint8_t* owner, wire::RRType type,
                                    std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
  if (!writeName(owner)) return false;
  auto t = static_cast<std::uint16_t>(type);
  if (!put16(t) || !put16(static_cast<std::uint16_t>(wire::RRClass::IN)) || !put32(ttl)) return false;
  std::size_t lenPos = pos_;
  if (!put16(0)) return false;
  lastRdata_ = pos_;
  if (!writeRdata(t, rdata)) return false;
  std::size_t rdlen = pos_ - lenPos - 2;
  buf_[lenPos] = static_cast<std::uint8_t>(rdlen >> 8);
  buf_[lenPos + 1] = static_cast<std::uint8_t>(rdlen);
  bump(section);
  return true;
}

}  // namespace zk::query
