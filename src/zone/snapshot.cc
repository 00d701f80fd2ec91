#include "zone/snapshot.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include <fmt/format.h>

namespace zk::zone {
namespace {

using wire::RRType;

std::uint16_t typeCode(RRType t) { return static_cast<std::uint16_t>(t); }

std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

// Length of the uncompressed wire name at the start of `data`, or 0 if it is
// not exactly a well-formed uncompressed name prefix.
std::size_t nameLengthAt(std::span<const std::uint8_t> data) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::uint8_t len = data[pos];
    if (len == 0) return pos + 1 <= wire::kMaxNameLength ? pos + 1 : 0;
    if (len > wire::kMaxLabelLength) return 0;
    pos += 1U + len;
  }
  return 0;
}

// Checks the RDATA layout of the types whose RDATA the query path reads
// (names to compress or to look up for additional-section processing).
Status checkRdataShape(RRType type, std::span<const std::uint8_t> rd) {
  auto nameAt = [&](std::size_t off, bool toEnd) -> std::size_t {
    if (off > rd.size()) return 0;
    std::size_t n = nameLengthAt(rd.subspan(off));
    if (n == 0) return 0;
    if (toEnd && off + n != rd.size()) return 0;
    return n;
  };
  bool ok = true;
  switch (type) {
    case RRType::NS:
    case RRType::CNAME:
    case RRType::PTR:
    case RRType::DNAME:
    case RRType::ALIAS:
      ok = nameAt(0, true) != 0;
      break;
    case RRType::MX:
      ok = rd.size() >= 3 && nameAt(2, true) != 0;
      break;
    case RRType::SRV:
      ok = rd.size() >= 7 && nameAt(6, true) != 0;
      break;
    case RRType::SOA: {
      std::size_t m = nameAt(0, false);
      std::size_t r = m ? nameAt(m, false) : 0;
      ok = m != 0 && r != 0 && m + r + 20 == rd.size();
      break;
    }
    case RRType::A:
      ok = rd.size() == 4;
      break;
    case RRType::AAAA:
      ok = rd.size() == 16;
      break;
    default:
      break;
  }
  if (!ok) return Error(fmt::format("malformed {} RDATA", wire::typeToText(type)));
  return {};
}

bool isDnssecType(std::uint16_t t) {
  return t == typeCode(RRType::RRSIG) || t == typeCode(RRType::NSEC) || t == 50 /* NSEC3 */;
}

}  // namespace

std::uint32_t hashName(std::span<const std::uint8_t> lowerWire) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ lowerWire.size();
  const std::uint8_t* p = lowerWire.data();
  std::size_t n = lowerWire.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0x9FB21C651E98DF25ULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  std::uint64_t w = 0;
  std::memcpy(&w, p, n);
  h = mix(h ^ w);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

std::uint32_t ZoneSnapshot::find(std::span<const std::uint8_t> lowerWire) const {
  std::uint32_t h = hashName(lowerWire);
  std::uint64_t i = h & slotMask_;
  for (;;) {
    std::uint64_t s = slots_[i];
    if (s == 0) return kNoNode;
    if (static_cast<std::uint32_t>(s >> 32) == h) {
      auto idx = static_cast<std::uint32_t>(s) - 1;
      const Node& n = nodes_[idx];
      if (n.nameLength == lowerWire.size() &&
          std::memcmp(names_.data() + n.nameOffset, lowerWire.data(), lowerWire.size()) == 0) {
        return idx;
      }
    }
    i = (i + 1) & slotMask_;
  }
}

const RRsetRef* ZoneSnapshot::findRRset(const Node& n, RRType type) const {
  auto code = typeCode(type);
  for (const RRsetRef& r : rrsets(n)) {
    if (r.type == code) return &r;
  }
  return nullptr;
}

std::size_t ZoneSnapshot::memoryBytes() const {
  return nodes_.capacity() * sizeof(Node) + names_.capacity() + rrsets_.capacity() * sizeof(RRsetRef) +
         data_.capacity() + slots_.capacity() * sizeof(std::uint64_t) + negativeSoa_.capacity();
}

ZoneBuilder::ZoneBuilder(wire::Name origin)
    : origin_(std::move(origin)), originLower_(origin_.lowercased()) {}

Status ZoneBuilder::add(const wire::Name& owner, RRType type, wire::RRClass cls, std::uint32_t ttl,
                        std::span<const std::uint8_t> rdata) {
  if (cls != wire::RRClass::IN) {
    return Error(fmt::format("{}: class {} not served (only IN)", owner.toText(), wire::classToText(cls)));
  }
  // Lower-case the owner straight into the pool, then check it ends with the origin.
  auto ob = owner.bytes();
  const std::size_t start = names_.size();
  names_.resize(start + ob.size());
  for (std::size_t k = 0; k < ob.size(); ++k) names_[start + k] = wire::asciiLower(ob[k]);
  auto rollbackName = [&] { names_.resize(start); };
  {
    auto ol = originLower_.bytes();
    bool inside = ob.size() >= ol.size() &&
                  std::memcmp(names_.data() + start + ob.size() - ol.size(), ol.data(), ol.size()) == 0;
    if (inside && ob.size() > ol.size()) {
      // The match must start at a label boundary.
      std::size_t pos = 0;
      while (pos < ob.size() - ol.size()) pos += 1U + ob[pos];
      inside = pos == ob.size() - ol.size();
    }
    if (!inside) {
      rollbackName();
      return Error(fmt::format("{} is outside the zone {}", owner.toText(), origin_.toText()));
    }
  }
  if (wire::isMetaType(type) || type == RRType::OPT) {
    rollbackName();
    return Error(fmt::format("{}: type {} cannot be zone data", owner.toText(), wire::typeToText(type)));
  }
  if (rdata.size() > 0xFFFF) {
    rollbackName();
    return Error(fmt::format("{}: RDATA longer than 65535 octets", owner.toText()));
  }
  if (auto st = checkRdataShape(type, rdata); !st) {
    rollbackName();
    return Error(fmt::format("{}: {}", owner.toText(), st.error().message));
  }
  if (names_.size() + rdata_.size() > 0xF0000000U) {
    rollbackName();
    return Error("zone too large");
  }
  Pending p{};
  p.nameOffset = static_cast<std::uint32_t>(start);
  p.nameLength = static_cast<std::uint8_t>(ob.size());
  // Big-endian first 16 octets: integer order = byte order, so most sort
  // comparisons need no memcmp.
  std::memcpy(&p.prefix, names_.data() + start, std::min<std::size_t>(8, ob.size()));
  p.prefix = __builtin_bswap64(p.prefix);
  if (ob.size() > 8) {
    std::memcpy(&p.prefix2, names_.data() + start + 8, std::min<std::size_t>(8, ob.size() - 8));
    p.prefix2 = __builtin_bswap64(p.prefix2);
  }
  p.type = typeCode(type);
  p.ttl = ttl & 0x7FFFFFFFU;  // RFC 2181 section 8: values with the top bit set mean 0
  if (ttl & 0x80000000U) p.ttl = 0;
  p.rdataOffset = static_cast<std::uint32_t>(rdata_.size());
  p.rdataLength = static_cast<std::uint16_t>(rdata.size());
  rdata_.insert(rdata_.end(), rdata.begin(), rdata.end());
  pending_.push_back(p);
  return {};
}

Result<std::shared_ptr<const ZoneSnapshot>> ZoneBuilder::build() {
  auto snap = std::make_shared<ZoneSnapshot>();
  snap->origin_ = origin_;
  const std::uint8_t* names = names_.data();
  const std::uint8_t* rdata = rdata_.data();
  auto nameOf = [&](const Pending& p) {
    return std::span<const std::uint8_t>(names + p.nameOffset, p.nameLength);
  };
  auto rdataOf = [&](const Pending& p) {
    return std::span<const std::uint8_t>(rdata + p.rdataOffset, p.rdataLength);
  };
  auto cmpBytes = [](std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    std::size_t n = std::min(a.size(), b.size());
    int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
    if (c != 0) return c;
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
  };
  std::sort(pending_.begin(), pending_.end(), [&](const Pending& a, const Pending& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    if (a.prefix2 != b.prefix2) return a.prefix2 < b.prefix2;
    int c = cmpBytes(nameOf(a), nameOf(b));
    if (c != 0) return c < 0;
    if (a.type != b.type) return a.type < b.type;
    return cmpBytes(rdataOf(a), rdataOf(b)) < 0;
  });

  auto& nodes = snap->nodes_;
  auto& rrsets = snap->rrsets_;
  auto& data = snap->data_;
  auto& pool = snap->names_;
  nodes.reserve(pending_.size() + pending_.size() / 8 + 16);  // names + empty non-terminals
  rrsets.reserve(pending_.size() + 1);
  pool.reserve(names_.size() + names_.size() / 8 + 16);
  data.reserve(rdata_.size() + pending_.size() * 10);
  auto sameName = [&](const Pending& a, const Pending& b) {
    return a.prefix == b.prefix && a.prefix2 == b.prefix2 && a.nameLength == b.nameLength &&
           (a.nameLength <= 16 ||
            std::memcmp(names + a.nameOffset + 16, names + b.nameOffset + 16, a.nameLength - 16U) == 0);
  };

  auto newNode = [&](std::span<const std::uint8_t> name) -> std::uint32_t {
    Node n{};
    n.nameOffset = static_cast<std::uint32_t>(pool.size());
    n.nameLength = static_cast<std::uint8_t>(name.size());
    pool.insert(pool.end(), name.begin(), name.end());
    std::uint8_t labels = 0;
    for (std::size_t pos = 0; name[pos] != 0; pos += 1U + name[pos]) ++labels;
    n.labelCount = labels;
    n.rrsetBegin = static_cast<std::uint32_t>(rrsets.size());
    n.wildcardChild = kNoNode;
    n.highestCut = kNoNode;
    n.highestDname = kNoNode;
    if (name.size() >= 2 && name[0] == 1 && name[1] == '*') n.flags |= kFlagWildcard;
    nodes.push_back(n);
    return static_cast<std::uint32_t>(nodes.size() - 1);
  };

  std::size_t i = 0;
  while (i < pending_.size()) {
    const Pending& first = pending_[i];
    auto name = nameOf(first);
    std::uint32_t ni = newNode(name);
    std::uint16_t seen = 0;
    bool hasCname = false;
    bool hasOther = false;
    bool hasAddress = false;
    while (i < pending_.size() && sameName(pending_[i], first)) {
      std::uint16_t type = pending_[i].type;
      std::size_t j = i;
      std::uint32_t ttl = pending_[i].ttl;
      while (j < pending_.size() && pending_[j].type == type && sameName(pending_[j], first)) {
        ttl = std::min(ttl, pending_[j].ttl);
        ++j;
      }
      RRsetRef set{};
      set.type = type;
      set.ttl = ttl;
      set.dataOffset = static_cast<std::uint32_t>(data.size());
      std::uint32_t count = 0;
      for (std::size_t k = i; k < j; ++k) {
        if (k > i && cmpBytes(rdataOf(pending_[k]), rdataOf(pending_[k - 1])) == 0) continue;  // duplicate
        const std::uint16_t rdlen = pending_[k].rdataLength;
        const std::uint8_t header[10] = {static_cast<std::uint8_t>(type >> 8),
                                         static_cast<std::uint8_t>(type),
                                         0,
                                         1,  // class IN
                                         static_cast<std::uint8_t>(ttl >> 24),
                                         static_cast<std::uint8_t>(ttl >> 16),
                                         static_cast<std::uint8_t>(ttl >> 8),
                                         static_cast<std::uint8_t>(ttl),
                                         static_cast<std::uint8_t>(rdlen >> 8),
                                         static_cast<std::uint8_t>(rdlen)};
        data.insert(data.end(), header, header + 10);
        auto rd = rdataOf(pending_[k]);
        data.insert(data.end(), rd.begin(), rd.end());
        ++count;
      }
      if (count > 0xFFFF) {
        return Error(
            fmt::format("{}: more than 65535 records in one RRset", wire::Name::fromWire(name)->toText()));
      }
      set.count = static_cast<std::uint16_t>(count);
      set.dataLength = static_cast<std::uint32_t>(data.size() - set.dataOffset);
      rrsets.push_back(set);
      snap->recordCount_ += count;
      ++seen;
      Node& n = nodes[ni];
      if (type == typeCode(RRType::CNAME)) {
        hasCname = true;
        n.flags |= kFlagCname;
        if (count != 1)
          return Error(fmt::format("{}: more than one CNAME", wire::Name::fromWire(name)->toText()));
      } else if (!isDnssecType(type)) {
        hasOther = true;
      }
      if (type == typeCode(RRType::DNAME)) {
        n.flags |= kFlagDname;
        if (count != 1)
          return Error(fmt::format("{}: more than one DNAME", wire::Name::fromWire(name)->toText()));
      }
      if (type == typeCode(RRType::ALIAS)) {
        n.flags |= kFlagAlias;
        if (count != 1)
          return Error(fmt::format("{}: more than one ALIAS", wire::Name::fromWire(name)->toText()));
      }
      if (type == typeCode(RRType::A) || type == typeCode(RRType::AAAA)) hasAddress = true;
      if (type == typeCode(RRType::NS)) n.flags |= kFlagCut;  // cleared for the apex below
      i = j;
    }
    nodes[ni].rrsetCount = seen;
    // RFC 2181 section 10.1: a CNAME cannot coexist with other data.
    if (hasCname && hasOther) {
      return Error(fmt::format("{}: CNAME and other data", wire::Name::fromWire(name)->toText()));
    }
    if ((nodes[ni].flags & kFlagAlias) && hasAddress) {
      return Error(
          fmt::format("{}: ALIAS and A/AAAA at the same name", wire::Name::fromWire(name)->toText()));
    }
  }

  // Hash table over all nodes, including the empty non-terminals added below.
  auto rebuildSlots = [&](std::size_t capacityFor) {
    std::size_t cap = 16;
    while (cap * 3 < capacityFor * 5) cap <<= 1;  // load factor at most 0.6
    snap->slots_.assign(cap, 0);
    snap->slotMask_ = cap - 1;
  };
  auto insertSlot = [&](std::uint32_t idx) {
    const Node& n = nodes[idx];
    std::uint32_t h = hashName({pool.data() + n.nameOffset, n.nameLength});
    std::uint64_t s = h & snap->slotMask_;
    while (snap->slots_[s] != 0) s = (s + 1) & snap->slotMask_;
    snap->slots_[s] = (std::uint64_t{h} << 32) | (idx + 1U);
  };
  // Count empty non-terminals first so the table is sized once.
  std::size_t realNodes = nodes.size();
  rebuildSlots(realNodes + realNodes / 8 + 16);
  {
    // Bulk insert with the slot of a later node prefetched: the table is far
    // larger than the cache, so each insert would otherwise wait on memory.
    std::vector<std::uint32_t> hashes(realNodes);
    for (std::size_t k = 0; k < realNodes; ++k) {
      hashes[k] = hashName({pool.data() + nodes[k].nameOffset, nodes[k].nameLength});
    }
    constexpr std::size_t kAhead = 16;
    for (std::size_t k = 0; k < realNodes; ++k) {
      if (k + kAhead < realNodes) __builtin_prefetch(&snap->slots_[hashes[k + kAhead] & snap->slotMask_], 1);
      std::uint64_t slot = hashes[k] & snap->slotMask_;
      while (snap->slots_[slot] != 0) slot = (slot + 1) & snap->slotMask_;
      snap->slots_[slot] = (std::uint64_t{hashes[k]} << 32) | (k + 1U);
    }
  }
  const std::size_t originLen = originLower_.wireLength();
  std::uint8_t buf[wire::kMaxNameLength];
  // parents[i]: node index of node i's parent (kNoNode for the apex), found
  // here once so the top-down pass below needs no lookups.
  std::vector<std::uint32_t> parents(realNodes, kNoNode);
  std::vector<std::uint32_t> parentHashes(realNodes, 0);
  for (std::size_t k = 0; k < realNodes; ++k) {
    const Node& nd = nodes[k];
    if (nd.nameLength > originLen) {
      const std::uint8_t* nm = pool.data() + nd.nameOffset;
      parentHashes[k] = hashName({nm + 1 + nm[0], nd.nameLength - 1U - nm[0]});
    }
  }
  for (std::uint32_t k = 0; k < realNodes; ++k) {
    if (k + 16 < realNodes) __builtin_prefetch(&snap->slots_[parentHashes[k + 16] & snap->slotMask_]);
    // Walk up from the node's parent to the apex, adding missing ancestors.
    std::size_t len = nodes[k].nameLength;
    std::memcpy(buf, pool.data() + nodes[k].nameOffset, len);
    std::size_t off = 0;
    std::uint32_t child = k;
    while (len - off > originLen) {
      off += 1U + buf[off];
      std::span<const std::uint8_t> anc(buf + off, len - off);
      std::uint32_t found = snap->find(anc);
      if (found != kNoNode) {
        parents[child] = found;
        break;
      }
      if ((nodes.size() + 1) * 10 > snap->slots_.size() * 7) {
        rebuildSlots(nodes.size() * 2);
        for (std::uint32_t m = 0; m < nodes.size(); ++m) insertSlot(m);
      }
      std::uint32_t e = newNode(anc);
      parents.push_back(kNoNode);
      nodes[e].flags |= kFlagEmptyNonTerminal;
      nodes[e].rrsetCount = 0;
      insertSlot(e);
      parents[child] = e;
      child = e;
    }
  }

  snap->apex_ = snap->find(originLower_.bytes());
  if (snap->apex_ == kNoNode)
    return Error(fmt::format("zone {} has no records at its apex", origin_.toText()));
  Node& apex = nodes[snap->apex_];
  apex.flags = static_cast<std::uint16_t>((apex.flags & ~kFlagCut) | kFlagApex);
  const RRsetRef* soa = snap->findRRset(apex, RRType::SOA);
  if (soa == nullptr) return Error(fmt::format("zone {} has no SOA at its apex", origin_.toText()));
  if (soa->count != 1) return Error(fmt::format("zone {} has more than one SOA", origin_.toText()));
  if (apex.flags & kFlagDname) {
    // RFC 6672 section 2.3 allows DNAME at the apex; it redirects names below it.
  }
  snap->soa_ = soa;
  {
    auto tail = snap->rrsetData(*soa);
    snap->negativeSoa_.assign(tail.begin(), tail.end());
    std::size_t rdl = tail.size() - 10;
    const std::uint8_t* mn = tail.data() + 10 + rdl - 4;
    std::uint32_t minimum =
        (std::uint32_t{mn[0]} << 24) | (std::uint32_t{mn[1]} << 16) | (std::uint32_t{mn[2]} << 8) | mn[3];
    snap->serial_ = [&] {
      const std::uint8_t* s = tail.data() + 10 + rdl - 20;
      return (std::uint32_t{s[0]} << 24) | (std::uint32_t{s[1]} << 16) | (std::uint32_t{s[2]} << 8) | s[3];
    }();
    std::uint32_t neg = std::min(soa->ttl, minimum);  // RFC 2308 section 5
    snap->negativeSoa_[4] = static_cast<std::uint8_t>(neg >> 24);
    snap->negativeSoa_[5] = static_cast<std::uint8_t>(neg >> 16);
    snap->negativeSoa_[6] = static_cast<std::uint8_t>(neg >> 8);
    snap->negativeSoa_[7] = static_cast<std::uint8_t>(neg);
  }
  for (const Node& n : nodes) {
    if (&n == &apex) continue;
    if (!n.rrsetCount) continue;
    if (snap->findRRset(n, RRType::SOA) != nullptr) {
      return Error(fmt::format("SOA record at {}, not at the apex",
                               wire::Name::fromWire(snap->nodeName(n))->toText()));
    }
  }

  // Top-down pass: parents before children, so inherited fields are final.
  // Counting sort by label count (at most 128 labels).
  std::vector<std::uint32_t> order(nodes.size());
  {
    std::uint32_t bucket[wire::kMaxLabels + 2] = {};
    for (const Node& nd : nodes) ++bucket[nd.labelCount + 1];
    for (std::size_t b = 1; b < wire::kMaxLabels + 2; ++b) bucket[b] += bucket[b - 1];
    for (std::uint32_t k = 0; k < nodes.size(); ++k) order[bucket[nodes[k].labelCount]++] = k;
  }
  for (std::uint32_t idx : order) {
    Node& n = nodes[idx];
    std::uint32_t parent = idx == snap->apex_ ? kNoNode : parents[idx];
    if (parent != kNoNode) {
      const Node& p = nodes[parent];
      n.highestCut = p.highestCut;
      n.highestDname = p.highestDname;
      if (n.flags & kFlagWildcard) nodes[parent].wildcardChild = idx;
    }
    if (n.highestCut == kNoNode && (n.flags & kFlagCut)) n.highestCut = idx;
    if (n.highestDname == kNoNode && (n.flags & kFlagDname)) n.highestDname = idx;
  }
  // Give back reserved space only when much of it is unused (a copy costs time).
  auto trim = [](auto& v) {
    if (v.capacity() > v.size() + v.size() / 4 + 64) v.shrink_to_fit();
  };
  trim(nodes);
  trim(pool);
  trim(rrsets);
  trim(data);
  // soa_ points into rrsets_, which must not move after this point.
  snap->soa_ = snap->findRRset(nodes[snap->apex_], RRType::SOA);
  pending_.clear();
  names_.clear();
  rdata_.clear();
  return std::shared_ptr<const ZoneSnapshot>(std::move(snap));
}

namespace {

// Too much left behind by earlier derivations: a full build compacts.
bool needsCompaction(std::size_t garbage, std::size_t dataBytes, std::size_t rrsetCount) {
  return garbage > 4096 && garbage > (dataBytes + rrsetCount * sizeof(RRsetRef)) / 3;
}

}  // namespace

Result<std::shared_ptr<const ZoneSnapshot>> ZoneBuilder::derive(const ZoneSnapshot& base,
                                                                std::span<const NameUpdate> updates) {
  if (base.apex_ == kNoNode || base.slots_.empty()) return Error("derive: base snapshot is empty");
  if (needsCompaction(base.garbage_, base.data_.size(), base.rrsets_.size())) {
    return Error("derive: compaction needed");
  }
  // Copy the arrays with room to append, so the appends below do not
  // reallocate (a second copy, into fresh pages, cost more than the first).
  auto snap = std::make_shared<ZoneSnapshot>();
  ZoneSnapshot& z = *snap;
  auto copyWithRoom = [](auto& dst, const auto& src, std::size_t room) {
    dst.reserve(src.size() + room);
    dst.assign(src.begin(), src.end());
  };
  std::size_t dataRoom = 1024;
  std::size_t recordRoom = 16;
  for (const NameUpdate& u : updates) {
    recordRoom += u.records.size() + 1;
    for (const UpdateRecord& r : u.records) dataRoom += r.rdata.size() + 10;
  }
  const std::size_t nameRoom = updates.size() * wire::kMaxLabels + 16;
  z.origin_ = base.origin_;
  z.serial_ = base.serial_;
  z.apex_ = base.apex_;
  z.recordCount_ = base.recordCount_;
  copyWithRoom(z.nodes_, base.nodes_, nameRoom);
  copyWithRoom(z.names_, base.names_, updates.size() * wire::kMaxNameLength * 2);
  copyWithRoom(z.rrsets_, base.rrsets_, recordRoom);
  copyWithRoom(z.data_, base.data_, dataRoom);
  z.slots_ = base.slots_;
  z.slotMask_ = base.slotMask_;
  z.garbage_ = base.garbage_;
  if (auto st = applyInPlace(z, updates); !st) return st.error();
  return std::shared_ptr<const ZoneSnapshot>(std::move(snap));
}

Result<std::shared_ptr<const ZoneSnapshot>> ZoneBuilder::rederive(
    std::shared_ptr<const ZoneSnapshot> spare, std::span<const std::span<const NameUpdate>> steps) {
  if (!spare || spare.use_count() != 1) return Error("rederive: the spare snapshot is still in use");
  // Every other owner's release (an acq_rel decrement) happened before the
  // count read 1; the fence orders their last reads before our writes.
  std::atomic_thread_fence(std::memory_order_acquire);
  // Not undefined: every snapshot is created non-const (make_shared<ZoneSnapshot>)
  // and only handed out as const; nobody else holds this one any more.
  auto& z = const_cast<ZoneSnapshot&>(*spare);
  if (z.apex_ == kNoNode || z.slots_.empty()) return Error("rederive: spare snapshot is empty");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    // The last step is the new batch: refuse it on a spare full of garbage.
    if (i + 1 == steps.size() && needsCompaction(z.garbage_, z.data_.size(), z.rrsets_.size())) {
      return Error("derive: compaction needed");
    }
    if (auto st = applyInPlace(z, steps[i]); !st) return st.error();
  }
  return spare;
}

Status ZoneBuilder::applyInPlace(ZoneSnapshot& z, std::span<const NameUpdate> updates) {
  const wire::Name originLower = z.origin_.lowercased();
  const std::size_t originLen = originLower.wireLength();
  const std::uint16_t apexDname = z.nodes_[z.apex_].flags & kFlagDname;

  auto slotOf = [&](std::uint32_t idx) -> std::uint64_t {
    const Node& n = z.nodes_[idx];
    std::uint32_t h = hashName(z.nodeName(n));
    std::uint64_t i = h & z.slotMask_;
    while (static_cast<std::uint32_t>(z.slots_[i]) != idx + 1U) i = (i + 1) & z.slotMask_;
    return i;
  };
  auto insertSlot = [&](std::uint32_t idx) {
    // Keep the load factor at most 0.6, as build() does.
    if ((z.nodes_.size() + 1) * 5 > z.slots_.size() * 3) {
      std::vector<std::uint64_t> old = std::move(z.slots_);
      z.slots_.assign(old.size() * 2, 0);
      z.slotMask_ = z.slots_.size() - 1;
      for (std::uint64_t e : old) {
        if (e == 0) continue;
        std::uint64_t i = (e >> 32) & z.slotMask_;
        while (z.slots_[i] != 0) i = (i + 1) & z.slotMask_;
        z.slots_[i] = e;
      }
    }
    const Node& n = z.nodes_[idx];
    std::uint32_t h = hashName(z.nodeName(n));
    std::uint64_t i = h & z.slotMask_;
    while (z.slots_[i] != 0) i = (i + 1) & z.slotMask_;
    z.slots_[i] = (std::uint64_t{h} << 32) | (idx + 1U);
  };
  // Linear-probing deletion by backward shift (no tombstones).
  auto eraseSlot = [&](std::uint32_t idx) {
    std::uint64_t i = slotOf(idx);
    z.slots_[i] = 0;
    std::uint64_t j = i;
    for (;;) {
      j = (j + 1) & z.slotMask_;
      if (z.slots_[j] == 0) break;
      std::uint64_t home = (z.slots_[j] >> 32) & z.slotMask_;
      // Move the entry back unless its home lies cyclically in (i, j].
      bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        z.slots_[i] = z.slots_[j];
        z.slots_[j] = 0;
        i = j;
      }
    }
  };
  auto parentOf = [&](std::span<const std::uint8_t> name) -> std::uint32_t {
    if (name.size() <= originLen) return kNoNode;
    return z.find(name.subspan(1U + name[0]));
  };
  auto newNode = [&](std::span<const std::uint8_t> name, std::uint32_t parent) -> std::uint32_t {
    Node n{};
    n.nameOffset = static_cast<std::uint32_t>(z.names_.size());
    n.nameLength = static_cast<std::uint8_t>(name.size());
    z.names_.insert(z.names_.end(), name.begin(), name.end());
    std::uint8_t labels = 0;
    for (std::size_t pos = 0; name[pos] != 0; pos += 1U + name[pos]) ++labels;
    n.labelCount = labels;
    n.rrsetBegin = static_cast<std::uint32_t>(z.rrsets_.size());
    n.rrsetCount = 0;
    n.flags = kFlagEmptyNonTerminal;
    if (name.size() >= 2 && name[0] == 1 && name[1] == '*') n.flags |= kFlagWildcard;
    n.wildcardChild = kNoNode;
    const Node& p = z.nodes_[parent];
    n.highestCut = p.highestCut;
    n.highestDname = p.highestDname;
    z.nodes_.push_back(n);
    auto idx = static_cast<std::uint32_t>(z.nodes_.size() - 1);
    if (n.flags & kFlagWildcard) z.nodes_[parent].wildcardChild = idx;
    insertSlot(idx);
    return idx;
  };
  auto nodeRecords = [&](const Node& n) {
    std::size_t c = 0;
    for (const RRsetRef& r : z.rrsets(n)) c += r.count;
    return c;
  };
  auto dropRRsets = [&](Node& n) {
    for (const RRsetRef& r : z.rrsets(n)) z.garbage_ += r.dataLength + sizeof(RRsetRef);
    z.recordCount_ -= nodeRecords(n);
  };

  for (const NameUpdate& u : updates) {
    const wire::Name lower = u.owner.lowercased();
    auto name = lower.bytes();
    if (!lower.isSubdomainOf(originLower)) {
      return Error(fmt::format("{} is outside the zone {}", u.owner.toText(), z.origin_.toText()));
    }
    const bool isApex = name.size() == originLen;
    std::uint32_t idx = z.find(name);
    if (idx != kNoNode && !isApex && (z.nodes_[idx].flags & (kFlagCut | kFlagDname))) {
      return Error("derive: a delegation or DNAME changes");
    }
    if (u.records.empty()) {
      if (isApex) return Error("derive: the apex loses its data");
      if (idx == kNoNode) continue;
      Node& n = z.nodes_[idx];
      dropRRsets(n);
      n.rrsetCount = 0;
      n.flags = static_cast<std::uint16_t>((n.flags & kFlagWildcard) | kFlagEmptyNonTerminal);
      if (!u.keepAsEmptyNonTerminal) {
        std::uint32_t parent = parentOf(name);
        if (parent != kNoNode && z.nodes_[parent].wildcardChild == idx)
          z.nodes_[parent].wildcardChild = kNoNode;
        eraseSlot(idx);  // the node stays in nodes_, unreachable
      }
      continue;
    }
    // The new RRsets, sorted by type then RDATA, duplicates dropped, one TTL
    // per RRset (the lowest; RFC 2181 section 5.2), as build() makes them.
    std::vector<const UpdateRecord*> recs;
    for (const UpdateRecord& r : u.records) {
      if (wire::isMetaType(r.type) || r.type == RRType::OPT) {
        return Error(
            fmt::format("{}: type {} cannot be zone data", u.owner.toText(), wire::typeToText(r.type)));
      }
      if (r.rdata.size() > 0xFFFF)
        return Error(fmt::format("{}: RDATA longer than 65535 octets", u.owner.toText()));
      if (auto st = checkRdataShape(r.type, r.rdata); !st) {
        return Error(fmt::format("{}: {}", u.owner.toText(), st.error().message));
      }
      if (!isApex && (r.type == RRType::NS || r.type == RRType::DNAME)) {
        return Error("derive: a delegation or DNAME changes");
      }
      if (!isApex && r.type == RRType::SOA)
        return Error(fmt::format("SOA record at {}, not at the apex", u.owner.toText()));
      recs.push_back(&r);
    }
    std::sort(recs.begin(), recs.end(), [](const UpdateRecord* a, const UpdateRecord* b) {
      if (a->type != b->type) return a->type < b->type;
      return a->rdata < b->rdata;
    });
    if (idx == kNoNode) {
      // Create the missing ancestors (empty non-terminals), top down.
      std::vector<std::size_t> offsets;  // of ancestors without a node
      std::size_t off = 0;
      std::uint32_t top = kNoNode;
      while (name.size() - off > originLen) {
        off += 1U + name[off];
        top = z.find(name.subspan(off));
        if (top != kNoNode) break;
        offsets.push_back(off);
      }
      if (top == kNoNode) return Error("derive: no apex");
      for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) top = newNode(name.subspan(*it), top);
      idx = newNode(name, top);
    } else {
      dropRRsets(z.nodes_[idx]);
    }
    Node& n = z.nodes_[idx];
    n.flags = static_cast<std::uint16_t>(n.flags & (kFlagWildcard | kFlagApex));
    n.rrsetBegin = static_cast<std::uint32_t>(z.rrsets_.size());
    std::uint32_t seen = 0;
    bool hasCname = false, hasOther = false, hasAddress = false;
    for (std::size_t i = 0; i < recs.size();) {
      const std::uint16_t type = typeCode(recs[i]->type);
      std::size_t j = i;
      std::uint32_t ttl = 0x7FFFFFFFU;
      while (j < recs.size() && typeCode(recs[j]->type) == type) {
        std::uint32_t t = recs[j]->ttl & 0x80000000U ? 0 : recs[j]->ttl;  // RFC 2181 section 8
        ttl = std::min(ttl, t);
        ++j;
      }
      RRsetRef set{};
      set.type = type;
      set.ttl = ttl;
      set.dataOffset = static_cast<std::uint32_t>(z.data_.size());
      std::uint32_t count = 0;
      for (std::size_t k = i; k < j; ++k) {
        if (k > i && recs[k]->rdata == recs[k - 1]->rdata) continue;
        const auto rdlen = static_cast<std::uint16_t>(recs[k]->rdata.size());
        const std::uint8_t header[10] = {static_cast<std::uint8_t>(type >> 8),
                                         static_cast<std::uint8_t>(type),
                                         0,
                                         1,
                                         static_cast<std::uint8_t>(ttl >> 24),
                                         static_cast<std::uint8_t>(ttl >> 16),
                                         static_cast<std::uint8_t>(ttl >> 8),
                                         static_cast<std::uint8_t>(ttl),
                                         static_cast<std::uint8_t>(rdlen >> 8),
                                         static_cast<std::uint8_t>(rdlen)};
        z.data_.insert(z.data_.end(), header, header + 10);
        z.data_.insert(z.data_.end(), recs[k]->rdata.begin(), recs[k]->rdata.end());
        ++count;
      }
      if (count > 0xFFFF)
        return Error(fmt::format("{}: more than 65535 records in one RRset", u.owner.toText()));
      set.count = static_cast<std::uint16_t>(count);
      set.dataLength = static_cast<std::uint32_t>(z.data_.size() - set.dataOffset);
      z.rrsets_.push_back(set);
      z.recordCount_ += count;
      ++seen;
      if (type == typeCode(RRType::CNAME)) {
        hasCname = true;
        n.flags |= kFlagCname;
        if (count != 1) return Error(fmt::format("{}: more than one CNAME", u.owner.toText()));
      } else if (!isDnssecType(type)) {
        hasOther = true;
      }
      if (type == typeCode(RRType::ALIAS)) {
        n.flags |= kFlagAlias;
        if (count != 1) return Error(fmt::format("{}: more than one ALIAS", u.owner.toText()));
      }
      if (type == typeCode(RRType::SOA) && count != 1) {
        return Error(fmt::format("zone {} has more than one SOA", z.origin_.toText()));
      }
      if (type == typeCode(RRType::A) || type == typeCode(RRType::AAAA)) hasAddress = true;
      if (type == typeCode(RRType::DNAME)) n.flags |= kFlagDname;  // apex only (checked above)
      i = j;
    }
    n.rrsetCount = seen;
    if (hasCname && hasOther) return Error(fmt::format("{}: CNAME and other data", u.owner.toText()));
    if ((n.flags & kFlagAlias) && hasAddress) {
      return Error(fmt::format("{}: ALIAS and A/AAAA at the same name", u.owner.toText()));
    }
    if (isApex && (n.flags & kFlagDname) != apexDname) {
      return Error("derive: a delegation or DNAME changes");
    }
  }

  // The apex SOA (pointer into the new rrsets_), serial and negative TTL.
  const Node& apex = z.nodes_[z.apex_];
  const RRsetRef* soa = z.findRRset(apex, RRType::SOA);
  if (soa == nullptr) return Error(fmt::format("zone {} has no SOA at its apex", z.origin_.toText()));
  z.soa_ = soa;
  auto tail = z.rrsetData(*soa);
  z.negativeSoa_.assign(tail.begin(), tail.end());
  const std::size_t rdl = tail.size() - 10;
  const std::uint8_t* mn = tail.data() + 10 + rdl - 4;
  const std::uint32_t minimum =
      (std::uint32_t{mn[0]} << 24) | (std::uint32_t{mn[1]} << 16) | (std::uint32_t{mn[2]} << 8) | mn[3];
  const std::uint8_t* sp = tail.data() + 10 + rdl - 20;
  z.serial_ =
      (std::uint32_t{sp[0]} << 24) | (std::uint32_t{sp[1]} << 16) | (std::uint32_t{sp[2]} << 8) | sp[3];
  const std::uint32_t neg = std::min(soa->ttl, minimum);  // RFC 2308 section 5
  for (std::size_t k = 0; k < 4; ++k) z.negativeSoa_[4 + k] = static_cast<std::uint8_t>(neg >> (24 - 8 * k));
  return {};
}

}  // namespace zk::zone
