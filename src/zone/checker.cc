#include "zone/checker.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>

#include <sys/mman.h>

#include <fmt/format.h>

namespace zk::zone {
namespace {

using wire::RRType;
using zonefile::Diagnostic;
using zonefile::Location;
using zonefile::Severity;
using Record = ZoneRecords::Record;

constexpr std::size_t kMaxKept = 1000;  // diagnostics kept per severity

// Case-insensitive FNV-1a with a final avalanche (FNV's low bits mix poorly).
std::uint64_t hashName(std::span<const std::uint8_t> w) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::uint8_t b : w) {
    h ^= wire::asciiLower(b);
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// A slot holds the name id + 1 (0 = empty) and 32 bits of the hash, so most
// probes that miss never touch the name itself.
constexpr std::uint64_t makeSlot(std::uint32_t id, std::uint64_t hash) {
  return (hash >> 32 << 32) | (id + 1ULL);
}
constexpr std::uint32_t slotId(std::uint64_t slot) { return static_cast<std::uint32_t>(slot) - 1; }
constexpr bool slotHashMatches(std::uint64_t slot, std::uint64_t hash) {
  return (slot >> 32) == (hash >> 32);
}

// Offsets of the length octets of each label, leftmost first; returns the count.
std::size_t labelOffsets(std::span<const std::uint8_t> w,
                         std::array<std::uint16_t, wire::kMaxLabels + 1>& out) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while (pos < w.size() && w[pos] != 0 && n < out.size()) {
    out[n++] = static_cast<std::uint16_t>(pos);
    pos += 1U + w[pos];
  }
  return n;
}

// `name` equals `ancestor` or lies below it (both uncompressed wire form).
bool isSubdomain(std::span<const std::uint8_t> name, std::span<const std::uint8_t> ancestor) {
  if (name.size() < ancestor.size()) return false;
  std::size_t pos = 0;
  const std::size_t want = name.size() - ancestor.size();
  while (pos < want) pos += 1U + name[pos];
  return pos == want && wire::wireNamesEqual(name.subspan(pos), ancestor);
}

std::string nameText(std::span<const std::uint8_t> w) {
  auto n = wire::Name::fromWire(w);
  return n ? n->toText() : std::string("?");
}

// Length of the wire-form name at the start of `w`, or 0 when malformed.
std::size_t nameLength(std::span<const std::uint8_t> w) {
  std::size_t pos = 0;
  while (pos < w.size()) {
    if (w[pos] == 0) return pos + 1;
    pos += 1U + w[pos];
  }
  return 0;
}

enum Flag : std::uint16_t {
  kSoa = 1 << 0,
  kNs = 1 << 1,
  kCname = 1 << 2,
  kDname = 1 << 3,
  kAddress = 1 << 4,  // A or AAAA
  kOther = 1 << 5,    // anything that may not sit beside a CNAME
  kInZone = 1 << 6,
  kNsTarget = 1 << 7,  // some NS record names this name
};

// RFC 2181 section 10.1 / RFC 4035 section 2.5: only DNSSEC data may sit beside a CNAME.
bool allowedAtCname(std::uint16_t type) {
  return type == static_cast<std::uint16_t>(RRType::CNAME) ||
         type == static_cast<std::uint16_t>(RRType::RRSIG) ||
         type == static_cast<std::uint16_t>(RRType::NSEC);
}

}  // namespace

SlotTable::SlotTable(std::size_t count) : size_(count) {
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  bytes_ = count * sizeof(std::uint64_t);
  if (bytes_ >= kHuge) bytes_ = (bytes_ + kHuge - 1) / kHuge * kHuge;
  void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();  // out of memory, as operator new would
#ifdef MADV_HUGEPAGE
  if (bytes_ >= kHuge) ::madvise(p, bytes_, MADV_HUGEPAGE);
#endif
  data_ = static_cast<std::uint64_t*>(p);
}

SlotTable::~SlotTable() {
  if (data_ != nullptr) ::munmap(data_, bytes_);
}

ZoneRecords::ZoneRecords(wire::Name origin, wire::RRClass cls) : origin_(std::move(origin)), class_(cls) {
  nameOffsets_.push_back(0);
  slots_ = SlotTable(1024);
}

void ZoneRecords::reserve(std::size_t records, std::size_t names) {
  records_.reserve(records);
  nameOffsets_.reserve(names + 1);
  nameArena_.reserve(names * 24);
  rdataArena_.reserve(records * 12);
  std::size_t want = 1024;
  while (want < names + names / 2) want *= 2;
  if (want > slots_.size() && nameCount() == 0) slots_ = SlotTable(want);
}

void ZoneRecords::growTable(std::uint32_t interned) {
  SlotTable bigger(slots_.size() * 2);
  const std::size_t mask = bigger.size() - 1;
  for (std::uint32_t id = 0; id < interned; ++id) {
    const std::uint64_t h = hashName(nameWire(id));
    std::size_t i = h & mask;
    while (bigger[i] != 0) i = (i + 1) & mask;
    bigger[i] = makeSlot(id, h);
  }
  slots_.swap(bigger);
}

std::optional<std::uint32_t> ZoneRecords::findName(std::span<const std::uint8_t> w) const {
  const std::size_t mask = slots_.size() - 1;
  const std::uint64_t h = hashName(w);
  std::size_t i = h & mask;
  while (slots_[i] != 0) {
    if (slotHashMatches(slots_[i], h)) {
      const std::uint32_t id = slotId(slots_[i]);
      if (wire::wireNamesEqual(nameWire(id), w)) return id;
    }
    i = (i + 1) & mask;
  }
  return std::nullopt;
}

void ZoneRecords::findNames(std::span<const std::span<const std::uint8_t>> names,
                            std::vector<std::uint32_t>& ids) const {
  // Three-stage software pipeline: prefetch the slot of name k+2d, then the
  // offset entry of the id found there for k+d, then look k up; the misses of
  // a large table overlap instead of adding up.
  constexpr std::size_t kStep = 8;
  const std::size_t n = names.size();
  ids.assign(n, kNoName);
  std::vector<std::uint64_t> hashes(n);
  for (std::size_t k = 0; k < n; ++k) hashes[k] = hashName(names[k]);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t k = 0; k < n; ++k) {
    if (k + 2 * kStep < n) __builtin_prefetch(&slots_[hashes[k + 2 * kStep] & mask]);
    if (k + kStep < n) {
      const std::uint64_t slot = slots_[hashes[k + kStep] & mask];
      if (slot != 0) {
        const std::uint32_t id = slotId(slot);
        __builtin_prefetch(&nameOffsets_[id]);
        __builtin_prefetch(nameArena_.data() + nameOffsets_[id]);
      }
    }
    const std::uint64_t h = hashes[k];
    std::size_t i = h & mask;
    while (slots_[i] != 0) {
      if (slotHashMatches(slots_[i], h)) {
        const std::uint32_t id = slotId(slots_[i]);
        if (wire::wireNamesEqual(nameWire(id), names[k])) {
          ids[k] = id;
          break;
        }
      }
      i = (i + 1) & mask;
    }
  }
}

std::uint32_t ZoneRecords::appendName(std::span<const std::uint8_t> w) {
  // Zone files group records by owner: the previous name is the usual hit.
  if (nameCount() > 0) {
    const auto last = nameWire(static_cast<std::uint32_t>(nameCount() - 1));
    if (last.size() == w.size() && std::memcmp(last.data(), w.data(), w.size()) == 0) {
      return static_cast<std::uint32_t>(nameCount() - 1);
    }
  }
  nameArena_.insert(nameArena_.end(), w.begin(), w.end());
  nameOffsets_.push_back(static_cast<std::uint32_t>(nameArena_.size()));
  return static_cast<std::uint32_t>(nameCount() - 1);
}

// Interns the names appended since the last call in one batch: hashes first,
// then table probes with the slot of a name a few steps ahead prefetched, so
// that the cache misses of a large table overlap instead of adding up.
void ZoneRecords::finishAdding() {
  const std::uint32_t first = interned_;
  const auto total = static_cast<std::uint32_t>(nameCount());
  if (first == total) return;
  const std::uint32_t pending = total - first;
  while (std::size_t{total} * 10 > slots_.size() * 7) growTable(first);  // load factor 0.7

  std::vector<std::uint32_t> offsets(nameOffsets_.begin() + first, nameOffsets_.end());  // original bounds
  // Hashes of the next kAhead names in a ring, so their slots can be prefetched.
  constexpr std::uint32_t kAhead = 12;
  constexpr std::uint32_t kRing = 16;
  std::uint64_t ring[kRing];
  auto hashOf = [&](std::uint32_t k) {
    return hashName({nameArena_.data() + offsets[k], offsets[k + 1] - offsets[k]});
  };
  for (std::uint32_t k = 0; k < kAhead && k < pending; ++k) ring[k % kRing] = hashOf(k);
  std::vector<std::uint32_t> remap(pending);
  const std::size_t mask = slots_.size() - 1;
  std::uint32_t next = first;  // next canonical id; names are compacted in place
  for (std::uint32_t k = 0; k < pending; ++k) {
    if (k + kAhead < pending) {
      // Name k + kAhead has not moved yet: compaction only writes below name k's end.
      const std::uint64_t ahead = hashOf(k + kAhead);
      ring[(k + kAhead) % kRing] = ahead;
      __builtin_prefetch(&slots_[ahead & mask]);
    }
    const std::uint64_t h = ring[k % kRing];
    // Name k in its original place; it is compared before being moved down.
    const std::span<const std::uint8_t> w{nameArena_.data() + offsets[k], offsets[k + 1] - offsets[k]};
    std::size_t i = h & mask;
    std::optional<std::uint32_t> found;
    while (slots_[i] != 0) {
      if (slotHashMatches(slots_[i], h)) {
        const std::uint32_t id = slotId(slots_[i]);
        if (wire::wireNamesEqual(nameWire(id), w)) {
          found = id;
          break;
        }
      }
      i = (i + 1) & mask;
    }
    if (found) {
      remap[k] = *found;
      continue;
    }
    const std::uint32_t id = next++;
    const std::uint32_t dst = nameOffsets_[id];
    if (dst != offsets[k]) std::memmove(nameArena_.data() + dst, w.data(), w.size());
    nameOffsets_[id + 1] = dst + static_cast<std::uint32_t>(w.size());
    slots_[i] = makeSlot(id, h);
    remap[k] = id;
  }
  nameOffsets_.resize(std::size_t{next} + 1);
  nameArena_.resize(nameOffsets_[next]);
  for (Record& r : records_) {
    if (r.name >= first) r.name = remap[r.name - first];
  }
  interned_ = next;
}

bool ZoneRecords::add(const wire::Name& owner, wire::RRType type, std::uint32_t ttl,
                      std::span<const std::uint8_t> rdata, zonefile::Location location) {
  if (rdata.size() > 0xffff || rdataArena_.size() + rdata.size() > 0xffffffffULL ||
      nameArena_.size() + owner.wireLength() > 0xffffffffULL) {
    return false;
  }
  Record r{};
  r.name = appendName(owner.bytes());
  r.rdataOffset = static_cast<std::uint32_t>(rdataArena_.size());
  r.rdataLength = static_cast<std::uint16_t>(rdata.size());
  r.ttl = ttl;
  r.seq = seq_++;
  r.type = static_cast<std::uint16_t>(type);
  r.line = location.line;
  r.file = static_cast<std::uint16_t>(std::min<std::uint32_t>(location.file, 0xffff));
  r.column = static_cast<std::uint16_t>(std::min<std::uint32_t>(location.column, 0xffff));
  rdataArena_.insert(rdataArena_.end(), rdata.begin(), rdata.end());
  records_.push_back(r);
  return true;
}

void ZoneRecords::sortRecords() {
  const std::uint8_t* base = rdataArena_.data();
  std::sort(records_.begin(), records_.end(), [base](const Record& a, const Record& b) {
    if (a.name != b.name) return a.name < b.name;
    if (a.type != b.type) return a.type < b.type;
    const std::size_t n = std::min(a.rdataLength, b.rdataLength);
    const int c = n == 0 ? 0 : std::memcmp(base + a.rdataOffset, base + b.rdataOffset, n);
    if (c != 0) return c < 0;
    if (a.rdataLength != b.rdataLength) return a.rdataLength < b.rdataLength;
    return a.seq < b.seq;
  });
}

std::vector<std::uint32_t> ZoneRecords::canonicalNameOrder() const {
  // Sort key per name (RFC 4034 section 6.1): labels from the root down, each
  // lower-cased with 0x00 written as 00 01 and ended by 00 00, so that plain
  // byte comparison gives the canonical order.
  const std::size_t n = nameCount();
  std::vector<std::uint8_t> keys;
  keys.reserve(nameArena_.size() + n * 4);
  std::vector<std::uint32_t> keyOffsets(n + 1, 0);
  std::array<std::uint16_t, wire::kMaxLabels + 1> offs{};
  for (std::uint32_t id = 0; id < n; ++id) {
    const auto w = nameWire(id);
    const std::size_t count = labelOffsets(w, offs);
    for (std::size_t k = count; k-- > 0;) {
      const std::size_t at = offs[k];
      for (std::size_t j = 0; j < w[at]; ++j) {
        const std::uint8_t b = wire::asciiLower(w[at + 1 + j]);
        keys.push_back(b);
        if (b == 0) keys.push_back(1);
      }
      keys.push_back(0);
      keys.push_back(0);
    }
    keyOffsets[id + 1] = static_cast<std::uint32_t>(keys.size());
  }
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  const std::uint8_t* kb = keys.data();
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::size_t la = keyOffsets[a + 1] - keyOffsets[a];
    const std::size_t lb = keyOffsets[b + 1] - keyOffsets[b];
    const std::size_t m = std::min(la, lb);
    const int c = m == 0 ? 0 : std::memcmp(kb + keyOffsets[a], kb + keyOffsets[b], m);
    return c != 0 ? c < 0 : la < lb;
  });
  return order;
}

CheckResult checkZone(ZoneRecords& zone) {
  CheckResult res;
  const auto originWire = zone.origin().bytes();
  const std::string originText = zone.origin().toText();
  auto report = [&](Severity s, const Record* r, std::string msg) {
    // Every problem is counted; the first kMaxKept of each kind are kept.
    const std::size_t n = s == Severity::Error ? ++res.errors : ++res.warnings;
    if (n > kMaxKept) return;
    Location loc;
    if (r != nullptr) loc = Location{r->file, r->line, r->column};
    res.diagnostics.push_back(Diagnostic{s, loc, std::move(msg)});
  };
  auto typeName = [](std::uint16_t t) { return wire::typeToText(static_cast<RRType>(t)); };

  zone.finishAdding();
  const std::size_t nameCount = zone.nameCount();
  std::vector<std::uint16_t> flags(nameCount, 0);
  for (std::uint32_t id = 0; id < nameCount; ++id) {
    if (isSubdomain(zone.nameWire(id), originWire)) flags[id] = kInZone;
  }
  zone.sortRecords();

  auto& recs = zone.mutableRecords();

  // RRsets: one TTL per RRset (RFC 2181 section 5.2; the first record's, as
  // BIND does), duplicates collapsed, data outside the zone rejected.
  std::vector<bool> drop(recs.size(), false);
  for (std::size_t i = 0; i < recs.size();) {
    std::size_t j = i + 1;
    while (j < recs.size() && recs[j].name == recs[i].name && recs[j].type == recs[i].type) ++j;
    if ((flags[recs[i].name] & kInZone) == 0) {
      for (std::size_t k = i; k < j; ++k) {
        report(Severity::Error, &recs[k],
               fmt::format("{} {} is outside the zone {} (zonekeeper never drops data silently)",
                           nameText(zone.nameWire(recs[k].name)), typeName(recs[k].type), originText));
        drop[k] = true;
      }
      i = j;
      continue;
    }
    std::size_t first = i;
    for (std::size_t k = i + 1; k < j; ++k) {
      if (recs[k].seq < recs[first].seq) first = k;
    }
    const std::uint32_t ttl = recs[first].ttl;
    for (std::size_t k = i; k < j; ++k) {
      if (recs[k].ttl != ttl) {
        report(Severity::Warning, &recs[k],
               fmt::format("TTL {} differs from TTL {} of the {} {} RRset (RFC 2181 section 5.2); using {}",
                           recs[k].ttl, ttl, nameText(zone.nameWire(recs[k].name)), typeName(recs[k].type),
                           ttl));
        recs[k].ttl = ttl;
      }
      if (k > i) {
        const auto a = zone.rdata(recs[k - 1]);
        const auto b = zone.rdata(recs[k]);
        if (a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0))
          drop[k] = true;
      }
    }
    i = j;
  }
  {
    std::size_t out = 0;
    for (std::size_t k = 0; k < recs.size(); ++k) {
      if (!drop[k]) recs[out++] = recs[k];
    }
    recs.resize(out);
  }

  // Per-name flags.
  bool haveCuts = false;
  for (const Record& r : recs) {
    std::uint16_t f = 0;
    switch (static_cast<RRType>(r.type)) {
      case RRType::SOA:
        f = kSoa | kOther;
        break;
      case RRType::NS:
        f = kNs | kOther;
        break;
      case RRType::CNAME:
        f = kCname;
        break;
      case RRType::DNAME:
        f = kDname | kOther;
        break;
      case RRType::A:
      case RRType::AAAA:
        f = kAddress | kOther;
        break;
      default:
        f = allowedAtCname(r.type) ? 0 : kOther;
        break;
    }
    flags[r.name] |= f;
  }
  const auto apexId = zone.findName(originWire);

  // Per-name and per-RRset rules.
  for (std::size_t i = 0; i < recs.size();) {
    const std::uint32_t id = recs[i].name;
    std::size_t j = i + 1;
    while (j < recs.size() && recs[j].name == id) ++j;
    const bool apex = apexId && *apexId == id;
    ++res.names;
    res.records += j - i;
    const std::uint16_t f = flags[id];
    if ((!apex && (f & kNs)) || (f & kDname)) haveCuts = true;
    const Record* firstCname = nullptr;
    const Record* firstOther = nullptr;
    for (std::size_t a = i; a < j;) {
      // One RRset [a, b); `first` is its record that came first in the file.
      std::size_t b = a + 1;
      while (b < j && recs[b].type == recs[a].type) ++b;
      std::size_t first = a;
      for (std::size_t k = a + 1; k < b; ++k) {
        if (recs[k].seq < recs[first].seq) first = k;
      }
      const Record& r0 = recs[first];
      const auto type = static_cast<RRType>(r0.type);
      const char* singleton = type == RRType::SOA     ? "SOA record at the zone apex"
                              : type == RRType::CNAME ? "CNAME record at"
                              : type == RRType::DNAME ? "DNAME record at"
                                                      : nullptr;
      const char* rfc = type == RRType::SOA     ? "RFC 1035 section 5.2"
                        : type == RRType::CNAME ? "RFC 2181 section 10.1"
                                                : "RFC 6672 section 2.4";
      if (type == RRType::SOA && !apex) {
        for (std::size_t k = a; k < b; ++k) {
          report(Severity::Error, &recs[k],
                 fmt::format("SOA record at {} is not at the zone apex {}", nameText(zone.nameWire(id)),
                             originText));
        }
      } else if (singleton != nullptr) {
        for (std::size_t k = a; k < b; ++k) {
          if (k == first) continue;
          report(Severity::Error, &recs[k],
                 type == RRType::SOA
                     ? fmt::format("more than one {} {} ({})", singleton, originText, rfc)
                     : fmt::format("more than one {} {} ({})", singleton, nameText(zone.nameWire(id)), rfc));
        }
      }
      if (type == RRType::SOA && apex && r0.rdataLength >= 20) {
        const auto rd = zone.rdata(r0);
        const std::size_t m = nameLength(rd);
        const std::size_t n2 = m == 0 ? 0 : nameLength(rd.subspan(m));
        if (n2 != 0 && m + n2 + 4 <= rd.size()) {
          const auto* p = rd.data() + m + n2;
          res.serial = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                       (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
        }
      }
      if (type == RRType::CNAME) {
        firstCname = &r0;
      } else if (!allowedAtCname(r0.type)) {
        if (firstOther == nullptr || r0.seq < firstOther->seq) firstOther = &r0;
      }
      a = b;
    }
    if (firstCname != nullptr && firstOther != nullptr) {
      const Record* later = firstCname->seq > firstOther->seq ? firstCname : firstOther;
      report(Severity::Error, later,
             fmt::format("{} has a CNAME and other data ({}) (RFC 2181 section 10.1)",
                         nameText(zone.nameWire(id)), typeName(firstOther->type)));
    }
    i = j;
  }

  if (!apexId || (flags[*apexId] & kSoa) == 0) {
    report(Severity::Error, nullptr, fmt::format("no SOA record at the zone apex {}", originText));
  }
  if (!apexId || (flags[*apexId] & kNs) == 0) {
    report(Severity::Error, nullptr, fmt::format("no NS records at the zone apex {}", originText));
  }

  // Delegation points and DNAMEs above each name (the closest enclosing cut).
  constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> cutAbove;
  if (haveCuts) {
    cutAbove.assign(nameCount, kNone);
    std::array<std::uint16_t, wire::kMaxLabels + 1> offs{};
    for (std::uint32_t id = 0; id < nameCount; ++id) {
      if ((flags[id] & kInZone) == 0) continue;
      const auto w = zone.nameWire(id);
      const std::size_t count = labelOffsets(w, offs);
      // Proper ancestors from the apex down: a DNAME at the apex, or a
      // delegation or DNAME below it.
      for (std::size_t k = count; k-- > 1;) {
        const auto suffix = w.subspan(offs[k]);
        if (suffix.size() < originWire.size()) continue;
        const bool atApex = suffix.size() == originWire.size();
        if (auto anc = zone.findName(suffix); anc && (flags[*anc] & (atApex ? kDname : kNs | kDname))) {
          cutAbove[id] = *anc;
          break;
        }
      }
    }
  }
  auto below = [&](std::uint32_t id) { return haveCuts ? cutAbove[id] : kNone; };
  // A DNAME cut redirects everything below it; at a non-apex name that also
  // has NS the delegation wins.
  auto isDnameCut = [&](std::uint32_t cut) {
    return (flags[cut] & kDname) && ((apexId && cut == *apexId) || (flags[cut] & kNs) == 0);
  };
  // The DNAME above a name that may own no records (an NS or MX target).
  auto dnameAbove = [&](std::span<const std::uint8_t> w) -> std::uint32_t {
    if (!haveCuts) return kNone;
    std::array<std::uint16_t, wire::kMaxLabels + 1> offs{};
    const std::size_t count = labelOffsets(w, offs);
    for (std::size_t k = count; k-- > 1;) {
      const auto suffix = w.subspan(offs[k]);
      if (suffix.size() < originWire.size()) continue;
      if (auto anc = zone.findName(suffix); anc && isDnameCut(*anc)) return *anc;
    }
    return kNone;
  };

  // NS targets (RFC 1035 section 5.2; glue as named-checkzone checks it).
  for (const Record& r : recs) {
    if (r.type != static_cast<std::uint16_t>(RRType::NS)) continue;
    if (below(r.name) != kNone) continue;  // occluded NS, reported below
    const auto target = zone.rdata(r);
    if (!isSubdomain(target, originWire)) continue;
    const auto tid = zone.findName(target);
    if (tid) flags[*tid] |= kNsTarget;
    const bool hasAddress = tid && (flags[*tid] & kAddress);
    const bool apex = apexId && *apexId == r.name;
    if (const std::uint32_t d = dnameAbove(target); d != kNone) {
      report(apex ? Severity::Error : Severity::Warning, &r,
             fmt::format("NS target {} is below the DNAME at {} (RFC 6672 section 2.3)", nameText(target),
                         nameText(zone.nameWire(d))));
    } else if (tid && (flags[*tid] & kCname)) {
      report(apex ? Severity::Error : Severity::Warning, &r,
             fmt::format("NS target {} is a CNAME (RFC 2181 section 10.3)", nameText(target)));
    } else if (!hasAddress) {
      if (apex) {
        report(Severity::Error, &r,
               fmt::format("NS target {} is in the zone but has no address records (A or AAAA)",
                           nameText(target)));
      } else if (isSubdomain(target, zone.nameWire(r.name))) {
        report(Severity::Warning, &r,
               fmt::format("delegation {} to {} lacks the required glue address records (A or AAAA)",
                           nameText(zone.nameWire(r.name)), nameText(target)));
      } else {
        report(Severity::Warning, &r,
               fmt::format("delegation {}: NS target {} has no address records (A or AAAA)",
                           nameText(zone.nameWire(r.name)), nameText(target)));
      }
    }
  }

  // MX and SRV targets inside the zone (warnings, as named-checkzone gives).
  // Collected first and looked up in one prefetching batch: they point at
  // random names of a large zone.
  std::vector<const Record*> targetRecs;
  std::vector<std::span<const std::uint8_t>> targets;
  for (const Record& r : recs) {
    std::size_t at = 0;
    if (r.type == static_cast<std::uint16_t>(RRType::MX)) {
      at = 2;
    } else if (r.type == static_cast<std::uint16_t>(RRType::SRV)) {
      at = 6;
    } else if (r.type == static_cast<std::uint16_t>(RRType::DS) && apexId && r.name == *apexId) {
      report(
          Severity::Error, &r,
          fmt::format("DS record at the zone apex {}: it belongs in the parent zone (RFC 4035 section 2.4)",
                      originText));
      continue;
    } else {
      continue;
    }
    if (below(r.name) != kNone || r.rdataLength <= at) continue;
    const auto target = zone.rdata(r).subspan(at);
    if (target.size() == 1 || !isSubdomain(target, originWire)) continue;  // "." or outside
    targetRecs.push_back(&r);
    targets.push_back(target);
  }
  std::vector<std::uint32_t> targetIds;
  zone.findNames(targets, targetIds);
  for (std::size_t k = 0; k < targets.size(); ++k) {
    const Record& r = *targetRecs[k];
    const char* what = r.type == static_cast<std::uint16_t>(RRType::MX) ? "MX" : "SRV";
    const std::uint32_t tid = targetIds[k];
    if (tid != ZoneRecords::kNoName && (flags[tid] & kCname)) {
      report(Severity::Warning, &r,
             fmt::format("{} target {} is a CNAME (RFC 2181 section 10.3)", what, nameText(targets[k])));
    } else if (tid == ZoneRecords::kNoName || (flags[tid] & kAddress) == 0) {
      report(Severity::Warning, &r,
             fmt::format("{} target {} has no address records (A or AAAA)", what, nameText(targets[k])));
    }
  }

  // Data below a delegation point or DNAME.
  if (haveCuts) {
    for (std::size_t i = 0; i < recs.size();) {
      const std::uint32_t id = recs[i].name;
      std::size_t j = i + 1;
      while (j < recs.size() && recs[j].name == id) ++j;
      const std::uint32_t cut = cutAbove[id];
      if (cut != kNone) {
        const bool dname = isDnameCut(cut);
        for (std::size_t k = i; k < j; ++k) {
          const Record& r = recs[k];
          const bool address = r.type == static_cast<std::uint16_t>(RRType::A) ||
                               r.type == static_cast<std::uint16_t>(RRType::AAAA);
          if (dname) {
            report(Severity::Warning, &r,
                   fmt::format("{} {} is below the DNAME at {} and can never be answered",
                               nameText(zone.nameWire(id)), typeName(r.type), nameText(zone.nameWire(cut))));
          } else if (!address) {
            report(Severity::Warning, &r,
                   fmt::format("{} {} is below the delegation {} and can never be answered",
                               nameText(zone.nameWire(id)), typeName(r.type), nameText(zone.nameWire(cut))));
          } else if ((flags[id] & kNsTarget) == 0) {
            report(Severity::Warning, &r,
                   fmt::format("{} {} is below the delegation {} but no NS record uses it as glue",
                               nameText(zone.nameWire(id)), typeName(r.type), nameText(zone.nameWire(cut))));
          }
        }
      }
      i = j;
    }
  }

  if (res.errors > kMaxKept) {
    res.diagnostics.push_back(
        {Severity::Error, {}, fmt::format("{} more errors not shown", res.errors - kMaxKept)});
  }
  if (res.warnings > kMaxKept) {
    res.diagnostics.push_back(
        {Severity::Warning, {}, fmt::format("{} more warnings not shown", res.warnings - kMaxKept)});
  }
  std::stable_sort(
      res.diagnostics.begin(), res.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
        const auto key = [](const Diagnostic& d) {
          return std::array<std::uint64_t, 3>{d.location.line == 0 ? UINT64_MAX : d.location.file,
                                              d.location.line, d.location.column};
        };
        return key(a) < key(b);
      });
  return res;
}

}  // namespace zk::zone
