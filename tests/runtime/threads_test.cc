// One inference split over threads, and eval's thread budget: outputs do not
// depend on the thread count or the kernel variant, and a thread that cannot
// start is an Error (hostile input #3), never std::terminate.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "potacc/error.h"
#include "potacc/io/dataset.h"
#include "potacc/kernels/gemm.h"
#include "potacc/runtime/evaluate.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/generators.h"

namespace potacc {
namespace {

// A deterministic pseudo-random input for input 0.
std::vector<uint8_t> RandomInput(const Interpreter& interp, uint32_t seed) {
  const Tensor& t = interp.tensor(interp.input_tensor(0));
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(static_cast<size_t>(t.num_elements() * DataTypeSize(t.type)));
  if (t.type == DataType::kFloat32) {
    auto* f = reinterpret_cast<float*>(bytes.data());
    for (int64_t i = 0; i < t.num_elements(); ++i) f[i] = std::uniform_real_distribution<float>(-1, 1)(rng);
  } else {
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  }
  return bytes;
}

std::vector<uint8_t> Infer(const Model& model, kernels::Isa isa, int threads, uint32_t seed) {
  Interpreter interp(model);
  interp.SetIsa(isa);
  interp.SetThreads(threads);
  interp.Prepare();
  EXPECT_EQ(interp.threads(), threads);
  interp.SetInput(0, RandomInput(interp, seed));
  interp.Invoke();
  const auto out = interp.Output(0);
  return {out.begin(), out.end()};
}

TEST(InterpreterThreadsTest, OutputsIdenticalForAnyThreadCountAndIsa) {
  const std::map<std::string, std::string> small_mbv2 = {{"resolution", "64"}, {"classes", "10"}};
  for (const char* name : {"cnn", "mobilenetv2"}) {
    const Model model = Generate(name, 3, name == std::string("mobilenetv2") ? small_mbv2
                                                                             : std::map<std::string, std::string>{});
    const auto expect = Infer(model, kernels::Isa::kPortable, 1, 11);
    for (kernels::Isa isa : kernels::SupportedIsas()) {
      for (int threads : {1, 2, 3, 5}) {
        EXPECT_EQ(Infer(model, isa, threads, 11), expect) << name << " " << kernels::IsaName(isa) << " x" << threads;
      }
    }
  }
}

TEST(InterpreterThreadsTest, RejectsBadSettings) {
  const Model model = Generate("cnn", 1);
  Interpreter interp(model);
  EXPECT_THROW(interp.SetThreads(0), Error);
  interp.Prepare();
  EXPECT_THROW(interp.SetIsa(kernels::Isa::kPortable), Error);  // after Prepare: weights already packed
}

// A labelled in-memory set of random images.
class RandomImages : public io::Dataset {
 public:
  RandomImages(size_t n, int h, int w) : n_(n), h_(h), w_(w) {}
  size_t size() const override { return n_; }
  io::Sample Get(size_t i) const override {
    std::mt19937 rng(static_cast<uint32_t>(i));
    io::Sample s;
    s.pixels.resize(static_cast<size_t>(h_ * w_ * 3));
    for (auto& p : s.pixels) p = static_cast<uint8_t>(rng());
    s.label = static_cast<int>(i % 10);
    s.name = "#" + std::to_string(i);
    return s;
  }
  std::string Describe() const override { return "random images"; }

 private:
  size_t n_;
  int h_, w_;
};

TEST(EvaluateThreadsTest, PredictionsIdenticalForAnyThreadBudget) {
  const Model model = Generate("cnn", 5);
  const Tensor& in = model.main().tensors.at(model.main().inputs[0]);
  const RandomImages data(9, in.shape[1], in.shape[2]);
  EvalOptions opt;
  opt.progress = {};
  opt.threads = 1;
  const EvalResult one = Evaluate(model, data, opt);
  for (int threads : {2, 4, 20}) {  // 20 > images: one image per worker, 2 threads each
    opt.threads = threads;
    EXPECT_EQ(Evaluate(model, data, opt).predictions, one.predictions) << threads;
  }
  opt.limit = 1;  // a single image: every thread splits that inference
  opt.threads = 3;
  EXPECT_EQ(Evaluate(model, data, opt).predictions[0], one.predictions[0]);
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
int64_t AddressSpaceBytes() {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == "VmSize:") {
      int64_t kb = 0;
      f >> kb;
      return kb * 1024;
    }
    std::getline(f, key);
  }
  return 0;
}

// Hostile input #3 at the library level: eval with far more threads than an
// address-space limit allows. Evaluate either succeeds or throws Error; an
// uncaught thread failure would std::terminate (SIGABRT) the child.
void EvaluateManyThreadsUnderLimit() {
  const Model model = Generate("cnn", 5);
  const Tensor& in = model.main().tensors.at(model.main().inputs[0]);
  const RandomImages data(300, in.shape[1], in.shape[2]);
  const int64_t now = AddressSpaceBytes();
  const rlimit lim{static_cast<rlim_t>(now + (96 << 20)), static_cast<rlim_t>(now + (96 << 20))};
  if (now <= 0 || setrlimit(RLIMIT_AS, &lim) != 0) std::_Exit(3);
  EvalOptions opt;
  opt.progress = {};
  opt.threads = 300;
  try {
    Evaluate(model, data, opt);
    std::_Exit(1);  // 300 threads of 8 MB stacks cannot fit in 96 MB
  } catch (const Error& e) {
    std::_Exit(std::string(e.what()).find("cannot start thread") != std::string::npos ? 0 : 2);
  }
}

TEST(EvaluateThreadsDeathTest, ThreadStartFailureIsAnError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(EvaluateManyThreadsUnderLimit(), ::testing::ExitedWithCode(0), "");
}
#endif

}  // namespace
}  // namespace potacc
