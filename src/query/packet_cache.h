#pragma once
// PacketCache: responses to repeated UDP queries, replayed byte for byte.
//
// With the processor's options fixed, a UDP response is a function of the
// query's octets after the ID and of the published zone set; answers built
// from the ALIAS resolver's cache are the one exception and are never stored.
// Entries are keyed by exactly those octets (case included: a 0x20-randomised
// name simply misses) and tagged with the zone table's generation, so every
// publication turns every entry into a miss at once: a replayed response is
// never older than the zone set the query would otherwise have read.
//
// Direct-mapped, fixed size, mapped once and filled lazily (untouched slots
// cost no resident memory). One per worker thread: no locking.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace zk::query {

class PacketCache {
 public:
  // Octets of key (query after the ID) plus response that fit one slot.
  static constexpr std::size_t kPayload = 240;

  // `slots` is rounded up to a power of two (at most 2^24); 0 disables the cache.
  explicit PacketCache(std::size_t slots);

  [[nodiscard]] bool enabled() const { return slots_ != nullptr; }

  // On a hit, writes the stored response with the query's ID into `out` and
  // returns its length; 0 on a miss (or when it does not fit `out`).
  std::size_t find(std::span<const std::uint8_t> query, std::uint64_t generation,
                   std::span<std::uint8_t> out);

  // Starts loading the slot `query` maps to (a worker prefetches a whole
  // batch before answering it, so the slots' cache misses overlap).
  void prefetch(std::span<const std::uint8_t> query) const;

  // Stores `response` (answer to `query` computed from a zone set at least as
  // new as `generation`); silently skipped when key and response exceed kPayload.
  void store(std::span<const std::uint8_t> query, std::uint64_t generation,
             std::span<const std::uint8_t> response);

 private:
  struct Slot {
    std::uint64_t tag = 0;  // generation + 1; 0 = empty
    std::uint32_t hash = 0;
    std::uint16_t keyLength = 0;
    std::uint16_t responseLength = 0;
    std::uint8_t bytes[kPayload] = {};  // key, then response
  };
  static_assert(sizeof(Slot) == 256);
  struct Unmap {
    std::size_t bytes;
    void operator()(Slot* p) const;
  };

  [[nodiscard]] std::uint64_t hash(std::span<const std::uint8_t> key) const;
  [[nodiscard]] std::span<const std::uint8_t> keyOf(std::span<const std::uint8_t> query) const;

  std::unique_ptr<Slot, Unmap> slots_{nullptr, Unmap{0}};
  std::size_t mask_ = 0;
  std::uint64_t seed_ = 0;
};

}  // namespace zk::query
