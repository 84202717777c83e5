// Threads for two kinds of parallelism: ThreadGroup starts independent
// workers (eval's one interpreter per thread), ThreadPool splits one loop
// (the rows or channels of a layer) across a fixed set of threads.
//
// Starting a thread can fail (address-space or process limits): both report
// that as potacc::Error after joining every thread they started, never by
// std::terminate.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace potacc {

// The processor count the OS reports (at least 1).
int HardwareThreads();

// Threads that are joined on destruction (or by JoinAll).
class ThreadGroup {
 public:
  ThreadGroup() = default;
  ThreadGroup(const ThreadGroup&) = delete;
  ThreadGroup& operator=(const ThreadGroup&) = delete;
  ~ThreadGroup() { JoinAll(); }

  // Runs fn on a new thread. Throws Error when the system refuses the thread;
  // the threads already started keep running (the caller stops them, then
  // joins them with JoinAll or the destructor).
  void Start(std::function<void()> fn);
  void JoinAll();
  int size() const { return static_cast<int>(threads_.size()); }

 private:
  std::vector<std::thread> threads_;
};

class ThreadPool {
 public:
  // `threads` in total: the calling thread plus threads - 1 workers. Throws
  // Error (after joining the workers already started) when one cannot start.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return workers_ + 1; }

  // Calls fn(i) once for every i in [0, tasks), spread over the threads, and
  // returns when all calls are done. The tasks must write disjoint outputs.
  // Thread k (the caller is 0) first takes the k-th contiguous block of the
  // tasks in order, then helps with the others' blocks: consecutive loops
  // split alike (a layer's rows, then the next layer's) keep their data in
  // the same core's cache, and a thread that is late or descheduled (a busy
  // machine) never holds up the rest. The caller never waits for a worker
  // that has not claimed a task. The first exception thrown by a task is
  // rethrown here (the tasks after it are skipped). Not reentrant: one
  // caller at a time.
  void ParallelFor(int64_t tasks, const std::function<void(int64_t)>& fn);

 private:
  // One thread's block of the current loop in one word, so that a claim (a
  // compare-and-swap) succeeds only for a task of the generation the
  // claiming thread woke up for: generation (24 bits) | end (20) | next (20).
  struct alignas(64) Cursor {
    std::atomic<uint64_t> word{0};
  };
  static constexpr int64_t kMaxTasks = (int64_t{1} << 20) - 1;

  void WorkerLoop(int self);
  void RunTasks(uint32_t generation, int self);
  void Shutdown();

  int workers_ = 0;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;                   // guarded by mu_
  std::atomic<uint32_t> generation_{0};  // bumped (under mu_) for each ParallelFor
  std::unique_ptr<Cursor[]> cursors_;   // one per thread (workers_ + 1)
  std::atomic<int64_t> done_{0};        // tasks finished (or skipped) in this generation
  std::atomic<const std::function<void(int64_t)>*> fn_{nullptr};
  std::atomic<bool> failed_{false};
  std::mutex error_mu_;
  std::exception_ptr error_;
  ThreadGroup group_;
};

}  // namespace potacc
