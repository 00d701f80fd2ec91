#include "zone/zone_table.h"

#include <algorithm>

namespace zk::zone {

ZoneSet::ZoneSet(std::vector<std::shared_ptr<const ZoneSnapshot>> zones) : zones_(std::move(zones)) {
  minApexLabels_ = 0xFF;
  for (const auto& z : zones_) {
    wire::Name lower = z->origin().lowercased();
    byApex_[std::string(lower.wire())] = z.get();
    minApexLabels_ = std::min<std::uint8_t>(minApexLabels_, static_cast<std::uint8_t>(lower.labelCount()));
  }
}

const ZoneSnapshot* ZoneSet::findZone(std::span<const std::uint8_t> lowerWire) const {
  if (byApex_.empty()) return nullptr;
  // Longest suffix first: the most specific zone wins when zones nest.
  std::size_t labels = 0;
  for (std::size_t pos = 0; pos < lowerWire.size() && lowerWire[pos] != 0; pos += 1U + lowerWire[pos])
    ++labels;
  std::size_t pos = 0;
  while (labels >= minApexLabels_) {
    std::string_view key(reinterpret_cast<const char*>(lowerWire.data() + pos), lowerWire.size() - pos);
    if (auto it = byApex_.find(key); it != byApex_.end()) return it->second;
    if (labels == 0) break;
    pos += 1U + lowerWire[pos];
    --labels;
  }
  return nullptr;
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
