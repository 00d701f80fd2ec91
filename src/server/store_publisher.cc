#include "server/store_publisher.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include <fmt/format.h>

#include "common/thread_priority.h"
#include "store/route53_names.h"
#include "store/server_registry.h"

namespace zk::server {
namespace {

constexpr std::uint32_t kAliasTtl = 300;  // alias record sets carry no TTL (Route53)

template <class T>
bool failed(const store::StoreResult<T>& r) {
  return r.index() != 0;
}

std::string describe(const store::StoreError& e) {
  std::string out;
  for (const auto& m : e.messages) {
    if (!out.empty()) out += "; ";
    out += m;
  }
  return out.empty() ? "store error" : out;
}

bool isAddress(wire::RRType t) { return t == wire::RRType::A || t == wire::RRType::AAAA; }

}  // namespace

std::vector<zone::UpdateRecord> nameRecords(std::span<const store::RecordSet* const> sets,
                                            std::vector<std::string>* warnings) {
  std::vector<zone::UpdateRecord> out;
  bool plainAddress = false;
  const store::AliasTarget* alias = nullptr;
  for (const store::RecordSet* rs : sets) {
    if (rs->alias) {
      if (alias == nullptr) {
        alias = &*rs->alias;
      } else if (!(alias->dnsName == rs->alias->dnsName) && warnings) {
        warnings->push_back(fmt::format("{} {}: alias to {} not served (the name's other alias goes to {})",
                                        rs->name.toText(), wire::typeToText(rs->type),
                                        rs->alias->dnsName.toText(), alias->dnsName.toText()));
      }
      continue;
    }
    if (isAddress(rs->type)) plainAddress = true;
    for (const auto& rd : rs->rdata) out.push_back({rs->type, rs->ttl, rd});
  }
  if (alias != nullptr) {
    if (plainAddress) {
      // ALIAS answers both A and AAAA, so it cannot sit beside either.
      if (warnings) {
        warnings->push_back(fmt::format("{}: alias to {} not served beside plain A/AAAA records",
                                        sets.front()->name.toText(), alias->dnsName.toText()));
      }
    } else {
      auto target = alias->dnsName.bytes();
      out.push_back({wire::RRType::ALIAS, kAliasTtl, {target.begin(), target.end()}});
    }
  }
  return out;
}

Result<std::shared_ptr<const zone::ZoneSnapshot>> buildSnapshot(
    const wire::Name& origin, const std::vector<const store::RecordSet*>& sets,
    std::vector<std::string>* warnings) {
  zone::ZoneBuilder builder(origin);
  // Sets arrive grouped by owner name; aliases are decided per name.
  std::size_t i = 0;
  while (i < sets.size()) {
    std::size_t j = i + 1;
    while (j < sets.size() && sets[j]->name == sets[i]->name) ++j;  // == ignores case
    auto group = std::span<const store::RecordSet* const>(sets).subspan(i, j - i);
    for (const auto& r : nameRecords(group, warnings)) {
      if (auto st = builder.add(sets[i]->name, r.type, wire::RRClass::IN, r.ttl, r.rdata); !st)
        return st.error();
    }
    i = j;
  }
  return builder.build();
}

StorePublisher::StorePublisher(store::ZoneStore& store, zone::ZoneTable& table, StorePublisherOptions options)
    : store_(store), table_(table), options_(std::move(options)), inbox_(std::make_shared<Inbox>()) {}

StorePublisher::~StorePublisher() { stop(); }

void StorePublisher::logLine(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "zonekeeper: %s\n", line.c_str());
  }
}

Status StorePublisher::start() {
  if (started_) return {};
  store_.registerServer(options_.serverName);
  // The listener only queues: it runs on the committing thread.
  std::weak_ptr<Inbox> weak = inbox_;
  store_.setListener([weak](const std::string& zoneId, std::uint32_t) {
    auto inbox = weak.lock();
    if (!inbox) return;
    {
      std::lock_guard lock(inbox->mutex);
      inbox->pending.insert(zoneId);
    }
    inbox->cv.notify_one();
  });
  auto list = store_.listZones();
  if (failed(list)) {
    store_.setListener(nullptr);
    store_.unregisterServer(options_.serverName);
    return Error("cannot list the store's zones: " + describe(std::get<store::StoreError>(list)));
  }
  for (const auto& z : std::get<0>(list)) syncZone(z.id);
  {
    std::lock_guard lock(inbox_->mutex);
    inbox_->stop = false;
  }
  worker_ = std::thread([this] { run(); });
  started_ = true;
  return {};
}

void StorePublisher::stop() {
  if (!started_) return;
  store_.setListener(nullptr);
  {
    std::lock_guard lock(inbox_->mutex);
    inbox_->stop = true;
  }
  inbox_->cv.notify_one();
  worker_.join();
  store_.unregisterServer(options_.serverName);
  started_ = false;
}

void StorePublisher::run() {
  if (options_.threadNice != 0) (void)common::setThreadNice(options_.threadNice);
  using Clock = std::chrono::steady_clock;
  const bool polling = options_.pollInterval.count() > 0;
  auto nextPoll = Clock::now() + options_.pollInterval;
  // The registration stays live only while it is refreshed (store/server_registry.h).
  const auto beatEvery = std::chrono::seconds(store::ServerRegistry::kHeartbeatSeconds);
  auto nextBeat = Clock::now() + beatEvery;
  for (;;) {
    std::set<std::string> work;
    bool pollNow = false;
    bool beatNow = false;
    {
      std::unique_lock lock(inbox_->mutex);
      auto ready = [&] { return inbox_->stop || !inbox_->pending.empty(); };
      inbox_->cv.wait_until(lock, polling ? std::min(nextPoll, nextBeat) : nextBeat, ready);
      if (inbox_->stop) return;
      work.swap(inbox_->pending);
      const auto t = Clock::now();
      if (polling && t >= nextPoll) {
        pollNow = true;
        nextPoll = t + options_.pollInterval;
      }
      if (t >= nextBeat) {
        beatNow = true;
        nextBeat = t + beatEvery;
      }
    }
    if (beatNow) store_.heartbeat(options_.serverName);
    for (const auto& id : work) syncZone(id);
    if (pollNow) poll();
  }
}

void StorePublisher::poll() {
  auto list = store_.listZones();
  if (failed(list)) {
    logLine("store poll: " + describe(std::get<store::StoreError>(list)));
    return;
  }
  const auto& zones = std::get<0>(list);
  std::set<std::string> present;
  for (const auto& z : zones) present.insert(z.id);
  // Deleted zones first: a zone of the same name that waited behind one of
  // them is taken in the same pass.
  std::vector<std::string> gone;
  for (const auto& [id, state] : zones_) {
    if (!present.contains(id)) gone.push_back(id);
  }
  for (const auto& id : gone) dropZone(id);
  for (const auto& z : zones) {
    auto it = zones_.find(z.id);
    if (it == zones_.end() ? !originTaken(z.name, z.id) : it->second.serial != z.serial) syncZone(z.id);
  }
  std::erase_if(skipped_, [&](const std::string& id) { return !present.contains(id); });
}

bool StorePublisher::originTaken(const wire::Name& origin, const std::string& zoneId) const {
  const wire::Name lower = origin.lowercased();
  for (const auto& r : options_.reservedOrigins) {
    if (r.lowercased() == lower) return true;
  }
  for (const auto& [id, state] : zones_) {
    if (id != zoneId && state.origin.lowercased() == lower) return true;
  }
  return false;
}

void StorePublisher::syncZone(const std::string& zoneId) {
  auto zr = store_.getZone(zoneId);
  if (failed(zr)) {
    const auto& err = std::get<store::StoreError>(zr);
    if (err.code == store::ErrorCode::NoSuchHostedZone) {
      dropZone(zoneId);
    } else {
      logLine(fmt::format("zone {}: {}", zoneId, describe(err)));
      std::lock_guard lock(publishedMutex_);
      ++stats_.failures;
    }
    return;
  }
  const auto& zone = std::get<store::HostedZone>(zr);
  auto it = zones_.find(zoneId);
  if (it == zones_.end()) {
    if (originTaken(zone.name, zoneId)) {
      if (skipped_.insert(zoneId).second) {
        logLine(fmt::format("hosted zone {} ({}) not served: another zone with that name is served",
                            zone.name.toText(), zoneId));
        // Its changes are INSYNC without waiting for this server.
        store_.markDeclinedBy(options_.serverName, zoneId);
      }
      return;
    }
    skipped_.erase(zoneId);
    fullLoad(zone);
    return;
  }
  if (it->second.serial == zone.serial) return;
  if (!applyJournal(it->second)) fullLoad(zone);
}

bool StorePublisher::fullLoad(const store::HostedZone& zone) {
  auto contents = store_.zoneContents(zone.id);
  if (failed(contents)) {
    const auto& err = std::get<store::StoreError>(contents);
    if (err.code == store::ErrorCode::NoSuchHostedZone) {
      dropZone(zone.id);
    } else {
      logLine(fmt::format("zone {} ({}): {}", zone.name.toText(), zone.id, describe(err)));
      std::lock_guard lock(publishedMutex_);
      ++stats_.failures;
    }
    return false;
  }
  auto& c = std::get<store::ZoneStore::ZoneContents>(contents);
  ZoneState fresh;
  fresh.id = c.zone.id;
  fresh.origin = c.zone.name;
  fresh.serial = c.zone.serial;
  for (auto& rs : c.recordSets) {
    SetKey key{rs.name.lowercased(), static_cast<std::uint16_t>(rs.type)};
    fresh.sets.insert_or_assign(std::move(key), std::move(rs));
  }
  auto it = zones_.find(zone.id);
  const bool hadState = it != zones_.end();
  ZoneState previous;
  if (hadState) previous = std::move(it->second);
  auto& state = zones_[zone.id];
  state = std::move(fresh);
  if (!publish(state, &StorePublisherStats::fullLoads)) {
    if (hadState) {
      state = std::move(previous);  // the old snapshot stays served
    } else {
      zones_.erase(zone.id);
    }
    return false;
  }
  return true;
}

bool StorePublisher::applyJournal(ZoneState& state) {
  // The SOA (new serial, maybe new fields) is not in the journal's diffs: read
  // it first, then apply the journal up to exactly that serial, so both come
  // from the same commit even while others commit.
  auto page = store_.listRecordSets(state.id, store::RecordSetKey{state.origin, wire::RRType::SOA}, 1);
  if (failed(page)) return false;
  const auto& sets = std::get<store::RecordSetPage>(page).recordSets;
  if (sets.empty() || sets[0].type != wire::RRType::SOA || sets[0].rdata.size() != 1 ||
      !(sets[0].name.lowercased() == state.origin.lowercased())) {
    return false;
  }
  const store::RecordSet& soa = sets[0];
  // Serial: after MNAME and RNAME.
  std::uint32_t target = 0;
  {
    const auto& rd = soa.rdata[0];
    std::size_t pos = 0;
    for (int names = 0; names < 2; ++names) {
      while (pos < rd.size() && rd[pos] != 0) pos += 1U + rd[pos];
      ++pos;
    }
    if (pos + 20 > rd.size()) return false;
    target = (std::uint32_t{rd[pos]} << 24) | (std::uint32_t{rd[pos + 1]} << 16) |
             (std::uint32_t{rd[pos + 2]} << 8) | std::uint32_t{rd[pos + 3]};
  }
  if (target == state.serial) return true;
  if (!store::serialGreater(target, state.serial)) return false;
  auto journal = store_.journal(state.id, state.serial);
  if (failed(journal)) return false;
  const auto& entries = std::get<std::vector<store::JournalEntry>>(journal);

  // Apply with an undo log, so a failed build leaves the state as it was.
  std::vector<std::pair<SetKey, std::optional<store::RecordSet>>> undo;
  // One lookup each: the old value goes to the undo log, then the change is made.
  auto removeSet = [&](SetKey key) {
    auto it = state.sets.find(key);
    if (it == state.sets.end()) {
      undo.emplace_back(std::move(key), std::nullopt);
      return;
    }
    undo.emplace_back(std::move(key), std::move(it->second));
    state.sets.erase(it);
  };
  auto putSet = [&](SetKey key, const store::RecordSet& rs) {
    auto [it, inserted] = state.sets.try_emplace(key, rs);
    if (inserted) {
      undo.emplace_back(std::move(key), std::nullopt);
    } else {
      undo.emplace_back(std::move(key), std::exchange(it->second, rs));
    }
  };
  auto rollback = [&] {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
      if (it->second) {
        state.sets.insert_or_assign(it->first, *it->second);
      } else {
        state.sets.erase(it->first);
      }
    }
  };
  std::vector<wire::Name> touched;  // sorted and made unique below (cheaper than a std::set)
  std::uint32_t at = state.serial;
  bool reached = false;
  for (const auto& e : entries) {
    if (e.serialBefore != at) break;  // a gap: the journal does not chain
    for (const auto& rs : e.removed) {
      SetKey key{rs.name.lowercased(), static_cast<std::uint16_t>(rs.type)};
      touched.push_back(key.first);
      removeSet(std::move(key));
    }
    for (const auto& rs : e.added) {
      SetKey key{rs.name.lowercased(), static_cast<std::uint16_t>(rs.type)};
      touched.push_back(key.first);
      putSet(std::move(key), rs);
    }
    at = e.serial;
    if (at == target) {
      reached = true;
      break;
    }
  }
  if (!reached) {
    rollback();
    return false;
  }
  SetKey soaKey{state.origin.lowercased(), static_cast<std::uint16_t>(wire::RRType::SOA)};
  touched.push_back(soaKey.first);
  putSet(std::move(soaKey), soa);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  const std::uint32_t before = state.serial;
  state.serial = target;
  if (!publish(state, &StorePublisherStats::journalUpdates, &touched)) {
    rollback();
    state.serial = before;
    return true;  // not a journal problem: a full load would fail the same way
  }
  return true;
}

bool StorePublisher::hasDescendants(const ZoneState& state, const wire::Name& name) const {
  // Canonical order (RFC 4034 section 6.1) puts every name below `name` right
  // after its own record sets.
  auto it = state.sets.upper_bound(SetKey{name, 0xFFFF});
  return it != state.sets.end() && it->first.first.isSubdomainOf(name);
}

bool StorePublisher::publish(ZoneState& state, std::uint64_t StorePublisherStats::*counter,
                             const std::vector<wire::Name>* touched) {
  std::vector<std::string> warnings;
  Result<std::shared_ptr<const zone::ZoneSnapshot>> snap = Error("not built");
  bool derived = false;
  if (touched != nullptr && state.snapshot) {
    std::vector<zone::NameUpdate> updates;
    // Empty non-terminals removed on the way up. Touched names need no such
    // record: an ancestor sorts before its descendants, so a touched ancestor
    // has had its update by the time a descendant walks up to it.
    std::set<wire::Name> emptiedAbove;
    const wire::Name origin = state.origin.lowercased();
    for (const wire::Name& name : *touched) {
      std::vector<const store::RecordSet*> group;
      for (auto it = state.sets.lower_bound(SetKey{name, 0});
           it != state.sets.end() && it->first.first == name; ++it) {
        group.push_back(&it->second);
      }
      zone::NameUpdate u{name, nameRecords(group, &warnings), false};
      if (u.records.empty()) {
        u.keepAsEmptyNonTerminal = hasDescendants(state, name);
        if (!u.keepAsEmptyNonTerminal) {
          // Empty non-terminals above it that now have nothing below go too.
          for (wire::Name up = name.parent(); up.isSubdomainOf(origin) && !(up == origin); up = up.parent()) {
            auto it = state.sets.lower_bound(SetKey{up, 0});
            if (it != state.sets.end() && it->first.first == up) break;  // has data
            if (hasDescendants(state, up)) break;
            if (std::binary_search(touched->begin(), touched->end(), up) || !emptiedAbove.insert(up).second)
              break;
            updates.push_back({up, {}, false});
          }
        }
      }
      updates.push_back(std::move(u));
    }
    // A spare nobody reads any more, brought forward in place (newest first:
    // the fewest steps to replay); else a copy of the current snapshot.
    while (!state.spares.empty() && !derived) {
      auto spare = std::move(state.spares.back());
      state.spares.pop_back();
      std::vector<std::span<const zone::NameUpdate>> chain;
      for (const auto& [v, u] : state.steps) {
        if (v >= spare.version) chain.emplace_back(u);
      }
      chain.emplace_back(updates);
      if (chain.size() != state.version - spare.version + 1) continue;  // history incomplete
      snap = zone::ZoneBuilder::rederive(std::move(spare.snapshot), chain);
      derived = snap.ok();
      if (derived) {
        std::lock_guard lock(publishedMutex_);
        ++stats_.reused;
      }
    }
    if (!derived) {
      snap = zone::ZoneBuilder::derive(*state.snapshot, updates);
      derived = snap.ok();
    }
    if (derived) {
      state.steps.emplace_back(state.version, std::move(updates));
      state.spares.push_back({state.snapshot, state.version});
      if (state.spares.size() > kSpares) state.spares.erase(state.spares.begin());
      const std::uint64_t oldest = state.spares.front().version;
      while (!state.steps.empty() && state.steps.front().first < oldest) state.steps.pop_front();
    }
  }
  if (!derived) {
    // A full build: the spares' replay history no longer leads to it.
    state.spares.clear();
    state.steps.clear();
    warnings.clear();
    std::vector<const store::RecordSet*> sets;
    sets.reserve(state.sets.size());
    for (const auto& [key, rs] : state.sets) sets.push_back(&rs);
    snap = buildSnapshot(state.origin, sets, &warnings);
  }
  for (const auto& w : warnings) logLine(fmt::format("zone {}: {}", state.origin.toText(), w));
  if (!snap) {
    logLine(fmt::format("zone {} ({}) serial {} not served: {}", state.origin.toText(), state.id,
                        state.serial, snap.error().message));
    std::lock_guard lock(publishedMutex_);
    ++stats_.failures;
    return false;
  }
  state.snapshot = *snap;
  ++state.version;
  table_.upsert(*snap);
  // Only now does the server answer with the change: GetChange may say INSYNC.
  store_.markServedBy(options_.serverName, state.id, state.serial);
  {
    std::lock_guard lock(publishedMutex_);
    ++(stats_.*counter);
    if (derived) ++stats_.derived;
  }
  if (options_.onPublished) options_.onPublished(state.id, state.serial);
  setPublished(state.id, state.serial);
  return true;
}

void StorePublisher::dropZone(const std::string& zoneId) {
  skipped_.erase(zoneId);
  auto it = zones_.find(zoneId);
  if (it == zones_.end()) return;
  table_.remove(it->second.origin);
  logLine(fmt::format("zone {} ({}) deleted: no longer served", it->second.origin.toText(), zoneId));
  zones_.erase(it);
  setPublished(zoneId, std::nullopt);
  // A zone of the same name that waited behind this one is served now.
  const std::vector<std::string> waiting(skipped_.begin(), skipped_.end());
  for (const auto& id : waiting) syncZone(id);
}

void StorePublisher::setPublished(const std::string& zoneId, std::optional<std::uint32_t> serial) {
  {
    std::lock_guard lock(publishedMutex_);
    if (serial) {
      published_[zoneId] = *serial;
      ++stats_.publications;
    } else {
      published_.erase(zoneId);
    }
  }
  publishedCv_.notify_all();
}

bool StorePublisher::waitPublished(const std::string& zoneId, std::optional<std::uint32_t> serial,
                                   std::chrono::milliseconds timeout) {
  std::unique_lock lock(publishedMutex_);
  return publishedCv_.wait_for(lock, timeout, [&] {
    auto it = published_.find(zoneId);
    if (!serial) return it == published_.end();
    return it != published_.end() && store::serialAtOrAfter(it->second, *serial);
  });
}

std::optional<std::uint32_t> StorePublisher::publishedSerial(const std::string& zoneId) const {
  std::lock_guard lock(publishedMutex_);
  auto it = published_.find(zoneId);
  if (it == published_.end()) return std::nullopt;
  return it->second;
}

StorePublisherStats StorePublisher::stats() const {
  std::lock_guard lock(publishedMutex_);
  return stats_;
}

}  // namespace zk::server
