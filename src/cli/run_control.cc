#include "cli/run_control.h"

#include <pthread.h>
#include <csignal>

#include <atomic>
#include <cstdio>
#include <exception>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace zk::cli {

namespace {

sigset_t processSignals() {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGHUP);
  return sigs;
}

}  // namespace

void blockProcessSignals() {
  const sigset_t sigs = processSignals();
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
}

int runComponents(const std::string& who, const std::vector<Component>& parts,
                  const std::function<void()>& onReady) {
  // Blocked before any thread starts, then taken by one thread with sigwait.
  blockProcessSignals();
  const sigset_t sigs = processSignals();

  RunControl control;
  std::atomic<bool> stopping{false};
  std::thread signals([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&sigs, &sig) != 0) continue;
      if (stopping) break;
      if (sig == SIGHUP) {
        control.requestReload();
        continue;
      }
      std::fprintf(stderr, "zonekeeper %s: signal %d, stopping\n", who.c_str(), sig);
      break;
    }
    control.requestStop();
  });
  std::vector<std::thread> threads;
  int ready = 0;
  for (const Component& part : parts) {
    threads.emplace_back([&control, &part, &who] {
      try {
        part.run(control);
        control.requestStop();
      } catch (const CLI::RuntimeError& e) {
        control.fail(e.get_exit_code() == 0 ? kExitFailed : e.get_exit_code());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "zonekeeper %s: %s: %s\n", who.c_str(), part.name.c_str(), e.what());
        control.fail(kExitFailed);
      }
    });
    if (!control.waitReady(++ready)) break;
  }
  if (control.waitReady(static_cast<int>(parts.size())) && onReady) onReady();
  control.waitStop();
  for (auto& t : threads) t.join();
  stopping = true;
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread): SIGTERM is blocked here; it only wakes sigwait
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  return control.exitCode();
}

}  // namespace zk::cli
