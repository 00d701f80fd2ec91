#pragma once
// Lets `zonekeeper up` run the long-running subcommands (serve, api, sync) as
// threads of one process: each reports when it has started and waits for the
// stop request instead of taking SIGINT/SIGTERM itself.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace zk::cli {

class RunControl {
 public:
  // A component finished starting.
  void markReady() {
    std::lock_guard lock(mu_);
    ++ready_;
    cv_.notify_all();
  }
  // A component failed with this exit status: everything stops.
  void fail(int code) {
    std::lock_guard lock(mu_);
    if (code_ == 0) code_ = code;
    stop_ = true;
    cv_.notify_all();
  }
  void requestStop() {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  void waitStop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }
  // Blocks until `n` components are ready (true) or a stop is requested (false).
  bool waitReady(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this, n] { return stop_ || ready_ >= n; });
    return ready_ >= n && !stop_;
  }
  int exitCode() {
    std::lock_guard lock(mu_);
    return code_;
  }
  // SIGHUP for the process: components that reload something wait for it.
  void requestReload() {
    std::lock_guard lock(mu_);
    ++reloads_;
    cv_.notify_all();
  }
  // Blocks until a stop is requested (false) or a reload newer than `seen`
  // (true; `seen` is updated).
  bool waitStopOrReload(std::uint64_t& seen) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this, &seen] { return stop_ || reloads_ != seen; });
    if (stop_) return false;
    seen = reloads_;
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int ready_ = 0;
  int code_ = 0;
  bool stop_ = false;
  std::uint64_t reloads_ = 0;
};

// One long-running part of a process (the body of serve, api or sync).
struct Component {
  std::string name;
  std::function<void(RunControl&)> run;  // marks ready, then runs until asked to stop
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, so that threads it
// starts afterwards (a store's checkpointer, say) inherit the mask and the
// signals reach only a sigwait. Call before anything starts a thread.
void blockProcessSignals();

// Runs components as threads of one process, each started once the one before
// it is ready; `onReady` runs when all are. SIGINT/SIGTERM stop them all, a
// component's failure (CLI::RuntimeError or an exception) stops the others,
// SIGHUP becomes RunControl::requestReload. The stop signals are blocked
// before any thread starts. Returns the exit status (0: stopped cleanly).
int runComponents(const std::string& who, const std::vector<Component>& parts,
                  const std::function<void()>& onReady);

}  // namespace zk::cli
