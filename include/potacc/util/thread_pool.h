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
  // returns when all calls are done. Which thread runs which task varies; the
  // tasks must write disjoint outputs. The calling thread takes tasks too and
  // never waits for a worker that has not claimed one (on a busy machine a
  // worker may not run for a while). The first exception thrown by a task is
  // rethrown here (the tasks after it are skipped). Not reentrant: one
  // caller at a time.
  void ParallelFor(int64_t tasks, const std::function<void(int64_t)>& fn);

 private:
  void WorkerLoop();
  void RunTasks(uint32_t generation);
  void Shutdown();

  int workers_ = 0;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;                   // guarded by mu_
  std::atomic<uint32_t> generation_{0};  // bumped (under mu_) for each ParallelFor
  // (generation << 32) | next task: a worker claims a task only if the
  // generation is still the one it woke up for.
  std::atomic<uint64_t> next_{0};
  std::atomic<int64_t> tasks_{0};
  std::atomic<int64_t> done_{0};        // tasks finished (or skipped) in this generation
  std::atomic<const std::function<void(int64_t)>*> fn_{nullptr};
  std::atomic<bool> failed_{false};
  std::mutex error_mu_;
  std::exception_ptr error_;
  ThreadGroup group_;
};

}  // namespace potacc
