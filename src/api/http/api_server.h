#pragma once
// ApiServer: the HTTP(S) listener in front of ApiPipeline (cpp-httplib, one
// thread pool). Embeddable: `zonekeeper api` runs it alone, `zonekeeper serve`
// can run it beside the DNS server. start() binds and returns; stop() joins.

#include <memory>
#include <string>
#include <thread>

#include "api/http/access_log.h"
#include "api/http/pipeline.h"
#include "api/http/request_metrics.h"
#include "common/result.h"

namespace httplib {
class Server;
}

namespace zk::api {

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 8053;          // 0: any free port (see ApiServer::port())
  std::string tlsCertFile;  // both set: HTTPS
  std::string tlsKeyFile;
  std::size_t maxBodyBytes = std::size_t{4} * 1024 * 1024;
  // Nonzero: request threads run at this nice value (serve gives the control
  // plane precedence over query load; negative needs CAP_SYS_NICE, else ignored).
  int threadNice = 0;
  // Request threads. cpp-httplib gives each keep-alive connection a thread
  // until it has been idle keepAliveSeconds, so these bound the connections
  // served at once (its default, 8, let a few idle SDK clients stall the rest).
  std::size_t threads = 32;
  int keepAliveSeconds = 10;
  // Bodies this large or larger are compressed when the client accepts gzip
  // (cpp-httplib's choice); smaller ones go as they are: for a few hundred
  // bytes of XML, zlib's setup costs the server and the client more than the
  // bytes saved.
  std::size_t compressMinBytes = 4096;
  // Set: each request's duration is recorded there (not owned; must outlive the server).
  ApiRequestMetrics* metrics = nullptr;
  // Set: a line per request is written there (not owned; must outlive the server).
  ApiAccessLog* accessLog = nullptr;
};

// "ADDR:PORT" or "[V6ADDR]:PORT" -> host, port.
Result<std::pair<std::string, int>> parseListenAddress(std::string_view text);

class ApiServer {
 public:
  static Result<std::unique_ptr<ApiServer>> start(const ApiServerOptions& options, ApiPipeline& pipeline);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] bool tls() const { return tls_; }
  void stop();

 private:
  ApiServer() = default;
  void shutdownClientConnections() const;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string host_;
  bool tls_ = false;
};

}  // namespace zk::api
