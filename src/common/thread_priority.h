#pragma once
// Per-thread scheduling priority (Linux: setpriority on the thread id).

namespace zk::common {

// Sets the calling thread's nice value (-20 .. 19). Raising the priority
// (below 0) needs CAP_SYS_NICE; returns false when refused (nothing changes).
bool setThreadNice(int nice);

}  // namespace zk::common
