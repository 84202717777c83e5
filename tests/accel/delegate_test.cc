// Delegation decisions and whole-model runs: accelerated nodes must produce
// exactly the CPU reference's outputs (TFLite rounding), on a model built
// here (strided / dilated / padded convolutions, FC) and on the shared models.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <sstream>

#include "potacc/accel/delegate.h"
#include "potacc/accel/diff.h"
#include "potacc/accel/report.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/reader.h"
#include "support/data_dir.h"

namespace potacc::accel {
namespace {

class ModelBuilder {
 public:
  ModelBuilder() {
    m_.subgraphs.resize(1);
    m_.buffers.resize(1);  // buffer 0: empty sentinel
  }
  int Tensor(std::vector<int32_t> shape, DataType type, float scale, int64_t zp, const std::vector<uint8_t>& data = {},
             std::vector<float> scales = {}) {
    potacc::Tensor t;
    t.name = "t" + std::to_string(m_.main().tensors.size());
    t.type = type;
    t.shape = std::move(shape);
    if (scale > 0 || !scales.empty()) {
      t.quant.scale = scales.empty() ? std::vector<float>{scale} : scales;
      t.quant.zero_point.assign(t.quant.scale.size(), zp);
    }
    if (!data.empty()) {
      t.buffer = static_cast<uint32_t>(m_.buffers.size());
      m_.buffers.push_back({data});
    }
    m_.main().tensors.push_back(t);
    return static_cast<int>(m_.main().tensors.size()) - 1;
  }
  void Op(BuiltinOp op, std::vector<int32_t> in, std::vector<int32_t> out, OpOptions o = {}) {
    uint32_t code = 0;
    for (; code < m_.operator_codes.size(); ++code)
      if (m_.operator_codes[code].builtin == static_cast<int32_t>(op)) break;
    if (code == m_.operator_codes.size()) m_.operator_codes.push_back({static_cast<int32_t>(op), "", 1});
    Operator x;
    x.opcode_index = code;
    x.builtin = static_cast<int32_t>(op);
    x.inputs = std::move(in);
    x.outputs = std::move(out);
    o.has_options = true;
    x.options = o;
    m_.main().operators.push_back(x);
  }
  Model Done(int input, int output) {
    m_.main().inputs = {input};
    m_.main().outputs = {output};
    return m_;
  }

 private:
  Model m_;
};

std::vector<uint8_t> Bytes(const std::vector<int8_t>& v) { return {v.begin(), v.end()}; }
std::vector<uint8_t> Bytes(const std::vector<int32_t>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<int8_t> GridWeights(const quant::Method& m, size_t count, std::mt19937& rng) {
  std::vector<int> levels;
  for (int v : m.levels())
    if (v >= -128 && v <= 127) levels.push_back(v);
  std::vector<int8_t> w(count);
  for (auto& x : w) x = static_cast<int8_t>(levels[std::uniform_int_distribution<size_t>(0, levels.size() - 1)(rng)]);
  return w;
}

std::vector<int32_t> Bias(size_t n, std::mt19937& rng) {
  std::vector<int32_t> b(n);
  for (auto& x : b) x = std::uniform_int_distribution<int32_t>(-3000, 3000)(rng);
  return b;
}

// input [1,13,11,5] -> CONV 3x3 s2 SAME (7 ch) -> CONV 3x3 dilation 2 VALID RELU6 (10 ch) -> CONV 1x1 (6 ch) -> FC (9)
Model TestModel(const quant::Method& method, uint32_t seed) {
  std::mt19937 rng(seed);
  ModelBuilder b;
  const int in = b.Tensor({1, 13, 11, 5}, DataType::kInt8, 0.05f, 3);
  const std::vector<float> s7 = {0.004f, 0.006f, 0.003f, 0.005f, 0.002f, 0.007f, 0.004f};
  const int w1 = b.Tensor({7, 3, 3, 5}, DataType::kInt8, 0, 0, Bytes(GridWeights(method, 7 * 45, rng)), s7);
  const int b1 = b.Tensor({7}, DataType::kInt32, 0, 0, Bytes(Bias(7, rng)));
  const int c1 = b.Tensor({1, 7, 6, 7}, DataType::kInt8, 0.08f, -4);
  OpOptions o1;
  o1.padding = Padding::kSame;
  o1.stride_h = o1.stride_w = 2;
  b.Op(BuiltinOp::kConv2D, {in, w1, b1}, {c1}, o1);
  const int w2 = b.Tensor({10, 3, 3, 7}, DataType::kInt8, 0.003f, 0, Bytes(GridWeights(method, 10 * 63, rng)));
  const int b2 = b.Tensor({10}, DataType::kInt32, 0, 0, Bytes(Bias(10, rng)));
  const int c2 = b.Tensor({1, 3, 2, 10}, DataType::kInt8, 6.0f / 255, -128);
  OpOptions o2;
  o2.padding = Padding::kValid;
  o2.dilation_h = o2.dilation_w = 2;
  o2.activation = Activation::kRelu6;
  b.Op(BuiltinOp::kConv2D, {c1, w2, b2}, {c2}, o2);
  const int w3 = b.Tensor({6, 1, 1, 10}, DataType::kInt8, 0.01f, 0, Bytes(GridWeights(method, 60, rng)));
  const int c3 = b.Tensor({1, 3, 2, 6}, DataType::kInt8, 0.03f, 5);
  OpOptions o3;
  o3.padding = Padding::kSame;
  o3.activation = Activation::kRelu;
  b.Op(BuiltinOp::kConv2D, {c2, w3, -1}, {c3}, o3);
  const int w4 = b.Tensor({9, 36}, DataType::kInt8, 0.02f, 0, Bytes(GridWeights(method, 9 * 36, rng)));
  const int b4 = b.Tensor({9}, DataType::kInt32, 0, 0, Bytes(Bias(9, rng)));
  const int out = b.Tensor({1, 9}, DataType::kInt8, 0.1f, 0);
  b.Op(BuiltinOp::kFullyConnected, {c3, w4, b4}, {out});
  return b.Done(in, out);
}

std::vector<std::vector<uint8_t>> RandomInputs(int count, size_t bytes) {
  std::mt19937 rng(77);
  std::vector<std::vector<uint8_t>> v(count, std::vector<uint8_t>(bytes));
  for (auto& x : v)
    for (auto& b : x) b = static_cast<uint8_t>(rng());
  return v;
}

TEST(Delegate, BitExactOnConvVariantsAndFcForEveryPe) {
  for (const char* method : {"qkeras", "apot", "msq", "uniform4", "int8"}) {
    AcceleratorConfig c = ResolveAcceleratorConfig(method, "pynq-z2");
    c.first_conv_on_cpu = false;
    c.accepted_ops = {BuiltinOp::kConv2D, BuiltinOp::kFullyConnected};
    const Model model = TestModel(*c.method, 5);
    const DiffReport r = DiffAgainstCpu(model, c, RandomInputs(3, 13 * 11 * 5));
    EXPECT_EQ(r.accel_elements(), 3 * (7 * 6 * 7 + 3 * 2 * 10 + 3 * 2 * 6 + 9)) << method;
    EXPECT_TRUE(r.bit_exact()) << method << ": " << r.accel_mismatches() << " / " << r.end_to_end_mismatches();
  }
}

TEST(Delegate, PlacementReasons) {
  const quant::Method& apot = quant::MethodByName("apot");
  const Model model = TestModel(apot, 9);
  AcceleratorConfig c = ResolveAcceleratorConfig("apot", "pynq-z2");  // CONV_2D only, first conv on CPU
  const auto p = PlanDelegation(model, c);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_FALSE(p[0].on_accel);
  EXPECT_NE(p[0].reason.find("first CONV_2D"), std::string::npos);
  EXPECT_TRUE(p[1].on_accel);
  EXPECT_TRUE(p[2].on_accel);
  EXPECT_FALSE(p[3].on_accel);
  EXPECT_NE(p[3].reason.find("FULLY_CONNECTED not accepted"), std::string::npos);
  // QKeras cannot hold APoT weights (0, 3, 6, 10 are off its grid).
  const auto q = PlanDelegation(model, ResolveAcceleratorConfig("qkeras", "pynq-z2"));
  EXPECT_FALSE(q[1].on_accel);
  EXPECT_NE(q[1].reason.find("not on the qkeras grid"), std::string::npos);
  // A depth beyond every buffer is refused with the reason.
  c.buffers.weight_addresses = 8;
  c.buffers.local_input_addresses = 8;
  const auto d = PlanDelegation(model, c);
  EXPECT_FALSE(d[1].on_accel);
  EXPECT_NE(d[1].reason.find("exceeds"), std::string::npos);
}

TEST(Delegate, StatsAndReport) {
  const quant::Method& apot = quant::MethodByName("apot");
  const Model model = TestModel(apot, 3);
  AcceleratorDelegate delegate(model, ResolveAcceleratorConfig("apot", "kv260"));
  Interpreter interp(model);
  delegate.Install(interp);
  interp.Prepare();
  interp.SetInput(0, RandomInputs(1, 13 * 11 * 5)[0]);
  interp.Invoke();
  const AccelRun& run = delegate.run();
  EXPECT_EQ(run.accel_layers(), 2);
  const LayerStats& l = run.layers[1];
  EXPECT_EQ(l.device, "accel");
  EXPECT_EQ(l.m, 6);
  EXPECT_EQ(l.n, 10);
  EXPECT_EQ(l.k, 63);
  EXPECT_EQ(l.rk, 64);
  EXPECT_EQ(l.host.im2col_bytes, 6 * 63);
  EXPECT_EQ(l.host.output_scatter_bytes, 60);
  EXPECT_EQ(l.cycles.config, 4);
  EXPECT_GT(l.cycles.compute, 0);
  EXPECT_EQ(l.cycles.total(), l.cycles.config + l.cycles.load_input + l.cycles.load_weights + l.cycles.compute + l.cycles.nop);
  EXPECT_NEAR(l.utilization, 6.0 * 10 * 63 / (static_cast<double>(l.cycles.total()) * 512), 1e-12);
  EXPECT_EQ(run.layers[2].host.im2col_bytes, 0);  // 1x1 stride 1: no im2col
  const nlohmann::json j = AccelRunToJson(run);
  EXPECT_EQ(j["layers"][1]["device"], "accel");
  EXPECT_EQ(j["layers"][1]["gemm"]["k"], 63);
  EXPECT_EQ(j["layers"][1]["cycles"]["total"], l.cycles.total());
  EXPECT_EQ(j["layers"][0]["device"], "cpu");
  EXPECT_TRUE(j["layers"][0].contains("reason"));
  EXPECT_EQ(j["layers"][0]["cycles"]["total"], 0);
  EXPECT_EQ(j["totals"]["cycles"]["total"], run.total_cycles().total());
  std::ostringstream table;
  PrintAccelRunTable(table, run);
  EXPECT_NE(table.str().find("6x10x63"), std::string::npos);
}

// ---- shared models

std::vector<std::vector<uint8_t>> ModelInputs(const Model& m, int count) {
  const auto& t = m.main().tensors[m.main().inputs[0]];
  const size_t bytes = static_cast<size_t>(t.num_elements() * DataTypeSize(t.type));
  std::mt19937 rng(3);
  std::vector<std::vector<uint8_t>> v(count, std::vector<uint8_t>(bytes));
  for (auto& x : v) {
    if (t.type == DataType::kFloat32) {
      auto* f = reinterpret_cast<float*>(x.data());
      for (size_t i = 0; i < bytes / 4; ++i) f[i] = std::uniform_real_distribution<float>(-2, 2)(rng);
    } else {
      for (auto& b : x) b = static_cast<uint8_t>(rng());
    }
  }
  return v;
}

TEST(DelegateData, Int8BaselineIsBitExactOnUnmodifiedModels) {
  for (const char* rel : {"models/mlperf_tiny/pretrainedResnet_quant.tflite", "models/potacc/potaccAPoT_res20_4bit.tflite"}) {
    POTACC_REQUIRE_DATA(rel);
    const Model model = LoadModel(testing::DataPath(rel).string());
    for (const char* cfg : {"potacc-v12-pynq-z2-int8", "potacc-hls-kv260-int8"}) {
      const DiffReport r = DiffAgainstCpu(model, ResolveAcceleratorConfig(cfg), ModelInputs(model, 1));
      EXPECT_GT(r.accel_elements(), 0) << rel;
      EXPECT_TRUE(r.bit_exact()) << rel << " " << cfg << ": " << r.accel_mismatches();
    }
  }
}

TEST(DelegateData, SingleRoundingPpuDiffersByAtMostOneLsb) {
  const char* rel = "models/mlperf_tiny/pretrainedResnet_quant.tflite";
  POTACC_REQUIRE_DATA(rel);
  const Model model = LoadModel(testing::DataPath(rel).string());
  AcceleratorConfig c = ResolveAcceleratorConfig("int8", "pynq-z2");
  c.ppu_rounding = fixed_point::Rounding::kSingle;
  const DiffReport r = DiffAgainstCpu(model, c, ModelInputs(model, 1));
  EXPECT_EQ(r.accel_mismatches(), r.accel_off_by_one());  // every layer-level difference is 1 LSB
  EXPECT_GT(r.accel_mismatches(), 0);
  EXPECT_LT(static_cast<double>(r.accel_mismatches()) / r.accel_elements(), 0.01);
}

TEST(DelegateData, ShippedApotModelNeedsQuantizationOrTheReleasedEncoder) {
  const char* rel = "models/potacc/potaccAPoT_res20_4bit.tflite";
  POTACC_REQUIRE_DATA(rel);
  const Model model = LoadModel(testing::DataPath(rel).string());
  // Exact encoding: the int8 APoT grid (13, 25, ...) is not potacc's integer grid -> CPU, with the reason.
  const auto p = PlanDelegation(model, ResolveAcceleratorConfig("apot", "pynq-z2"));
  int refused_grid = 0;
  for (const auto& x : p) refused_grid += x.reason.find("not on the apot grid") != std::string::npos;
  EXPECT_GT(refused_grid, 10);
  // The released v12 encoder runs them (timing-faithful; outputs close, not exact).
  const DiffReport r = DiffAgainstCpu(model, ResolveAcceleratorConfig("potacc-v12released-pynq-z2-apot"), ModelInputs(model, 1));
  EXPECT_GT(r.accel_elements(), 100000);
  EXPECT_LT(static_cast<double>(r.accel_mismatches()) / r.accel_elements(), 0.2);
}

}  // namespace
}  // namespace potacc::accel
