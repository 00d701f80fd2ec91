#include "zone/loader.h"

#include <fmt/format.h>

#include "zonefile/parser.h"

namespace zk::zone {
namespace {

constexpr std::size_t kMaxReported = 5;

template <class ParseFn>
Result<std::shared_ptr<const ZoneSnapshot>> load(const wire::Name& origin, ParseFn&& parse) {
  ZoneBuilder builder(origin);
  std::string firstError;
  std::size_t buildErrors = 0;
  zonefile::ParseOptions opts;
  opts.origin = origin;
  zonefile::ParseResult r = parse(opts, [&](const zonefile::RecordView& rr) {
    Status st = builder.add(rr.owner, rr.type, rr.cls, rr.ttl, rr.rdata);
    if (!st && buildErrors++ == 0) {
      firstError = fmt::format("line {}: {}", rr.location.line, st.error().message);
    }
  });
  if (!r.ok()) {
    std::string msg;
    std::size_t shown = 0;
    for (const auto& d : r.diagnostics) {
      if (d.severity != zonefile::Severity::Error) continue;
      if (shown++ == kMaxReported) break;
      if (!msg.empty()) msg += "; ";
      msg += zonefile::formatDiagnostic(r.files, d);
    }
    return Error(fmt::format("{} error(s): {}", r.errors, msg));
  }
  if (buildErrors != 0)
    return Error(fmt::format("{} record(s) rejected, first: {}", buildErrors, firstError));
  return builder.build();
}

}  // namespace

Result<std::shared_ptr<const ZoneSnapshot>> loadZoneFile(const std::string& path, const wire::Name& origin) {
  return load(origin, [&](const zonefile::ParseOptions& o, const zonefile::RecordCallback& cb) {
    return zonefile::parseZoneFile(path, o, cb);
  });
}

Result<std::shared_ptr<const ZoneSnapshot>> loadZoneText(std::string_view text, std::string_view displayName,
                                                         const wire::Name& origin) {
  return load(origin, [&](const zonefile::ParseOptions& o, const zonefile::RecordCallback& cb) {
    return zonefile::parseZoneBuffer(text, displayName, o, cb);
  });
}

}  // namespace zk::zone
