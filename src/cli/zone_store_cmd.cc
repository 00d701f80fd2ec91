// `zonekeeper zone import --data DIR FILE --origin NAME` and
// `zonekeeper zone export --data DIR ZONE`.

#include "cli/zone_store_cmd.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <compare>
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "store/sqlite_zone_store.h"
#include "wire/name.h"
#include "wire/rrtype.h"
#include "zone/checker.h"
#include "zonefile/parser.h"
#include "zonefile/printer.h"

namespace zk::cli {
namespace {

constexpr std::uint32_t kAliasExportTtl = 300;  // alias record sets have no TTL of their own

struct ImportArgs {
  std::string data;
  std::string file;
  std::string origin;
  std::string comment;
  std::string callerReference;
  std::string nameServerSuffix = "zonekeeper.invalid.";
};

struct ExportArgs {
  std::string data;
  std::string zone;
  std::string output;
};

[[noreturn]] void fail(int code, const std::string& message) {
  std::fprintf(stderr, "zonekeeper zone: %s\n", message.c_str());
  throw CLI::RuntimeError(code);
}

void printErrors(const store::StoreError& e) {
  for (const auto& m : e.messages) std::fprintf(stderr, "zonekeeper zone: %s\n", m.c_str());
}

std::unique_ptr<store::SqliteZoneStore> openStore(const std::string& dir, bool create,
                                                  const std::string& suffix = "zonekeeper.invalid.") {
  struct stat st {};
  if (!create && ::stat(dir.c_str(), &st) != 0) fail(kExitFailed, fmt::format("no data directory {}", dir));
  auto path = store::SqliteZoneStore::prepareDataDir(dir);
  if (!path) fail(kExitFailed, path.error().message);
  store::SqliteStoreOptions o;
  o.path = *path;
  o.nameServerSuffix = suffix;
  auto s = store::SqliteZoneStore::open(o);
  if (!s) fail(kExitFailed, s.error().message);
  return std::move(*s);
}

// Parses and checks the zone file (diagnostics to stderr), then groups its
// records into record sets; ALIAS records become A and AAAA alias record sets
// pointing into the new zone.
std::vector<store::RecordSet> loadRecordSets(const ImportArgs& args, const wire::Name& origin) {
  zone::ZoneRecords zr(origin, wire::RRClass::IN);
  zonefile::ParseOptions opts;
  opts.origin = origin;
  bool storageFull = false;
  auto parse = zonefile::parseZoneFile(args.file, opts, [&](const zonefile::RecordView& rr) {
    if (!zr.add(rr.owner, rr.type, rr.ttl, rr.rdata, rr.location)) storageFull = true;
  });
  auto check = zone::checkZone(zr);
  for (const auto& d : parse.diagnostics)
    std::fprintf(stderr, "%s\n", zonefile::formatDiagnostic(parse.files, d).c_str());
  for (const auto& d : check.diagnostics)
    std::fprintf(stderr, "%s\n", zonefile::formatDiagnostic(parse.files, d).c_str());
  if (storageFull) fail(kExitFailed, "zone too large");
  if (!parse.ok() || !check.ok()) {
    fail(kExitFailed, fmt::format("{}: {} error(s): not imported", args.file, parse.errors + check.errors));
  }

  std::vector<store::RecordSet> sets;
  const auto& recs = zr.records();  // sorted by (name, type, RDATA); one TTL per RRset
  for (std::size_t i = 0; i < recs.size();) {
    std::size_t j = i;
    while (j < recs.size() && recs[j].name == recs[i].name && recs[j].type == recs[i].type) ++j;
    auto owner = wire::Name::fromWire(zr.nameWire(recs[i].name));
    if (!owner) fail(kExitFailed, "internal error: bad owner name");
    const auto type = static_cast<wire::RRType>(recs[i].type);
    if (type == wire::RRType::ALIAS) {
      if (j - i != 1) fail(kExitFailed, fmt::format("{}: more than one ALIAS target", owner->toText()));
      auto target = wire::Name::fromWire(zr.rdata(recs[i]));
      if (!target) fail(kExitFailed, fmt::format("{}: bad ALIAS target", owner->toText()));
      for (auto t : {wire::RRType::A, wire::RRType::AAAA}) {
        store::RecordSet rs;
        rs.name = *owner;
        rs.type = t;
        rs.alias = store::AliasTarget{"", *target, false};  // "": the new zone's id
        sets.push_back(std::move(rs));
      }
    } else {
      store::RecordSet rs;
      rs.name = *owner;
      rs.type = type;
      rs.ttl = recs[i].ttl;
      for (std::size_t k = i; k < j; ++k) {
        auto d = zr.rdata(recs[k]);
        rs.rdata.emplace_back(d.begin(), d.end());
      }
      sets.push_back(std::move(rs));
    }
    i = j;
  }
  return sets;
}

void runImport(const ImportArgs& args) {
  auto origin = wire::Name::fromText(args.origin);
  if (!origin) fail(kExitUsage, fmt::format("bad --origin '{}': {}", args.origin, origin.error().message));
  auto sets = loadRecordSets(args, *origin);
  auto s = openStore(args.data, true, args.nameServerSuffix);
  store::NewZone nz;
  nz.name = *origin;
  nz.comment = args.comment;
  nz.callerReference = args.callerReference;
  if (nz.callerReference.empty()) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    nz.callerReference = fmt::format("zonekeeper-import-{}-{}", origin->toText(),
                                     std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  }
  auto r = s->importZone(nz, sets);
  if (r.index() != 0) {
    printErrors(std::get<store::StoreError>(r));
    fail(kExitFailed, fmt::format("{}: not imported", args.file));
  }
  const auto& z = std::get<store::HostedZone>(r);
  std::printf("zone %s: imported as hosted zone %s, %llu record sets, serial %u\n", z.name.toText().c_str(),
              z.id.c_str(), static_cast<unsigned long long>(z.recordSetCount), z.serial);
}

void runExport(const ExportArgs& args) {
  auto s = openStore(args.data, false);
  std::string id = args.zone;
  if (s->getZone(id).index() != 0) {
    // Not an id: look the zone up by name.
    auto n = wire::Name::fromText(args.zone);
    if (!n) fail(kExitFailed, fmt::format("no hosted zone with id or name '{}'", args.zone));
    auto zones = s->listZones();
    if (zones.index() != 0) {
      printErrors(std::get<store::StoreError>(zones));
      fail(kExitFailed, "cannot list zones");
    }
    std::vector<std::string> ids;
    for (const auto& z : std::get<0>(zones)) {
      if (z.name == *n) ids.push_back(z.id);
    }
    if (ids.empty()) fail(kExitFailed, fmt::format("no hosted zone with id or name '{}'", args.zone));
    if (ids.size() > 1) {
      std::string all;
      for (const auto& i : ids) all += " " + i;
      fail(kExitFailed,
           fmt::format("{} hosted zones are named {}; give an id:{}", ids.size(), n->toText(), all));
    }
    id = ids.front();
  }
  auto contents = s->zoneContents(id);
  if (contents.index() != 0) {
    printErrors(std::get<store::StoreError>(contents));
    fail(kExitFailed, "cannot read the zone");
  }
  auto& c = std::get<store::ZoneStore::ZoneContents>(contents);
  // SOA first, then canonical DNS order (RFC 4034 section 6.1), types by number.
  std::stable_sort(c.recordSets.begin(), c.recordSets.end(),
                   [&](const store::RecordSet& a, const store::RecordSet& b) {
                     const bool sa = a.type == wire::RRType::SOA && a.name == c.zone.name;
                     const bool sb = b.type == wire::RRType::SOA && b.name == c.zone.name;
                     if (sa != sb) return sa;
                     if (auto cmp = a.name <=> b.name; std::is_neq(cmp)) return std::is_lt(cmp);
                     return static_cast<std::uint16_t>(a.type) < static_cast<std::uint16_t>(b.type);
                   });
  std::string buf;
  const store::RecordSet* lastAlias = nullptr;
  for (const auto& rs : c.recordSets) {
    const std::string owner = rs.name.toText();
    if (rs.alias) {
      // A and AAAA aliases to one target are one ALIAS record.
      if (lastAlias != nullptr && lastAlias->name == rs.name &&
          lastAlias->alias->dnsName == rs.alias->dnsName)
        continue;
      lastAlias = &rs;
      zonefile::appendRecordLine(buf, owner, kAliasExportTtl, wire::RRClass::IN, wire::RRType::ALIAS,
                                 rs.alias->dnsName.bytes());
      continue;
    }
    // Within a set, RDATA in octet order (RFC 4034 section 6.3): the same zone
    // exports the same text whatever order its values were given in.
    std::vector<const wire::Bytes*> values;
    values.reserve(rs.rdata.size());
    for (const auto& v : rs.rdata) values.push_back(&v);
    std::sort(values.begin(), values.end(), [](const wire::Bytes* a, const wire::Bytes* b) {
      return std::lexicographical_compare(a->begin(), a->end(), b->begin(), b->end());
    });
    for (const auto* v : values)
      zonefile::appendRecordLine(buf, owner, rs.ttl, wire::RRClass::IN, rs.type, *v);
  }
  std::FILE* out = stdout;
  if (!args.output.empty() && args.output != "-") {
    out = std::fopen(args.output.c_str(), "w");
    if (out == nullptr) fail(kExitFailed, fmt::format("cannot write {}", args.output));
  }
  const bool written = std::fwrite(buf.data(), 1, buf.size(), out) == buf.size();
  if (out != stdout) std::fclose(out);
  if (!written) fail(kExitFailed, "write failed");
}

}  // namespace

void addZoneStoreCommands(CLI::App& app) {
  CLI::App* zoneCmd = app.get_subcommand("zone");

  auto imp = std::make_shared<ImportArgs>();
  auto* importCmd = zoneCmd->add_subcommand("import",
                                            "Check a zone file and create a hosted zone from it in the store "
                                            "(--data DIR, created with mode 0700). Records "
                                            "are grouped into record sets; ALIAS records become A and AAAA "
                                            "alias record sets. Prints the new zone's id.");
  importCmd->add_option("--data", imp->data, "The store's data directory")->required();
  importCmd->add_option("FILE", imp->file, "Zone file in RFC 1035 presentation format")
      ->required()
      ->check(CLI::ExistingFile);
  importCmd->add_option("-o,--origin", imp->origin, "The zone's name, e.g. example.com.")->required();
  importCmd->add_option("--comment", imp->comment, "The hosted zone's comment");
  importCmd->add_option(
      "--caller-reference", imp->callerReference,
      "CallerReference (default: unique per run); importing twice with one reference fails");
  importCmd
      ->add_option("--ns-suffix", imp->nameServerSuffix,
                   "Name-server suffix of the delegation set (ns-1 .. ns-4.SUFFIX)")
      ->capture_default_str();
  importCmd->callback([imp] { runImport(*imp); });

  auto exp = std::make_shared<ExportArgs>();
  auto* exportCmd =
      zoneCmd->add_subcommand("export",
                              "Print a hosted zone from the store as a zone file in canonical form: SOA "
                              "first, then canonical DNS order, one "
                              "record per line, absolute names; alias record sets as ALIAS records.");
  exportCmd->add_option("--data", exp->data, "The store's data directory")->required();
  exportCmd->add_option("ZONE", exp->zone, "Hosted zone id (Z...) or name")->required();
  exportCmd->add_option("-w,--write", exp->output, "Write to this file instead of standard output");
  exportCmd->callback([exp] { runExport(*exp); });
}

}  // namespace zk::cli
