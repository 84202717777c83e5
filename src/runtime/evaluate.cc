#include "potacc/runtime/evaluate.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

#include "potacc/error.h"
#include "potacc/io/outputs.h"
#include "potacc/util/progress.h"
#include "potacc/util/thread_pool.h"

namespace potacc {

EvalResult Evaluate(const Model& model, const io::Dataset& data, const EvalOptions& options) {
  const size_t n = options.limit ? std::min(options.limit, data.size()) : data.size();
  Check(n > 0, "dataset is empty");
  Check(options.threads >= 1, "threads must be at least 1, got " + std::to_string(options.threads));
  EvalResult result;
  result.count = n;
  result.predictions.assign(n, -1);
  std::vector<uint8_t> hit1(n, 0), hit5(n, 0);
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  const auto start = std::chrono::steady_clock::now();
  // Batch-level parallelism first (independent images share nothing); the
  // threads left over split each inference.
  const int workers = static_cast<int>(std::min<size_t>(static_cast<size_t>(options.threads), n));
  const int per_inference = std::max(1, options.threads / workers);

  auto worker = [&]() {
    try {
      Interpreter interp(model);
      interp.SetIsa(options.isa);
      interp.SetThreads(per_inference);
      if (options.configure) options.configure(interp);
      interp.Prepare();
      const Tensor& in = interp.tensor(interp.input_tensor(0));
      const Tensor& out = interp.tensor(interp.output_tensor(0));
      for (size_t i = next++; i < n; i = next++) {
        const io::Sample s = data.Get(i);
        interp.SetInput(0, io::PixelsToInput(in, s.pixels, options.preprocess));
        interp.Invoke();
        const auto scores = io::Dequantize(out, interp.Output(0));
        Check(s.label >= 0 && static_cast<size_t>(s.label) < scores.size(),
              "label " + std::to_string(s.label) + " of " + s.name + " is outside the model's " +
                  std::to_string(scores.size()) + " classes (check the labels, or --label-offset)");
        const auto top = io::TopK(scores, 5);
        result.predictions[i] = top[0].first;
        hit1[i] = top[0].first == s.label;
        hit5[i] = std::any_of(top.begin(), top.end(), [&](auto& p) { return p.first == s.label; });
        ++done;
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
      next = n;  // stop the other workers
    }
  };

  {
    ThreadGroup group;  // joins every worker it started, also when a start fails
    try {
      for (int t = options.progress ? 0 : 1; t < workers; ++t) group.Start(worker);
    } catch (const Error& e) {
      next = n;  // the workers already started stop after their image
      throw Error(std::string("eval: ") + e.what() + " (of " + std::to_string(workers) +
                  " workers; use fewer --threads)");
    }
    if (options.progress) {
      while (done < n && !failed) {
        ReportProgress(options.progress, "eval", static_cast<int64_t>(done.load()), static_cast<int64_t>(n));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    } else {
      worker();
    }
  }
  if (error) std::rethrow_exception(error);
  ReportProgress(options.progress, "eval", static_cast<int64_t>(n), static_cast<int64_t>(n));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (size_t i = 0; i < n; ++i) {
    result.top1 += hit1[i];
    result.top5 += hit5[i];
  }
  return result;
}

std::string FormatAccuracy(const EvalResult& r) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "top1=%.4f (%zu/%zu) top5=%.4f (%zu/%zu)", r.top1_accuracy(), r.top1,
                r.count, r.top5_accuracy(), r.top5, r.count);
  return buf;
}

}  // namespace potacc
