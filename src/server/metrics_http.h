#pragma once
// A minimal HTTP/1.0 endpoint for Prometheus scrapes: GET /metrics answers
// the text produced by the render callback; anything else gets 404. One
// thread, one connection at a time (scrapes are rare and small).

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/server.h"

namespace zk::server {

class MetricsHttpServer {
 public:
  using Render = std::function<std::string()>;
  MetricsHttpServer(ListenAddress address, Render render);
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  Status start();
  void stop();
  [[nodiscard]] const ListenAddress& address() const { return address_; }

 private:
  void loop();
  void serveOne(int fd);

  ListenAddress address_;
  Render render_;
  int fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace zk::server
