#pragma once
// `zonekeeper serve`: the authoritative DNS server.

namespace CLI {
class App;
}

namespace zk::cli {

void addServeCommand(CLI::App& app);

}  // namespace zk::cli
