#include "query/packet_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>

namespace zk::query {
namespace {

constexpr std::size_t kIdSize = 2;
constexpr std::size_t kMaxSlots = std::size_t{1} << 24;

std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
  h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 31);
}

}  // namespace

void PacketCache::Unmap::operator()(Slot* p) const { ::munmap(p, bytes); }

PacketCache::PacketCache(std::size_t slots) {
  if (slots == 0) return;
  slots = std::bit_ceil(std::min(slots, kMaxSlots));
  const std::size_t bytes = slots * sizeof(Slot);
  // Anonymous zero pages: a slot costs memory only once written.
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;         // no cache rather than no server
  ::madvise(p, bytes, MADV_HUGEPAGE);  // one TLB entry per 2 MiB: slots are hit at random
  slots_ = std::unique_ptr<Slot, Unmap>(static_cast<Slot*>(p), Unmap{bytes});
  mask_ = slots - 1;
  // A per-process seed: nobody can aim queries at one slot from outside.
  std::random_device rd;
  seed_ = (std::uint64_t{rd()} << 32) | rd();
}

std::uint64_t PacketCache::hash(std::span<const std::uint8_t> key) const {
  // 8 octets at a time; the last word overlaps the one before it (keys are
  // queries, at least a question long, so short keys are rare).
  const std::uint8_t* p = key.data();
  const std::size_t n = key.size();
  std::uint64_t h = seed_ ^ (n * 0x9e3779b97f4a7c15ULL);
  auto load = [p](std::size_t at) {
    std::uint64_t w;
    std::memcpy(&w, p + at, 8);
    return w;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) h = mix(h, load(i));
    return mix(h, load(n - 8));
  }
  std::uint64_t w = 0;
  for (std::size_t i = 0; i < n; ++i) w = (w << 8) | p[i];
  return mix(h, w);
}

std::span<const std::uint8_t> PacketCache::keyOf(std::span<const std::uint8_t> query) const {
  // The query after its ID; none (empty) without a cache or when no slot could hold it.
  if (!slots_ || query.size() <= kIdSize || query.size() - kIdSize >= kPayload) return {};
  return query.subspan(kIdSize);
}

std::size_t PacketCache::find(std::span<const std::uint8_t> query, std::uint64_t generation,
                              std::span<std::uint8_t> out) {
  auto key = keyOf(query);
  if (key.empty()) return 0;
  const std::uint64_t h = hash(key);
  const Slot& s = slots_.get()[h & mask_];
  if (s.tag != generation + 1 || s.hash != static_cast<std::uint32_t>(h >> 32) || s.keyLength != key.size() ||
      s.responseLength > out.size() || std::memcmp(s.bytes, key.data(), key.size()) != 0) {
    return 0;
  }
  std::memcpy(out.data(), s.bytes + s.keyLength, s.responseLength);
  out[0] = query[0];
  out[1] = query[1];
  return s.responseLength;
}

void PacketCache::prefetch(std::span<const std::uint8_t> query) const {
  auto key = keyOf(query);
  if (key.empty()) return;
  const Slot* s = slots_.get() + (hash(key) & mask_);
  __builtin_prefetch(s);
  __builtin_prefetch(reinterpret_cast<const std::uint8_t*>(s) + 64);
}

void PacketCache::store(std::span<const std::uint8_t> query, std::uint64_t generation,
                        std::span<const std::uint8_t> response) {
  if (!slots_ || query.size() <= kIdSize || response.size() < kIdSize ||
      query.size() - kIdSize + response.size() > kPayload) {
    return;
  }
  auto key = query.subspan(kIdSize);
  const std::uint64_t h = hash(key);
  Slot& s = slots_.get()[h & mask_];
  s.tag = generation + 1;
  s.hash = static_cast<std::uint32_t>(h >> 32);
  s.keyLength = static_cast<std::uint16_t>(key.size());
  s.responseLength = static_cast<std::uint16_t>(response.size());
  std::memcpy(s.bytes, key.data(), key.size());
  std::memcpy(s.bytes + key.size(), response.data(), response.size());
}

}  // namespace zk::query
