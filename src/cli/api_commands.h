#pragma once
// `zonekeeper api` (the Route53-compatible API alone) and `zonekeeper keys`
// (access keys for it). Registered from main.cc with addApiCommands(app).

namespace CLI {
class App;
}

namespace zk::cli {

void addApiCommands(CLI::App& app);

}  // namespace zk::cli
