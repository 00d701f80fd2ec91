// libFuzzer target: arbitrary bytes as a zone file (with $INCLUDE disabled),
// then the zone checks and the canonical printer. Must never crash or hang.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/name.h"
#include "zone/checker.h"
#include "zonefile/parser.h"
#include "zonefile/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const zk::wire::Name origin = *zk::wire::Name::fromText("example.com.");
  zk::zonefile::ParseOptions opts;
  opts.origin = origin;
  opts.allowInclude = false;
  opts.maxErrors = 100;
  zk::zone::ZoneRecords zone(origin, zk::wire::RRClass::IN);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed =
      zk::zonefile::parseZoneBuffer(text, "fuzz.zone", opts, [&](const zk::zonefile::RecordView& r) {
        (void)zone.add(r.owner, r.type, r.ttl, r.rdata, r.location);
      });
  for (const auto& d : parsed.diagnostics) (void)zk::zonefile::formatDiagnostic(parsed.files, d);
  auto checked = zk::zone::checkZone(zone);
  for (const auto& d : checked.diagnostics) (void)zk::zonefile::formatDiagnostic(parsed.files, d);
  std::string out;
  for (std::uint32_t id : zone.canonicalNameOrder()) {
    auto owner = zk::wire::Name::fromWire(zone.nameWire(id));
    if (!owner) __builtin_trap();  // stored names must always be valid
  }
  for (const auto& r : zone.records()) {
    out.clear();
    zk::zonefile::appendRecordLine(out, "x.", r.ttl, zone.rrClass(), static_cast<zk::wire::RRType>(r.type),
                                   zone.rdata(r));
  }
  return 0;
}
