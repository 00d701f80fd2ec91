// The UDP packet cache: a replayed response is byte for byte what the
// processor computes (ID aside), and nothing is replayed across a zone
// publication, over TCP, or from the ALIAS resolver's cache.

#include "query/packet_cache.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "golden_util.h"
#include "query/processor.h"
#include "zone/loader.h"
#include "zone/zone_table.h"

namespace zk::query::testing {
namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> v) {
  std::vector<std::uint8_t> out;
  for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

TEST(PacketCache, HitRewritesTheIdAndNeedsTheSameKeyAndGeneration) {
  PacketCache cache(8);
  ASSERT_TRUE(cache.enabled());
  auto query = bytes({0x11, 0x22, 1, 2, 3, 4, 5});
  auto response = bytes({0x11, 0x22, 9, 8, 7, 6, 5, 4});
  cache.store(query, 4, response);

  std::vector<std::uint8_t> out(64);
  auto again = bytes({0xAB, 0xCD, 1, 2, 3, 4, 5});
  ASSERT_EQ(cache.find(again, 4, out), response.size());
  EXPECT_EQ(out[0], 0xAB);
  EXPECT_EQ(out[1], 0xCD);
  EXPECT_EQ(0, std::memcmp(out.data() + 2, response.data() + 2, response.size() - 2));

  EXPECT_EQ(cache.find(again, 5, out), 0U) << "another zone generation";
  EXPECT_EQ(cache.find(bytes({0xAB, 0xCD, 1, 2, 3, 4, 6}), 4, out), 0U) << "another last octet";
  EXPECT_EQ(cache.find(bytes({0xAB, 0xCD, 1, 2, 3, 4}), 4, out), 0U) << "a prefix of the key";
  EXPECT_EQ(cache.find(bytes({0xAB, 0xCD, 1, 2, 3, 4, 5, 0}), 4, out), 0U) << "a longer key";
  std::vector<std::uint8_t> small(4);
  EXPECT_EQ(cache.find(again, 4, small), 0U) << "does not fit the output";
}

TEST(PacketCache, GenerationZeroIsNotAnEmptySlot) {
  PacketCache cache(1);
  std::vector<std::uint8_t> out(64);
  auto query = bytes({0, 0, 0, 0});
  EXPECT_EQ(cache.find(query, 0, out), 0U) << "fresh slots are empty, whatever the generation";
  cache.store(query, 0, bytes({0, 0, 42}));
  EXPECT_EQ(cache.find(query, 0, out), 3U);
}

TEST(PacketCache, DisabledOrOversizedStoresNothing) {
  PacketCache off(0);
  EXPECT_FALSE(off.enabled());
  std::vector<std::uint8_t> out(1024);
  auto query = bytes({1, 2, 3});
  off.store(query, 1, bytes({1, 2, 3}));
  EXPECT_EQ(off.find(query, 1, out), 0U);

  PacketCache cache(16);
  std::vector<std::uint8_t> big(PacketCache::kPayload, 0x55);
  cache.store(query, 1, big);  // key (1 octet) + response exceed one slot
  EXPECT_EQ(cache.find(query, 1, out), 0U);
  big.pop_back();
  cache.store(query, 1, big);  // exactly one slot
  EXPECT_EQ(cache.find(query, 1, out), big.size());
  EXPECT_EQ(cache.find(bytes({1, 2}), 1, out), 0U) << "an ID alone is no key";
}

TEST(PacketCache, CollidingKeysEvictInsteadOfAnsweringForEachOther) {
  PacketCache cache(1);  // one slot: every key collides
  std::vector<std::uint8_t> out(64);
  auto a = bytes({0, 0, 'a'});
  auto b = bytes({0, 0, 'b'});
  cache.store(a, 1, bytes({0, 0, 1}));
  cache.store(b, 1, bytes({0, 0, 2}));
  EXPECT_EQ(cache.find(a, 1, out), 0U);
  ASSERT_EQ(cache.find(b, 1, out), 3U);
  EXPECT_EQ(out[2], 2);
}

constexpr const char* kZone = R"ZONE($TTL 3600
@     IN SOA ns1 hostmaster 1 7200 3600 1209600 300
      IN NS  ns1
ns1   IN A   192.0.2.53
www   IN A   192.0.2.1
*.wild IN A  192.0.2.99
deleg IN NS  ns.example.net.
elbout IN ALIAS lb.example.org.
big   IN TXT "record-1 record-1 record-1 record-1 record-1 record-1 record-1"
big   IN TXT "record-2 record-2 record-2 record-2 record-2 record-2 record-2"
big   IN TXT "record-3 record-3 record-3 record-3 record-3 record-3 record-3"
big   IN TXT "record-4 record-4 record-4 record-4 record-4 record-4 record-4"
big   IN TXT "record-5 record-5 record-5 record-5 record-5 record-5 record-5"
)ZONE";

std::shared_ptr<const zone::ZoneSnapshot> load(const std::string& text) {
  auto z = zone::loadZoneText(text, "test", *wire::Name::fromText("example.com."));
  EXPECT_TRUE(z.ok());
  return *z;
}

std::vector<std::uint8_t> query(const std::string& line, std::uint16_t id = 0x1234) {
  QuerySpec spec;
  std::string err;
  EXPECT_TRUE(parseQuerySpec(line, spec, err)) << err;
  spec.id = id;
  return buildQuery(spec);
}

ProcessorOptions withCache() {
  ProcessorOptions o;
  o.packetCacheSlots = 1024;
  return o;
}

// A replay equals the computed answer for every kind of response.
TEST(PacketCache, ReplayEqualsTheProcessorsAnswer) {
  zone::ZoneTable table;
  table.upsert(load(kZone));
  QueryProcessor plain(table);
  QueryProcessor cached(table, nullptr, withCache());
  const char* lines[] = {
      "www.example.com. A",           "WWW.Example.COM. A",        "nothere.example.com. A",
      "www.example.com. AAAA",        "x.wild.example.com. A",     "www.deleg.example.com. A",
      "big.example.com. TXT",         "big.example.com. TXT edns", "www.example.org. A",
      "www.example.com. A ednsver=1", "www.example.com. A opt2",   "example.com. ANY edns"};
  std::vector<std::uint8_t> a(4096);
  std::vector<std::uint8_t> b(4096);
  for (const char* line : lines) {
    for (std::uint16_t id : {std::uint16_t{1}, std::uint16_t{0xBEEF}}) {
      auto q = query(line, id);
      std::size_t n = plain.process(q, a, Transport::Udp);
      std::size_t m = cached.process(q, b, Transport::Udp);
      ASSERT_GT(n, 0U) << line;
      ASSERT_EQ(n, m) << line;
      EXPECT_EQ(0, std::memcmp(a.data(), b.data(), n)) << line << " id " << id;
      const bool fits = q.size() - 2 + n <= PacketCache::kPayload;
      EXPECT_EQ(cached.lastFromCache(), id == 0xBEEF && fits) << line << ": the second ID is a replay";
    }
  }
  // The two spellings of www are separate entries, each echoing its own case.
  // (Asked twice in a row: a later line may have evicted the first entry, as
  // the slot depends on a per-process random seed.)
  auto upper = query("WWW.Example.COM. A", 7);
  auto lower = query("www.example.com. A", 8);
  cached.process(upper, b, Transport::Udp);
  std::size_t n = cached.process(upper, b, Transport::Udp);
  ASSERT_TRUE(cached.lastFromCache());
  EXPECT_NE(formatResponse({b.data(), n}).find("WWW.Example.COM."), std::string::npos);
  cached.process(lower, b, Transport::Udp);
  n = cached.process(lower, b, Transport::Udp);
  ASSERT_TRUE(cached.lastFromCache());
  EXPECT_EQ(formatResponse({b.data(), n}).find("WWW.Example.COM."), std::string::npos);
  EXPECT_NE(formatResponse({b.data(), n}).find("www.example.com."), std::string::npos);
  n = cached.process(upper, b, Transport::Udp);
  EXPECT_NE(formatResponse({b.data(), n}).find("WWW.Example.COM."), std::string::npos);
}

TEST(PacketCache, APublicationEndsEveryReplay) {
  zone::ZoneTable table;
  table.upsert(load(kZone));
  QueryProcessor cached(table, nullptr, withCache());
  std::vector<std::uint8_t> out(4096);
  auto q = query("www.example.com. A");
  cached.process(q, out, Transport::Udp);
  std::size_t n = cached.process(q, out, Transport::Udp);
  ASSERT_TRUE(cached.lastFromCache());
  EXPECT_NE(formatResponse({out.data(), n}).find("192.0.2.1"), std::string::npos);

  std::string changed = kZone;
  changed.replace(changed.find("192.0.2.1\n"), 9, "192.0.2.77");
  table.upsert(load(changed));
  n = cached.process(q, out, Transport::Udp);
  EXPECT_FALSE(cached.lastFromCache());
  EXPECT_NE(formatResponse({out.data(), n}).find("192.0.2.77"), std::string::npos);
  n = cached.process(q, out, Transport::Udp);
  EXPECT_TRUE(cached.lastFromCache());
  EXPECT_NE(formatResponse({out.data(), n}).find("192.0.2.77"), std::string::npos);
}

TEST(PacketCache, TcpAndSmallBuffersAreNeverReplayed) {
  zone::ZoneTable table;
  table.upsert(load(kZone));
  QueryProcessor cached(table, nullptr, withCache());
  auto q = query("www.example.com. A");
  std::vector<std::uint8_t> out(65535);
  for (int i = 0; i < 3; ++i) {
    ASSERT_GT(cached.process(q, out, Transport::Tcp), 0U);
    EXPECT_FALSE(cached.lastFromCache());
  }
  std::vector<std::uint8_t> small(512);  // below the advertised payload: answers could differ
  for (int i = 0; i < 3; ++i) {
    ASSERT_GT(cached.process(q, small, Transport::Udp), 0U);
    EXPECT_FALSE(cached.lastFromCache());
  }
}

// The ALIAS resolver's answers change behind the zone set's back: never stored.
class FlippingResolver : public AliasResolver {
 public:
  bool lookup(std::span<const std::uint8_t>, wire::RRType type, AliasAnswer& out) override {
    if (type != wire::RRType::A) return false;
    addr_[3] = static_cast<std::uint8_t>(++calls_);
    out.ttl = 60;
    out.addresses = addr_;
    return true;
  }
  int calls() const { return calls_; }

 private:
  std::uint8_t addr_[4] = {198, 51, 100, 0};
  int calls_ = 0;
};

TEST(PacketCache, AnswersFromTheAliasResolverAreNotStored) {
  zone::ZoneTable table;
  table.upsert(load(kZone));
  FlippingResolver resolver;
  QueryProcessor cached(table, &resolver, withCache());
  std::vector<std::uint8_t> out(4096);
  auto q = query("elbout.example.com. A");
  for (int i = 1; i <= 3; ++i) {
    std::size_t n = cached.process(q, out, Transport::Udp);
    EXPECT_FALSE(cached.lastFromCache());
    EXPECT_NE(formatResponse({out.data(), n}).find("198.51.100." + std::to_string(i)), std::string::npos)
        << formatResponse({out.data(), n});
  }
  EXPECT_EQ(resolver.calls(), 3);
}

}  // namespace
}  // namespace zk::query::testing
