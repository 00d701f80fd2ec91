#pragma once
// Compact storage of a parsed zone and its semantic checks: SOA and apex NS
// (RFC 1035 section 5.2), CNAME exclusivity (RFC 2181 section 10.1), RRset TTLs
// (RFC 2181 section 5.2), data outside the zone, delegations and glue.
//
//   ZoneRecords zone(origin, RRClass::IN);
//   parseZoneFile(path, opts, [&](const RecordView& r) { zone.add(r.owner, r.type, r.ttl, r.rdata,
//   r.location); }); CheckResult res = checkZone(zone);   // also sorts, collapses duplicates

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "wire/name.h"
#include "wire/rrtype.h"
#include "zonefile/diagnostic.h"

namespace zk::zone {

// A zero-filled array of u64 in anonymous memory, backed by transparent huge
// pages when the kernel allows: the name table is probed at random, and 4 KiB
// pages make each probe of a large table a TLB miss.
class SlotTable {
 public:
  SlotTable() = default;
  explicit SlotTable(std::size_t count);
  ~SlotTable();
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;
  SlotTable(SlotTable&& other) noexcept { swap(other); }
  SlotTable& operator=(SlotTable&& other) noexcept {
    swap(other);
    return *this;
  }
  void swap(SlotTable& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(bytes_, other.bytes_);
  }
  [[nodiscard]] std::size_t size() const { return size_; }
  std::uint64_t& operator[](std::size_t i) { return data_[i]; }
  const std::uint64_t& operator[](std::size_t i) const { return data_[i]; }

 private:
  std::uint64_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t bytes_ = 0;
};

class ZoneRecords {
 public:
  // 28 bytes per record; names and RDATA live in two arenas.
  struct Record {
    std::uint32_t name;         // name id
    std::uint32_t rdataOffset;  // into the RDATA arena
    std::uint32_t ttl;
    std::uint32_t seq;  // order of appearance in the file
    std::uint32_t line;
    std::uint16_t rdataLength;
    std::uint16_t type;
    std::uint16_t file;
    std::uint16_t column;
  };

  ZoneRecords(wire::Name origin, wire::RRClass cls);

  // Hint from the input size, to avoid regrowing the arenas.
  void reserve(std::size_t records, std::size_t names);
  // Stores one record (call finishAdding() before the lookups below); false when a storage limit (4 GiB of
  // RDATA, 65535 octets of one RDATA) would be exceeded.
  bool add(const wire::Name& owner, wire::RRType type, std::uint32_t ttl, std::span<const std::uint8_t> rdata,
           zonefile::Location location);

  // Merges the owner names added since the last call (case-insensitively) and
  // renumbers records; nameCount(), findName(), canonicalNameOrder() and the
  // record name ids are valid after it. checkZone calls it.
  void finishAdding();

  [[nodiscard]] const wire::Name& origin() const { return origin_; }
  [[nodiscard]] wire::RRClass rrClass() const { return class_; }
  [[nodiscard]] std::size_t recordCount() const { return records_.size(); }
  [[nodiscard]] std::size_t nameCount() const { return nameOffsets_.size() - 1; }
  [[nodiscard]] const std::vector<Record>& records() const { return records_; }
  [[nodiscard]] std::span<const std::uint8_t> nameWire(std::uint32_t id) const {
    return {nameArena_.data() + nameOffsets_[id], nameOffsets_[id + 1] - nameOffsets_[id]};
  }
  [[nodiscard]] std::span<const std::uint8_t> rdata(const Record& r) const {
    return {rdataArena_.data() + r.rdataOffset, r.rdataLength};
  }
  // Name id of a wire-form name (any case), if some record owns it.
  [[nodiscard]] std::optional<std::uint32_t> findName(std::span<const std::uint8_t> wire) const;
  // findName for many names at once (faster for large batches); kNoName where absent.
  static constexpr std::uint32_t kNoName = UINT32_MAX;
  void findNames(std::span<const std::span<const std::uint8_t>> names, std::vector<std::uint32_t>& ids) const;

  // Sorts records by (name id, type, RDATA, file order); checkZone does this.
  void sortRecords();
  // Name ids in canonical DNS order (RFC 4034 section 6.1).
  [[nodiscard]] std::vector<std::uint32_t> canonicalNameOrder() const;
  // Drops records for which keep(record) is false.
  template <class F>
  void eraseIf(F&& drop) {
    std::erase_if(records_, drop);
  }
  std::vector<Record>& mutableRecords() { return records_; }

 private:
  std::uint32_t appendName(std::span<const std::uint8_t> wire);
  void growTable(std::uint32_t interned);

  wire::Name origin_;
  wire::RRClass class_;
  std::vector<Record> records_;
  std::vector<std::uint8_t> rdataArena_;
  std::vector<std::uint8_t> nameArena_;
  std::vector<std::uint32_t> nameOffsets_;  // id -> offset; one extra at the end
  SlotTable slots_;                         // open addressing: hash high 32 bits | (id + 1); 0 = empty
  std::uint32_t interned_ = 0;              // names [0, interned_) are distinct and in slots_
  std::uint32_t seq_ = 0;
};

struct CheckResult {
  std::vector<zonefile::Diagnostic> diagnostics;  // sorted by location
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t records = 0;  // after collapsing duplicates
  std::size_t names = 0;    // distinct owner names
  std::optional<std::uint32_t> serial;

  [[nodiscard]] bool ok() const { return errors == 0; }
};

// Runs every check, collapses duplicate records (as BIND does, silently) and
// gives every RRset the TTL of its first record (with a warning when they
// differed). Leaves the records sorted (see sortRecords).
CheckResult checkZone(ZoneRecords& zone);

}  // namespace zk::zone
