// zonekeeper: one binary, one subcommand per job (see commands.h).

#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "cli/api_commands.h"
#include "cli/commands.h"
#include "cli/serve_cmd.h"
#include "cli/zone_store_cmd.h"

namespace {

int run(int argc, char** argv) {
  CLI::App app{
      "zonekeeper: an authoritative DNS server with a Route53-compatible control plane and zone tools.\n"
      "Run 'zonekeeper SUBCOMMAND --help' for the options of each subcommand.",
      "zonekeeper"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print help for every subcommand and exit");

  zk::cli::addZoneCommand(app);
  zk::cli::addZoneStoreCommands(app);
  zk::cli::addServeCommand(app);
  zk::cli::addApiCommands(app);
  zk::cli::addSyncCommand(app);
  zk::cli::addUpCommand(app);
  // Other subcommands register here, one line each (addServeCommand(app), ...).

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_name() == "RuntimeError") return e.get_exit_code();  // a subcommand's own failure
    const int code = app.exit(e);
    return code == 0 ? zk::cli::kExitOk : zk::cli::kExitUsage;
  }
  return zk::cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Bad input is reported through Result; an exception here is an internal error (e.g. out of memory).
    std::fprintf(stderr, "zonekeeper: internal error: %s\n", e.what());
  } catch (...) {
    std::fputs("zonekeeper: internal error: unknown exception\n", stderr);
  }
  return zk::cli::kExitFailed;
}
