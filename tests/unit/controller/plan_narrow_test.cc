// Event-driven narrowing: planning only the affected names (current and desired
// endpoints at those names, from every object) equals the full plan restricted
// to those names. Property-style over generated object sets.
#include <random>

#include "controller/plan/plan.h"
#include "test_util.h"

namespace zk::controller {
namespace {

using testing::ep;

constexpr const char* kNames[] = {"a.example.com", "B.example.com", "c.example.com",
                                  "d.example.com", "e.other.org",   "f.example.com"};
constexpr const char* kV4[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
constexpr const char* kOwners[] = {"me", "me", "other", ""};

Endpoint randomEndpoint(std::mt19937& rng, bool current) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const char* n = kNames[pick(std::size(kNames))];
  const std::size_t kind = pick(3);
  const std::optional<std::uint32_t> ttl =
      pick(2) ? std::optional<std::uint32_t>(60 + 60 * pick(2)) : std::nullopt;
  const std::string resource = "ingress/default/obj" + std::to_string(pick(4));
  const std::string owner = current ? kOwners[pick(std::size(kOwners))] : "";
  if (kind == 0) return ep(n, wire::RRType::A, {kV4[pick(3)]}, ttl, owner, resource);
  if (kind == 1) return ep(n, wire::RRType::AAAA, {"2001:db8::1"}, ttl, owner, resource);
  return ep(n, wire::RRType::CNAME, {pick(2) ? "lb1.example.net" : "lb2.example.net"}, ttl, owner, resource);
}

NameSet randomNames(std::mt19937& rng) {
  NameSet out;
  for (const char* n : kNames) {
    if (rng() % 2) out.insert(testing::name(n).lowercased());
  }
  return out;
}

void expectSameChanges(const Changes& a, const Changes& b, int round) {
  EXPECT_EQ(formatPlan(a), formatPlan(b)) << "round " << round;
  EXPECT_EQ(a.create, b.create) << "round " << round;
  EXPECT_EQ(a.updateOld, b.updateOld) << "round " << round;
  EXPECT_EQ(a.updateNew, b.updateNew) << "round " << round;
  EXPECT_EQ(a.remove, b.remove) << "round " << round;
}

TEST(PlanNarrow, NarrowedPlanEqualsFullPlanRestricted) {
  std::mt19937 rng(20261126);
  for (int round = 0; round < 2000; ++round) {
    std::vector<Endpoint> current, desired;
    for (std::size_t i = rng() % 8; i > 0; --i) current.push_back(randomEndpoint(rng, true));
    for (std::size_t i = rng() % 8; i > 0; --i) desired.push_back(randomEndpoint(rng, false));
    PlanOptions opts;
    opts.ownerId = "me";
    opts.policy = static_cast<Policy>(rng() % 3);
    if (rng() % 2) opts.domainFilter = *DomainFilter::make({"example.com"}, {});
    const auto names = randomNames(rng);
    const auto full = calculatePlan(current, desired, opts);
    const auto narrowed =
        calculatePlan(restrictToNames(current, names), restrictToNames(desired, names), opts);
    expectSameChanges(narrowed, restrictToNames(full, names), round);
  }
}

TEST(PlanNarrow, ChangedNamesAreEnoughToCatchUp) {
  // After applying the full plan for `before`, a narrowed cycle over
  // changedNames(before, after) gives the same changes as a full cycle.
  std::mt19937 rng(7);
  for (int round = 0; round < 1000; ++round) {
    std::vector<Endpoint> before, after;
    for (std::size_t i = rng() % 8; i > 0; --i) before.push_back(randomEndpoint(rng, false));
    after = before;
    if (!after.empty() && rng() % 2) after.erase(after.begin() + static_cast<long>(rng() % after.size()));
    if (rng() % 2) after.push_back(randomEndpoint(rng, false));
    PlanOptions opts;
    opts.ownerId = "me";
    // Current = what a converged full sync of `before` leaves (owned by us), plus
    // some foreign records.
    std::vector<Endpoint> current;
    for (std::size_t i = rng() % 3; i > 0; --i) current.push_back(randomEndpoint(rng, true));
    const auto first = calculatePlan(current, before, opts);
    std::vector<Endpoint> applied = current;
    for (auto e : first.create) {
      e.labels[std::string(kOwnerLabel)] = "me";
      applied.push_back(e);
    }
    const auto names = changedNames(before, after);
    const auto full = calculatePlan(applied, after, opts);
    const auto narrowed = calculatePlan(restrictToNames(applied, names), restrictToNames(after, names), opts);
    // Outside the changed names the full plan is what it was before the event
    // (changes a converged cycle already could not make), so nothing is missed.
    NameSet others;
    for (const char* n : kNames) {
      if (!names.count(testing::name(n).lowercased())) others.insert(testing::name(n).lowercased());
    }
    expectSameChanges(restrictToNames(full, others),
                      restrictToNames(calculatePlan(applied, before, opts), others), round);
    expectSameChanges(narrowed, restrictToNames(full, names), round);
  }
}

TEST(PlanNarrow, ChangedNamesSeeEveryField) {
  auto a = ep("x.example.com", wire::RRType::A, {"192.0.2.1"}, 60, "", "ingress/ns/a");
  auto b = a;
  EXPECT_TRUE(changedNames(std::vector{a}, std::vector{b}).empty());
  b.ttl = 120;
  EXPECT_EQ(changedNames(std::vector{a}, std::vector{b}).size(), 1u);
  b = a;
  b.providerSpecific.alias = true;
  EXPECT_EQ(changedNames(std::vector{a}, std::vector{b}).size(), 1u);
  b = a;
  b.dnsName = testing::name("X.EXAMPLE.COM");  // a respelling counts (conservative), keyed lowercased
  EXPECT_EQ(changedNames(std::vector{a}, std::vector{b}), NameSet{testing::name("x.example.com")});
  EXPECT_EQ(changedNames(std::vector{a}, {}).size(), 1u);
  EXPECT_EQ(changedNames({}, std::vector{a}).size(), 1u);
}

}  // namespace
}  // namespace zk::controller
