#pragma once
// ApiAccessLog: one line per API request (`serve --api-access-log FILE`, `api
// --access-log FILE`; "-" is standard error), written after the response has
// gone out, so the client never waits for it. logfmt, one key=value pair per
// field, values with spaces or quotes in double quotes, anything that is not
// printable ASCII escaped (\xNN), so that a request cannot forge a line:
//
//   time=2026-11-27T07:30:00.123Z remote=127.0.0.1:41234 method=POST
//   path=/2013-04-01/hostedzone/Z1/rrset/ op=ChangeResourceRecordSets status=200
//   error=- key=AKIA... request_id=... duration_ms=0.912 in=412 out=311
//
// key is the access key whose signature was verified ("-" when none was);
// error is the Route53 error code of a refused request. The file is opened
// for appending (logrotate's copytruncate works; nothing reopens it).

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "api/route53/router.h"
#include "common/result.h"

namespace zk::api {

struct AccessLogEntry {
  std::chrono::system_clock::time_point time;
  std::string_view remoteAddr;
  int remotePort = 0;
  std::string_view method;
  std::string_view target;  // request-target as sent (path and query)
  std::optional<Operation> operation;
  int status = 0;
  std::string_view errorCode;    // empty: none
  std::string_view accessKeyId;  // empty: no verified caller
  std::string_view requestId;    // empty: none
  std::chrono::nanoseconds duration{0};
  std::size_t bytesIn = 0;
  std::size_t bytesOut = 0;
};

// The line for `entry`, newline included (a pure function: unit-tested).
std::string formatAccessLogLine(const AccessLogEntry& entry);

class ApiAccessLog {
 public:
  // "-": standard error; otherwise the file, created (0640) or appended to.
  static Result<std::unique_ptr<ApiAccessLog>> open(const std::string& path);
  ~ApiAccessLog();
  ApiAccessLog(const ApiAccessLog&) = delete;
  ApiAccessLog& operator=(const ApiAccessLog&) = delete;

  // Thread-safe; each line is written whole and flushed.
  void write(const AccessLogEntry& entry);

 private:
  ApiAccessLog(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  std::mutex mutex_;
  std::FILE* file_;
  bool owned_;
};

}  // namespace zk::api
