#include "store/codec.h"

#include <string>

namespace zk::store {
namespace {

void putU8(std::vector<std::uint8_t>& out, std::size_t v) { out.push_back(static_cast<std::uint8_t>(v)); }
void putU16(std::vector<std::uint8_t>& out, std::size_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void putU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  putU16(out, v >> 16);
  putU16(out, v & 0xffffU);
}
void putBytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> b) {
  out.insert(out.end(), b.begin(), b.end());
}

// Bounds-checked reader; the first failure sticks.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  std::uint32_t u8() { return take(1) ? in_[pos_ - 1] : 0U; }
  std::uint32_t u16() {
    if (!take(2)) return 0;
    return (std::uint32_t{in_[pos_ - 2]} << 8) | in_[pos_ - 1];
  }
  std::uint32_t u32() {
    const std::uint32_t hi = u16();
    return (hi << 16) | u16();
  }
  std::span<const std::uint8_t> bytes(std::size_t n) {
    if (!take(n)) return {};
    return in_.subspan(pos_ - n, n);
  }

 private:
  bool take(std::size_t n) {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

void encodeSet(std::vector<std::uint8_t>& out, const RecordSet& rs) {
  putU8(out, rs.name.wireLength());
  putBytes(out, rs.name.bytes());
  putU16(out, static_cast<std::uint16_t>(rs.type));
  putU32(out, rs.ttl);
  putU16(out, rs.rdata.size());
  for (const auto& v : rs.rdata) {
    putU16(out, v.size());
    putBytes(out, v);
  }
  putU8(out, rs.alias ? 1 : 0);
  if (rs.alias) {
    putU16(out, rs.alias->hostedZoneId.size());
    putBytes(out, {reinterpret_cast<const std::uint8_t*>(rs.alias->hostedZoneId.data()),
                   rs.alias->hostedZoneId.size()});
    putU8(out, rs.alias->dnsName.wireLength());
    putBytes(out, rs.alias->dnsName.bytes());
    putU8(out, rs.alias->evaluateTargetHealth ? 1 : 0);
  }
}

bool decodeSet(Reader& r, RecordSet& rs) {
  auto name = wire::Name::fromWire(r.bytes(r.u8()));
  if (!r.ok() || !name) return false;
  rs.name = std::move(*name);
  rs.type = static_cast<wire::RRType>(r.u16());
  rs.ttl = r.u32();
  const std::uint32_t n = r.u16();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    auto b = r.bytes(r.u16());
    rs.rdata.emplace_back(b.begin(), b.end());
  }
  if (r.u8() != 0) {
    AliasTarget a;
    auto id = r.bytes(r.u16());
    a.hostedZoneId.assign(reinterpret_cast<const char*>(id.data()), id.size());
    auto target = wire::Name::fromWire(r.bytes(r.u8()));
    if (!r.ok() || !target) return false;
    a.dnsName = std::move(*target);
    a.evaluateTargetHealth = r.u8() != 0;
    rs.alias = std::move(a);
  }
  return r.ok();
}

}  // namespace

constexpr std::uint16_t kTextsMarker = 0xFFFF;

std::vector<std::uint8_t> encodeValues(const std::vector<wire::Bytes>& values,
                                       const std::vector<std::string>& texts) {
  std::vector<std::uint8_t> out;
  for (const auto& v : values) {
    putU16(out, v.size());
    putBytes(out, v);
  }
  if (!texts.empty()) {
    putU16(out, kTextsMarker);
    putU16(out, texts.size());
    for (const auto& t : texts) {
      putU16(out, t.size());
      putBytes(out, std::span(reinterpret_cast<const std::uint8_t*>(t.data()), t.size()));
    }
  }
  return out;
}

Result<std::vector<wire::Bytes>> decodeValues(std::span<const std::uint8_t> blob,
                                              std::vector<std::string>* texts) {
  Reader r(blob);
  std::vector<wire::Bytes> out;
  while (r.ok() && !r.done()) {
    const auto length = r.u16();
    if (length == kTextsMarker) {
      const auto count = r.u16();
      for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
        auto t = r.bytes(r.u16());
        if (r.ok() && texts != nullptr)
          texts->emplace_back(reinterpret_cast<const char*>(t.data()), t.size());
      }
      if (r.ok() && !r.done()) return Error("damaged record set values in the database");
      break;
    }
    auto b = r.bytes(length);
    if (!r.ok()) break;
    out.emplace_back(b.begin(), b.end());
  }
  if (!r.ok()) return Error("damaged record set values in the database");
  return out;
}

std::vector<std::uint8_t> encodeDiff(const std::vector<RecordSet>& removed,
                                     const std::vector<RecordSet>& added) {
  std::vector<std::uint8_t> out;
  putU32(out, static_cast<std::uint32_t>(removed.size()));
  for (const auto& rs : removed) encodeSet(out, rs);
  putU32(out, static_cast<std::uint32_t>(added.size()));
  for (const auto& rs : added) encodeSet(out, rs);
  return out;
}

Status decodeDiff(std::span<const std::uint8_t> blob, std::vector<RecordSet>& removed,
                  std::vector<RecordSet>& added) {
  Reader r(blob);
  for (auto* list : {&removed, &added}) {
    const std::uint32_t n = r.u32();
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
      RecordSet rs;
      if (!decodeSet(r, rs)) return Error("damaged journal entry in the database");
      list->push_back(std::move(rs));
    }
  }
  if (!r.ok() || !r.done()) return Error("damaged journal entry in the database");
  return {};
}

}  // namespace zk::store
