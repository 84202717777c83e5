#include "potacc/util/thread_pool.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "potacc/error.h"

namespace potacc {
namespace {

TEST(ThreadPoolTest, EveryTaskRunsExactlyOnceAcrossManyLoops) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t tasks : {0, 1, 2, 5, 64, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(tasks));
      pool.ParallelFor(tasks, [&](int64_t i) { hits[static_cast<size_t>(i)].fetch_add(1); });
      for (int64_t i = 0; i < tasks; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << threads << " " << i;
    }
  }
}

TEST(ThreadPoolTest, ManyShortLoopsBackToBack) {
  ThreadPool pool(3);
  std::atomic<int64_t> sum{0};
  for (int round = 0; round < 2000; ++round) {
    pool.ParallelFor(4, [&](int64_t i) { sum.fetch_add(i + 1); });
  }
  EXPECT_EQ(sum.load(), 2000 * 10);
}

TEST(ThreadPoolTest, FirstExceptionIsRethrownAndThePoolStaysUsable) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.ParallelFor(50, [](int64_t i) {
    if (i == 7) throw Error("task 7 failed");
  }),
               Error);
  std::atomic<int> count{0};
  pool.ParallelFor(10, [&](int64_t) { count.fetch_add(1); });
  EXPECT_EQ(count.load(), 10);
}

TEST(ThreadPoolTest, RejectsZeroThreads) { EXPECT_THROW(ThreadPool(0), Error); }

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define POTACC_NO_RLIMIT_AS 1  // the sanitizers' shadow memory needs an unlimited address space
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POTACC_NO_RLIMIT_AS 1
#endif
#endif

#ifndef POTACC_NO_RLIMIT_AS
// Address space in use now, from /proc/self/status (VmSize, kB).
int64_t AddressSpaceBytes() {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == "VmSize:") {
      int64_t kb = 0;
      f >> kb;
      return kb * 1024;
    }
    std::string rest;
    std::getline(f, rest);
  }
  return 0;
}

// Hostile input #3: under an address-space limit, starting threads fails
// after a few. The failure must be an Error (not std::terminate), and the
// threads already started must be stopped and joined.
void StartTooManyThreadsUnderAddressSpaceLimit() {
  const int64_t now = AddressSpaceBytes();
  if (now <= 0) std::_Exit(3);
  const rlimit lim{static_cast<rlim_t>(now + (64 << 20)), static_cast<rlim_t>(now + (64 << 20))};
  if (setrlimit(RLIMIT_AS, &lim) != 0) std::_Exit(4);
  std::atomic<bool> stop{false};
  std::atomic<int> running{0};
  int started = 0;
  bool refused = false;
  {
    ThreadGroup group;
    try {
      for (int i = 0; i < 1000; ++i) {  // 8 MB stacks: the limit allows a handful
        group.Start([&] {
          running.fetch_add(1);
          while (!stop.load()) std::this_thread::yield();
          running.fetch_sub(1);
        });
        ++started;
      }
    } catch (const Error& e) {
      refused = std::string(e.what()).find("cannot start thread") != std::string::npos;
    }
    stop = true;
  }  // the group joins every thread it started
  if (!refused || started == 0 || running.load() != 0) std::_Exit(5);
  // The pool reports the same failure as an Error too.
  try {
    ThreadPool pool(1000);
    std::_Exit(6);
  } catch (const Error&) {
  }
  std::_Exit(0);
}

TEST(ThreadGroupDeathTest, FailedThreadStartIsAnErrorAndStartedThreadsAreJoined) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(StartTooManyThreadsUnderAddressSpaceLimit(), ::testing::ExitedWithCode(0), "");
}
#endif

}  // namespace
}  // namespace potacc
