// `zonekeeper up`: the reference deployment in one process: the DNS server
// (serve), the Route53-compatible API (api) and the controller (sync, local
// provider) sharing one store, each run by its own subcommand's code in a
// thread. The example zones are imported on first start; the manifests
// directory is watched.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/api_commands.h"
#include "cli/commands.h"
#include "cli/run_control.h"
#include "cli/serve_cmd.h"
#include "cli/sync_cmd.h"
#include "store/sqlite_zone_store.h"

namespace zk::cli {
namespace {

struct UpArgs {
  std::string listen = "127.0.0.1:5353";
  std::string apiListen = "127.0.0.1:8053";
  std::string data = "zonekeeper-data";
  std::string manifests = "examples/manifests";
  std::string zones = "examples/zones";
};

[[noreturn]] void upFail(int code, const std::string& message) {
  std::fprintf(stderr, "zonekeeper up: %s\n", message.c_str());
  throw CLI::RuntimeError(code);
}

std::string hostOf(const std::string& listen) {
  auto colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host;
}

std::string portOf(const std::string& listen) {
  auto colon = listen.rfind(':');
  return colon == std::string::npos ? "53" : listen.substr(colon + 1);
}

void runUp(const UpArgs& a) {
  std::error_code ec;
  if (!std::filesystem::is_directory(a.manifests, ec)) {
    upFail(kExitUsage, fmt::format("--manifests {}: not a directory (run from the source tree or give "
                                   "--manifests DIR)",
                                   a.manifests));
  }
  if (!std::filesystem::is_directory(a.zones, ec)) {
    upFail(
        kExitUsage,
        fmt::format("--zones {}: not a directory (run from the source tree or give --zones DIR)", a.zones));
  }
  // The reference controller settings (see examples/manifests).
  SyncArgs sync;
  sync.sources = {"ingress", "service"};
  sync.provider = "local";
  sync.policy = "upsert-only";
  sync.domainFilters = {"wiperinstall.rainx.com", "wiperinstall.click"};
  sync.txtOwnerId = "zonekeeper";
  sync.txtPrefix = "extdns-%{record_type}.";
  sync.minEventSyncInterval = "100ms";
  sync.manifests = a.manifests;
  sync.zones = a.zones;
  sync.data = a.data;
  ServeArgs serve;
  serve.listen = {a.listen};
  serve.data = a.data;
  ApiArgs api;
  api.dataDir = a.data;
  api.listen = a.apiListen;
  // One store for the three: a commit by the controller or the API reaches the
  // server through the store's listener at once.
  blockProcessSignals();  // before the store starts its checkpoint thread
  auto shared = openSharedStore(a.data);
  sync.store = shared.get();
  serve.store = shared.get();
  api.shared = shared.get();

  // One at a time: the controller opens the store and imports the zones first.
  const int code = runComponents(
      "up",
      {{"sync", [&](RunControl& c) { runSync(sync, &c); }},
       {"serve", [&](RunControl& c) { runServe(serve, &c); }},
       {"api", [&](RunControl& c) { runApi(api, &c); }}},
      [&] {
        const std::string h = hostOf(a.listen);
        const std::string p = portOf(a.listen);
        std::printf(
            "zonekeeper up: serving DNS on %s (udp, tcp), the Route53 API on http://%s, data in %s\n"
            "  zones: wiperinstall.rainx.com, wiperinstall.click, us-east-1.elb.amazonaws.com (from %s)\n"
            "  controller: manifests in %s (watched), policy upsert-only, owner zonekeeper\n"
            "Try:\n"
            "  dig @%s -p %s api.wiperinstall.rainx.com\n"
            "  dig @%s -p %s wiperinstall.click AAAA\n"
            "  dig @%s -p %s wiperinstall.rainx.com MX\n"
            "  dig @%s -p %s shop.example.org   # REFUSED: not our zone\n"
            "Edit a file in %s and dig again; Ctrl-C stops.\n",
            a.listen.c_str(), a.apiListen.c_str(), a.data.c_str(), a.zones.c_str(), a.manifests.c_str(),
            h.c_str(), p.c_str(), h.c_str(), p.c_str(), h.c_str(), p.c_str(), h.c_str(), p.c_str(),
            a.manifests.c_str());
        std::fflush(stdout);
      });
  if (code != 0) upFail(code, "stopped after a failure (see above)");
  std::fprintf(stderr, "zonekeeper up: stopped\n");
}

}  // namespace

void addUpCommand(CLI::App& app) {
  auto args = std::make_shared<UpArgs>();
  auto* cmd = app.add_subcommand(
      "up",
      "Run the reference deployment in one process: DNS server, Route53 API and controller (upsert-only, "
      "domain filters wiperinstall.rainx.com and wiperinstall.click) on one store. SIGTERM or SIGINT stops.");
  cmd->add_option("-l,--listen", args->listen, "DNS ADDR:PORT (UDP and TCP)")->capture_default_str();
  cmd->add_option("--api-listen", args->apiListen, "Route53 API ADDR:PORT")->capture_default_str();
  cmd->add_option("--data", args->data, "Store directory (created; reused by the next run)")
      ->capture_default_str();
  cmd->add_option("--manifests", args->manifests, "Directory of Kubernetes YAML manifests (watched)")
      ->capture_default_str();
  cmd->add_option("--zones", args->zones, "*.zone files imported as hosted zones when not in the store yet")
      ->capture_default_str();
  cmd->callback([args] { runUp(*args); });
}

}  // namespace zk::cli
