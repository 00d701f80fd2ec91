#pragma once
// `zonekeeper serve`: the authoritative DNS server.

#include <string>
#include <vector>

namespace CLI {
class App;
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
  std::string aliasResolver;
  std::string metricsListen;
  std::string data;
  unsigned storePollMs = 100;
  // --config FILE, re-read on SIGHUP for its zone list unless --zone was on the command line.
  std::string configPath;
  bool zonesFromCommandLine = false;
};

// Runs the server until SIGTERM/SIGINT, or with `control` until it asks to stop
// (the caller then handles the signals). Fails with CLI::RuntimeError.
void runServe(const ServeArgs& args, RunControl* control = nullptr);

void addServeCommand(CLI::App& app);

}  // namespace zk::cli
