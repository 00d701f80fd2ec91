// Fuzzes the Route53 request-body parsers and the batch conversion behind them.
// Input: 1 octet selecting the request kind, then the XML body.
// Invariants: nothing crashes; a rejected body is an InvalidInput error with a
// message; an accepted ChangeBatch converts (or fails with InvalidInput /
// InvalidChangeBatch) and every converted name lies inside the zone; Route53
// names that parse print in a form that parses back to the same name.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/route53/hosted_zone_service.h"
#include "api/route53/memory_zone_store.h"
#include "api/route53/text.h"
#include "api/route53/xml_codec.h"

using namespace zk::api;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

template <class T>
void expectCleanError(const ApiResult<T>& r) {
  if (!isError(r)) return;
  const auto& e = std::get<ApiError>(r);
  check(!e.code.empty() && !e.message.empty());
  check(e.code == "InvalidInput" || e.code == "InvalidChangeBatch");
}

void checkName(std::string_view text) {
  auto name = parseRoute53Name(text);
  if (!name) return;
  auto again = parseRoute53Name(formatRoute53Name(*name));
  check(again.ok() && *again == *name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto r = xml::parseCreateHostedZone(body);
      expectCleanError(r);
      if (!isError(r)) checkName(std::get<CreateHostedZoneInput>(r).name);
      break;
    }
    case 1: {
      auto r = xml::parseChangeResourceRecordSets(body);
      expectCleanError(r);
      if (isError(r)) break;
      static MemoryZoneStore store;
      static HostedZoneService service(store,
                                       {[] { return std::int64_t{0}; }, [] { return std::string("C"); }});
      zk::store::HostedZone zone;
      zone.id = "ZFUZZ";
      zone.name = *zk::wire::Name::fromText("example.com.");
      const auto& in = std::get<ChangeBatchInput>(r);
      for (const auto& c : in.changes) checkName(c.recordSet.name);
      auto batch = service.convertBatch(zone, in);
      expectCleanError(batch);
      if (!isError(batch)) {
        for (const auto& c : std::get<zk::store::ChangeBatch>(batch).changes) {
          check(c.recordSet.name.isSubdomainOf(zone.name));
          for (const auto& rd : c.recordSet.rdata) {
            auto again = parseRecordValue(c.recordSet.type, formatRecordValue(c.recordSet.type, rd));
            check(again.ok() && *again == rd);
          }
        }
      }
      break;
    }
    case 2:
      expectCleanError(xml::parseUpdateHostedZoneComment(body));
      break;
    case 3:
      expectCleanError(xml::parseChangeTagsForResource(body));
      break;
    default:
      expectCleanError(xml::parseListTagsForResources(body));
      break;
  }
  return 0;
}
