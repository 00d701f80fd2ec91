#include "zone/zone_table.h"

#include <algorithm>

namespace zk::zone {

ZoneSet::ZoneSet(std::vector<std::shared_ptr<const ZoneSnapshot>> zones) : zones_(std::move(zones)) {
  std::size_t cap = 4;
  while (cap < zones_.size() * 2) cap <<= 1;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  minApexLabels_ = 0xFF;
  for (const auto& z : zones_) {
    wire::Name lower = z->origin().lowercased();
    apexes_.emplace_back(lower.wire());
    auto labels = static_cast<std::uint8_t>(lower.labelCount());
    minApexLabels_ = std::min(minApexLabels_, labels);
    maxApexLabels_ = std::max(maxApexLabels_, labels);
    std::uint32_t h = hashName(lower.bytes());
    std::size_t i = h & mask_;
    while (slots_[i].zone != nullptr) i = (i + 1) & mask_;
    slots_[i] = Slot{h, z.get()};
  }
}

const ZoneSnapshot* ZoneSet::probe(std::span<const std::uint8_t> lowerWire) const {
  std::uint32_t h = hashName(lowerWire);
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.zone == nullptr) return nullptr;
    if (s.hash == h) {
      auto apex = s.zone->nodeName(s.zone->node(s.zone->apexNode()));
      if (apex.size() == lowerWire.size() && std::equal(apex.begin(), apex.end(), lowerWire.begin()))
        return s.zone;
    }
  }
}

const ZoneSnapshot* ZoneSet::findZone(std::span<const std::uint8_t> lowerWire) const {
  if (zones_.empty()) return nullptr;
  // Label offsets, so suffixes can be probed deepest first, only at the depths
  // where some apex lives: with one zone that is a single probe.
  std::uint8_t offsets[wire::kMaxLabels + 1];
  std::size_t labels = 0;
  for (std::size_t pos = 0; pos < lowerWire.size() && lowerWire[pos] != 0; pos += 1U + lowerWire[pos]) {
    offsets[labels++] = static_cast<std::uint8_t>(pos);
  }
  offsets[labels] = static_cast<std::uint8_t>(lowerWire.size() - 1);
  if (labels < minApexLabels_) return nullptr;
  std::size_t depth = std::min<std::size_t>(labels, maxApexLabels_);
  for (;; --depth) {
    std::size_t off = offsets[labels - depth];
    if (const ZoneSnapshot* z = probe(lowerWire.subspan(off))) return z;
    if (depth == minApexLabels_) return nullptr;
  }
}

std::shared_ptr<const ZoneSnapshot> ZoneSet::zone(const wire::Name& origin) const {
  for (const auto& z : zones_) {
    if (z->origin() == origin) return z;
  }
  return nullptr;
}

ZoneTable::ZoneTable() : current_(std::make_shared<const ZoneSet>()) {}

void ZoneTable::publish(std::shared_ptr<const ZoneSet> set) {
  std::lock_guard lock(writers_);
  current_.store(std::move(set), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

void ZoneTable::upsert(std::shared_ptr<const ZoneSnapshot> zone) {
  std::lock_guard lock(writers_);
  auto cur = current_.load(std::memory_order_acquire);
  std::vector<std::shared_ptr<const ZoneSnapshot>> zones;
  for (const auto& z : cur->zones()) {
    if (!(z->origin() == zone->origin())) zones.push_back(z);
  }
  zones.push_back(std::move(zone));
  current_.store(std::make_shared<const ZoneSet>(std::move(zones)), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

bool ZoneTable::remove(const wire::Name& origin) {
  std::lock_guard lock(writers_);
  auto cur = current_.load(std::memory_order_acquire);
  std::vector<std::shared_ptr<const ZoneSnapshot>> zones;
  bool found = false;
  for (const auto& z : cur->zones()) {
    if (z->origin() == origin) {
      found = true;
    } else {
      zones.push_back(z);
    }
  }
  if (!found) return false;
  current_.store(std::make_shared<const ZoneSet>(std::move(zones)), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

}  // namespace zk::zone
