// `zonekeeper api --data DIR [--api-listen ADDR:PORT] [--tls-cert F --tls-key F]`
// `zonekeeper keys create|list|delete --data DIR ...`

#include <csignal>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "api/auth/key_store.h"
#include "api/http/api_stack.h"
#include "api/http/request_metrics.h"
#include "api/route53/memory_zone_store.h"
#include "cli/api_commands.h"
#include "cli/commands.h"
#include "cli/run_control.h"
#include "cli/serve_cmd.h"
#include "server/metrics_http.h"
#include "store/sqlite_zone_store.h"

namespace zk::cli {
namespace {

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void fail(int code, const std::string& message) {
  std::fprintf(stderr, "zonekeeper: %s\n", message.c_str());
  throw CLI::RuntimeError(code);
}

}  // namespace

void runApi(const ApiArgs& args, RunControl* control) {
  auto addr = api::parseListenAddress(args.listen);
  if (!addr) fail(kExitUsage, addr.error().message);
  // Block the stop signals before any thread starts (the SQLite store
  // starts a checkpoint thread) so only sigwait sees them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  std::unique_ptr<store::ZoneStore> zoneStore;  // unless the caller shares its own
  if (args.shared != nullptr) {
    // Opened by the caller, which runs other components on it.
  } else if (args.store == "memory") {
    std::fprintf(stderr, "zonekeeper api: using the in-memory store (nothing is kept after exit)\n");
    api::MemoryZoneStore::Options storeOptions;
    storeOptions.now = unixNow;
    zoneStore = std::make_unique<api::MemoryZoneStore>(storeOptions);
  } else if (args.store == "sqlite") {
    auto path = store::SqliteZoneStore::prepareDataDir(args.dataDir);
    if (!path) fail(kExitFailed, path.error().message);
    store::SqliteStoreOptions storeOptions;
    storeOptions.path = *path;
    storeOptions.nameServers = parseNameServers(args.nameServers);
    auto opened = store::SqliteZoneStore::open(storeOptions);
    if (!opened) fail(kExitFailed, opened.error().message);
    zoneStore = std::move(*opened);
  } else {
    fail(kExitUsage, fmt::format("--store must be sqlite or memory, not '{}'", args.store));
  }

  api::ApiStackOptions options;
  options.dataDir = args.dataDir;
  options.now = unixNow;
  options.server.host = addr->first;
  options.server.port = addr->second;
  options.server.tlsCertFile = args.tlsCert;
  options.server.tlsKeyFile = args.tlsKey;
  options.server.threadNice = args.threadNice;
  std::unique_ptr<api::ApiAccessLog> accessLog;
  if (!args.accessLog.empty()) {
    auto opened = api::ApiAccessLog::open(args.accessLog);
    if (!opened) fail(kExitFailed, opened.error().message);
    accessLog = std::move(*opened);
    options.server.accessLog = accessLog.get();
  }
  std::unique_ptr<api::ApiRequestMetrics> ownMetrics;
  std::unique_ptr<server::MetricsHttpServer> metricsServer;
  options.server.metrics = args.metrics;
  if (!args.metricsListen.empty()) {
    auto a = server::ListenAddress::parse(args.metricsListen);
    if (!a) fail(kExitUsage, fmt::format("bad --metrics-listen: {}", a.error().message));
    if (options.server.metrics == nullptr) {
      ownMetrics = std::make_unique<api::ApiRequestMetrics>();
      options.server.metrics = ownMetrics.get();
    }
    metricsServer =
        std::make_unique<server::MetricsHttpServer>(*a, [m = options.server.metrics] { return m->render(); });
    if (auto st = metricsServer->start(); !st) fail(kExitFailed, st.error().message);
    std::printf("zonekeeper api: metrics on http://%s/metrics\n", metricsServer->address().toText().c_str());
  }
  auto server = api::ApiStack::start(args.shared != nullptr ? *args.shared : *zoneStore, options);
  if (!server) fail(kExitFailed, server.error().message);
  const std::string host = addr->first.find(':') != std::string::npos ? "[" + addr->first + "]" : addr->first;
  std::printf("zonekeeper api: listening on %s://%s:%d\n", (*server)->tls() ? "https" : "http", host.c_str(),
              (*server)->port());
  std::fflush(stdout);
  if (control != nullptr) {
    control->markReady();
    control->waitStop();
  } else {
    int sig = 0;
    sigwait(&stopSignals, &sig);
    std::fprintf(stderr, "zonekeeper api: signal %d, stopping\n", sig);
  }
  if (metricsServer) metricsServer->stop();
  (*server)->stop();
}

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(kExitUsage, fmt::format("cannot read policy file '{}'", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

void addApiCommands(CLI::App& app) {
  auto apiArgs = std::make_shared<ApiArgs>();
  auto* apiCmd =
      app.add_subcommand("api", "Run the Route53-compatible API (SigV4-authenticated REST-XML) alone");
  apiCmd->add_option("--data", apiArgs->dataDir, "Data directory (store and access keys)")->required();
  apiCmd->add_option("--api-listen", apiArgs->listen, "Listen address ADDR:PORT (PORT 0: any free port)")
      ->capture_default_str();
  apiCmd->add_option("--tls-cert", apiArgs->tlsCert, "PEM certificate: serve HTTPS (needs --tls-key)");
  apiCmd->add_option("--tls-key", apiArgs->tlsKey, "PEM private key for --tls-cert");
  apiCmd->add_option("--metrics-listen", apiArgs->metricsListen,
                     "ADDR:PORT for a Prometheus endpoint (GET /metrics): request durations by operation");
  apiCmd->add_option(
      "--api-access-log", apiArgs->accessLog,
      "FILE (- for standard error) to append a line per request to: time, client, method, path, "
      "operation, status, error code, access key, request id, duration, sizes");
  apiCmd
      ->add_option(
          "--name-servers", apiArgs->nameServers,
          "NAME[,NAME...]: the name servers of hosted zones created from now on (delegation set, SOA "
          "MNAME, apex NS; default ns-1 .. ns-4.zonekeeper.invalid.)")
      ->delimiter(',');
  apiCmd->add_option("--store", apiArgs->store, "Zone store: sqlite (DATA/zones.db) or memory (tests)")
      ->capture_default_str();
  apiCmd->callback([apiArgs] { runApi(*apiArgs); });

  auto* keysCmd = app.add_subcommand("keys", "Manage the API's access keys (SigV4) and their IAM policies");
  keysCmd->require_subcommand(1);
  auto dataDir = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto policyFile = std::make_shared<std::string>();
  auto* create = keysCmd->add_subcommand(
      "create", "Create a key; prints AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=... for eval");
  create->add_option("--data", *dataDir, "Data directory")->required();
  create->add_option("--name", *name, "Name of the key's user (shown in AccessDenied messages)")->required();
  create->add_option("--policy", *policyFile,
                     "IAM policy JSON file restricting the key (default: allow all)");
  create->callback([dataDir, name, policyFile] {
    const std::string policy = policyFile->empty() ? std::string() : readFile(*policyFile);
    api::auth::KeyStore store(*dataDir);
    auto key = store.create(*name, policy, unixNow());
    if (!key) fail(kExitFailed, key.error().message);
    std::printf("AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", key->id.c_str(), key->secret.c_str());
  });
  auto* list = keysCmd->add_subcommand("list", "List keys (id, name, policy) without their secrets");
  list->add_option("--data", *dataDir, "Data directory")->required();
  list->callback([dataDir] {
    api::auth::KeyStore store(*dataDir);
    auto keys = store.load();
    if (!keys) fail(kExitFailed, keys.error().message);
    for (const auto& k : *keys) {
      std::printf("%s\t%s\t%s\n", k.id.c_str(), k.name.c_str(),
                  k.policyJson.empty() ? "allow-all" : "policy");
    }
  });
  auto target = std::make_shared<std::string>();
  auto* del = keysCmd->add_subcommand("delete", "Delete a key by id or name");
  del->add_option("--data", *dataDir, "Data directory")->required();
  del->add_option("KEY", *target, "Access key id or name")->required();
  del->callback([dataDir, target] {
    api::auth::KeyStore store(*dataDir);
    auto removed = store.remove(*target);
    if (!removed) fail(kExitFailed, removed.error().message);
    if (!*removed) fail(kExitFailed, fmt::format("no key with id or name '{}'", *target));
  });
}

}  // namespace zk::cli
