// Evaluate: progress is reported through the callback, on the calling thread,
// while worker threads run the images (no drawing from library threads).
#include "potacc/runtime/evaluate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "potacc/error.h"
#include "potacc/tflite/model_builder.h"

namespace potacc {
namespace {

class FixedImages : public io::Dataset {
 public:
  FixedImages(size_t n, int label) : n_(n), label_(label) {}
  size_t size() const override { return n_; }
  io::Sample Get(size_t i) const override {
    io::Sample s;
    s.pixels.assign(4 * 4 * 3, static_cast<uint8_t>(i * 13));
    s.label = label_;
    s.name = "#" + std::to_string(i);
    return s;
  }
  std::string Describe() const override { return "fixed"; }

 private:
  size_t n_;
  int label_;
};

Model Classifier() {
  ModelBuilder b(7);
  int x = b.Input({1, 4, 4, 3});
  x = b.Reshape(x, {1, 48});
  b.Output(b.FullyConnected(x, {.out_features = 10}));
  return b.Build();
}

TEST(Evaluate, ReportsProgressOnTheCallingThread) {
  const Model model = Classifier();
  const FixedImages data(200, 3);
  EvalOptions opt;
  opt.threads = 3;
  const auto caller = std::this_thread::get_id();
  std::set<std::thread::id> reporters;
  std::vector<int64_t> done;
  opt.progress = [&](const Progress& p) {
    reporters.insert(std::this_thread::get_id());
    EXPECT_EQ(p.task, "eval");
    EXPECT_EQ(p.total, 200);
    done.push_back(p.done);
  };
  const EvalResult r = Evaluate(model, data, opt);
  EXPECT_EQ(r.count, 200u);
  EXPECT_EQ(reporters, std::set<std::thread::id>{caller});
  ASSERT_FALSE(done.empty());
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
  EXPECT_EQ(done.back(), 200);
  // Without a callback the same result, computed on this thread and the pool.
  EvalOptions quiet = opt;
  quiet.progress = {};
  const EvalResult q = Evaluate(model, data, quiet);
  EXPECT_EQ(q.predictions, r.predictions);
}

TEST(Evaluate, AWorkerErrorStopsTheRunAndIsRethrown) {
  const Model model = Classifier();
  const FixedImages data(50, 12);  // label 12 of a 10-class model
  EvalOptions opt;
  opt.threads = 2;
  int reports = 0;
  opt.progress = [&](const Progress&) { ++reports; };
  EXPECT_THROW(Evaluate(model, data, opt), Error);
}

}  // namespace
}  // namespace potacc
