#pragma once
// A tiny HTTP/1.0 server for /metrics and /healthz (GET only, one request per
// connection, served from one thread: scrapes are rare and small).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "common/result.h"

namespace zk::controller {

struct StatusReply {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
};

class StatusServer {
 public:
  using Handler = std::function<StatusReply(std::string_view path)>;
  StatusServer() = default;
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // address "HOST:PORT" (IPv4 or [IPv6]); port 0 picks a free port.
  Status start(std::string_view address, Handler handler);
  void stop();
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  void loop();
  Handler handler_;
  int listenFd_ = -1;
  int wakeFd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace zk::controller
