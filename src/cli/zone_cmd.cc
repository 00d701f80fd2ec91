// `zonekeeper zone check FILE --origin NAME` and `zonekeeper zone print ...`.

#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "wire/name.h"
#include "wire/rrtype.h"
#include "zone/checker.h"
#include "zonefile/parser.h"
#include "zonefile/printer.h"

namespace zk::cli {
namespace {

struct ZoneArgs {
  std::string file;
  std::string origin;
  std::string rrClass = "IN";
  std::size_t maxErrors = 50;
  bool noInclude = false;
  bool quiet = false;
};

struct Loaded {
  std::unique_ptr<zone::ZoneRecords> zone;
  zonefile::ParseResult parse;
  zone::CheckResult check;
  [[nodiscard]] bool ok() const { return parse.ok() && check.ok(); }
};

[[noreturn]] void usageError(const std::string& message) {
  std::fprintf(stderr, "zonekeeper zone: %s\nRun with --help for more information.\n", message.c_str());
  throw CLI::RuntimeError(kExitUsage);
}

// Parses and checks the zone; prints every diagnostic (file:line:col) to stderr.
Loaded loadAndCheck(const ZoneArgs& args) {
  auto origin = wire::Name::fromText(args.origin);
  if (!origin) usageError(fmt::format("bad --origin '{}': {}", args.origin, origin.error().message));
  auto cls = wire::classFromText(args.rrClass);
  if (!cls) usageError(fmt::format("bad --class '{}': {}", args.rrClass, cls.error().message));

  Loaded out;
  out.zone = std::make_unique<zone::ZoneRecords>(*origin, *cls);
  struct stat st {};
  if (::stat(args.file.c_str(), &st) == 0 && st.st_size > 0) {
    // Generated and hand-written zones run about 30-40 octets per record.
    const auto estimate = static_cast<std::size_t>(st.st_size) / 32;
    out.zone->reserve(estimate, estimate);
  }
  zonefile::ParseOptions opts;
  opts.origin = *origin;
  opts.defaultClass = *cls;
  opts.allowInclude = !args.noInclude;
  opts.maxErrors = args.maxErrors;
  bool storageFull = false;
  out.parse = zonefile::parseZoneFile(args.file, opts, [&](const zonefile::RecordView& rr) {
    if (!out.zone->add(rr.owner, rr.type, rr.ttl, rr.rdata, rr.location)) storageFull = true;
  });
  if (storageFull) {
    out.parse.diagnostics.push_back(
        {zonefile::Severity::Error, {}, "zone too large: over 4 GiB of record data; records were dropped"});
    ++out.parse.errors;
  }
  out.check = zone::checkZone(*out.zone);
  for (const auto& d : out.parse.diagnostics) {
    if (args.quiet && d.severity == zonefile::Severity::Warning) continue;
    std::fprintf(stderr, "%s\n", zonefile::formatDiagnostic(out.parse.files, d).c_str());
  }
  for (const auto& d : out.check.diagnostics) {
    if (args.quiet && d.severity == zonefile::Severity::Warning) continue;
    std::fprintf(stderr, "%s\n", zonefile::formatDiagnostic(out.parse.files, d).c_str());
  }
  return out;
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

void runCheck(const ZoneArgs& args) {
  const Loaded z = loadAndCheck(args);
  const std::size_t errors = z.parse.errors + z.check.errors;
  const std::size_t warnings = z.parse.warnings + z.check.warnings;
  std::string line = fmt::format("zone {}: {}, {}", z.zone->origin().toText(),
                                 plural(z.check.records, "record"), plural(z.check.names, "name"));
  if (z.check.serial) line += fmt::format(", serial {}", *z.check.serial);
  if (warnings != 0) line += ", " + plural(warnings, "warning");
  if (errors != 0) {
    line += fmt::format(", {}: FAILED", plural(errors, "error"));
  } else {
    line += ": OK";
  }
  std::printf("%s\n", line.c_str());
  if (errors != 0) throw CLI::RuntimeError(kExitFailed);
}

void runPrint(const ZoneArgs& args, const std::string& output) {
  const Loaded z = loadAndCheck(args);
  if (!z.ok()) {
    std::fprintf(stderr, "zone %s: %s: not printed\n", z.zone->origin().toText().c_str(),
                 plural(z.parse.errors + z.check.errors, "error").c_str());
    throw CLI::RuntimeError(kExitFailed);
  }
  std::FILE* out = stdout;
  if (!output.empty() && output != "-") {
    out = std::fopen(output.c_str(), "w");
    if (out == nullptr) {
      std::fprintf(stderr, "zonekeeper zone print: cannot write %s\n", output.c_str());
      throw CLI::RuntimeError(kExitFailed);
    }
  }
  const zone::ZoneRecords& zr = *z.zone;
  const auto& recs = zr.records();
  // Records are sorted by name id; find each name's range.
  std::vector<std::uint32_t> start(zr.nameCount() + 1, 0);
  for (const auto& r : recs) ++start[r.name + 1];
  for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];

  std::string buf;
  buf.reserve(1 << 20);
  auto flush = [&](bool force) {
    if (force || buf.size() > (1 << 19)) {
      std::fwrite(buf.data(), 1, buf.size(), out);
      buf.clear();
    }
  };
  const auto apex = zr.findName(zr.origin().bytes());
  const auto soa = static_cast<std::uint16_t>(wire::RRType::SOA);
  auto printName = [&](std::uint32_t id, bool soaOnly, bool skipSoa) {
    const auto owner = wire::Name::fromWire(zr.nameWire(id));
    const std::string ownerText = owner ? owner->toText() : std::string("?");
    for (std::uint32_t k = start[id]; k < start[id + 1]; ++k) {
      const auto& r = recs[k];
      if ((soaOnly && r.type != soa) || (skipSoa && r.type == soa)) continue;
      zonefile::appendRecordLine(buf, ownerText, r.ttl, zr.rrClass(), static_cast<wire::RRType>(r.type),
                                 zr.rdata(r));
      flush(false);
    }
  };
  if (apex) printName(*apex, true, false);  // SOA first
  for (std::uint32_t id : zr.canonicalNameOrder()) printName(id, false, apex && id == *apex);
  flush(true);
  if (out != stdout) std::fclose(out);
}

void addCommonOptions(CLI::App& sub, ZoneArgs& args) {
  sub.add_option("FILE", args.file, "Zone file in RFC 1035 presentation format")
      ->required()
      ->check(CLI::ExistingFile);
  sub.add_option(
         "-o,--origin", args.origin,
         "The zone's name, e.g. example.com. (the initial $ORIGIN; relative names are completed with it)")
      ->required();
  sub.add_option("-c,--class", args.rrClass, "Zone class (IN, CH, HS or CLASSnnn)")->capture_default_str();
  sub.add_option("--max-errors", args.maxErrors, "Stop parsing after this many errors (0 = no limit)")
      ->capture_default_str();
  sub.add_flag("--no-include", args.noInclude, "Reject $INCLUDE directives");
  sub.add_flag("-q,--quiet", args.quiet, "Do not print warnings");
}

}  // namespace

void addZoneCommand(CLI::App& app) {
  auto* zoneCmd = app.add_subcommand("zone", "Check zone files and print them in canonical form");
  zoneCmd->require_subcommand(1);

  auto checkArgs = std::make_shared<ZoneArgs>();
  auto* check = zoneCmd->add_subcommand(
      "check",
      "Parse a zone file and check it: syntax (file:line:column errors), exactly one SOA at the apex, apex "
      "NS "
      "with addresses, CNAME exclusivity, data outside the zone, RRset TTLs, glue. Prints a summary; exit "
      "status 0 when the zone is OK, 1 when it has errors, 2 on bad usage.");
  addCommonOptions(*check, *checkArgs);
  check->callback([checkArgs] { runCheck(*checkArgs); });

  auto printArgs = std::make_shared<ZoneArgs>();
  auto output = std::make_shared<std::string>();
  auto* print = zoneCmd->add_subcommand(
      "print",
      "Check a zone file, then print it in canonical form: one record per line 'owner TTL CLASS TYPE RDATA', "
      "absolute names, SOA first, then canonical DNS order (RFC 4034 section 6.1), duplicates collapsed. "
      "Nothing is printed when the zone has errors (exit status 1).");
  addCommonOptions(*print, *printArgs);
  print->add_option("-w,--write", *output, "Write to this file instead of standard output");
  print->callback([printArgs, output] { runPrint(*printArgs, *output); });
}

}  // namespace zk::cli
