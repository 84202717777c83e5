// Whole-model bit-exactness against an independent runtime: TFLite Micro's
// reference kernels (shared/data/reference_outputs/tflm_reference). Every
// output byte must match. Also checks the top-1 figures of shared/data/README.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "potacc/io/outputs.h"
#include "potacc/io/preprocess.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/reader.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

struct Case {
  const char* name;
  const char* model;
  const char* pixels;
  const char* labels;
  int label_bytes;
  io::Preprocess pre;
  const char* reference;  // under reference_outputs/tflm_reference/
  double expected_top1;   // from shared/data/README.md, on all images of the set
};

io::Preprocess MeanStd(std::array<float, 3> mean, std::array<float, 3> std) {
  io::Preprocess p;
  p.mode = io::Preprocess::Mode::kMeanStd;
  p.mean = mean;
  p.std = std;
  return p;
}
io::Preprocess Scale01() {
  io::Preprocess p;
  p.mode = io::Preprocess::Mode::kScale01;
  return p;
}

const io::Preprocess kCifar = MeanStd({0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f});
const io::Preprocess kImageNet = MeanStd({0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});

const Case kCases[] = {
    {"res20_apot", "models/potacc/potaccAPoT_res20_4bit.tflite", "cifar10/test_first1000_u8_nhwc.bin",
     "cifar10/test_first1000_labels_u8.bin", 1, kCifar,
     "cifar10_first1000__potaccAPoT_res20_4bit__f32_1000x10.bin", 0.930},
    {"mbv2_qkeras_cifar", "models/potacc/potaccQK_mbv2_4bit.tflite", "cifar10/test_first1000_u8_nhwc.bin",
     "cifar10/test_first1000_labels_u8.bin", 1, kCifar,
     "cifar10_first1000__potaccQK_mbv2_4bit__f32_1000x10.bin", 0.935},
    {"tiny_resnet", "models/mlperf_tiny/pretrainedResnet_quant.tflite", "cifar10/test_first1000_u8_nhwc.bin",
     "cifar10/test_first1000_labels_u8.bin", 1, io::Preprocess{},
     "cifar10_first1000__pretrainedResnet_quant__i8_1000x10.bin", 0.880},
    {"tiny_resnet_large", "models/mlperf_tiny/pretrainedResnet_large_int8.tflite",
     "cifar10/test_first1000_u8_nhwc.bin", "cifar10/test_first1000_labels_u8.bin", 1, io::Preprocess{},
     "cifar10_first1000__pretrainedResnet_large_int8__i8_1000x10.bin", 0.920},
    {"mbv2_apot_imagenet", "models/potacc/potaccAPoTmobilenet_v2_4bit.tflite",
     "imagenet_sample/crop224_every20th_u8_nhwc.bin", "imagenet_sample/crop224_every20th_labels_u16.bin", 2,
     kImageNet, "imagenet_crop224_every20th__potaccAPoTmobilenet_v2_4bit__f32_50x1000.bin", 0.76},
    {"mbv2_int8_imagenet", "models/potacc/potacc_benchmark_mobilenetv2.tflite",
     "imagenet_sample/crop224_every20th_u8_nhwc.bin", "imagenet_sample/crop224_every20th_labels_u16.bin", 2,
     Scale01(), "imagenet_crop224_every20th__potacc_benchmark_mobilenetv2__f32_50x1000.bin", 0.68},
};

std::vector<uint8_t> ReadBytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// POTACC_E2E_LIMIT caps the images per model (the sanitizer build uses it).
size_t ImageLimit() {
  const char* env = std::getenv("POTACC_E2E_LIMIT");
  return env ? static_cast<size_t>(std::atol(env)) : 0;
}

struct Tally {
  size_t images = 0, total = 0, mismatched_bytes = 0, mismatched_images = 0, correct = 0, golden_correct = 0;
};

// Runs the first `limit` images of c (0: all) with the given kernels and
// compares every output byte with the TFLM golden outputs.
Tally RunAgainstGolden(const Case& c, kernels::Isa isa, int threads, size_t limit) {
  const Model model = LoadModel(testing::DataPath(c.model).string());
  Interpreter interp(model);
  interp.SetIsa(isa);
  interp.SetThreads(threads);
  interp.Prepare();
  const Tensor& in = interp.tensor(interp.input_tensor(0));
  const Tensor& out = interp.tensor(interp.output_tensor(0));
  const auto pixels = ReadBytes(testing::DataPath(c.pixels));
  const auto labels = ReadBytes(testing::DataPath(c.labels));
  const auto golden =
      ReadBytes(testing::DataPath(std::string("reference_outputs/tflm_reference/") + c.reference));
  const size_t per_image = static_cast<size_t>(in.num_elements());
  const size_t out_bytes = static_cast<size_t>(out.num_elements()) * DataTypeSize(out.type);
  Tally t;
  t.total = pixels.size() / per_image;
  EXPECT_EQ(golden.size(), t.total * out_bytes);
  if (golden.size() != t.total * out_bytes) return t;
  t.images = limit == 0 ? t.total : std::min(limit, t.total);
  for (size_t i = 0; i < t.images; ++i) {
    interp.SetInput(0, io::PixelsToInput(in, {pixels.data() + i * per_image, per_image}, c.pre));
    interp.Invoke();
    const auto got = interp.Output(0);
    size_t diff = 0;
    for (size_t b = 0; b < out_bytes; ++b) diff += got[b] != golden[i * out_bytes + b];
    t.mismatched_bytes += diff;
    t.mismatched_images += diff != 0;
    const int label = c.label_bytes == 2 ? labels[2 * i] | (labels[2 * i + 1] << 8) : labels[i];
    const auto scores = io::Dequantize(out, got);
    t.correct += io::TopK(scores, 1)[0].first == label;
    const auto golden_scores = io::Dequantize(out, {golden.data() + i * out_bytes, out_bytes});
    t.golden_correct += io::TopK(golden_scores, 1)[0].first == label;
  }
  return t;
}

class ReferenceOutputs : public ::testing::TestWithParam<Case> {};

TEST_P(ReferenceOutputs, ByteExactWithTflmReferenceKernels) {
  const Case& c = GetParam();
  POTACC_REQUIRE_DATA(c.model);
  POTACC_REQUIRE_DATA(std::string("reference_outputs/tflm_reference/") + c.reference);
  const Tally t = RunAgainstGolden(c, kernels::BestIsa(), 1, ImageLimit());
  const size_t n = t.images;
  RecordProperty("mismatched_bytes", static_cast<int>(t.mismatched_bytes));
  EXPECT_EQ(t.mismatched_bytes, 0u) << c.name << ": " << t.mismatched_images << " of " << n
                                    << " images differ from the TFLM reference";
  EXPECT_EQ(t.correct, t.golden_correct) << c.name;
  if (n == t.total) {  // the golden outputs reproduce the README's figure, and so do we
    EXPECT_NEAR(static_cast<double>(t.golden_correct) / n, c.expected_top1, 1e-9) << c.name;
    EXPECT_NEAR(static_cast<double>(t.correct) / n, c.expected_top1, 1e-9)
        << c.name << ": top-1 " << t.correct << "/" << n;
  }
}

// Every other kernel variant this CPU runs, and one inference split over 3
// threads, on the first images: byte-identical to the golden outputs too.
TEST_P(ReferenceOutputs, EveryIsaAndThreadCountOnFirstImages) {
  const Case& c = GetParam();
  POTACC_REQUIRE_DATA(c.model);
  POTACC_REQUIRE_DATA(std::string("reference_outputs/tflm_reference/") + c.reference);
  size_t limit = std::string(c.pixels).find("imagenet") != std::string::npos ? 3 : 20;
  if (ImageLimit() > 0) limit = std::min(limit, ImageLimit());
  for (kernels::Isa isa : kernels::SupportedIsas()) {
    for (int threads : {1, 3}) {
      if (isa == kernels::BestIsa() && threads == 1) continue;  // the test above
      const Tally t = RunAgainstGolden(c, isa, threads, limit);
      EXPECT_EQ(t.mismatched_bytes, 0u) << c.name << " on " << kernels::IsaName(isa) << " with " << threads
                                        << " threads: " << t.mismatched_images << " of " << t.images
                                        << " images differ";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ReferenceOutputs, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace potacc
