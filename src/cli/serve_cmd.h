#pragma once
// `zonekeeper serve`: the authoritative DNS server.

#include <memory>
#include <string>
#include <vector>

#include "wire/name.h"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}

namespace zk::store {
class SqliteZoneStore;
}

namespace zk::api {
class ApiRequestMetrics;
}

namespace zk::cli {

class RunControl;

struct ServeArgs {
  std::vector<std::string> listen;
  std::vector<std::string> zones;
  unsigned workers = 1;
  unsigned tcpIdleMs = 10000;
  unsigned tcpMaxConnections = 1024;
  unsigned udpPayload = 1232;
  std::size_t packetCacheSlots = 65536;
  std::string aliasResolver;
  std::string metricsListen;
  std::string data;
  unsigned storePollMs = 100;
  // With `data`: the Route53 API in the same process unless noApi.
  std::string apiListen = "127.0.0.1:8053";
  bool noApi = false;
  // With `data`: nice value of the API's request threads and the store
  // publisher, so changes are taken and published ahead of query load.
  int controlNice = -5;
  std::string apiTlsCert;  // with apiTlsKey: the API over HTTPS
  std::string apiTlsKey;
  std::string apiAccessLog;              // FILE or "-" (ApiArgs::accessLog)
  std::vector<std::string> nameServers;  // --name-servers: new zones' delegation set
  // Set by a caller running several components in one process: the store they
  // share (commits are then published at once, without polling). Not owned.
  store::SqliteZoneStore* store = nullptr;
  // Set when the API runs in the same process: its request durations are
  // rendered on --metrics-listen too. Not owned.
  const api::ApiRequestMetrics* apiMetrics = nullptr;
  // --config FILE, re-read on SIGHUP for its zone list unless --zone was on the command line.
  std::string configPath;
  bool zonesFromCommandLine = false;
};

// Runs the server until SIGTERM/SIGINT, or with `control` until it asks to stop
// (the caller then handles the signals). Fails with CLI::RuntimeError.
void runServe(const ServeArgs& args, RunControl* control = nullptr);

// Opens (creating when missing) the store in `dataDir` for components sharing
// it in one process (with the background checkpointer: they write). Fails with
// CLI::RuntimeError.
// `nameServers` (each a domain name; empty: the store's default): the
// delegation set, SOA MNAME and apex NS of hosted zones created from now on.
std::unique_ptr<store::SqliteZoneStore> openSharedStore(const std::string& dataDir,
                                                        const std::vector<std::string>& nameServers = {});
// --name-servers values -> names; a usage error (CLI::RuntimeError) on a bad one.
std::vector<wire::Name> parseNameServers(const std::vector<std::string>& texts);

void addServeCommand(CLI::App& app);

}  // namespace zk::cli
