#include "potacc/util/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <system_error>

#include "potacc/error.h"

namespace potacc {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// How long an idle worker keeps polling for the next loop before it sleeps:
// the layers of one inference follow each other within microseconds, and a
// wake-up through the kernel costs tens of them.
constexpr auto kSpin = std::chrono::microseconds(300);

}  // namespace

int HardwareThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void ThreadGroup::Start(std::function<void()> fn) {
  try {
    threads_.emplace_back(std::move(fn));
  } catch (const std::system_error& e) {
    throw Error("cannot start thread " + std::to_string(threads_.size() + 1) + ": " + e.what());
  }
}

void ThreadGroup::JoinAll() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

ThreadPool::ThreadPool(int threads) {
  Check(threads >= 1, "thread count must be at least 1, got " + std::to_string(threads));
  cursors_ = std::make_unique<Cursor[]>(static_cast<size_t>(threads));
  try {
    for (int i = 1; i < threads; ++i) {
      group_.Start([this, i] { WorkerLoop(i); });
      ++workers_;
    }
  } catch (...) {
    Shutdown();
    throw;
  }
}

ThreadPool::~ThreadPool() { Shutdown(); }

void ThreadPool::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  group_.JoinAll();
}

namespace {

constexpr uint64_t kGenerationMask = (uint64_t{1} << 24) - 1;
constexpr uint64_t kIndexMask = (uint64_t{1} << 20) - 1;

uint64_t CursorWord(uint32_t generation, int64_t end, int64_t next) {
  return ((generation & kGenerationMask) << 40) | (static_cast<uint64_t>(end) << 20) | static_cast<uint64_t>(next);
}

}  // namespace

void ThreadPool::RunTasks(uint32_t generation, int self) {
  const int threads = size();
  for (int step = 0; step < threads; ++step) {
    Cursor& cursor = cursors_[static_cast<size_t>((self + step) % threads)];
    uint64_t v = cursor.word.load(std::memory_order_acquire);
    for (;;) {
      if ((v >> 40) != (generation & kGenerationMask)) return;  // a later loop already
      const int64_t task = static_cast<int64_t>(v & kIndexMask);
      if (task >= static_cast<int64_t>((v >> 20) & kIndexMask)) break;  // block done: help the next
      if (!cursor.word.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) continue;
      // Claimed: the caller waits for this task, so fn_ stays put.
      if (!failed_.load(std::memory_order_relaxed)) {
        try {
          (*fn_.load(std::memory_order_relaxed))(task);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mu_);
          if (!error_) error_ = std::current_exception();
          failed_ = true;
        }
      }
      done_.fetch_add(1, std::memory_order_acq_rel);
      v = cursor.word.load(std::memory_order_acquire);
    }
  }
}

void ThreadPool::WorkerLoop(int self) {
  uint32_t seen = 0;
  for (;;) {
    const auto spin_end = std::chrono::steady_clock::now() + kSpin;
    int polls = 0;
    while (generation_.load(std::memory_order_acquire) == seen) {
      CpuRelax();
      if (++polls % 64 == 0 && std::chrono::steady_clock::now() > spin_end) break;
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
      if (stop_) return;
      seen = generation_.load(std::memory_order_acquire);
    }
    RunTasks(seen, self);
  }
}

void ThreadPool::ParallelFor(int64_t tasks, const std::function<void(int64_t)>& fn) {
  if (tasks <= 0) return;
  if (workers_ == 0 || tasks == 1) {
    for (int64_t i = 0; i < tasks; ++i) fn(i);
    return;
  }
  if (tasks > kMaxTasks) {  // more than a cursor holds: contiguous groups of tasks
    const int64_t per = (tasks + kMaxTasks - 1) / kMaxTasks;
    ParallelFor((tasks + per - 1) / per, [&](int64_t g) {
      for (int64_t i = g * per; i < std::min(tasks, (g + 1) * per); ++i) fn(i);
    });
    return;
  }
  const uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
  fn_.store(&fn, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  error_ = nullptr;
  const int threads = size();
  for (int k = 0; k < threads; ++k) {
    cursors_[static_cast<size_t>(k)].word.store(
        CursorWord(generation, tasks * (k + 1) / threads, tasks * k / threads), std::memory_order_release);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation_.store(generation, std::memory_order_release);
  }
  wake_.notify_all();
  RunTasks(generation, 0);
  // Only tasks claimed by workers remain: wait for those.
  int polls = 0;
  while (done_.load(std::memory_order_acquire) < tasks) {
    CpuRelax();
    if (++polls % 256 == 0) std::this_thread::yield();  // the worker may have been descheduled
  }
  if (error_) std::rethrow_exception(error_);
}

}  // namespace potacc
