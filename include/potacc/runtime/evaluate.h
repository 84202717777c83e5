// Top-1 / top-5 accuracy of a classifier over a Dataset.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "potacc/io/dataset.h"
#include "potacc/io/preprocess.h"
#include "potacc/model.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/util/progress.h"

namespace potacc {

struct EvalOptions {
  io::Preprocess preprocess;
  size_t limit = 0;   // 0 = whole dataset
  // Threads in total: the images are shared by min(threads, images)
  // interpreters, each splitting its inferences over threads / interpreters
  // threads. Results do not depend on it.
  int threads = 1;
  kernels::Isa isa = kernels::BestIsa();
  ProgressCallback progress;  // reported from the calling thread while workers run
  // Called on each fresh interpreter before Prepare (e.g. to delegate nodes).
  std::function<void(Interpreter&)> configure;
};

struct EvalResult {
  size_t count = 0;
  size_t top1 = 0;
  size_t top5 = 0;
  double seconds = 0;
  std::vector<int> predictions;  // top-1 class per image
  double top1_accuracy() const { return count ? static_cast<double>(top1) / count : 0.0; }
  double top5_accuracy() const { return count ? static_cast<double>(top5) / count : 0.0; }
};

EvalResult Evaluate(const Model& model, const io::Dataset& data, const EvalOptions& options);

// "top1=0.9290 (929/1000) top5=0.9970 (997/1000)"
std::string FormatAccuracy(const EvalResult& r);

}  // namespace potacc
