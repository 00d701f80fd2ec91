#pragma once
// Lets `zonekeeper up` run the long-running subcommands (serve, api, sync) as
// threads of one process: each reports when it has started and waits for the
// stop request instead of taking SIGINT/SIGTERM itself.

#include <condition_variable>
#include <mutex>

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

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int ready_ = 0;
  int code_ = 0;
  bool stop_ = false;
};

}  // namespace zk::cli
