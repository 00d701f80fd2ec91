#pragma once
// `zonekeeper api` (the Route53-compatible API alone) and `zonekeeper keys`
// (access keys for it). Registered from main.cc with addApiCommands(app).

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace zk::store {
class ZoneStore;
}

namespace zk::api {
class ApiRequestMetrics;
}

namespace zk::cli {

class RunControl;

struct ApiArgs {
  std::string dataDir;
  std::string listen = "127.0.0.1:8053";
  std::string tlsCert;
  std::string tlsKey;
  std::string store = "sqlite";
  // Set by a caller running several components in one process: the store they
  // share (not owned; `store` and `dataDir` are then not opened).
  store::ZoneStore* shared = nullptr;
  int threadNice = 0;  // of the request threads (ApiServerOptions::threadNice)
  // ADDR:PORT of a Prometheus endpoint for the request durations (alone; in
  // `serve` they are rendered on serve's own --metrics-listen through `metrics`).
  std::string metricsListen;
  // Set by a caller that renders the request durations itself. Not owned.
  api::ApiRequestMetrics* metrics = nullptr;
  // FILE ("-": standard error) for a line per request (api::ApiAccessLog); empty: none.
  std::string accessLog;
  // --name-servers: the delegation set of hosted zones created from now on
  // (sqlite store; empty: the store's default).
  std::vector<std::string> nameServers;
};

// Runs the API until SIGTERM/SIGINT, or with `control` until it asks to stop.
// Fails with CLI::RuntimeError.
void runApi(const ApiArgs& args, RunControl* control = nullptr);

void addApiCommands(CLI::App& app);

}  // namespace zk::cli
