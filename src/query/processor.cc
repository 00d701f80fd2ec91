#include "query/processor.h"

#include <algorithm>
#include <cstring>

#include "query/writer.h"
#include "wire/message.h"

namespace zk::query {
namespace {

using wire::RRType;
using zone::kNoNode;
using zone::Node;
using zone::RRsetRef;
using zone::ZoneSnapshot;

constexpr std::uint16_t kQr = 0x8000;
constexpr std::uint16_t kAa = 0x0400;
constexpr std::uint16_t kTc = 0x0200;
constexpr std::uint16_t kRd = 0x0100;
constexpr std::uint16_t kCd = 0x0010;
constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kOptSize = 11;  // root owner, TYPE, CLASS, TTL, RDLENGTH 0

constexpr std::uint16_t code(RRType t) { return static_cast<std::uint16_t>(t); }

std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t get32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
void set16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

std::size_t nameLength(const std::uint8_t* name) {
  std::size_t p = 0;
  while (name[p] != 0) p += 1U + name[p];
  return p + 1;
}

void lowerCopy(std::uint8_t* dst, const std::uint8_t* src, std::size_t len) {
  for (std::size_t i = 0; i < len; ++i) dst[i] = wire::asciiLower(src[i]);
}

// Skips a possibly compressed name in a received message (RFC 1035 4.1.4).
bool skipName(std::span<const std::uint8_t> msg, std::size_t& off) {
  std::size_t total = 0;
  for (;;) {
    if (off >= msg.size()) return false;
    std::uint8_t len = msg[off];
    if (len == 0) {
      ++off;
      return true;
    }
    if ((len & 0xC0) == 0xC0) {
      if (off + 2 > msg.size()) return false;
      off += 2;
      return true;
    }
    if ((len & 0xC0) != 0) return false;  // RFC 6891 section 5: extended label types are gone
    total += 1U + len;
    if (total > wire::kMaxNameLength) return false;
    off += 1U + len;
  }
}

struct Query {
  std::uint16_t id = 0;
  std::uint16_t flags = 0;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::size_t qnameLen = 0;  // uncompressed wire length of the question name
  bool haveQuestion = false;
  bool edns = false;
  bool dnssecOk = false;
  std::uint8_t ednsVersion = 0;
  std::uint16_t payload = 0;
};

enum class ParseOutcome { Ok, Drop, FormErr, NotImp };

// Header, question, then every remaining record to find the OPT (RFC 6891).
ParseOutcome parseQuery(std::span<const std::uint8_t> msg, Query& q) {
  if (msg.size() < kHeaderSize) return ParseOutcome::Drop;
  q.id = get16(msg.data());
  q.flags = get16(msg.data() + 2);
  if (q.flags & kQr) return ParseOutcome::Drop;  // never answer a response
  std::uint16_t qd = get16(msg.data() + 4);
  std::uint16_t an = get16(msg.data() + 6);
  std::uint16_t ns = get16(msg.data() + 8);
  std::uint16_t ar = get16(msg.data() + 10);
  std::size_t off = kHeaderSize;
  if (qd == 1) {
    // The question name must be uncompressed: nothing precedes it to point to.
    std::size_t p = off;
    for (;;) {
      if (p >= msg.size()) return ParseOutcome::FormErr;
      std::uint8_t len = msg[p];
      if (len == 0) {
        ++p;
        break;
      }
      if (len > wire::kMaxLabelLength) return ParseOutcome::FormErr;
      p += 1U + len;
      if (p - off >= wire::kMaxNameLength) return ParseOutcome::FormErr;
    }
    if (p + 4 > msg.size()) return ParseOutcome::FormErr;
    q.qnameLen = p - off;
    q.qtype = get16(msg.data() + p);
    q.qclass = get16(msg.data() + p + 2);
    q.haveQuestion = true;
    off = p + 4;
  } else {
    // Still walk the questions so an OPT behind them is found (RFC 6891 section 7).
    for (std::size_t i = 0; i < qd; ++i) {
      if (!skipName(msg, off) || off + 4 > msg.size()) return ParseOutcome::FormErr;
      off += 4;
    }
  }
  // The OPT is looked for before these errors: their answers carry it too
  // (RFC 6891 section 7), as Knot's do.
  ParseOutcome outcome = ParseOutcome::Ok;
  if (((q.flags >> 11) & 0xF) != 0) {
    outcome = ParseOutcome::NotImp;
  } else if (qd != 1) {
    outcome = ParseOutcome::FormErr;
  }
  auto malformed = [&q] {
    q.edns = false;  // the OPT may be what is malformed: none in the answer
    return ParseOutcome::FormErr;
  };
  std::size_t records = std::size_t{an} + ns + ar;
  for (std::size_t i = 0; i < records; ++i) {
    std::size_t start = off;
    if (!skipName(msg, off)) return malformed();
    if (off + 10 > msg.size()) return malformed();
    std::uint16_t type = get16(msg.data() + off);
    std::uint16_t cls = get16(msg.data() + off + 2);
    std::uint32_t ttl = get32(msg.data() + off + 4);
    std::uint16_t rdlen = get16(msg.data() + off + 8);
    off += 10;
    if (off + rdlen > msg.size()) return malformed();
    if (type == code(RRType::OPT)) {
      // RFC 6891 section 6.1.1: one OPT, in the additional section, owned by the root.
      if (q.edns || i < std::size_t{an} + ns || off - start != 11) return malformed();
      q.edns = true;
      q.payload = cls;
      q.ednsVersion = static_cast<std::uint8_t>(ttl >> 16);
      q.dnssecOk = (ttl & 0x8000U) != 0;
      std::size_t o = off;
      while (o < off + rdlen) {  // options must be well formed; unknown ones are ignored
        if (o + 4 > off + rdlen) return malformed();
        o += 4U + get16(msg.data() + o + 2);
        if (o > off + rdlen) return malformed();
      }
    }
    off += rdlen;
  }
  return outcome;
}

struct Location {
  enum Kind { Data, Referral, Dname } kind = Data;
  std::uint32_t node = kNoNode;  // closest encloser (or the name itself when exact)
  bool exact = false;
  std::uint32_t stop = kNoNode;  // cut or DNAME owner for Referral/Dname
};

// RFC 1034 section 4.3.2 steps 3a-3c on one zone: the deepest existing node
// on the path to `lower`, and the highest zone cut or DNAME above it.
Location locate(const ZoneSnapshot& z, const std::uint8_t* lower, std::size_t len, std::uint16_t qtype) {
  Location loc;
  std::size_t off = 0;
  std::uint32_t idx = z.find({lower, len});
  loc.exact = idx != kNoNode;
  while (idx == kNoNode && lower[off] != 0) {
    off += 1U + lower[off];
    idx = z.find({lower + off, len - off});
  }
  if (idx == kNoNode) idx = z.apexNode();  // not reached: every name in the zone ends at the apex
  loc.node = idx;
  const Node& e = z.node(idx);
  std::uint32_t cut = e.highestCut;
  std::uint32_t dname = e.highestDname;
  // A DNAME redirects names below its owner, not the owner itself (RFC 6672 section 2.3).
  if (dname == idx && loc.exact) dname = kNoNode;
  // DS lives on the parent side of a cut (RFC 4035 section 3.1.4.1).
  if (cut == idx && loc.exact && qtype == code(RRType::DS)) cut = kNoNode;
  if (cut != kNoNode && (dname == kNoNode || z.node(cut).labelCount <= z.node(dname).labelCount)) {
    loc.kind = Location::Referral;
    loc.stop = cut;
  } else if (dname != kNoNode) {
    loc.kind = Location::Dname;
    loc.stop = dname;
  }
  return loc;
}

bool isOccluded(const Node& n, std::uint32_t self) {
  return n.highestCut != kNoNode || (n.highestDname != kNoNode && n.highestDname != self);
}

class Answerer {
 public:
  // cur_, curLower_ and visited_ are scratch written before being read; zeroing them would cost every query.
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init)
  Answerer(AnswerWriter& w, const zone::ZoneSet& zones, AliasResolver* resolver, std::uint16_t qtype,
           std::uint8_t maxChain)
      : w_(w), zones_(zones), resolver_(resolver), qtype_(qtype), maxChain_(maxChain) {}

  bool aa = true;
  bool tc = false;
  bool usedResolver = false;  // the answer came (partly) from the ALIAS resolver's cache
  wire::Rcode rcode = wire::Rcode::NOERROR;

  void run(const ZoneSnapshot* zone, const std::uint8_t* qname, std::size_t qlen) {
    std::memcpy(cur_, qname, qlen);
    w_.setOwnerHint(cur_, 12);  // the question name
    lowerCopy(curLower_, qname, qlen);
    curLen_ = qlen;
    for (std::uint8_t hop = 0;; ++hop) {
      const ZoneSnapshot* z = hop == 0 ? zone : zones_.findZone({curLower_, curLen_});
      if (z == nullptr) return;  // chain leaves our zones: the resolver continues from here
      Location loc = locate(*z, curLower_, curLen_, qtype_);
      if (loc.kind == Location::Referral) {
        referral(*z, loc.stop);
        if (hop == 0) aa = false;  // RFC 1034 4.3.2 step 3b: a referral is not authoritative
        return;
      }
      if (loc.kind == Location::Dname) {
        if (!dname(*z, loc.stop) || qtype_ == code(RRType::CNAME) || hop + 1 >= maxChain_) return;
        continue;
      }
      std::uint32_t ni = loc.node;
      if (!loc.exact) {
        // RFC 4592 section 3.3.1: only the closest encloser's wildcard child can match.
        ni = z->node(loc.node).wildcardChild;
        if (ni == kNoNode) {
          rcode = wire::Rcode::NXDOMAIN;
          negative(*z);
          return;
        }
      }
      const Node& node = z->node(ni);
      if (node.rrsetCount == 0) {  // empty non-terminal (or wildcard one): NODATA
        negative(*z);
        return;
      }
      if (qtype_ == code(RRType::ANY)) {
        anyAnswer(*z, node);
        return;
      }
      if ((node.flags & zone::kFlagCname) && qtype_ != code(RRType::CNAME)) {
        const RRsetRef* c = z->findRRset(node, RRType::CNAME);
        if (visited(&node)) return;  // CNAME loop: each CNAME is given once
        if (!emitSet(Section::Answer, cur_, *z, *c) || hop + 1 >= maxChain_) return;
        auto rd = firstRdata(*z, *c);
        std::size_t targetOffset = w_.lastRdataOffset();
        setCurrent(rd.data());
        w_.setOwnerHint(cur_, targetOffset);
        continue;
      }
      const RRsetRef* set =
          qtype_ == code(RRType::ALIAS) ? nullptr : z->findRRset(node, static_cast<RRType>(qtype_));
      if (set != nullptr) {
        if (emitSet(Section::Answer, cur_, *z, *set)) additional(*z, *set);
        return;
      }
      if ((node.flags & zone::kFlagAlias) && (qtype_ == code(RRType::A) || qtype_ == code(RRType::AAAA))) {
        alias(*z, node, static_cast<RRType>(qtype_));
        return;
      }
      negative(*z);
      return;
    }
  }

 private:
  static std::span<const std::uint8_t> firstRdata(const ZoneSnapshot& z, const RRsetRef& set) {
    auto d = z.rrsetData(set);
    return d.subspan(10, get16(d.data() + 8));
  }

  void setCurrent(const std::uint8_t* name) {
    curLen_ = nameLength(name);
    std::memcpy(cur_, name, curLen_);
    lowerCopy(curLower_, name, curLen_);
  }

  bool visited(const Node* n) {
    for (std::size_t i = 0; i < nVisited_; ++i) {
      if (visited_[i] == n) return true;
    }
    if (nVisited_ < kMaxVisited) visited_[nVisited_++] = n;
    return false;
  }

  // Writes a whole RRset or nothing; sets TC when it does not fit (answer and
  // authority sections, RFC 2181 section 9).
  bool emitSet(Section s, const std::uint8_t* owner, const ZoneSnapshot& z, const RRsetRef& set) {
    auto m = w_.mark();
    auto data = z.rrsetData(set);
    std::size_t pos = 0;
    for (std::uint16_t i = 0; i < set.count; ++i) {
      std::size_t len = 10U + get16(data.data() + pos + 8);
      if (!w_.writeRecord(s, owner, data.subspan(pos, len))) {
        w_.rollback(m);
        if (s != Section::Additional) tc = true;
        return false;
      }
      pos += len;
    }
    return true;
  }

  // RFC 2308 section 3 and 5: the zone's SOA in the authority section, with
  // TTL min(SOA TTL, SOA MINIMUM).
  void negative(const ZoneSnapshot& z) {
    auto m = w_.mark();
    const Node& apex = z.node(z.apexNode());
    if (!w_.writeRecord(Section::Authority, z.nodeName(apex).data(), z.negativeSoaTail())) {
      w_.rollback(m);
      tc = true;
    }
  }

  void anyAnswer(const ZoneSnapshot& z, const Node& node) {
    // RFC 8482 section 4.1: answer with one RRset of the name.
    for (const RRsetRef& r : z.rrsets(node)) {
      if (r.type == code(RRType::RRSIG) || r.type == code(RRType::NSEC) || r.type == code(RRType::ALIAS))
        continue;
      if (emitSet(Section::Answer, cur_, z, r)) additional(z, r);
      return;
    }
    if (node.flags & zone::kFlagAlias) {
      alias(z, node, RRType::A);
      return;
    }
    negative(z);
  }

  // RFC 6672 section 3.3: the DNAME, then a CNAME synthesised for the query name.
  bool dname(const ZoneSnapshot& z, std::uint32_t stop) {
    const Node& d = z.node(stop);
    const RRsetRef* set = z.findRRset(d, RRType::DNAME);
    if (visited(&d)) return false;  // DNAME loop
    if (!emitSet(Section::Answer, z.nodeName(d).data(), z, *set)) return false;
    auto target = firstRdata(z, *set);
    std::size_t prefix = curLen_ - d.nameLength;
    if (prefix + target.size() > wire::kMaxNameLength) {
      rcode = wire::Rcode::YXDOMAIN;  // RFC 6672 section 2.2: the substituted name is too long
      return false;
    }
    std::uint8_t next[wire::kMaxNameLength];
    std::memcpy(next, cur_, prefix);
    std::memcpy(next + prefix, target.data(), target.size());
    auto m = w_.mark();
    if (!w_.writeRecordParts(Section::Answer, cur_, RRType::CNAME, set->ttl,
                             {next, prefix + target.size()})) {
      w_.rollback(m);
      tc = true;
      return false;
    }
    std::size_t targetOffset = w_.lastRdataOffset();
    setCurrent(next);
    w_.setOwnerHint(cur_, targetOffset);
    return true;
  }

  void referral(const ZoneSnapshot& z, std::uint32_t cut) {
    const Node& c = z.node(cut);
    const RRsetRef* ns = z.findRRset(c, RRType::NS);
    auto cutName = z.nodeName(c);
    if (!emitSet(Section::Authority, cutName.data(), z, *ns)) return;
    // Glue from this zone (RFC 1034 section 4.3.2 step 3b). RFC 9471: glue for
    // in-domain servers that does not fit sets TC.
    auto data = z.rrsetData(*ns);
    std::size_t pos = 0;
    for (std::uint16_t i = 0; i < ns->count; ++i) {
      std::size_t len = 10U + get16(data.data() + pos + 8);
      const std::uint8_t* target = data.data() + pos + 10;
      pos += len;
      std::uint8_t lower[wire::kMaxNameLength];
      std::size_t tl = nameLength(target);
      lowerCopy(lower, target, tl);
      std::uint32_t gi = z.find({lower, tl});
      if (gi == kNoNode) continue;
      const Node& g = z.node(gi);
      bool inDomain = tl >= cutName.size() &&
                      std::memcmp(lower + tl - cutName.size(), cutName.data(), cutName.size()) == 0;
      for (RRType t : {RRType::A, RRType::AAAA}) {
        const RRsetRef* a = z.findRRset(g, t);
        if (a != nullptr && !emitSet(Section::Additional, target, z, *a) && inDomain) tc = true;
      }
    }
  }

  // Additional-section processing (RFC 1034 section 3.6.2, RFC 2782): addresses
  // of MX, SRV and NS targets in the same zone (what Knot DNS and NSD do too).
  void additional(const ZoneSnapshot& z, const RRsetRef& set) {
    std::size_t nameOff;
    if (set.type == code(RRType::MX)) {
      nameOff = 2;
    } else if (set.type == code(RRType::SRV)) {
      nameOff = 6;
    } else if (set.type == code(RRType::NS)) {
      nameOff = 0;
    } else {
      return;
    }
    auto data = z.rrsetData(set);
    std::size_t pos = 0;
    const Node* done[16];
    std::size_t nDone = 0;
    for (std::uint16_t i = 0; i < set.count; ++i) {
      std::size_t len = 10U + get16(data.data() + pos + 8);
      const std::uint8_t* target = data.data() + pos + 10 + nameOff;
      pos += len;
      std::uint8_t lower[wire::kMaxNameLength];
      std::size_t tl = nameLength(target);
      lowerCopy(lower, target, tl);
      std::uint32_t gi = z.find({lower, tl});
      if (gi == kNoNode) continue;
      const Node& g = z.node(gi);
      if (set.type != code(RRType::NS) && isOccluded(g, gi)) continue;
      if (std::find(done, done + nDone, &g) != done + nDone) continue;
      if (nDone < 16) done[nDone++] = &g;
      for (RRType t : {RRType::A, RRType::AAAA}) {
        const RRsetRef* a = z.findRRset(g, t);
        if (a != nullptr) emitSet(Section::Additional, target, z, *a);
      }
    }
  }

  // ALIAS (Route53 alias semantics): the target's A or AAAA RRset under the
  // alias's own name. Targets in our zones are followed through CNAMEs and
  // further ALIASes; others go to the AliasResolver.
  void alias(const ZoneSnapshot& aliasZone, const Node& node, RRType type) {
    const RRsetRef* set = aliasZone.findRRset(node, RRType::ALIAS);
    auto rd = firstRdata(aliasZone, *set);
    std::uint8_t target[wire::kMaxNameLength];
    std::uint8_t lower[wire::kMaxNameLength];
    std::size_t tl = rd.size();
    std::memcpy(target, rd.data(), tl);
    lowerCopy(lower, target, tl);
    for (std::uint8_t hop = 0; hop < maxChain_; ++hop) {
      const ZoneSnapshot* z = zones_.findZone({lower, tl});
      Location loc;
      if (z != nullptr) loc = locate(*z, lower, tl, code(type));
      if (z == nullptr || loc.kind != Location::Data) {
        external(aliasZone, {lower, tl}, type);
        return;
      }
      std::uint32_t ni = loc.exact ? loc.node : z->node(loc.node).wildcardChild;
      if (ni == kNoNode || z->node(ni).rrsetCount == 0) {
        negative(aliasZone);  // the target has no addresses: NODATA for the alias
        return;
      }
      const Node& t = z->node(ni);
      if (const RRsetRef* a = z->findRRset(t, type); a != nullptr) {
        emitSet(Section::Answer, cur_, *z, *a);
        return;
      }
      const RRsetRef* next = nullptr;
      if (t.flags & zone::kFlagCname) {
        next = z->findRRset(t, RRType::CNAME);
      } else if (t.flags & zone::kFlagAlias) {
        next = z->findRRset(t, RRType::ALIAS);
      }
      if (next == nullptr) {
        negative(aliasZone);
        return;
      }
      auto nrd = firstRdata(*z, *next);
      tl = nrd.size();
      std::memcpy(target, nrd.data(), tl);
      lowerCopy(lower, target, tl);
    }
    rcode = wire::Rcode::SERVFAIL;  // ALIAS chain too long or looping
  }

  void external(const ZoneSnapshot& aliasZone, std::span<const std::uint8_t> lowerTarget, RRType type) {
    AliasAnswer ans;
    usedResolver = resolver_ != nullptr;
    if (resolver_ == nullptr || !resolver_->lookup(lowerTarget, type, ans)) {
      rcode = wire::Rcode::SERVFAIL;
      return;
    }
    std::size_t width = type == RRType::A ? 4 : 16;
    if (ans.addresses.size() < width) {
      negative(aliasZone);
      return;
    }
    auto m = w_.mark();
    for (std::size_t off = 0; off + width <= ans.addresses.size(); off += width) {
      if (!w_.writeRecordParts(Section::Answer, cur_, type, ans.ttl, ans.addresses.subspan(off, width))) {
        w_.rollback(m);
        tc = true;
        return;
      }
    }
  }

  static constexpr std::size_t kMaxVisited = 32;
  AnswerWriter& w_;
  const zone::ZoneSet& zones_;
  AliasResolver* resolver_;
  std::uint16_t qtype_;
  std::uint8_t maxChain_;
  std::uint8_t cur_[wire::kMaxNameLength];
  std::uint8_t curLower_[wire::kMaxNameLength];
  std::size_t curLen_ = 0;
  const Node* visited_[kMaxVisited];
  std::size_t nVisited_ = 0;
};

}  // namespace

QueryProcessor::QueryProcessor(const zone::ZoneTable& zones, AliasResolver* aliasResolver,
                               ProcessorOptions options)
    : zones_(zones), aliasResolver_(aliasResolver), options_(options), cache_(options.packetCacheSlots) {}

std::size_t QueryProcessor::process(std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                                    Transport transport) {
  lastFromCache_ = false;
  // Over UDP with an output buffer no smaller than any payload limit, the
  // response depends only on the query's octets and the zone set: replay it.
  const bool cacheable = cache_.enabled() && transport == Transport::Udp &&
                         out.size() >= std::max<std::size_t>(options_.udpPayload, 512);
  if (!cacheable) return answer(query, out, transport, nullptr);
  const std::uint64_t generation = zones_.sync();
  if (std::size_t n = cache_.find(query, generation, out)) {
    lastFromCache_ = true;
    return n;
  }
  bool usedResolver = false;
  std::size_t n = answer(query, out, transport, &usedResolver);
  if (n != 0 && !usedResolver) cache_.store(query, generation, out.first(n));
  return n;
}

std::size_t QueryProcessor::answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                                   Transport transport, bool* usedResolver) {
  if (out.size() < 512) return 0;
  Query q;
  ParseOutcome parsed = parseQuery(query, q);
  if (parsed == ParseOutcome::Drop) return 0;

  std::size_t limit = std::min<std::size_t>(out.size(), 65535);
  if (transport == Transport::Udp) {
    // RFC 6891 section 6.2.3/6.2.5: the requestor's payload size (at least 512), capped by ours.
    std::size_t payload = q.edns ? std::max<std::size_t>(q.payload, 512) : 512;
    limit = std::min<std::size_t>(
        limit, std::min<std::size_t>(payload, std::max<std::size_t>(options_.udpPayload, 512)));
  }
  AnswerWriter w(out.data(), limit);
  auto flags = static_cast<std::uint16_t>(kQr | (q.flags & (0x7800 | kRd | kCd)));
  wire::Rcode rcode = wire::Rcode::NOERROR;
  bool withOpt = q.edns;
  std::uint8_t* o = out.data();
  const std::uint8_t header[kHeaderSize] = {static_cast<std::uint8_t>(q.id >> 8),
                                            static_cast<std::uint8_t>(q.id)};
  w.put(header, kHeaderSize);  // flags and counts are filled in at the end

  bool questionCopied = false;
  auto copyQuestion = [&] {
    if (!q.haveQuestion) return;
    w.put(query.data() + kHeaderSize, q.qnameLen + 4);
    w.addCompressionTarget(kHeaderSize);
    questionCopied = true;
  };

  // Error answers carry an OPT when the query had a well-formed one (RFC 6891
  // section 7, RFC 8906 section 3.2); parseQuery clears q.edns when the
  // records, and so perhaps the OPT, were malformed.
  if (parsed == ParseOutcome::FormErr) {
    rcode = wire::Rcode::FORMERR;
    copyQuestion();
  } else if (q.edns && q.ednsVersion > 0) {
    rcode = wire::Rcode::BADVERS;  // RFC 6891 section 6.1.3, also for unknown opcodes (as Knot)
    copyQuestion();
  } else if (parsed == ParseOutcome::NotImp) {
    rcode = wire::Rcode::NOTIMP;  // RFC 1035 section 4.1.1, RFC 8906 section 3.1.4
    copyQuestion();
  } else {
    copyQuestion();
    if (withOpt) w.setLimit(limit - kOptSize);
    const std::uint8_t* qname = query.data() + kHeaderSize;
    std::uint8_t lower[wire::kMaxNameLength];
    lowerCopy(lower, qname, q.qnameLen);
    if (q.qtype == code(RRType::OPT)) {
      rcode = wire::Rcode::FORMERR;  // OPT is not a question type (RFC 6891 section 6.1.1)
    } else if (q.qclass != static_cast<std::uint16_t>(wire::RRClass::IN)) {
      rcode = wire::Rcode::REFUSED;  // only class IN zones are served
    } else if (q.qtype == code(RRType::AXFR) || q.qtype == code(RRType::IXFR)) {
      rcode = wire::Rcode::REFUSED;  // zone transfers are not offered
    } else if (q.qtype == 253 || q.qtype == 254) {
      rcode = wire::Rcode::NOTIMP;  // MAILA/MAILB (RFC 1035 section 3.2.3), obsolete
    } else {
      const zone::ZoneSet& zones = zones_.get();
      const zone::ZoneSnapshot* z = zones.findZone({lower, q.qnameLen});
      if (z != nullptr && q.qtype == code(RRType::DS) && q.qnameLen == z->origin().wireLength() &&
          lower[0] != 0) {
        // RFC 4035 section 3.1.4.1: DS at a zone apex belongs to the parent
        // zone; answer from it when we serve it too.
        if (const zone::ZoneSnapshot* parent =
                zones.findZone({lower + 1 + lower[0], q.qnameLen - 1U - lower[0]})) {
          z = parent;
        }
      }
      if (z == nullptr) {
        rcode = wire::Rcode::REFUSED;  // not authoritative, and never a resolver
      } else {
        Answerer a(w, zones, aliasResolver_, q.qtype, options_.maxChain);
        a.run(z, qname, q.qnameLen);
        if (usedResolver != nullptr) *usedResolver = a.usedResolver;
        rcode = a.rcode;
        if (a.aa) flags |= kAa;
        if (a.tc) flags |= kTc;
        if (rcode == wire::Rcode::SERVFAIL) {
          // Drop partial data: SERVFAIL carries only the question.
          AnswerWriter::Mark m{kHeaderSize + q.qnameLen + 4, 0, {0, 0, 0}};
          w.rollback(m);
          flags = static_cast<std::uint16_t>(flags & ~(kAa | kTc));
        }
      }
    }
    w.setLimit(limit);
  }

  auto rc = static_cast<std::uint16_t>(rcode);
  if (rc > 15 && !withOpt) rc = static_cast<std::uint16_t>(wire::Rcode::SERVFAIL);
  flags = static_cast<std::uint16_t>(flags | (rc & 0xF));
  if (withOpt) {
    // RFC 6891 section 6.1.3: extended RCODE high bits, version 0, DO echoed (RFC 3225).
    const std::uint8_t opt[kOptSize] = {0,
                                        0,
                                        static_cast<std::uint8_t>(code(RRType::OPT)),
                                        static_cast<std::uint8_t>(options_.udpPayload >> 8),
                                        static_cast<std::uint8_t>(options_.udpPayload),
                                        static_cast<std::uint8_t>(rc >> 4),
                                        0,
                                        static_cast<std::uint8_t>(q.dnssecOk ? 0x80 : 0),
                                        0,
                                        0,
                                        0};
    if (w.put(opt, kOptSize)) w.bump(Section::Additional);
  }
  set16(o + 2, flags);
  set16(o + 4, questionCopied ? 1 : 0);
  w.finishCounts();
  return w.pos();
}

}  // namespace zk::query
