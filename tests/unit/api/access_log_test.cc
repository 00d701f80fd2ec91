// formatAccessLogLine: one logfmt line per request, nothing a client sends can
// break it into two or forge a field; ApiAccessLog appends whole lines.

#include "api/http/access_log.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace zk::api {
namespace {

AccessLogEntry sample() {
  AccessLogEntry e;
  e.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795737600123));  // 2026-11-27
  e.remoteAddr = "127.0.0.1";
  e.remotePort = 41234;
  e.method = "POST";
  e.target = "/2013-04-01/hostedzone/Z1/rrset/";
  e.operation = Operation::ChangeResourceRecordSets;
  e.status = 200;
  e.accessKeyId = "AKIAEXAMPLE";
  e.requestId = "0b7b2f7e-3c3a-4f7e-9d55-0a2e1e4d5c6b";
  e.duration = std::chrono::microseconds(912);
  e.bytesIn = 412;
  e.bytesOut = 311;
  return e;
}

TEST(AccessLog, FormatsEveryField) {
  EXPECT_EQ(
      formatAccessLogLine(sample()),
      "time=2026-11-27T00:00:00.123Z remote=127.0.0.1:41234 method=POST "
      "path=/2013-04-01/hostedzone/Z1/rrset/ op=ChangeResourceRecordSets status=200 error=- "
      "key=AKIAEXAMPLE request_id=0b7b2f7e-3c3a-4f7e-9d55-0a2e1e4d5c6b duration_ms=0.912 in=412 out=311\n");
}

TEST(AccessLog, UnknownFieldsAreDashes) {
  AccessLogEntry e = sample();
  e.operation.reset();
  e.status = 403;
  e.errorCode = "MissingAuthenticationToken";
  e.accessKeyId = {};
  e.requestId = {};
  e.remoteAddr = "::1";
  const std::string line = formatAccessLogLine(e);
  EXPECT_NE(line.find(" remote=[::1]:41234 "), std::string::npos) << line;
  EXPECT_NE(line.find(" op=- status=403 error=MissingAuthenticationToken key=- request_id=- "),
            std::string::npos)
      << line;
}

TEST(AccessLog, ClientTextCannotForgeLinesOrFields) {
  AccessLogEntry e = sample();
  e.target = "/x\r\nkey=forged \"q\"\\\x01\xff";
  e.method = "GE T";
  const std::string line = formatAccessLogLine(e);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_NE(line.find(R"( method="GE T" )"), std::string::npos) << line;
  EXPECT_NE(line.find(R"( path="/x\x0d\x0akey=forged \"q\"\\\x01\xff" )"), std::string::npos) << line;
  // The only key= outside quotes is the real one.
  EXPECT_NE(line.find(" key=AKIAEXAMPLE "), std::string::npos);
}

TEST(AccessLog, AppendsWholeLinesFromManyThreads) {
  const auto path =
      std::filesystem::temp_directory_path() / ("zk_access_log_test_" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  {
    std::ofstream(path) << "kept\n";  // an existing log is appended to, never truncated
    auto log = ApiAccessLog::open(path.string());
    ASSERT_TRUE(log.ok()) << log.error().message;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&log] {
        for (int i = 0; i < 250; ++i) (*log)->write(sample());
      });
    }
    for (auto& t : threads) t.join();
  }
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "kept");
  const std::string expected = formatAccessLogLine(sample());
  int lines = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(line + "\n", expected);
    ++lines;
  }
  EXPECT_EQ(lines, 1000);
  std::filesystem::remove(path);
  // A new log is created without access for others (it names access keys and clients).
  ASSERT_TRUE(ApiAccessLog::open(path.string()).ok());
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_all,
            std::filesystem::perms::none);
  std::filesystem::remove(path);
}

TEST(AccessLog, OpenFailsClearly) {
  auto log = ApiAccessLog::open("/nonexistent-dir/zk/access.log");
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message.find("cannot open access log /nonexistent-dir/zk/access.log"),
            std::string::npos);
}

}  // namespace
}  // namespace zk::api
