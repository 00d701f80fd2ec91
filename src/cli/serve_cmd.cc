// `zonekeeper serve --listen ADDR:PORT --zone ORIGIN=FILE --data DIR --workers N`:
// loads the zones (zone files and the store's hosted zones), answers on UDP
// and TCP, on SIGHUP re-reads the --config zone list (adds and drops zones)
// and reloads changed zone files (each zone swapped in one step), publishes
// each batch committed to the store (server/store_publisher.h) and exits
// cleanly on SIGTERM/SIGINT.

#include "cli/serve_cmd.h"

#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csignal>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "api/http/request_metrics.h"
#include "cli/api_commands.h"
#include "cli/commands.h"
#include "cli/run_control.h"
#include "query/upstream_alias.h"
#include "server/metrics_http.h"
#include "server/server.h"
#include "server/store_publisher.h"
#include "store/sqlite_zone_store.h"
#include "zone/loader.h"
#include "zone/zone_table.h"

namespace zk::cli {
namespace {

const char* kRcodeNames[16] = {"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                               "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "RCODE11",
                               "RCODE12",  "RCODE13", "RCODE14",  "RCODE15"};

// Prometheus text exposition format.
std::string renderMetrics(const server::Server& srv, const zone::ZoneTable& table,
                          const api::ApiRequestMetrics* apiMetrics) {
  std::string out;
  out += "# HELP zonekeeper_queries_total DNS queries received.\n# TYPE zonekeeper_queries_total counter\n";
  server::CounterTotals totals[2] = {srv.totals(query::Transport::Udp), srv.totals(query::Transport::Tcp)};
  const char* names[2] = {"udp", "tcp"};
  for (int i = 0; i < 2; ++i) {
    out += fmt::format("zonekeeper_queries_total{{transport=\"{}\"}} {}\n", names[i], totals[i].queries);
  }
  out +=
      "# HELP zonekeeper_responses_total DNS responses sent, by RCODE.\n# TYPE zonekeeper_responses_total "
      "counter\n";
  for (int i = 0; i < 2; ++i) {
    for (int r = 0; r < 16; ++r) {
      if (totals[i].rcodes[r] != 0 || r == 0 || r == 3 || r == 5) {
        out += fmt::format("zonekeeper_responses_total{{transport=\"{}\",rcode=\"{}\"}} {}\n", names[i],
                           kRcodeNames[r], totals[i].rcodes[r]);
      }
    }
  }
  out +=
      "# HELP zonekeeper_truncated_total Responses sent with TC set.\n# TYPE zonekeeper_truncated_total "
      "counter\n";
  for (int i = 0; i < 2; ++i) {
    out += fmt::format("zonekeeper_truncated_total{{transport=\"{}\"}} {}\n", names[i], totals[i].truncated);
  }
  out +=
      "# HELP zonekeeper_dropped_total Packets not answered (responses, runts).\n# TYPE "
      "zonekeeper_dropped_total counter\n";
  for (int i = 0; i < 2; ++i) {
    out += fmt::format("zonekeeper_dropped_total{{transport=\"{}\"}} {}\n", names[i], totals[i].dropped);
  }
  out +=
      "# HELP zonekeeper_packet_cache_hits_total UDP responses replayed from the packet cache.\n# TYPE "
      "zonekeeper_packet_cache_hits_total counter\n";
  out += fmt::format("zonekeeper_packet_cache_hits_total {}\n", totals[0].cacheHits);
  out += "# HELP zonekeeper_tcp_connections Open TCP connections.\n# TYPE zonekeeper_tcp_connections gauge\n";
  out += fmt::format("zonekeeper_tcp_connections {}\n", totals[1].connections);
  auto set = table.current();
  out +=
      "# HELP zonekeeper_zone_serial SOA serial of each served zone.\n# TYPE zonekeeper_zone_serial gauge\n";
  for (const auto& z : set->zones()) {
    out += fmt::format("zonekeeper_zone_serial{{zone=\"{}\"}} {}\n", z->origin().toText(), z->serial());
  }
  out +=
      "# HELP zonekeeper_zone_records Records in each served zone.\n# TYPE zonekeeper_zone_records gauge\n";
  for (const auto& z : set->zones()) {
    out += fmt::format("zonekeeper_zone_records{{zone=\"{}\"}} {}\n", z->origin().toText(), z->recordCount());
  }
  if (apiMetrics != nullptr) out += apiMetrics->render();
  return out;
}

struct ZoneSource {
  wire::Name origin;
  std::string path;
  timespec mtime{};
  off_t size = -1;
  ino_t inode = 0;
};

template <class... Args>
void logLine(fmt::format_string<Args...> f, Args&&... args) {
  std::string line = "zonekeeper serve: " + fmt::format(f, std::forward<Args>(args)...) + "\n";
  std::fputs(line.c_str(), stderr);
}

[[noreturn]] void fail(int code, const std::string& message) {
  logLine("{}", message);
  throw CLI::RuntimeError(code);
}

bool statChanged(ZoneSource& z, bool update) {
  struct stat st {};
  if (::stat(z.path.c_str(), &st) != 0) return true;  // let the load report the error
  bool changed = st.st_mtim.tv_sec != z.mtime.tv_sec || st.st_mtim.tv_nsec != z.mtime.tv_nsec ||
                 st.st_size != z.size || st.st_ino != z.inode;
  if (update) {
    z.mtime = st.st_mtim;
    z.size = st.st_size;
    z.inode = st.st_ino;
  }
  return changed;
}

// Loads one zone and publishes it; on error the old snapshot stays.
bool loadZone(ZoneSource& z, zone::ZoneTable& table) {
  auto start = std::chrono::steady_clock::now();
  statChanged(z, true);
  auto snap = zone::loadZoneFile(z.path, z.origin);
  if (!snap) {
    logLine("zone {} from {}: {}", z.origin.toText(), z.path, snap.error().message);
    return false;
  }
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  logLine("zone {} loaded from {}: serial {}, {} records, {} names, {:.1f} MiB, {} ms", z.origin.toText(),
          z.path, (*snap)->serial(), (*snap)->recordCount(), (*snap)->nodeCount(),
          static_cast<double>((*snap)->memoryBytes()) / (1024.0 * 1024.0), ms);
  table.upsert(*snap);
  ::malloc_trim(0);  // give the builder's temporary memory back to the system
  return true;
}

Result<ZoneSource> parseZoneSpec(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    return Error(fmt::format("bad --zone '{}': expected ORIGIN=FILE", spec));
  }
  auto origin = wire::Name::fromText(spec.substr(0, eq));
  if (!origin) return Error(fmt::format("bad zone origin in '{}': {}", spec, origin.error().message));
  return ZoneSource{*origin, spec.substr(eq + 1)};
}

// The `zone` list of a --config file (top level or [serve]).
Result<std::vector<std::string>> readConfigZones(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(fmt::format("cannot read --config {}", path));
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const CLI::ParseError& e) {
    return Error(fmt::format("--config {}: {}", path, e.what()));
  }
  std::vector<std::string> zones;
  for (const CLI::ConfigItem& item : items) {
    if (!item.parents.empty() && !(item.parents.size() == 1 && item.parents[0] == "serve")) continue;
    if (item.name == "zone") zones.insert(zones.end(), item.inputs.begin(), item.inputs.end());
  }
  return zones;
}

// SIGHUP with a --config file: its zone list becomes the set of file zones.
// Zones no longer listed are dropped, new ones loaded, zones whose file path
// changed loaded from the new file; a zone that fails to load keeps its old
// snapshot (or stays out if it is new) and is retried on the next SIGHUP.
// Returns how many zones were added, removed or reloaded.
std::size_t applyZoneList(const std::vector<std::string>& specs, std::vector<ZoneSource>& sources,
                          zone::ZoneTable& table, const server::StorePublisher* publisher) {
  std::vector<ZoneSource> wanted;
  for (const std::string& spec : specs) {
    auto z = parseZoneSpec(spec);
    if (!z) {
      logLine("SIGHUP: {}: zone list left unchanged", z.error().message);
      return 0;
    }
    wanted.push_back(std::move(*z));
  }
  std::size_t changes = 0;
  for (const ZoneSource& old : sources) {
    bool kept = false;
    for (const ZoneSource& w : wanted) kept = kept || w.origin == old.origin;
    if (!kept && table.remove(old.origin)) {
      logLine("zone {} removed", old.origin.toText());
      ++changes;
    }
  }
  std::vector<ZoneSource> next;
  for (ZoneSource& w : wanted) {
    ZoneSource* prev = nullptr;
    for (ZoneSource& old : sources) {
      if (old.origin == w.origin) prev = &old;
    }
    if (prev != nullptr && prev->path == w.path) {
      if (statChanged(*prev, false) && loadZone(*prev, table)) ++changes;
      next.push_back(*prev);
      continue;
    }
    if (prev == nullptr && publisher != nullptr) {
      bool hosted = false;
      for (const auto& z : table.current()->zones()) hosted = hosted || z->origin() == w.origin;
      if (hosted) {
        logLine("zone {}: also a hosted zone of --data, not added", w.origin.toText());
        continue;
      }
    }
    if (loadZone(w, table)) ++changes;
    next.push_back(std::move(w));
  }
  sources = std::move(next);
  return changes;
}

}  // namespace

void runServe(const ServeArgs& args, RunControl* control) {
  server::ServerOptions opts;
  opts.workers = args.workers;
  opts.tcpIdleTimeoutMs = args.tcpIdleMs;
  opts.tcpMaxConnections = args.tcpMaxConnections;
  opts.processor.udpPayload = static_cast<std::uint16_t>(args.udpPayload);
  opts.processor.packetCacheSlots = args.packetCacheSlots;
  std::vector<std::string> listen = args.listen;
  if (listen.empty()) listen.emplace_back("127.0.0.1:5353");
  for (const std::string& l : listen) {
    auto a = server::ListenAddress::parse(l);
    if (!a) fail(kExitUsage, a.error().message);
    opts.listen.push_back(*a);
  }
  std::vector<ZoneSource> sources;
  for (const std::string& spec : args.zones) {
    auto z = parseZoneSpec(spec);
    if (!z) fail(kExitUsage, z.error().message);
    sources.push_back(std::move(*z));
  }
  if (sources.empty() && args.data.empty()) {
    logLine("warning: no --zone or --data given; every query will be REFUSED");
  }

  // Signals are taken synchronously by this thread; workers never see them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  zone::ZoneTable table;
  for (ZoneSource& z : sources) {
    if (!loadZone(z, table)) fail(kExitFailed, "not starting: a zone failed to load");
  }
  // ALIAS targets outside the served zones (created before the publisher, which tells it
  // about new zones, and destroyed after it).
  std::unique_ptr<query::UpstreamAliasResolver> resolver;
  if (!args.aliasResolver.empty()) {
    auto a = server::ListenAddress::parse(args.aliasResolver);
    if (!a) a = server::ListenAddress::parse(args.aliasResolver + ":53");
    if (!a)
      fail(kExitUsage, fmt::format("bad --alias-resolver '{}': expected ADDR[:PORT]", args.aliasResolver));
    query::UpstreamOptions uo;
    uo.upstream = a->addr;
    uo.upstreamLength = a->length;
    resolver = std::make_unique<query::UpstreamAliasResolver>(uo);
  }
  // Hosted zones from the store; a name also given with --zone is an error.
  std::unique_ptr<store::SqliteZoneStore> ownedStore;
  store::SqliteZoneStore* zoneStore = nullptr;
  std::unique_ptr<server::StorePublisher> publisher;
  if (!args.data.empty()) {
    std::string path = args.data;
    if (args.store == nullptr) {
      auto prepared = store::SqliteZoneStore::prepareDataDir(args.data);
      if (!prepared) fail(kExitFailed, fmt::format("--data {}: {}", args.data, prepared.error().message));
      path = *prepared;
      store::SqliteStoreOptions so;
      so.path = path;
      so.checkpointPages = 0;  // this process only reads: writers checkpoint
      auto opened = store::SqliteZoneStore::open(so);
      if (!opened) fail(kExitFailed, fmt::format("--data {}: {}", args.data, opened.error().message));
      ownedStore = std::move(*opened);
      zoneStore = ownedStore.get();
    } else {
      zoneStore = args.store;
    }
    auto list = zoneStore->listZones();
    if (list.index() != 0) {
      const auto& e = std::get<store::StoreError>(list);
      fail(kExitFailed,
           fmt::format("--data {}: {}", args.data, e.messages.empty() ? "store error" : e.messages[0]));
    }
    server::StorePublisherOptions po;
    // Unique among the processes on this store: GetChange waits for each one.
    po.serverName = fmt::format("serve-{}", ::getpid());
    po.pollInterval = std::chrono::milliseconds(args.storePollMs);
    po.log = [](const std::string& line) { logLine("{}", line); };
    po.onPublished = [r = resolver.get()](const std::string&, std::uint32_t) {
      if (r != nullptr) r->targetsChanged();
    };
    po.threadNice = args.controlNice;
    for (const auto& hz : std::get<0>(list)) {
      for (const ZoneSource& z : sources) {
        if (z.origin == hz.name) {
          fail(kExitUsage, fmt::format("zone {} is given with --zone and is also hosted zone {} in --data {}",
                                       z.origin.toText(), hz.id, args.data));
        }
      }
    }
    for (const ZoneSource& z : sources) po.reservedOrigins.push_back(z.origin);
    publisher = std::make_unique<server::StorePublisher>(*zoneStore, table, po);
    auto started = std::chrono::steady_clock::now();
    if (auto st = publisher->start(); !st) fail(kExitFailed, st.error().message);
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count();
    logLine("{} hosted zone(s) from {} published in {} ms", std::get<0>(list).size(), path, ms);
    ::malloc_trim(0);
  }
  if (resolver) {
    // Targets come from the served zones: now, on SIGHUP, and after each store publication.
    resolver->setTargetSource([&table] { return query::externalAliasTargets(*table.current()); });
    resolver->readTargets();
    resolver->prime(std::chrono::milliseconds(3000));
    resolver->start();
    logLine("ALIAS targets outside our zones are resolved through {}", args.aliasResolver);
  }
  server::Server srv(table, opts, resolver.get());
  if (auto st = srv.start(); !st) fail(kExitFailed, st.error().message);
  std::unique_ptr<server::MetricsHttpServer> metrics;
  if (!args.metricsListen.empty()) {
    auto a = server::ListenAddress::parse(args.metricsListen);
    if (!a) fail(kExitUsage, fmt::format("bad --metrics-listen: {}", a.error().message));
    metrics = std::make_unique<server::MetricsHttpServer>(
        *a, [&srv, &table, &args] { return renderMetrics(srv, table, args.apiMetrics); });
    if (auto st = metrics->start(); !st) fail(kExitFailed, st.error().message);
    logLine("metrics on http://{}/metrics", metrics->address().toText());
  }
  for (const auto& a : srv.boundAddresses())
    logLine("listening on {} (udp, tcp), {} worker(s)", a.toText(), opts.workers);

  // SIGHUP reloads the zone files that changed; each zone is swapped in one step.
  // With --config and no --zone flags, the config's zone list is re-read too
  // (zones added, removed or re-pointed).
  auto reloadFiles = [&] {
    std::size_t reloaded = 0;
    if (!args.configPath.empty() && !args.zonesFromCommandLine) {
      auto specs = readConfigZones(args.configPath);
      if (specs) {
        reloaded = applyZoneList(*specs, sources, table, publisher.get());
      } else {
        logLine("SIGHUP: {}: zone list left unchanged", specs.error().message);
      }
    } else {
      for (ZoneSource& z : sources) {
        if (statChanged(z, false) && loadZone(z, table)) ++reloaded;
      }
    }
    logLine("SIGHUP: {} zone(s) reloaded", reloaded);
    if (reloaded != 0 && resolver) resolver->targetsChanged();
  };
  if (control != nullptr) {
    control->markReady();
    std::uint64_t seen = 0;
    while (control->waitStopOrReload(seen)) reloadFiles();
  }
  for (; control == nullptr;) {
    int sig = 0;
    if (sigwait(&sigs, &sig) != 0) continue;
    if (sig == SIGHUP) {
      reloadFiles();
      continue;
    }
    logLine("signal {}: stopping", sig);
    break;
  }
  if (metrics) metrics->stop();
  srv.stop();
  if (publisher) publisher->stop();
  if (resolver) resolver->stop();
  auto u = srv.totals(query::Transport::Udp);
  auto t = srv.totals(query::Transport::Tcp);
  logLine("stopped: udp {} queries, {} responses ({} truncated); tcp {} queries, {} responses", u.queries,
          u.responses, u.truncated, t.queries, t.responses);
}

std::vector<wire::Name> parseNameServers(const std::vector<std::string>& texts) {
  std::vector<wire::Name> out;
  for (const auto& text : texts) {
    auto name = wire::Name::fromText(text);
    if (!name || name->labelCount() < 2) {
      fail(kExitUsage, fmt::format("--name-servers: '{}' is not a name server's domain name{}", text,
                                   name ? " (at least two labels)" : ": " + name.error().message));
    }
    out.push_back(name->lowercased());  // as Route53 prints them
  }
  return out;
}

std::unique_ptr<store::SqliteZoneStore> openSharedStore(const std::string& dataDir,
                                                        const std::vector<std::string>& nameServers) {
  auto path = store::SqliteZoneStore::prepareDataDir(dataDir);
  if (!path) fail(kExitFailed, fmt::format("--data {}: {}", dataDir, path.error().message));
  store::SqliteStoreOptions so;
  so.path = *path;
  so.nameServers = parseNameServers(nameServers);
  auto opened = store::SqliteZoneStore::open(so);
  if (!opened) fail(kExitFailed, fmt::format("--data {}: {}", dataDir, opened.error().message));
  return std::move(*opened);
}

namespace {

// Fills options not given on the command line from a TOML/INI file (keys are
// the long option names, optionally under a [serve] section).
void applyConfigFile(CLI::App& serve, const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(kExitUsage, fmt::format("cannot read --config {}", path));
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const CLI::ParseError& e) {
    fail(kExitUsage, fmt::format("--config {}: {}", path, e.what()));
  }
  for (const CLI::ConfigItem& item : items) {
    if (!item.parents.empty() && !(item.parents.size() == 1 && item.parents[0] == "serve")) continue;
    if (item.name == "++" || item.name == "--") continue;  // section markers
    CLI::Option* opt = serve.get_option_no_throw("--" + item.name);
    if (opt == nullptr || item.name == "config") {
      fail(kExitUsage, fmt::format("--config {}: unknown option '{}'", path, item.name));
    }
    if (opt->count() != 0) continue;  // the command line wins
    try {
      for (const std::string& v : item.inputs) opt->add_result(v);
      opt->run_callback();
    } catch (const CLI::ParseError& e) {
      fail(kExitUsage, fmt::format("--config {}: {}: {}", path, item.name, e.what()));
    }
  }
}

}  // namespace

void addServeCommand(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve = app.add_subcommand(
      "serve",
      "Serve zones as an authoritative DNS server over UDP and TCP. SIGHUP re-reads the --config zone list "
      "and reloads zone files that changed; "
      "SIGTERM or SIGINT stops.");
  serve->add_option(
      "-l,--listen", args->listen,
      "ADDR:PORT or [IPV6]:PORT to answer on, UDP and TCP (repeatable; default 127.0.0.1:5353)");
  serve->add_option("-z,--zone", args->zones, "ORIGIN=FILE: a zone to serve from a zone file (repeatable)");
  serve
      ->add_option("-w,--workers", args->workers,
                   "UDP worker threads per address (one SO_REUSEPORT socket each)")
      ->check(CLI::Range(1U, 256U))
      ->capture_default_str();
  serve->add_option("--tcp-idle-timeout-ms", args->tcpIdleMs, "Close idle TCP connections after this long")
      ->capture_default_str();
  serve->add_option("--tcp-max-connections", args->tcpMaxConnections, "Open TCP connections per address")
      ->check(CLI::Range(1U, 1000000U))
      ->capture_default_str();
  serve->add_option("--udp-payload", args->udpPayload, "EDNS UDP payload size advertised and used (512-4096)")
      ->check(CLI::Range(512U, 4096U))
      ->capture_default_str();
  serve
      ->add_option("--packet-cache", args->packetCacheSlots,
                   "Slots of each UDP worker's packet cache (256 octets each, resident once used; answers "
                   "are replayed until the next zone change; 0: off)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 24))
      ->capture_default_str();
  serve->add_option(
      "--alias-resolver", args->aliasResolver,
      "ADDR[:PORT] of a recursive resolver for ALIAS targets outside the served zones (without it "
      "such ALIASes answer SERVFAIL)");
  serve->add_option(
      "--data", args->data,
      "DIR of the hosted-zone store (zonekeeper zone import, the API): its zones are served and "
      "every committed change is published at once");
  serve
      ->add_option("--api-listen", args->apiListen,
                   "With --data: ADDR:PORT of the Route53-compatible API run in the same process (PORT 0: "
                   "any free port)")
      ->capture_default_str();
  serve
      ->add_option("--name-servers", args->nameServers,
                   "With --data: NAME[,NAME...], the name servers of hosted zones created from now on (their "
                   "delegation set, SOA MNAME and apex NS records; default ns-1 .. ns-4.zonekeeper.invalid.)")
      ->delimiter(',');
  serve->add_option("--api-tls-cert", args->apiTlsCert,
                    "With --data: PEM certificate; the API is served over HTTPS (needs --api-tls-key)");
  serve->add_option("--api-tls-key", args->apiTlsKey, "With --data: PEM private key for --api-tls-cert");
  serve->add_option("--api-access-log", args->apiAccessLog,
                    "With --data: FILE (- for standard error) to append a line per API request to: time, "
                    "client, method, path, operation, status, error code, access key, request id, duration, "
                    "sizes");
  serve->add_flag("--no-api", args->noApi, "With --data: serve DNS only (run `zonekeeper api` apart)");
  serve
      ->add_option("--control-nice", args->controlNice,
                   "With --data: nice value of the API request threads and the store publisher, so that "
                   "changes are taken and published ahead of query load (below 0 needs CAP_SYS_NICE, "
                   "else ignored; 0: unchanged)")
      ->check(CLI::Range(-20, 19))
      ->capture_default_str();
  serve
      ->add_option("--store-poll-ms", args->storePollMs,
                   "With --data: how often to look for changes committed by other processes (0: never)")
      ->capture_default_str();
  serve->add_option("--metrics-listen", args->metricsListen,
                    "ADDR:PORT for a Prometheus endpoint (GET /metrics): queries, responses by RCODE, "
                    "truncations, TCP connections, zone serials, API request durations by operation");
  auto configPath = std::make_shared<std::string>();
  serve
      ->add_option(
          "-c,--config", *configPath,
          "TOML file with any of these options by their long names (listen = [\"127.0.0.1:53\"], "
          "zone = [\"example.com.=db.example\"], workers = 2, ...); flags given on the command line win")
      ->check(CLI::ExistingFile);
  serve->callback([args, configPath, serve] {
    args->configPath = *configPath;
    args->zonesFromCommandLine = serve->get_option("--zone")->count() != 0;
    if (!configPath->empty()) applyConfigFile(*serve, *configPath);
    if (args->data.empty() || args->noApi) {
      if (!args->apiTlsCert.empty() || !args->apiTlsKey.empty() || !args->apiAccessLog.empty() ||
          !args->nameServers.empty()) {
        fail(kExitUsage,
             args->data.empty()
                 ? "--api-tls-cert, --api-tls-key, --api-access-log and --name-servers need --data"
                 : "--api-tls-cert, --api-tls-key, --api-access-log and --name-servers need the API "
                   "(not --no-api)");
      }
      runServe(*args);
      return;
    }
    // DNS and the API in one process, on one store: the API's commits reach the
    // server through the store's listener at once; either one failing stops both.
    blockProcessSignals();  // before the store starts its checkpoint thread
    auto shared = openSharedStore(args->data, args->nameServers);
    ServeArgs dns = *args;
    dns.store = shared.get();
    ApiArgs api;
    api.dataDir = args->data;
    api.listen = args->apiListen;
    api.shared = shared.get();
    api.threadNice = args->controlNice;
    api.tlsCert = args->apiTlsCert;
    api.tlsKey = args->apiTlsKey;
    api.accessLog = args->apiAccessLog;
    api::ApiRequestMetrics apiMetrics;
    api.metrics = &apiMetrics;
    dns.apiMetrics = &apiMetrics;
    const int code = runComponents("serve",
                                   {{"dns", [&](RunControl& c) { runServe(dns, &c); }},
                                    {"api", [&](RunControl& c) { runApi(api, &c); }}},
                                   nullptr);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace zk::cli
