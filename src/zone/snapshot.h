#pragma once
// ZoneSnapshot: one zone, immutable once built, laid out for the query hot path.
//
// Every owner name (and every empty non-terminal between the apex and an owner)
// is one Node. Names are stored lower-cased in uncompressed wire form in one
// pool and found through an open-addressing hash table, so the closest
// encloser of a query name is found by hashing its suffixes, longest first.
// What RFC 1034 section 4.3.2 needs at each node is precomputed at build time:
// the highest zone cut and the highest DNAME at or above the node, the node's
// wildcard child, and flags (CNAME, DNAME, cut, empty non-terminal, ALIAS).
//
// Each resource record is stored as it goes on the wire after its owner name:
// TYPE, CLASS, TTL, RDLENGTH, RDATA (uncompressed), so a record is written by
// emitting the owner (usually a 2-octet pointer) and copying the rest.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "wire/name.h"
#include "wire/rrtype.h"

namespace zk::zone {

inline constexpr std::uint32_t kNoNode = 0xFFFFFFFFU;

// Node flags.
enum NodeFlag : std::uint16_t {
  kFlagEmptyNonTerminal = 1U << 0,  // no RRsets, exists because names lie below it
  kFlagCut = 1U << 1,               // NS RRset at a name other than the apex (delegation)
  kFlagCname = 1U << 2,
  kFlagDname = 1U << 3,
  kFlagAlias = 1U << 4,
  kFlagWildcard = 1U << 5,  // leftmost label is "*"
  kFlagApex = 1U << 6,
};

struct Node {
  std::uint32_t nameOffset;  // into names pool: lower-cased uncompressed wire form
  std::uint8_t nameLength;
  std::uint8_t labelCount;  // without the root label
  std::uint16_t flags;
  std::uint32_t rrsetBegin;     // index of the first RRset in rrsets()
  std::uint32_t rrsetCount;     // number of RRsets (0 for empty non-terminals)
  std::uint32_t wildcardChild;  // node "*.<this>" or kNoNode
  std::uint32_t highestCut;     // highest delegation at or above this node, or kNoNode
  std::uint32_t highestDname;   // highest DNAME owner at or above this node, or kNoNode
};

// One RRset: `count` records stored back to back in the data pool, each as
// TYPE CLASS TTL RDLENGTH RDATA (wire form without the owner).
struct RRsetRef {
  std::uint16_t type;
  std::uint16_t count;
  std::uint32_t dataOffset;
  std::uint32_t dataLength;
  std::uint32_t ttl;
};

// Iterates over the records of one RRset in the data pool.
struct RecordView {
  std::span<const std::uint8_t> tail;  // TYPE .. RDATA, 10 + rdlength octets
  [[nodiscard]] std::span<const std::uint8_t> rdata() const { return tail.subspan(10); }
};

class ZoneSnapshot {
 public:
  [[nodiscard]] const wire::Name& origin() const { return origin_; }
  [[nodiscard]] std::uint32_t serial() const { return serial_; }
  [[nodiscard]] std::size_t nodeCount() const { return nodes_.size(); }
  [[nodiscard]] std::size_t recordCount() const { return recordCount_; }

  // Exact match of a lower-cased uncompressed wire name; kNoNode if absent.
  [[nodiscard]] std::uint32_t find(std::span<const std::uint8_t> lowerWire) const;
  [[nodiscard]] const Node& node(std::uint32_t index) const { return nodes_[index]; }
  [[nodiscard]] std::span<const std::uint8_t> nodeName(const Node& n) const {
    return {names_.data() + n.nameOffset, n.nameLength};
  }
  [[nodiscard]] std::span<const RRsetRef> rrsets(const Node& n) const {
    return {rrsets_.data() + n.rrsetBegin, n.rrsetCount};
  }
  // The RRset of `type` at node `n`, or nullptr.
  [[nodiscard]] const RRsetRef* findRRset(const Node& n, wire::RRType type) const;
  [[nodiscard]] std::span<const std::uint8_t> rrsetData(const RRsetRef& set) const {
    return {data_.data() + set.dataOffset, set.dataLength};
  }

  // Apex SOA RRset, and the SOA record with its TTL set to the negative-caching
  // TTL min(SOA TTL, SOA MINIMUM) (RFC 2308 section 5), wire form without owner.
  [[nodiscard]] const RRsetRef& soa() const { return *soa_; }
  [[nodiscard]] std::span<const std::uint8_t> negativeSoaTail() const { return negativeSoa_; }
  [[nodiscard]] std::uint32_t apexNode() const { return apex_; }

  // Approximate heap footprint, for the memory budget.
  [[nodiscard]] std::size_t memoryBytes() const;

 private:
  friend class ZoneBuilder;
  wire::Name origin_;
  std::uint32_t serial_ = 0;
  std::uint32_t apex_ = kNoNode;
  std::size_t recordCount_ = 0;
  std::vector<Node> nodes_;
  std::vector<std::uint8_t> names_;
  std::vector<RRsetRef> rrsets_;
  std::vector<std::uint8_t> data_;
  std::vector<std::uint64_t> slots_;  // hash table: (hash32 << 32) | (node index + 1), 0 = empty
  std::uint64_t slotMask_ = 0;
  const RRsetRef* soa_ = nullptr;
  std::vector<std::uint8_t> negativeSoa_;
  // Octets of data_ and entries of rrsets_ no longer referenced (left behind
  // by ZoneBuilder::derive); a full build starts from zero.
  std::size_t garbage_ = 0;
};

// One record of a NameUpdate.
struct UpdateRecord {
  wire::RRType type;
  std::uint32_t ttl;
  std::vector<std::uint8_t> rdata;  // uncompressed wire form
};

// The complete new contents of one owner name, for ZoneBuilder::derive.
struct NameUpdate {
  wire::Name owner;
  std::vector<UpdateRecord> records;  // empty: the name has no data any more
  // With no records: names remain below it, so it stays as an empty
  // non-terminal (otherwise it disappears: NXDOMAIN).
  bool keepAsEmptyNonTerminal = false;
};

// Calls `fn(std::span<const uint8_t> rdata)` for every record of `set`.
template <class Fn>
void forEachRecord(const ZoneSnapshot& zone, const RRsetRef& set, Fn&& fn) {
  auto data = zone.rrsetData(set);
  std::size_t pos = 0;
  for (std::uint16_t i = 0; i < set.count; ++i) {
    std::size_t rdlen = (std::size_t{data[pos + 8]} << 8) | data[pos + 9];
    fn(RecordView{data.subspan(pos, 10 + rdlen)});
    pos += 10 + rdlen;
  }
}

// Hash of a lower-cased wire name (shared by the builder and the query path).
std::uint32_t hashName(std::span<const std::uint8_t> lowerWire);

// Collects records, then builds a snapshot. Bad data (names outside the zone,
// missing SOA, CNAME beside other data, ...) is reported by build().
class ZoneBuilder {
 public:
  explicit ZoneBuilder(wire::Name origin);

  // Adds one record; RDATA is uncompressed wire form. Exact duplicates are
  // dropped (RFC 2181 section 5); differing TTLs within an RRset are set to the
  // lowest (RFC 2181 section 5.2).
  Status add(const wire::Name& owner, wire::RRType type, wire::RRClass cls, std::uint32_t ttl,
             std::span<const std::uint8_t> rdata);

  Result<std::shared_ptr<const ZoneSnapshot>> build();

  // A new snapshot: `base` with the names in `updates` replaced, without
  // rebuilding the rest (the arrays are copied, changed RRsets appended, nodes
  // added to or removed from the hash table). The caller lists every name
  // whose data changed, and every empty non-terminal that no longer has names
  // below it. Changes this does not handle (delegations or DNAMEs appearing or
  // going away below the apex, too much garbage) return an error: build the
  // zone in full instead.
  static Result<std::shared_ptr<const ZoneSnapshot>> derive(const ZoneSnapshot& base,
                                                            std::span<const NameUpdate> updates);

  // derive() without the copy: `spare`, an older snapshot of the zone that
  // nothing else references any more (use_count() == 1: no ZoneSet, reader or
  // query holds it), is brought forward in place through each list of
  // `steps` in turn and returned. The steps are the updates that led from
  // `spare` to the current snapshot, then the new ones, so the result equals
  // derive(current, new updates). Fails (and `spare` must be dropped) when
  // the spare is still in use or the updates need a full build.
  static Result<std::shared_ptr<const ZoneSnapshot>> rederive(
      std::shared_ptr<const ZoneSnapshot> spare, std::span<const std::span<const NameUpdate>> steps);

 private:
  struct Pending {
    std::uint64_t prefix;   // octets 0-7 of the lower-cased name, for fast sorting
    std::uint64_t prefix2;  // octets 8-15
    std::uint32_t nameOffset;
    std::uint8_t nameLength;
    std::uint16_t type;
    std::uint32_t ttl;
    std::uint32_t rdataOffset;
    std::uint16_t rdataLength;
  };
  // derive's work on `z`, whose arrays are already its own.
  static Status applyInPlace(ZoneSnapshot& z, std::span<const NameUpdate> updates);

  wire::Name origin_;
  wire::Name originLower_;
  std::vector<std::uint8_t> names_;
  std::vector<std::uint8_t> rdata_;
  std::vector<Pending> pending_;
};

}  // namespace zk::zone
