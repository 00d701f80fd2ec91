#pragma once
// QueryProcessor: one DNS query in, one response out (RFC 1034 section 4.3.2
// on immutable zone snapshots). Bytes in, bytes out; no heap allocation per
// query. One processor per worker thread (it caches the published zone set).

#include <cstddef>
#include <cstdint>
#include <span>

#include "query/packet_cache.h"
#include "wire/rrtype.h"
#include "zone/zone_table.h"

namespace zk::query {

enum class Transport : std::uint8_t { Udp, Tcp };

// Addresses for an ALIAS target outside the served zones.
struct AliasAnswer {
  std::uint32_t ttl = 0;
  // Concatenated addresses: 4 octets each for A, 16 for AAAA; empty = no data.
  std::span<const std::uint8_t> addresses;
};

// Answers ALIAS targets that are not in a served zone (Route53 alias
// semantics). Called on the query path: it must not block; an implementation
// answers from its cache and refreshes in the background.
class AliasResolver {
 public:
  virtual ~AliasResolver() = default;
  // `target` is the lower-cased uncompressed wire name, `type` A or AAAA.
  // Returns false when no answer is available (the query gets SERVFAIL).
  virtual bool lookup(std::span<const std::uint8_t> target, wire::RRType type, AliasAnswer& out) = 0;
};

struct ProcessorOptions {
  // EDNS UDP payload size advertised and the cap on UDP responses (RFC 6891
  // section 6.2.5; 1232 avoids IP fragmentation, DNS flag day 2020).
  std::uint16_t udpPayload = 1232;
  // Maximum CNAME/DNAME/ALIAS hops followed inside the served zones.
  std::uint8_t maxChain = 12;
  // Slots of the per-worker UDP packet cache (packet_cache.h, 256 octets of
  // address space each, resident once used); 0 turns it off.
  std::size_t packetCacheSlots = 0;
};

class QueryProcessor {
 public:
  explicit QueryProcessor(const zone::ZoneTable& zones, AliasResolver* aliasResolver = nullptr,
                          ProcessorOptions options = {});

  // Writes the response to `query` into `out` and returns its length, or 0
  // when no response must be sent (the input is itself a response, or too
  // short to carry an ID). `out` should hold at least 512 octets (65535 for TCP).
  std::size_t process(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, Transport transport);

  // Hint that `query` will be processed soon (UDP): loads its packet-cache slot.
  void prefetch(std::span<const std::uint8_t> query) const { cache_.prefetch(query); }

  // Whether the last process() replayed a response from the packet cache.
  [[nodiscard]] bool lastFromCache() const { return lastFromCache_; }

 private:
  // process() without the cache; `usedResolver` (if given) learns whether
  // the answer depended on the ALIAS resolver's cache.
  std::size_t answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, Transport transport,
                     bool* usedResolver);

  zone::ZoneTableReader zones_;
  AliasResolver* aliasResolver_;
  ProcessorOptions options_;
  PacketCache cache_;
  bool lastFromCache_ = false;
};

}  // namespace zk::query
