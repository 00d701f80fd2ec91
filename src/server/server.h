#pragma once
// DNS transports for `zonekeeper serve`: UDP and TCP listeners feeding a
// QueryProcessor. Transport only: no DNS logic here.
//
// UDP: for every listen address, each worker thread owns one SO_REUSEPORT
// socket (the kernel spreads datagrams over them) and moves packets in
// batches with recvmmsg/sendmmsg; buffers are allocated once per thread.
// TCP (RFC 7766): per worker and listen address, one SO_REUSEPORT listening
// socket and one event-loop thread (epoll), 2-octet length framing, pipelined
// queries answered in order of arrival, an idle timeout, and a cap on open
// connections shared by all workers.

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "query/processor.h"
#include "zone/zone_table.h"

namespace zk::server {

struct ListenAddress {
  sockaddr_storage addr{};
  socklen_t length = 0;
  // "127.0.0.1:5353" or "[::1]:5353"; port 0 picks a free port (the same for UDP and TCP)
  // below the kernel's ephemeral range, where no client's source port can collide.
  static Result<ListenAddress> parse(std::string_view text);
  [[nodiscard]] std::string toText() const;
  [[nodiscard]] std::uint16_t port() const;
  void setPort(std::uint16_t port);
};

struct ServerOptions {
  std::vector<ListenAddress> listen;
  unsigned workers = 1;
  unsigned udpBatch = 64;
  unsigned tcpMaxConnections = 1024;
  unsigned tcpIdleTimeoutMs = 10000;  // RFC 7766 section 6.2.3 suggests seconds, not minutes
  query::ProcessorOptions processor;
};

// Counters of one thread. Only that thread writes them (load + store, no
// locked instruction, no shared cache line); readers sum over threads.
struct alignas(64) ThreadCounters {
  query::Transport transport = query::Transport::Udp;
  std::atomic<std::uint64_t> queries{0};
  std::atomic<std::uint64_t> responses{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> truncated{0};
  std::atomic<std::uint64_t> rcodes[16] = {};
  std::atomic<std::uint64_t> connections{0};  // TCP: open now
  std::atomic<std::uint64_t> cacheHits{0};    // UDP: responses replayed from the packet cache

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

struct CounterTotals {
  std::uint64_t queries = 0;
  std::uint64_t responses = 0;
  std::uint64_t dropped = 0;
  std::uint64_t truncated = 0;
  std::uint64_t rcodes[16] = {};
  std::uint64_t connections = 0;
  std::uint64_t cacheHits = 0;
};

class Server {
 public:
  Server(const zone::ZoneTable& zones, ServerOptions options, query::AliasResolver* aliasResolver = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every socket and starts the threads; on error nothing is left running.
  Status start();
  // Asks every thread to finish and joins them (idempotent).
  void stop();

  // The addresses actually bound (ports filled in when 0 was asked for).
  [[nodiscard]] const std::vector<ListenAddress>& boundAddresses() const { return options_.listen; }
  // Sums over the threads of one transport.
  [[nodiscard]] CounterTotals totals(query::Transport transport) const;

 private:
  void udpLoop(int fd, ThreadCounters& counters);
  void tcpLoop(int listenFd, ThreadCounters& counters);
  void closeAll();

  const zone::ZoneTable& zones_;
  ServerOptions options_;
  query::AliasResolver* aliasResolver_;
  std::atomic<bool> stopping_{false};
  // Open TCP connections over every worker, held under options_.tcpMaxConnections.
  std::atomic<unsigned> tcpOpen_{0};
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<ThreadCounters>> counters_;
};

}  // namespace zk::server
