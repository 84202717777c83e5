#include "potacc/util/thread_pool.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
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

// More tasks than one loop's cursor holds (2^20 - 1) still run exactly once.
TEST(ThreadPoolTest, MoreTasksThanACursorHolds) {
  ThreadPool pool(2);
  const int64_t tasks = (int64_t{1} << 21) + 3;
  std::vector<uint8_t> hits(static_cast<size_t>(tasks), 0);  // disjoint writes
  pool.ParallelFor(tasks, [&](int64_t i) { ++hits[static_cast<size_t>(i)]; });
  EXPECT_EQ(std::count(hits.begin(), hits.end(), uint8_t{1}), tasks);
}

// Thread k starts with the k-th block of the tasks: the worker's first task
// is 2 (the start of its block [2, 4)), never one of the caller's block. (The
// caller waits in task 0 until the worker has begun; if the caller is
// descheduled first, the worker may finish its block and then take tasks 0
// and 1 too, which is allowed.)
TEST(ThreadPoolTest, EachThreadStartsWithItsOwnBlock) {
  ThreadPool pool(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::thread::id> ran_on(4);
  std::vector<int64_t> worker_order;
  std::mutex mu;
  std::atomic<bool> worker_started{false};
  pool.ParallelFor(4, [&](int64_t i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      ran_on[static_cast<size_t>(i)] = std::this_thread::get_id();
      if (std::this_thread::get_id() != caller) worker_order.push_back(i);
    }
    if (std::this_thread::get_id() != caller) worker_started = true;
    if (i == 0) {  // hold the caller until the worker has begun (10 s at most)
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!worker_started && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    }
  });
  ASSERT_TRUE(worker_started.load());
  ASSERT_FALSE(worker_order.empty());
  EXPECT_EQ(worker_order.front(), 2);
  EXPECT_NE(ran_on[2], caller);
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
