#include "controller/reconcile/status_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace zk::controller {
namespace {

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

void sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

StatusServer::~StatusServer() { stop(); }

Status StatusServer::start(std::string_view address, Handler handler) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return Error(fmt::format("bad address '{}' (HOST:PORT)", address));
  std::string host(address.substr(0, colon));
  const std::string portText(address.substr(colon + 1));
  char* end = nullptr;
  const unsigned long port = std::strtoul(portText.c_str(), &end, 10);
  if (portText.empty() || *end != '\0' || port > 65535)
    return Error(fmt::format("bad port in '{}'", address));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in6);
  } else {
    return Error(fmt::format("bad host in '{}' (an IP address)", address));
  }
  listenFd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listenFd_ < 0) return Error(fmt::format("socket: {}", std::strerror(errno)));
  const int one = 1;
  ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(listenFd_, 16) != 0) {
    const int err = errno;
    ::close(listenFd_);
    listenFd_ = -1;
    return Error(fmt::format("listening on {}: {}", address, std::strerror(err)));
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&bound), &blen);
  port_ = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                           : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  handler_ = std::move(handler);
  thread_ = std::thread([this] { loop(); });
  return {};
}

void StatusServer::stop() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    (void)!::write(wakeFd_, &one, sizeof one);
    thread_.join();
  }
  if (listenFd_ >= 0) ::close(listenFd_);
  if (wakeFd_ >= 0) ::close(wakeFd_);
  listenFd_ = wakeFd_ = -1;
}

void StatusServer::loop() {
  while (true) {
    pollfd fds[2] = {{listenFd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // Read the request head (bounded in size and time).
    std::string req;
    char buf[2048];
    while (req.size() < 8192 && req.find("\r\n\r\n") == std::string::npos &&
           req.find("\n\n") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<std::size_t>(n));
    }
    StatusReply reply;
    const auto sp1 = req.find(' ');
    const auto sp2 = sp1 == std::string::npos ? std::string::npos : req.find(' ', sp1 + 1);
    if (sp2 == std::string::npos) {
      reply = {400, "text/plain; charset=utf-8", "bad request\n"};
    } else if (req.compare(0, sp1, "GET") != 0) {
      reply = {405, "text/plain; charset=utf-8", "only GET\n"};
    } else {
      std::string path = req.substr(sp1 + 1, sp2 - sp1 - 1);
      if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
      reply = handler_(path);
    }
    sendAll(fd, fmt::format(
                    "HTTP/1.0 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                    reply.status, reason(reply.status), reply.contentType, reply.body.size(), reply.body));
    ::close(fd);
  }
}

}  // namespace zk::controller
