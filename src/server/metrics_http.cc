#include "server/metrics_http.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace zk::server {

MetricsHttpServer::MetricsHttpServer(ListenAddress address, Render render)
    : address_(address), render_(std::move(render)) {}

MetricsHttpServer::~MetricsHttpServer() { stop(); }

Status MetricsHttpServer::start() {
  fd_ = ::socket(address_.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Error(fmt::format("metrics socket: {}", std::strerror(errno)));
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address_.addr), address_.length) != 0 ||
      ::listen(fd_, 16) != 0) {
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    return Error(fmt::format("metrics bind {}: {}", address_.toText(), std::strerror(e)));
  }
  if (address_.port() == 0) {
    sockaddr_storage got{};
    socklen_t len = sizeof got;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&got), &len);
    address_.setPort(got.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&got)->sin_port)
                                              : ntohs(reinterpret_cast<sockaddr_in6*>(&got)->sin6_port));
  }
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
  return {};
}

void MetricsHttpServer::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void MetricsHttpServer::loop() {
  while (!stopping_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) != 1) continue;
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    serveOne(c);
    ::close(c);
  }
}

void MetricsHttpServer::serveOne(int fd) {
  std::string req;
  char buf[2048];
  while (req.find("\r\n\r\n") == std::string::npos && req.size() < 8192) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    req.append(buf, static_cast<std::size_t>(n));
  }
  std::string status = "404 Not Found";
  std::string body = "not found\n";
  std::string type = "text/plain";
  if (req.starts_with("GET /metrics ") || req.starts_with("GET /metrics?")) {
    status = "200 OK";
    body = render_();
    type = "text/plain; version=0.0.4";
  }
  std::string resp =
      fmt::format("HTTP/1.0 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                  status, type, body.size(), body);
  std::size_t off = 0;
  while (off < resp.size()) {
    ssize_t n = ::send(fd, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace zk::server
