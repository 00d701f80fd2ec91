#pragma once
// Subcommands of the zonekeeper binary. Each lives in its own <name>_cmd.cc and
// registers itself on the root app with one line in main.cc. A subcommand's
// callback reports failure by throwing CLI::RuntimeError(exitCode); bad flags
// are handled by main (exit status 2).

namespace CLI {
class App;
}

namespace zk::cli {

// Exit statuses shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command ran and found problems
inline constexpr int kExitUsage = 2;   // bad flags or arguments

// `zonekeeper zone check|print`: zone-file validation and canonical output.
void addZoneCommand(CLI::App& app);

// `zonekeeper sync`: the ExternalDNS-compatible controller (sync_cmd.cc).
void addSyncCommand(CLI::App& app);

// `zonekeeper up`: serve + api + sync in one process (up_cmd.cc).
void addUpCommand(CLI::App& app);

}  // namespace zk::cli
