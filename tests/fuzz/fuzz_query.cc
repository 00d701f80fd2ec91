// Whole query path: any bytes -> QueryProcessor (UDP and TCP) -> the answer
// must parse (header, question, every record and its RDATA, and with
// wire::MessageView), keep the query ID, and fit the transport's size limit.
// A second processor with a (tiny, so constantly evicting) packet cache must
// give the same octets over UDP, asked once and then again (a replay).

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../unit/query/golden_util.h"
#include "query/processor.h"
#include "wire/message.h"
#include "zone/loader.h"
#include "zone/zone_table.h"

namespace {

// The golden zone (tests/golden/server/zones/example.com.zone) plus a nested
// zone and an apex ALIAS, embedded so the target runs from any directory.
constexpr const char* kExample = R"ZONE(; Golden zone for the query processor: one feature per name.
$ORIGIN example.com.
$TTL 3600
@           IN SOA   ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300
            IN NS    ns1
            IN NS    ns2.example.net.
            IN MX    10 mail
            IN MX    20 mail.example.net.
            IN TXT   "v=spf1 -all"
ns1         IN A     192.0.2.53
            IN AAAA  2001:db8::53
www         IN A     192.0.2.1
            IN A     192.0.2.2
            IN AAAA  2001:db8::1
mail        IN A     192.0.2.25
Mixed       IN A     192.0.2.3
; CNAMEs
alias       IN CNAME www
chain1      IN CNAME chain2
chain2      IN CNAME www
loop1       IN CNAME loop2
loop2       IN CNAME loop1
self        IN CNAME self
dangling    IN CNAME nothere
outside     IN CNAME www.example.org.
tosub       IN CNAME host.sub
todeleg     IN CNAME host.deleg
; empty non-terminals: b.c and c exist only because of a.b.c
a.b.c       IN A     192.0.2.10
; wildcards (RFC 4592)
*.wild      IN A     192.0.2.99
*.wild      IN TXT   "wildcard"
exists.wild IN TXT   "exists"
*.cwild     IN CNAME www
sub.*.ewild IN A     192.0.2.98
*.mxwild    IN MX    10 mail
; SRV with an in-zone target
_sip._tcp   IN SRV   10 5 5060 sip
sip         IN A     192.0.2.60
; delegations
deleg       IN NS    ns1.deleg
deleg       IN NS    ns.example.net.
ns1.deleg   IN A     192.0.2.70
dsdeleg     IN NS    ns.example.net.
dsdeleg     IN DS    12345 8 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
; DNAME (RFC 6672)
dn          IN DNAME dtarget.example.com.
dtarget     IN TXT   "dname target"
host.dtarget IN A    192.0.2.80
dnout       IN DNAME example.org.
; ALIAS (Route53 semantics)
elb         IN ALIAS www
elb         IN TXT   "alias with other data"
elbchain    IN ALIAS chain1
elbout      IN ALIAS lb.example.org.
elbfail     IN ALIAS down.example.org.
elbloop1    IN ALIAS elbloop2
elbloop2    IN ALIAS elbloop1
elbnone     IN ALIAS nothere
*.elbwild   IN ALIAS www
; a large RRset for truncation
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-01"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-02"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-03"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-04"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-05"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-06"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-07"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-08"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-09"
big         IN TXT   "0123456789012345678901234567890123456789012345678901234567890-10"
; the served child zone sub.example.com is also delegated here
sub         IN NS    ns1.example.com.
)ZONE";
constexpr const char* kSub = R"ZONE($TTL 600
@     IN SOA ns1.example.com. hostmaster.example.com. 7 3600 600 86400 900
      IN NS  ns1.example.com.
host  IN A   192.0.2.200
)ZONE";
constexpr const char* kApex = R"ZONE($TTL 300
@     IN SOA   ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
      IN NS    ns1.example.com.
      IN ALIAS www.example.com.
      IN MX    10 mail.example.com.
)ZONE";

struct Setup {
  zk::zone::ZoneTable table;
  Setup() {
    const std::pair<const char*, const char*> zones[] = {
        {"example.com.", kExample}, {"sub.example.com.", kSub}, {"apex-alias.test.", kApex}};
    for (const auto& [origin, text] : zones) {
      auto snap = zk::zone::loadZoneText(text, origin, *zk::wire::Name::fromText(origin));
      if (!snap) std::abort();
      table.upsert(*snap);
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Setup setup;
  static zk::query::QueryProcessor qp(setup.table);
  static zk::query::QueryProcessor cached(setup.table, nullptr, [] {
    zk::query::ProcessorOptions o;
    o.packetCacheSlots = 4;
    return o;
  }());
  static std::vector<std::uint8_t> out(65535);
  static std::vector<std::uint8_t> replay(4096);
  std::span<const std::uint8_t> in(data, size);
  for (auto t : {zk::query::Transport::Udp, zk::query::Transport::Tcp}) {
    std::size_t n = qp.process(in, out, t);
    if (n == 0) continue;
    if (size < 2 || out[0] != data[0] || out[1] != data[1]) std::abort();  // ID kept
    if (t == zk::query::Transport::Udp && n > 1232) std::abort();
    std::string text = zk::query::testing::formatResponse({out.data(), n});
    if (text.starts_with("unparseable")) std::abort();
    if (!zk::wire::MessageView::parse({out.data(), n}).ok()) std::abort();  // the wire library agrees
    if (t == zk::query::Transport::Udp) {
      for (int round = 0; round < 2; ++round) {
        if (cached.process(in, replay, t) != n || std::memcmp(replay.data(), out.data(), n) != 0)
          std::abort();
      }
      if (size - 2 + n < zk::query::PacketCache::kPayload && !cached.lastFromCache()) std::abort();
    }
  }
  return 0;
}
