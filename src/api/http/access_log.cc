#include "api/http/access_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace zk::api {
namespace {

// A logfmt value: bare when it is printable ASCII without spaces, quotes, '=' or
// backslashes; else quoted, with '"' and '\' escaped and every octet outside
// printable ASCII as \xNN (a CR or LF in a request cannot start a new line).
void appendValue(std::string& out, std::string_view v) {
  if (v.empty()) {
    out += '-';
    return;
  }
  bool bare = true;
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '=') {
      bare = false;
      break;
    }
  }
  if (bare) {
    out += v;
    return;
  }
  out += '"';
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void appendField(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += '=';
  appendValue(out, value);
}

std::string utcMillis(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const auto secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

}  // namespace

std::string formatAccessLogLine(const AccessLogEntry& e) {
  std::string out;
  out.reserve(256);
  appendField(out, "time", utcMillis(e.time));
  appendField(out, "remote",
              e.remoteAddr.empty() ? std::string()
              : e.remoteAddr.find(':') != std::string_view::npos
                  ? fmt::format("[{}]:{}", e.remoteAddr, e.remotePort)  // IPv6
                  : fmt::format("{}:{}", e.remoteAddr, e.remotePort));
  appendField(out, "method", e.method);
  appendField(out, "path", e.target);
  appendField(out, "op", e.operation ? operationName(*e.operation) : std::string_view());
  appendField(out, "status", fmt::format("{}", e.status));
  appendField(out, "error", e.errorCode);
  appendField(out, "key", e.accessKeyId);
  appendField(out, "request_id", e.requestId);
  appendField(out, "duration_ms",
              fmt::format("{:.3f}", std::chrono::duration<double, std::milli>(e.duration).count()));
  appendField(out, "in", fmt::format("{}", e.bytesIn));
  appendField(out, "out", fmt::format("{}", e.bytesOut));
  out += '\n';
  return out;
}

Result<std::unique_ptr<ApiAccessLog>> ApiAccessLog::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<ApiAccessLog>(new ApiAccessLog(stderr, false));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Error(fmt::format("cannot open access log {}: {}", path, std::strerror(errno)));
  std::FILE* f = ::fdopen(fd, "a");
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    return Error(fmt::format("cannot open access log {}: {}", path, std::strerror(err)));
  }
  return std::unique_ptr<ApiAccessLog>(new ApiAccessLog(f, true));
}

ApiAccessLog::~ApiAccessLog() {
  if (owned_) std::fclose(file_);
}

void ApiAccessLog::write(const AccessLogEntry& entry) {
  const std::string line = formatAccessLogLine(entry);
  std::lock_guard lock(mutex_);
  // A full disk loses log lines, never requests.
  (void)std::fwrite(line.data(), 1, line.size(), file_);
  (void)std::fflush(file_);
}

}  // namespace zk::api
