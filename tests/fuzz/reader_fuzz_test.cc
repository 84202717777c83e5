// Seeded corruption loop over the TFLite reader: bit flips, byte overwrites,
// truncations, splices and semantic edits of real (when present) and
// generated models. ReadModel must either return a model or throw
// potacc::Error -- never crash, hang or throw anything else (run under
// ASan/UBSan in CI). Accepted models must also survive DescribeModel and a
// write/read round trip. Each case runs a fixed number of mutations (the same
// ones on every run and machine: a slow or loaded machine takes longer, it
// does not test less); POTACC_FUZZ_SCALE multiplies the counts and
// POTACC_FUZZ_SEED shifts the seeds for longer or different campaigns.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "potacc/error.h"
#include "potacc/tflite/basic_models.h"
#include "potacc/tflite/model_builder.h"
#include "potacc/tflite/model_info.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }

 private:
  uint64_t s_;
};

// Soak runs: POTACC_FUZZ_SCALE=20 runs each case 20x longer, POTACC_FUZZ_SEED
// shifts the seeds (the default run is fixed and short).
// `count` scaled by POTACC_FUZZ_SCALE (at least 1).
int Scaled(int count) {
  const char* v = std::getenv("POTACC_FUZZ_SCALE");
  const double scale = v != nullptr ? std::clamp(std::atof(v), 0.01, 1000.0) : 1.0;
  return std::max(1, static_cast<int>(count * scale));
}
uint64_t SeedShift() {
  const char* v = std::getenv("POTACC_FUZZ_SEED");
  return v != nullptr ? std::strtoull(v, nullptr, 10) * 1000003ull : 0;
}

struct Stats {
  int accepted = 0, rejected = 0;
};

// The property under test. Returns normally or fails the test.
void CheckOne(const std::vector<uint8_t>& bytes, Stats& stats, const std::string& what) {
  try {
    const Model m = ReadModel(bytes, "fuzz");
    ++stats.accepted;
    (void)DescribeModel(m);
    const Model again = ReadModel(WriteModel(m), "fuzz-rewrite");
    if (!(again == m)) {
      std::string detail;
      if (again.operator_codes != m.operator_codes) detail += " operator_codes";
      if (again.buffers != m.buffers) detail += " buffers";
      if (again.metadata != m.metadata) detail += " metadata";
      if (again.subgraphs.size() == m.subgraphs.size()) {
        for (size_t i = 0; i < m.subgraphs.size(); ++i) {
          if (again.subgraphs[i].tensors != m.subgraphs[i].tensors) detail += " tensors";
          const auto& a = again.subgraphs[i].operators;
          const auto& b = m.subgraphs[i].operators;
          for (size_t k = 0; k < std::min(a.size(), b.size()); ++k) {
            if (a[k] == b[k]) continue;
            detail += " operator " + std::to_string(k) + " (" + BuiltinOpName(b[k].builtin) + ")";
            if (a[k].options != b[k].options) detail += " options";
          }
        }
      }
      FAIL() << what << ": accepted model does not round-trip (differs in" << detail << ")";
    }
  } catch (const Error&) {
    ++stats.rejected;
  } catch (const std::exception& e) {
    FAIL() << what << ": non-potacc exception " << typeid(e).name() << ": " << e.what();
  }
}

// Values that tend to break offset arithmetic.
constexpr uint32_t kInteresting[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                                     0xffffffff, 4, 8, 16};

std::vector<uint8_t> Mutate(const std::vector<uint8_t>& in, Rng& rng) {
  std::vector<uint8_t> b = in;
  if (b.empty()) return b;
  const int rounds = 1 + static_cast<int>(rng.Below(4));
  for (int r = 0; r < rounds; ++r) {
    switch (rng.Below(6)) {
      case 0:  // bit flip
        b[rng.Below(b.size())] ^= static_cast<uint8_t>(1u << rng.Below(8));
        break;
      case 1:  // random byte
        b[rng.Below(b.size())] = static_cast<uint8_t>(rng.Next());
        break;
      case 2: {  // interesting 32-bit value at an aligned position (offsets, lengths)
        if (b.size() < 8) break;
        const size_t pos = rng.Below(b.size() / 4) * 4;
        const uint32_t v = kInteresting[rng.Below(std::size(kInteresting))];
        std::memcpy(&b[pos], &v, std::min<size_t>(4, b.size() - pos));
        break;
      }
      case 3:  // truncate
        b.resize(rng.Below(b.size() + 1));
        break;
      case 4: {  // copy a chunk over another place (duplicates plausible structures)
        if (b.size() < 16) break;
        const size_t len = 1 + rng.Below(std::min<size_t>(64, b.size() / 2));
        const size_t from = rng.Below(b.size() - len), to = rng.Below(b.size() - len);
        std::memmove(&b[to], &b[from], len);
        break;
      }
      default: {  // small integer tweak (vector lengths, indices)
        const size_t pos = rng.Below(b.size());
        b[pos] = static_cast<uint8_t>(b[pos] + static_cast<int>(rng.Below(5)) - 2);
        break;
      }
    }
  }
  return b;
}

// Mutates within the flatbuffer's *structure-preserving* space: the file stays
// verifiable but indices, shapes and quantization become hostile.
Model MutateModel(const Model& in, Rng& rng) {
  Model m = in;
  Subgraph& sg = m.main();
  const int32_t wild[] = {-2, -1, 0, 1, 3, 255, 1 << 16, 1 << 30, 0x7fffffff};
  auto pick = [&] { return wild[rng.Below(std::size(wild))]; };
  switch (rng.Below(8)) {
    case 0:
      if (!sg.operators.empty()) {
        auto& op = sg.operators[rng.Below(sg.operators.size())];
        if (!op.inputs.empty()) op.inputs[rng.Below(op.inputs.size())] = pick();
      }
      break;
    case 1:
      if (!sg.tensors.empty()) {
        auto& t = sg.tensors[rng.Below(sg.tensors.size())];
        if (!t.shape.empty()) t.shape[rng.Below(t.shape.size())] = pick();
      }
      break;
    case 2:
      if (!sg.tensors.empty()) sg.tensors[rng.Below(sg.tensors.size())].buffer = static_cast<uint32_t>(pick());
      break;
    case 3:
      if (!sg.tensors.empty()) {
        auto& q = sg.tensors[rng.Below(sg.tensors.size())].quant;
        q.quantized_dimension = pick();
        if (rng.Below(2) && !q.scale.empty()) q.scale.pop_back();
      }
      break;
    case 4:
      if (!sg.operators.empty()) {
        auto& o = sg.operators[rng.Below(sg.operators.size())].options;
        o.stride_w = pick();
        o.filter_h = pick();
        o.values_count = pick();
      }
      break;
    case 5:
      if (!sg.operators.empty()) sg.operators[rng.Below(sg.operators.size())].opcode_index = static_cast<uint32_t>(pick());
      break;
    case 6:
      if (!m.buffers.empty()) {
        auto& d = m.buffers[rng.Below(m.buffers.size())].data;
        d.resize(rng.Below(d.size() + 3));
      }
      break;
    default:
      if (!sg.operators.empty()) {
        auto& op = sg.operators[rng.Below(sg.operators.size())];
        op.outputs.push_back(pick());
      }
      break;
  }
  return m;
}

void FuzzBytes(const std::vector<uint8_t>& seed_bytes, uint64_t seed, int count, const std::string& name) {
  Rng rng(seed + SeedShift());
  const int iterations = Scaled(count);
  Stats stats;
  for (int i = 0; i < iterations; ++i) {
    const auto mutated = Mutate(seed_bytes, rng);
    CheckOne(mutated, stats, name + " iteration " + std::to_string(i));
    if (::testing::Test::HasFatalFailure() || ::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(stats.rejected, 0) << name << ": no mutation was rejected?";
  std::printf("[fuzz] %s: %d mutations, %d accepted, %d rejected\n", name.c_str(), iterations, stats.accepted,
              stats.rejected);
}

void FuzzModel(const Model& model, uint64_t seed, int count, const std::string& name) {
  Rng rng(seed + SeedShift());
  const int iterations = Scaled(count);
  Stats stats;
  for (int i = 0; i < iterations; ++i) {
    Model m = MutateModel(model, rng);
    if (rng.Below(2)) m = MutateModel(m, rng);
    CheckOne(WriteModel(m), stats, name + " semantic iteration " + std::to_string(i));
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(stats.rejected, 0) << name;
  std::printf("[fuzz] %s (semantic): %d mutations, %d accepted, %d rejected\n", name.c_str(), iterations,
              stats.accepted, stats.rejected);
}

TEST(ReaderFuzz, GeneratedModelsBytes) {
  FuzzBytes(WriteModel(MakeSmallCnn(1)), 1, 3000, "cnn");
  ConvModelSpec s;
  s.h = s.w = 4;
  s.cin = 2;
  s.cout = 2;
  FuzzBytes(WriteModel(MakeConvModel(s, 2)), 2, 1500, "conv");
}

TEST(ReaderFuzz, GeneratedModelsSemantic) {
  ModelBuilder b(9);
  const int x = b.FloatInput({1, 8, 8, 3});
  int y = b.Conv2D(x, {.out_channels = 4, .kernel = 3, .activation = Activation::kRelu});
  y = b.Pad(y, {{{0, 0}, {1, 1}, {1, 1}, {0, 0}}});
  y = b.DepthwiseConv2D(y, {.kernel = 3, .padding = Padding::kValid});
  y = b.Concatenation({y, y}, 3);
  y = b.Mean(y, {1, 2});
  y = b.Reshape(y, {1, 8});
  y = b.Softmax(b.FullyConnected(y, {.out_features = 3}));
  b.FloatOutput(y);
  FuzzModel(b.Build(), 3, 2000, "mixed");
}

TEST(ReaderFuzz, RealModels) {
  const char* const models[] = {"models/mlperf_tiny/pretrainedResnet_quant.tflite",
                                "models/potacc/potaccQK_mbv2_4bit.tflite",
                                "models/potacc/potacc_benchmark_mobilenetv2.tflite"};
  for (const char* rel : models) POTACC_REQUIRE_DATA(rel);
  uint64_t seed = 100;
  for (const char* rel : models) {
    const auto bytes = ReadFileBytes(testing::DataPath(rel).string());
    // Large files: each iteration copies the file, so fewer iterations.
    FuzzBytes(bytes, seed++, 24, rel);
    if (HasFailure()) return;
  }
  FuzzModel(LoadModel(testing::DataPath(models[0]).string()), seed, 24, models[0]);
}

}  // namespace
}  // namespace potacc
