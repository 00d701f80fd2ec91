#pragma once
// `zonekeeper zone import|export`: zone files into and out of the hosted-zone
// store. Registered with one line in main.cc, after addZoneCommand (it adds
// subcommands to the existing `zone` command).

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}

namespace zk::cli {

void addZoneStoreCommands(CLI::App& app);

}  // namespace zk::cli
