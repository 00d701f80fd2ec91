#pragma once
// ZoneTable: the set of served zones, published atomically.
//
// A ZoneSet is immutable; changing any zone builds a new ZoneSet (sharing the
// unchanged snapshots) and publishes it with one atomic pointer store, so a
// query sees either the old or the new set, never half of a change. Workers
// read through a ZoneTableReader, which keeps its own reference and only
// touches the shared pointer when the generation counter moved, so the hot
// path does one relaxed-cost atomic load and no reference-count traffic.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zone/snapshot.h"

namespace zk::zone {

class ZoneSet {
 public:
  ZoneSet() = default;
  explicit ZoneSet(std::vector<std::shared_ptr<const ZoneSnapshot>> zones);

  // The most specific zone containing the lower-cased wire name (longest
  // matching apex), or nullptr when no zone contains it.
  [[nodiscard]] const ZoneSnapshot* findZone(std::span<const std::uint8_t> lowerWire) const;
  [[nodiscard]] const std::vector<std::shared_ptr<const ZoneSnapshot>>& zones() const { return zones_; }
  [[nodiscard]] std::shared_ptr<const ZoneSnapshot> zone(const wire::Name& origin) const;

 private:
  struct Slot {
    std::uint32_t hash = 0;
    const ZoneSnapshot* zone = nullptr;
  };
  [[nodiscard]] const ZoneSnapshot* probe(std::span<const std::uint8_t> lowerWire) const;

  std::vector<std::shared_ptr<const ZoneSnapshot>> zones_;
  std::vector<std::string> apexes_;  // lower-cased wire form, parallel to zones_
  std::vector<Slot> slots_;          // open addressing on hashName(apex)
  std::size_t mask_ = 0;
  std::uint8_t minApexLabels_ = 0;
  std::uint8_t maxApexLabels_ = 0;
};

class ZoneTable {
 public:
  ZoneTable();

  [[nodiscard]] std::shared_ptr<const ZoneSet> current() const {
    return current_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Replaces the whole set.
  void publish(std::shared_ptr<const ZoneSet> set);
  // Adds or replaces one zone (copy-on-write of the set).
  void upsert(std::shared_ptr<const ZoneSnapshot> zone);
  // Removes the zone with this origin; false if absent.
  bool remove(const wire::Name& origin);

 private:
  std::atomic<std::shared_ptr<const ZoneSet>> current_;
  std::atomic<std::uint64_t> generation_{0};
  std::mutex writers_;  // serialises copy-on-write updates; readers never take it
};

// Per-thread reader: re-reads the shared pointer only when the table changed.
class ZoneTableReader {
 public:
  explicit ZoneTableReader(const ZoneTable& table) : table_(table) { refresh(); }
  const ZoneSet& get() {
    if (table_.generation() != generation_) refresh();
    return *set_;
  }
  // Catches up with the table and returns the generation of the set get()
  // now returns (a set at least that new: publish() stores, then counts).
  std::uint64_t sync() {
    if (table_.generation() != generation_) refresh();
    return generation_;
  }

 private:
  void refresh() {
    generation_ = table_.generation();
    set_ = table_.current();
  }
  const ZoneTable& table_;
  std::uint64_t generation_ = 0;
  std::shared_ptr<const ZoneSet> set_;
};

}  // namespace zk::zone
