#include "api/http/api_server.h"
#include "common/thread_priority.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <httplib.h>

namespace zk::api {
namespace {

// The request a pool thread is serving, for ApiRequestMetrics and ApiAccessLog:
// cpp-httplib serves one request at a time per thread, from the pre-routing
// handler (the headers are read) to the logger (the response is written).
struct InFlight {
  bool timing = false;
  std::chrono::steady_clock::time_point start;
  std::optional<Operation> operation;
  std::string errorCode;
  std::string accessKeyId;
  std::size_t bytesIn = 0;
  std::size_t bytesOut = 0;
};
thread_local InFlight tInFlight;

// A Route53 error answered here, before the pipeline (which adds the request id
// to everything it answers).
void refuse(httplib::Response& res, const ApiError& error) {
  const std::string requestId = newRequestId();
  const ApiResponse out = errorResponse(error, requestId);
  tInFlight.errorCode = out.errorCode;
  res.status = out.status;
  res.set_header("x-amz-request-id", requestId);
  res.set_content(out.body, "text/xml");
}

// Route53 documents no error for an oversized body; InvalidInput with the
// limit, under HTTP's own status for it (RFC 9110 section 15.5.14).
ApiError bodyTooLarge(std::size_t maxBody) {
  return makeError(413, "InvalidInput", fmt::format("the request body exceeds {} octets", maxBody));
}

int localPort(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}

// Whether the socket's local address is the listen host (any address when the
// host is a wildcard or not a literal address).
bool sameAddress(const sockaddr_storage& a, const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    if (v4.s_addr == htonl(INADDR_ANY)) return true;
    return a.ss_family == AF_INET && reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr == v4.s_addr;
  }
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_UNSPECIFIED(&v6)) return true;
    return a.ss_family == AF_INET6 &&
           std::memcmp(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr, &v6, sizeof v6) == 0;
  }
  return true;
}

}  // namespace

Result<std::pair<std::string, int>> parseListenAddress(std::string_view text) {
  std::string host;
  std::string_view portText;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error(fmt::format("bad listen address '{}': expected [ADDR]:PORT", text));
    }
    host = std::string(text.substr(1, close - 1));
    portText = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return Error(fmt::format("bad listen address '{}': expected ADDR:PORT", text));
    host = std::string(text.substr(0, colon));
    portText = text.substr(colon + 1);
  }
  int port = -1;
  const auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (host.empty() || ec != std::errc() || ptr != portText.data() + portText.size() || port < 0 ||
      port > 65535) {
    return Error(fmt::format("bad listen address '{}': expected ADDR:PORT with PORT 0-65535", text));
  }
  return std::pair{host, port};
}

Result<std::unique_ptr<ApiServer>> ApiServer::start(const ApiServerOptions& options, ApiPipeline& pipeline) {
  std::unique_ptr<ApiServer> self(new ApiServer());
  if (!options.tlsCertFile.empty() || !options.tlsKeyFile.empty()) {
    if (options.tlsCertFile.empty() || options.tlsKeyFile.empty()) {
      return Error("TLS needs both a certificate and a key");
    }
    auto tlsServer =
        std::make_unique<httplib::SSLServer>(options.tlsCertFile.c_str(), options.tlsKeyFile.c_str());
    if (!tlsServer->is_valid()) {
      return Error(fmt::format("cannot load TLS certificate '{}' and key '{}'", options.tlsCertFile,
                               options.tlsKeyFile));
    }
    self->server_ = std::move(tlsServer);
    self->tls_ = true;
  } else {
    self->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& srv = *self->server_;
  srv.set_payload_max_length(options.maxBodyBytes);
  srv.set_read_timeout(30, 0);
  // Responses go out as header and body writes: without TCP_NODELAY, Nagle holds
  // the body until the client's delayed ACK (40 ms per request).
  srv.set_tcp_nodelay(true);
  srv.set_keep_alive_max_count(1000);
  srv.set_keep_alive_timeout(options.keepAliveSeconds);
  const std::size_t threads = std::max<std::size_t>(1, options.threads);
  const int threadNice = options.threadNice;
  // Called on the listening thread before it accepts: that thread and the pool's
  // threads (which inherit it when created) run at threadNice from their first
  // read, accept and request on.
  srv.new_task_queue = [threads, threadNice] {
    if (threadNice != 0) (void)common::setThreadNice(threadNice);
    return new httplib::ThreadPool(threads);
  };
  // One function serves every request; `body` is the raw body, whatever its Content-Type.
  const std::size_t compressMin = options.compressMinBytes;
  const bool tls = self->tls_;
  auto serve = [&pipeline, compressMin, tls](const httplib::Request& req, httplib::Response& res,
                                             std::string body) {
    RawRequest raw;
    raw.tls = tls;
    raw.method = req.method;
    raw.target = req.target;
    for (const auto& [k, v] : req.headers) {
      // cpp-httplib adds these for the handler; they were not on the wire.
      if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;
      raw.headers.emplace_back(k, v);
    }
    raw.body = std::move(body);
    ApiResponse out = pipeline.handle(raw);
    tInFlight.operation = out.operation;
    tInFlight.errorCode = std::move(out.errorCode);
    tInFlight.accessKeyId = std::move(out.accessKeyId);
    tInFlight.bytesIn = raw.body.size();
    tInFlight.bytesOut = out.body.size();
    res.status = out.status;
    std::string contentType = "text/xml";
    for (const auto& [k, v] : out.headers) {
      if (k == "Content-Type") {
        contentType = v;
      } else {
        res.set_header(k, v);
      }
    }
    if (out.body.empty() || out.body.size() >= compressMin) {
      res.set_content(out.body, contentType);  // compressed if the client accepts it
    } else {
      // cpp-httplib compresses set_content bodies, never those of a content
      // provider with a known length.
      auto shared = std::make_shared<const std::string>(std::move(out.body));
      res.set_content_provider(shared->size(), contentType,
                               [shared](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                 return sink.write(shared->data() + offset, length);
                               });
    }
  };
  // Bodies are read through a ContentReader so cpp-httplib does not parse them as
  // forms (it refuses form-encoded bodies over 8 KiB) or multipart: Route53 reads
  // the XML body whatever the Content-Type says.
  const std::size_t maxBody = options.maxBodyBytes;
  auto withBody = [serve, maxBody](const httplib::Request& req, httplib::Response& res,
                                   const httplib::ContentReader& reader) {
    if (req.is_multipart_form_data()) {
      // cpp-httplib only hands multipart bodies out part by part, not as the raw
      // octets the signature covers.
      refuse(res,
             invalidInput("multipart/form-data bodies are not accepted; send the XML document as the body"));
      return;
    }
    std::string body;
    bool tooLarge = false;
    const bool complete = reader([&](const char* data, std::size_t length) {
      if (body.size() + length > maxBody) {
        tooLarge = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    // cpp-httplib stops at its payload limit and reports an incomplete read.
    if (tooLarge || !complete) {
      refuse(res, bodyTooLarge(maxBody));
      return;
    }
    serve(req, res, std::move(body));
  };
  auto withoutBody = [serve](const httplib::Request& req, httplib::Response& res) {
    serve(req, res, req.body);
  };
  if (options.metrics != nullptr || options.accessLog != nullptr) {
    // Called once the headers are read, before the body.
    srv.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
      tInFlight = InFlight{};
      tInFlight.timing = true;
      tInFlight.start = std::chrono::steady_clock::now();
      return httplib::Server::HandlerResponse::Unhandled;
    });
    // Called once the response is written to the socket.
    srv.set_logger([metrics = options.metrics, accessLog = options.accessLog](const httplib::Request& req,
                                                                              const httplib::Response& res) {
      if (!tInFlight.timing) return;  // refused before routing (malformed request line or headers)
      tInFlight.timing = false;
      const auto duration = std::chrono::steady_clock::now() - tInFlight.start;
      if (metrics != nullptr) metrics->observe(tInFlight.operation, duration);
      if (accessLog != nullptr) {
        const auto id = res.headers.find("x-amz-request-id");
        accessLog->write(
            AccessLogEntry{.time = std::chrono::system_clock::now(),
                           .remoteAddr = req.remote_addr,
                           .remotePort = req.remote_port,
                           .method = req.method,
                           .target = req.target,
                           .operation = tInFlight.operation,
                           .status = res.status,
                           .errorCode = tInFlight.errorCode,
                           .accessKeyId = tInFlight.accessKeyId,
                           .requestId = id == res.headers.end() ? std::string_view() : id->second,
                           .duration = duration,
                           .bytesIn = tInFlight.bytesIn,
                           .bytesOut = tInFlight.bytesOut});
      }
    });
  }
  // Should cpp-httplib answer a 413 by itself (it reads the body of routes
  // without a ContentReader before routing), it gets Route53's error XML too.
  srv.set_error_handler(
      httplib::Server::HandlerWithResponse([maxBody](const httplib::Request&, httplib::Response& res) {
        if (res.status != 413 || res.has_header("x-amz-request-id"))
          return httplib::Server::HandlerResponse::Unhandled;
        refuse(res, bodyTooLarge(maxBody));
        return httplib::Server::HandlerResponse::Handled;
      }));
  // Every path, also one whose decoded form holds a line break ("." would not
  // match it, and cpp-httplib would answer a bare 404 instead of Route53's XML).
  static constexpr const char* kAnyPath = R"([\s\S]*)";
  srv.Get(kAnyPath, withoutBody);
  srv.Post(kAnyPath, withBody);
  srv.Delete(kAnyPath, withBody);
  srv.Put(kAnyPath, withBody);
  srv.Patch(kAnyPath, withBody);
  int port = options.port;
  if (port == 0) {
    port = srv.bind_to_any_port(options.host);
    if (port < 0) return Error(fmt::format("cannot listen on {}:0", options.host));
  } else if (!srv.bind_to_port(options.host, port)) {
    return Error(fmt::format("cannot listen on {}:{}", options.host, options.port));
  }
  self->port_ = port;
  self->host_ = options.host;
  self->thread_ = std::thread([&srv] { srv.listen_after_bind(); });
  return self;
}

void ApiServer::stop() {
  if (server_) server_->stop();
  // cpp-httplib 0.11 keeps serving an idle keep-alive connection until its
  // timeout, and joins those threads before listen returns: stop would wait up
  // to keepAliveSeconds for a client that sends nothing. Its connections are
  // ended here instead.
  if (thread_.joinable()) {
    shutdownClientConnections();
    thread_.join();
  }
}

void ApiServer::shutdownClientConnections() const {
  // The process's connected TCP sockets whose local end is the API's address
  // and port: the connections the API accepted (the listening socket is closed
  // by now). shutdown() wakes their threads, which then see the end of input.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    const std::string name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc() || fd < 0) continue;
    int type = 0;
    socklen_t typeLen = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &typeLen) != 0 || type != SOCK_STREAM) continue;
    sockaddr_storage local{};
    socklen_t localLen = sizeof local;
    sockaddr_storage peer{};
    socklen_t peerLen = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLen) != 0) continue;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerLen) != 0) continue;  // not connected
    if (localPort(local) != port_ || !sameAddress(local, host_)) continue;
    ::shutdown(fd, SHUT_RDWR);
  }
}

ApiServer::~ApiServer() { stop(); }

}  // namespace zk::api
