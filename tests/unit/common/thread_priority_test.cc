#include "common/thread_priority.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

namespace zk::common {
namespace {

int threadNice() { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid))); }

TEST(ThreadPriority, SetsTheCallingThreadOnly) {
  const int before = threadNice();
  int inThread = 0;
  std::thread t([&] {
    // Lowering the priority is always allowed.
    EXPECT_TRUE(setThreadNice(before + 3 > 19 ? 19 : before + 3));
    inThread = threadNice();
  });
  t.join();
  EXPECT_EQ(inThread, before + 3 > 19 ? 19 : before + 3);
  EXPECT_EQ(threadNice(), before);  // the other threads keep theirs
}

}  // namespace
}  // namespace zk::common
