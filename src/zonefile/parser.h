#pragma once
// Zone-file parser (RFC 1035 section 5, RFC 2308 section 4 $TTL, RFC 3597
// generic types/classes/RDATA). Calls back once per record with the RDATA in
// uncompressed wire form; the views are valid only during the call.
//
//   ParseOptions opts;  opts.origin = *Name::fromText("example.com.");
//   ParseResult r = parseZoneFile("db.example", opts, [&](const RecordView& rr) { ... });
//   for (auto& d : r.diagnostics) std::cerr << formatDiagnostic(r.files, d) << '\n';

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/name.h"
#include "wire/rrtype.h"
#include "zonefile/diagnostic.h"

namespace zk::zonefile {

// RFC 2181 section 8: TTLs above 2^31-1 are treated as 0.
inline constexpr std::uint32_t kMaxTtl = 0x7fffffff;

struct ParseOptions {
  wire::Name origin;  // initial $ORIGIN (the zone's name)
  wire::RRClass defaultClass = wire::RRClass::IN;
  bool allowInclude = true;
  int maxIncludeDepth = 8;
  std::size_t maxErrors = 50;  // stop after this many errors (0 = unlimited)
};

struct RecordView {
  const wire::Name& owner;
  wire::RRType type;
  wire::RRClass cls;
  std::uint32_t ttl;
  std::span<const std::uint8_t> rdata;  // uncompressed wire form
  Location location;                    // where the owner (or first field) was
};

using RecordCallback = std::function<void(const RecordView&)>;

struct ParseResult {
  FileTable files;  // files[0] is the top file; Location::file indexes this
  std::vector<Diagnostic> diagnostics;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t records = 0;
  bool stoppedEarly = false;  // maxErrors reached

  [[nodiscard]] bool ok() const { return errors == 0; }
};

// Parses a file (read with one read; $INCLUDE paths relative to its folder).
ParseResult parseZoneFile(const std::string& path, const ParseOptions& options,
                          const RecordCallback& onRecord);

// Parses an in-memory buffer; `displayName` is used in diagnostics and as the
// base for relative $INCLUDE paths.
ParseResult parseZoneBuffer(std::string_view text, std::string_view displayName, const ParseOptions& options,
                            const RecordCallback& onRecord);

// TTL in seconds from "3600" or BIND units "1h30m", "1W2D" (RFC 2308 section 4
// leaves units to implementations; these match BIND's). Fails on overflow of
// 32 bits, unknown units and empty input.
bool parseTtl(std::string_view text, std::uint32_t& out);

}  // namespace zk::zonefile
