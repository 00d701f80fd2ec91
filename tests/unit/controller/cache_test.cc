// What the controller keeps between cycles must never hide a change: a file
// edited, added or deleted, a record changed or deleted behind the controller's
// back (in the provider, or through the store as the API would), must be seen
// by the next full cycle.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "controller/provider/inmemory.h"
#include "controller/provider/local.h"
#include "controller/reconcile/reconciler.h"
#include "controller/registry/txt.h"
#include "store/sqlite_zone_store.h"
#include "test_util.h"

namespace zk::controller {
namespace {

namespace fs = std::filesystem;
using testing::ep;
using testing::name;
using wire::RRType;

std::string ingress(std::string_view objectName, std::string_view host, std::string_view ip) {
  return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + std::string(objectName) +
         "\n  namespace: t\nspec:\n  rules:\n    - host: " + std::string(host) +
         "\nstatus:\n  loadBalancer:\n    ingress:\n      - ip: " + std::string(ip) + "\n";
}

fs::path tempDir(std::string_view tag) {
  auto d = fs::temp_directory_path() / (std::string("zk-cache-") + std::string(tag) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                                        "-" + std::to_string(static_cast<long>(::getpid())));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::trunc) << text; }

const Endpoint* find(const std::vector<Endpoint>& v, std::string_view n, RRType t) {
  for (const auto& e : v) {
    if (e.dnsName == name(n) && e.type == t) return &e;
  }
  return nullptr;
}

std::string aTarget(Provider& p, std::string_view n) {
  auto recs = p.records();
  EXPECT_TRUE(recs.ok());
  if (!recs) return {};
  const auto* e = find(*recs, n, RRType::A);
  return e ? targetToText(e->targets.at(0)) : std::string("(none)");
}

TEST(ManifestGroups, UnchangedFilesKeepTheirGroupChangedAddedDeletedOnesDoNot) {
  const auto dir = tempDir("groups");
  write(dir / "a.yaml", ingress("a", "a.example.com", "192.0.2.1"));
  write(dir / "b.yaml", ingress("b", "b.example.com", "192.0.2.2"));
  ManifestDirectory src(dir.string());
  ASSERT_TRUE(src.reload().ok());
  auto g1 = src.groups();
  ASSERT_TRUE(g1.ok());
  ASSERT_EQ(g1->size(), 2u);

  // Rewritten with the same bytes (mtime moves): same group. Same length,
  // different bytes: a new group with the new address.
  write(dir / "a.yaml", ingress("a", "a.example.com", "192.0.2.1"));
  write(dir / "b.yaml", ingress("b", "b.example.com", "192.0.2.9"));
  ASSERT_TRUE(src.reload().ok());
  auto g2 = src.groups();
  ASSERT_TRUE(g2.ok());
  ASSERT_EQ(g2->size(), 2u);
  EXPECT_EQ((*g2)[0].get(), (*g1)[0].get());
  EXPECT_NE((*g2)[1].get(), (*g1)[1].get());
  EXPECT_EQ((*g2)[1]->ingresses.at(0).loadBalancer.at(0).ip, "192.0.2.9");

  // Deleted and added files.
  fs::remove(dir / "a.yaml");
  write(dir / "c.yaml", ingress("c", "c.example.com", "192.0.2.3"));
  ASSERT_TRUE(src.reload().ok());
  auto g3 = src.groups();
  ASSERT_TRUE(g3.ok());
  ASSERT_EQ(g3->size(), 2u);
  EXPECT_EQ((*g3)[0].get(), (*g2)[1].get());
  EXPECT_EQ((*g3)[1]->ingresses.at(0).meta.name, "c");
  auto all = src.list();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->ingresses.size(), 2u);
  EXPECT_EQ(all->ingresses[0].meta.name, "b");

  // A file that breaks keeps its objects (and diagnostics) until fixed, also
  // when it is read again unchanged.
  write(dir / "b.yaml", "kind: Ingress\nmetadata: {name: [\n");
  ASSERT_TRUE(src.reload().ok());
  ASSERT_TRUE(src.reload().ok());
  EXPECT_EQ(src.diagnostics().size(), 1u);
  auto g4 = src.groups();
  ASSERT_TRUE(g4.ok());
  ASSERT_EQ(g4->size(), 2u);
  EXPECT_EQ((*g4)[0].get(), (*g2)[1].get());
  fs::remove_all(dir);
}

TEST(RegistryCache, ListedAgainOnlyWhenTheProviderChanged) {
  InMemoryProvider p;
  ASSERT_TRUE(p.createZone(name("example.com")).ok());
  ASSERT_TRUE(p.put(ep("hand.example.com", RRType::A, {"192.0.2.1"}, 300)).ok());
  auto reg = TxtRegistry::make(p, {"me", "", "", ""});
  ASSERT_TRUE(reg.ok());
  auto r1 = (*reg)->sharedRecords();
  ASSERT_TRUE(r1.ok());
  auto r2 = (*reg)->sharedRecords();
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r1->get(), r2->get());  // unchanged provider: the same listing

  // A change behind the registry's back.
  ASSERT_TRUE(p.put(ep("other.example.com", RRType::A, {"192.0.2.2"}, 300)).ok());
  auto r3 = (*reg)->sharedRecords();
  ASSERT_TRUE(r3.ok());
  EXPECT_NE(find(**r3, "other.example.com", RRType::A), nullptr);

  // Its own change: listed again, with the owner attached.
  Changes c;
  c.create.push_back(ep("mine.example.com", RRType::A, {"192.0.2.3"}, 300, {}, "ingress/t/m"));
  ASSERT_TRUE((*reg)->applyChanges(c).ok());
  auto r4 = (*reg)->sharedRecords();
  ASSERT_TRUE(r4.ok());
  const auto* mine = find(**r4, "mine.example.com", RRType::A);
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->owner(), "me");

  NoopRegistry noop(p);
  auto n1 = noop.sharedRecords();
  auto n2 = noop.sharedRecords();
  ASSERT_TRUE(n1.ok() && n2.ok());
  EXPECT_EQ(n1->get(), n2->get());
  ASSERT_TRUE(p.put(ep("late.example.com", RRType::A, {"192.0.2.4"}, 300)).ok());
  auto n3 = noop.sharedRecords();
  ASSERT_TRUE(n3.ok());
  EXPECT_NE(find(**n3, "late.example.com", RRType::A), nullptr);
}

// One reconciler over a manifest directory; the provider is set by the test.
struct Scenario {
  fs::path dir;
  std::unique_ptr<ManifestDirectory> source;
  std::unique_ptr<TxtRegistry> registry;
  std::unique_ptr<Reconciler> reconciler;

  Scenario(Provider& provider, std::string_view tag) : dir(tempDir(tag)) {
    write(dir / "a.yaml", ingress("a", "a.example.com", "192.0.2.1"));
    write(dir / "b.yaml", ingress("b", "b.example.com", "192.0.2.2"));
    source = std::make_unique<ManifestDirectory>(dir.string());
    EXPECT_TRUE(source->reload().ok());
    auto reg = TxtRegistry::make(provider, {"me", "own-%{record_type}.", "", ""});
    EXPECT_TRUE(reg.ok());
    registry = std::move(*reg);
    ReconcileOptions o;
    o.plan.domainFilter = *DomainFilter::make({"example.com"}, {});
    reconciler = std::make_unique<Reconciler>(*source, *registry, o, [](std::string_view) {});
  }
  ~Scenario() { fs::remove_all(dir); }
  std::vector<std::string> cycle(bool narrow = false) {
    auto r = reconciler->runOnce(narrow);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? testing::summary(r->changes) : std::vector<std::string>{"failed"};
  }
};

using Summary = std::vector<std::string>;

TEST(ReconcileCache, InMemoryRecordChangedOrDeletedByHandIsRepairedByTheNextCycle) {
  InMemoryProvider p;
  ASSERT_TRUE(p.createZone(name("example.com")).ok());
  Scenario s(p, "inmem");
  EXPECT_EQ(s.cycle(), (Summary{"create:a.example.com/A", "create:b.example.com/A"}));
  EXPECT_TRUE(s.cycle().empty());
  EXPECT_TRUE(s.cycle().empty());

  // Changed by hand (not through the controller).
  auto recs = p.records();
  ASSERT_TRUE(recs.ok());
  Changes hand;
  hand.updateOld.push_back(*find(*recs, "a.example.com", RRType::A));
  hand.updateNew.push_back(ep("a.example.com", RRType::A, {"198.51.100.7"}, 300));
  ASSERT_TRUE(p.applyChanges(hand).ok());
  EXPECT_EQ(s.cycle(), (Summary{"update:a.example.com/A"}));
  EXPECT_EQ(aTarget(p, "a.example.com"), "192.0.2.1");

  // Deleted by hand.
  recs = p.records();
  ASSERT_TRUE(recs.ok());
  Changes del;
  del.remove.push_back(*find(*recs, "b.example.com", RRType::A));
  ASSERT_TRUE(p.applyChanges(del).ok());
  EXPECT_EQ(s.cycle(), (Summary{"create:b.example.com/A"}));
  EXPECT_TRUE(s.cycle().empty());

  // A manifest edit seen by the source (reload) is planned by a full cycle and
  // by an event cycle; a deleted file's records go away.
  write(s.dir / "a.yaml", ingress("a", "a.example.com", "192.0.2.5"));
  ASSERT_TRUE(s.source->reload().ok());
  EXPECT_EQ(s.cycle(true), (Summary{"update:a.example.com/A"}));
  fs::remove(s.dir / "b.yaml");
  ASSERT_TRUE(s.source->reload().ok());
  EXPECT_EQ(s.cycle(true), (Summary{"delete:b.example.com/A"}));
  EXPECT_EQ(aTarget(p, "b.example.com"), "(none)");
  EXPECT_TRUE(s.cycle().empty());
}

class LocalStoreCache : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tempDir("store");
    auto path = store::SqliteZoneStore::prepareDataDir((data_ / "data").string());
    ASSERT_TRUE(path.ok()) << path.error().message;
    store::SqliteStoreOptions o;
    o.path = *path;
    auto st = store::SqliteZoneStore::open(o);
    ASSERT_TRUE(st.ok()) << st.error().message;
    store_ = std::move(*st);
    auto z = store_->createZone({name("example.com"), "cache-1", ""});
    ASSERT_TRUE(std::holds_alternative<store::HostedZone>(z));
    zoneId_ = std::get<store::HostedZone>(z).id;
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(data_);
  }
  // A batch sent straight to the store, as the Route53 API would.
  void storeChange(store::ChangeAction action, const Endpoint& e) {
    auto rs = recordSetFromEndpoint(e, {});
    ASSERT_TRUE(rs.ok());
    store::ChangeBatch b;
    b.changes.push_back({action, *rs});
    auto r = store_->applyChanges(zoneId_, b);
    ASSERT_TRUE(std::holds_alternative<store::ChangeInfo>(r))
        << storeErrorText(std::get<store::StoreError>(r));
  }
  fs::path data_;
  std::unique_ptr<store::SqliteZoneStore> store_;
  std::string zoneId_;
};

TEST_F(LocalStoreCache, RecordChangedOrDeletedThroughTheStoreIsRepairedByTheNextCycle) {
  LocalProvider p(*store_);
  Scenario s(p, "local");
  EXPECT_EQ(s.cycle(), (Summary{"create:a.example.com/A", "create:b.example.com/A"}));
  EXPECT_TRUE(s.cycle().empty());

  storeChange(store::ChangeAction::Upsert, ep("a.example.com", RRType::A, {"198.51.100.7"}, 300));
  EXPECT_EQ(aTarget(p, "a.example.com"), "198.51.100.7");
  EXPECT_EQ(s.cycle(), (Summary{"update:a.example.com/A"}));
  EXPECT_EQ(aTarget(p, "a.example.com"), "192.0.2.1");
  EXPECT_TRUE(s.cycle().empty());

  storeChange(store::ChangeAction::Delete, ep("b.example.com", RRType::A, {"192.0.2.2"}, 300));
  EXPECT_EQ(s.cycle(), (Summary{"create:b.example.com/A"}));
  EXPECT_TRUE(s.cycle().empty());

  // The ownership record removed by hand: the record is no longer ours, so
  // the controller leaves it alone (a foreign record blocks the name).
  storeChange(store::ChangeAction::Delete, [] {
    Endpoint txt;
    txt.dnsName = name("own-a.b.example.com");
    txt.type = RRType::TXT;
    txt.ttl = 300;
    txt.targets.push_back(
        Text{"heritage=external-dns,external-dns/owner=me,external-dns/resource=ingress/t/b"});
    return txt;
  }());
  write(s.dir / "b.yaml", ingress("b", "b.example.com", "192.0.2.8"));
  ASSERT_TRUE(s.source->reload().ok());
  EXPECT_TRUE(s.cycle().empty());
  EXPECT_EQ(aTarget(p, "b.example.com"), "192.0.2.2");
  EXPECT_EQ(s.reconciler->stats().skippedOwnerMismatch, 1u);
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

TEST(InMemoryRollback, AFailedBatchLeavesEveryRecordAsItWas) {
  InMemoryProvider p;
  ASSERT_TRUE(p.createZone(name("example.com")).ok());
  ASSERT_TRUE(p.put(ep("a.example.com", RRType::A, {"192.0.2.1"}, 300)).ok());
  ASSERT_TRUE(p.put(ep("b.example.com", RRType::A, {"192.0.2.2"}, 300)).ok());
  const auto before = p.records();
  ASSERT_TRUE(before.ok());
  auto version = p.recordsVersion();
  ASSERT_TRUE(version.ok());
  Changes c;  // delete + re-create, update, create; then one invalid create
  c.remove.push_back(ep("a.example.com", RRType::A, {"192.0.2.1"}, 300));
  c.create.push_back(ep("a.example.com", RRType::A, {"192.0.2.9"}, 60));
  c.create.push_back(ep("c.example.com", RRType::A, {"192.0.2.3"}, 300));
  c.create.push_back(ep("b.example.com", RRType::CNAME, {"elsewhere.example.net"}));
  c.updateOld.push_back(ep("b.example.com", RRType::A, {"192.0.2.2"}, 300));
  c.updateNew.push_back(ep("b.example.com", RRType::A, {"192.0.2.8"}, 300));
  auto s = p.applyChanges(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("CNAME beside"), std::string::npos) << s.error().message;
  const auto after = p.records();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);
  EXPECT_EQ(*p.recordsVersion(), *version);  // nothing changed
  EXPECT_EQ(p.applyCount(), 0u);
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

// Counts full listings; everything else goes to the wrapped provider.
class CountingProvider final : public Provider {
 public:
  explicit CountingProvider(Provider& inner) : inner_(inner) {}
  Result<std::vector<wire::Name>> zones() override { return inner_.zones(); }
  Result<std::vector<Endpoint>> records() override {
    ++listings;
    return inner_.records();
  }
  Status applyChanges(const Changes& changes) override { return inner_.applyChanges(changes); }
  Result<std::optional<std::string>> recordsVersion() override { return inner_.recordsVersion(); }
  Result<std::optional<std::string>> applyChangesAt(const Changes& changes,
                                                    const std::string& expected) override {
    return inner_.applyChangesAt(changes, expected);
  }
  Result<std::vector<Endpoint>> recordsAt(std::span<const wire::Name> names) override {
    return inner_.recordsAt(names);
  }
  int listings = 0;

 private:
  Provider& inner_;
};

std::vector<std::string> canon(const std::vector<Endpoint>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.toString());
  std::sort(out.begin(), out.end());
  return out;
}

// The registry's listing after its own batches equals a full listing by a
// new registry. Prefix "p." makes the old-format ownership name of the
// hand-made record a-foo.example.com (p.a-foo.example.com) the typed one of
// foo.example.com A: creating foo's ownership record makes a-foo owned too
// (ExternalDNS reads old-format names), a name the batch itself never touches.
void expectSameAsFullListing(Provider& provider, TxtRegistry& reg) {
  auto mine = reg.sharedRecords();
  ASSERT_TRUE(mine.ok());
  auto fresh = TxtRegistry::make(provider, {"me", "p.", "", ""});
  ASSERT_TRUE(fresh.ok());
  auto full = (*fresh)->records();
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(canon(**mine), canon(*full));
}

void incrementalSequence(Provider& inner) {
  CountingProvider p(inner);
  auto reg = TxtRegistry::make(p, {"me", "p.", "", ""});
  ASSERT_TRUE(reg.ok());
  ASSERT_TRUE((*reg)->sharedRecords().ok());
  EXPECT_EQ(p.listings, 1);

  Changes create;
  create.create.push_back(ep("foo.example.com", RRType::A, {"192.0.2.1"}, 300, {}, "ingress/t/foo"));
  create.create.push_back(ep("bar.example.com", RRType::A, {"192.0.2.2"}, 300, {}, "ingress/t/bar"));
  ASSERT_TRUE((*reg)->applyChanges(create).ok());
  auto after = (*reg)->sharedRecords();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(p.listings, 1);  // only the touched names were read again
  const auto* handMade = find(**after, "a-foo.example.com", RRType::A);
  ASSERT_NE(handMade, nullptr);
  EXPECT_EQ(handMade->owner(), "me");
  expectSameAsFullListing(inner, **reg);

  Changes update;  // new resource: the ownership record is rewritten
  update.updateOld.push_back(*find(**after, "foo.example.com", RRType::A));
  update.updateNew.push_back(ep("foo.example.com", RRType::A, {"192.0.2.7"}, 300, "me", "ingress/t/foo2"));
  ASSERT_TRUE((*reg)->applyChanges(update).ok());
  expectSameAsFullListing(inner, **reg);

  auto now = (*reg)->sharedRecords();
  ASSERT_TRUE(now.ok());
  Changes remove;
  remove.remove.push_back(*find(**now, "foo.example.com", RRType::A));
  ASSERT_TRUE((*reg)->applyChanges(remove).ok());
  now = (*reg)->sharedRecords();
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(p.listings, 1);
  EXPECT_EQ(find(**now, "foo.example.com", RRType::A), nullptr);
  ASSERT_NE(find(**now, "a-foo.example.com", RRType::A), nullptr);
  EXPECT_EQ(find(**now, "a-foo.example.com", RRType::A)->owner(), "");
  expectSameAsFullListing(inner, **reg);

  // A change by someone else between the listing and the batch: the next
  // listing is a full one and shows it.
  Changes other;
  other.create.push_back(ep("other.example.com", RRType::A, {"192.0.2.9"}, 300));
  ASSERT_TRUE(inner.applyChanges(other).ok());
  Changes mine;
  mine.create.push_back(ep("baz.example.com", RRType::A, {"192.0.2.3"}, 300, {}, "ingress/t/baz"));
  ASSERT_TRUE((*reg)->applyChanges(mine).ok());
  now = (*reg)->sharedRecords();
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(p.listings, 2);
  EXPECT_NE(find(**now, "other.example.com", RRType::A), nullptr);
  EXPECT_NE(find(**now, "baz.example.com", RRType::A), nullptr);
  expectSameAsFullListing(inner, **reg);
}

TEST(IncrementalListing, InMemoryEqualsAFullListingAfterOwnBatches) {
  InMemoryProvider p;
  ASSERT_TRUE(p.createZone(name("example.com")).ok());
  ASSERT_TRUE(p.put(ep("a-foo.example.com", RRType::A, {"192.0.2.50"}, 300)).ok());
  incrementalSequence(p);
}

TEST_F(LocalStoreCache, IncrementalListingEqualsAFullListingAfterOwnBatches) {
  LocalProvider p(*store_);
  storeChange(store::ChangeAction::Create, ep("a-foo.example.com", RRType::A, {"192.0.2.50"}, 300));
  incrementalSequence(p);
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

// One name wanted by objects in two files: an event cycle after editing or
// deleting one file still plans with both files' endpoints at that name.
TEST(ReconcileCache, EventCycleSeesEndpointsOfUnchangedFilesAtAChangedName) {
  InMemoryProvider p;
  ASSERT_TRUE(p.createZone(name("example.com")).ok());
  Scenario s(p, "shared");
  write(s.dir / "a.yaml", ingress("a", "shared.example.com", "192.0.2.1"));
  write(s.dir / "b.yaml", ingress("b", "shared.example.com", "192.0.2.2"));
  ASSERT_TRUE(s.source->reload().ok());
  EXPECT_EQ(s.cycle(), (Summary{"create:shared.example.com/A"}));
  EXPECT_EQ(aTarget(p, "shared.example.com"), "192.0.2.1");  // ingress/t/a sorts first

  // b changes: a still holds the name, nothing to do.
  write(s.dir / "b.yaml", ingress("b", "shared.example.com", "192.0.2.3"));
  ASSERT_TRUE(s.source->reload().ok());
  EXPECT_TRUE(s.cycle(true).empty());
  // a goes: b takes over with its new address.
  fs::remove(s.dir / "a.yaml");
  ASSERT_TRUE(s.source->reload().ok());
  EXPECT_EQ(s.cycle(true), (Summary{"update:shared.example.com/A"}));
  EXPECT_EQ(aTarget(p, "shared.example.com"), "192.0.2.3");
  EXPECT_TRUE(s.cycle().empty());
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

// Polls `done` for up to 5 s.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(ManifestWatch, EventsReReadOnlyTheNamedFiles) {
  const auto dir = tempDir("watch");
  write(dir / "a.yaml", ingress("a", "a.example.com", "192.0.2.1"));
  write(dir / "b.yaml", ingress("b", "b.example.com", "192.0.2.2"));
  ManifestDirectory src(dir.string(), std::chrono::milliseconds(20));
  ASSERT_TRUE(src.reload().ok());
  // Changed between the reload and the watch (no event for it): the watch
  // starts with a full read.
  write(dir / "a.yaml", ingress("a", "a.example.com", "192.0.2.5"));
  std::atomic<int> callbacks{0};
  ASSERT_TRUE(src.watch([&] { ++callbacks; }).ok());
  auto groups = src.groups();
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0]->ingresses.at(0).loadBalancer.at(0).ip, "192.0.2.5");
  const auto aGroup = (*groups)[0].get();

  const auto readsBefore = src.filesRead();
  const int callbacksBefore = callbacks.load();
  write(dir / "b.yaml", ingress("b", "b.example.com", "192.0.2.9"));
  ASSERT_TRUE(eventually([&] {
    auto g = src.groups();
    return g.ok() && g->size() == 2 && (*g)[1]->ingresses.at(0).loadBalancer.at(0).ip == "192.0.2.9";
  }));
  ASSERT_TRUE(eventually([&] { return callbacks.load() > callbacksBefore; }));
  groups = src.groups();
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ((*groups)[0].get(), aGroup);
  // One file read per debounced batch of events: b.yaml only, never a.yaml.
  EXPECT_EQ(src.filesRead() - readsBefore, static_cast<std::size_t>(callbacks.load() - callbacksBefore));

  // Renamed away (not a manifest any more), and a new file.
  fs::rename(dir / "b.yaml", dir / "b.yaml.bak");
  write(dir / "c.yml", ingress("c", "c.example.com", "192.0.2.3"));
  ASSERT_TRUE(eventually([&] {
    auto g = src.groups();
    return g.ok() && g->size() == 2 && (*g)[1]->ingresses.at(0).meta.name == "c";
  }));
  EXPECT_EQ(src.groups()->at(0).get(), aGroup);
  auto all = src.list();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->ingresses.size(), 2u);
  EXPECT_EQ(all->ingresses[0].meta.name, "a");
  src.stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace zk::controller
