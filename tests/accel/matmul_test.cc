// BATCH_MATMUL on the accelerator GEMM (matmul.h): the operand policy per
// method and mode (hand-computed grid values and reasons), randomized
// bit-exactness of whole runs through the delegate and the simulator
// (broadcast batches, adj_x / adj_y, zero points), and a generated
// transformer through `diff` with qkeras / apot / msq / int8 on potacc-hls.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "accel/potacc_x_support.h"
#include "potacc/accel/delegate.h"
#include "potacc/accel/diff.h"
#include "potacc/accel/matmul.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::accel {
namespace {

MatMulLowering Operand(float rhs_scale, int32_t zp) {
  MatMulLowering m;
  m.rhs_scale = rhs_scale;
  m.rhs_zero_point = zp;
  return m;
}

int8_t Grid(const MatMulLowering& m, int r) { return m.table[r + 128]; }

TEST(MatMulOperand, Int8SymmetricOperandIsUsedAsItIs) {
  MatMulLowering m = Operand(0.5f, 0);
  EXPECT_EQ(PlanMatMulOperand(quant::MethodByName("int8"), false, &m), "");
  EXPECT_FALSE(m.quantized);
  EXPECT_EQ(m.effective_rhs_scale, 0.5f);
  for (int r = -128; r < 128; ++r) EXPECT_EQ(Grid(m, r), r);
}

TEST(MatMulOperand, WithoutTheModeAnOperandOffTheGridStaysOnTheCpu) {
  MatMulLowering m = Operand(0.5f, 5);
  const std::string why = PlanMatMulOperand(quant::MethodByName("int8"), false, &m);
  EXPECT_NE(why.find("zero point 5"), std::string::npos) << why;
  EXPECT_NE(why.find("[-133, 122]"), std::string::npos) << why;
  EXPECT_NE(why.find("matmul_operand_quant"), std::string::npos) << why;
  EXPECT_NE(why.find("CPU"), std::string::npos) << why;
  MatMulLowering q = Operand(0.5f, 0);
  const std::string why_q = PlanMatMulOperand(quant::MethodByName("qkeras"), false, &q);
  EXPECT_NE(why_q.find("not values of the qkeras grid"), std::string::npos) << why_q;
}

TEST(MatMulOperand, QuantizedOnTheFlyWithAStaticScale) {
  // qkeras, zp -28: |R - zp| reaches 127 + 28 = 155; the largest storable
  // level is 64 (2^7 = 128 does not fit int8), alpha = 64 / 155.
  MatMulLowering m = Operand(0.25f, -28);
  ASSERT_EQ(PlanMatMulOperand(quant::MethodByName("qkeras"), true, &m), "");
  EXPECT_TRUE(m.quantized);
  EXPECT_DOUBLE_EQ(m.alpha, 64.0 / 155);
  EXPECT_EQ(m.effective_rhs_scale, static_cast<float>(0.25 / (64.0 / 155)));
  EXPECT_EQ(Grid(m, 127), 64);    // 155 * 64/155 = 64
  EXPECT_EQ(Grid(m, -23), 2);     // 5 * 0.4129 = 2.06 -> 2
  EXPECT_EQ(Grid(m, -20), 4);     // 8 * 0.4129 = 3.30 -> 4 (between 2 and 4: nearer 4)
  EXPECT_EQ(Grid(m, -28), 1);     // 0: qkeras has no zero, the tie goes to +1
  EXPECT_EQ(Grid(m, -128), -32);  // -100 * 0.4129 = -41.3 -> -32 (nearer than -64)
  // int8 with the mode, zp 10: reach 138, alpha = 127/138.
  MatMulLowering i = Operand(1.0f, 10);
  ASSERT_EQ(PlanMatMulOperand(quant::MethodByName("int8"), true, &i), "");
  EXPECT_EQ(Grid(i, 127), 108);    // 117 * 127/138 = 107.67
  EXPECT_EQ(Grid(i, -128), -127);  // -138 * 127/138
  EXPECT_EQ(Grid(i, 10), 0);
  // apot levels {0, 1, 2, 3, 4, 6, 8, 10} x its scale: every table value is on the grid.
  MatMulLowering a = Operand(1.0f, 3);
  ASSERT_EQ(PlanMatMulOperand(quant::MethodByName("apot"), true, &a), "");
  for (int r = -128; r < 128; ++r) EXPECT_TRUE(quant::MethodByName("apot").OnGrid(Grid(a, r))) << r;
  EXPECT_EQ(Grid(a, 3), 0);
}

// One BATCH_MATMUL with both operands as graph inputs.
Model OneMatMul(const std::vector<int32_t>& lhs, const std::vector<int32_t>& rhs, bool adj_x, bool adj_y,
                int32_t zl, int32_t zr, int32_t zo) {
  Model m;
  m.subgraphs.resize(1);
  m.buffers.resize(1);
  const kernels::BatchMatMulShape s = kernels::MakeBatchMatMulShape(lhs, rhs, adj_x, adj_y);
  auto add = [&](std::vector<int32_t> shape, float scale, int32_t zp) {
    Tensor t;
    t.name = "t" + std::to_string(m.main().tensors.size());
    t.type = DataType::kInt8;
    t.shape = std::move(shape);
    t.quant.scale = {scale};
    t.quant.zero_point = {zp};
    m.main().tensors.push_back(t);
    return static_cast<int>(m.main().tensors.size()) - 1;
  };
  const int a = add(lhs, 0.031f, zl), b = add(rhs, 0.017f, zr), o = add(s.output_shape(), 0.9f, zo);
  m.operator_codes.push_back({static_cast<int32_t>(BuiltinOp::kBatchMatMul), "", 1});
  Operator op;
  op.opcode_index = 0;
  op.builtin = static_cast<int32_t>(BuiltinOp::kBatchMatMul);
  op.inputs = {a, b};
  op.outputs = {o};
  op.options.has_options = true;
  op.options.adj_x = adj_x;
  op.options.adj_y = adj_y;
  m.main().operators.push_back(op);
  m.main().inputs = {a, b};
  m.main().outputs = {o};
  return m;
}

std::vector<uint8_t> RandomBytes(size_t n, std::mt19937& rng) {
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(rng());
  return v;
}

std::vector<uint8_t> RunModel(const Model& model, const std::vector<uint8_t>& l, const std::vector<uint8_t>& r,
                         AcceleratorDelegate* delegate) {
  Interpreter interp(model);
  if (delegate) delegate->Install(interp);
  interp.Prepare();
  interp.SetInput(0, l);
  interp.SetInput(1, r);
  interp.Invoke();
  const auto out = interp.Output(0);
  return {out.begin(), out.end()};
}

AcceleratorConfig Hls(const std::string& method, bool operand_quant) {
  AcceleratorConfig c = ResolveAcceleratorConfig(method, "pynq-z2", "potacc-hls");
  c.modes[kModeMatMulOperandQuant] = operand_quant ? 1 : 0;
  return c;
}

TEST(MatMulAccel, RandomizedBitExactWithTheCpuReference) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 12; ++trial) {
    const int M = 1 + static_cast<int>(rng() % 23), K = 1 + static_cast<int>(rng() % 70),
              N = 1 + static_cast<int>(rng() % 19);
    const bool adj_x = rng() % 2, adj_y = rng() % 2;
    // Batch dimensions that broadcast: lhs [2, 1|3], rhs [1|3] (rank 4 and 3).
    const int32_t lb = rng() % 2 ? 3 : 1, rb = rng() % 2 ? 3 : 1;
    std::vector<int32_t> ls = {2, lb, adj_x ? K : M, adj_x ? M : K};
    std::vector<int32_t> rs = {rb, adj_y ? N : K, adj_y ? K : N};
    const int32_t zl = static_cast<int32_t>(rng() % 40) - 20, zo = static_cast<int32_t>(rng() % 20) - 10;
    const int32_t zr = trial % 3 == 0 ? 0 : static_cast<int32_t>(rng() % 60) - 30;
    const Model model = OneMatMul(ls, rs, adj_x, adj_y, zl, zr, zo);
    const auto l = RandomBytes(model.main().tensors[0].num_elements(), rng);
    const auto r = RandomBytes(model.main().tensors[1].num_elements(), rng);
    const auto cpu = RunModel(model, l, r, nullptr);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": M " + std::to_string(M) + " K " + std::to_string(K) + " N " +
                 std::to_string(N) + " adj " + std::to_string(adj_x) + std::to_string(adj_y) + " zr " +
                 std::to_string(zr));
    for (const std::string method : {"int8", "qkeras", "apot", "msq"}) {
      for (const bool quant : {false, true}) {
        AcceleratorDelegate d(model, Hls(method, quant));
        const bool exact_operand = method == "int8" && zr == 0;
        ASSERT_EQ(d.placements()[0].on_accel, exact_operand || quant) << method << ": " << d.placements()[0].reason;
        if (!d.placements()[0].on_accel) continue;
        const auto acc = RunModel(model, l, r, &d);
        GemmLowering g = LowerNode(model, 0);
        ASSERT_EQ(PlanMatMulOperand(d.config(), &g), "");
        const std::vector<int8_t> ref = MatMulReference(g, reinterpret_cast<const int8_t*>(l.data()),
                                                        reinterpret_cast<const int8_t*>(r.data()));
        ASSERT_EQ(acc.size(), ref.size());
        EXPECT_EQ(0, std::memcmp(acc.data(), ref.data(), ref.size())) << method << " quant " << quant;
        // A symmetric int8 operand is not changed: the model's own result.
        if (exact_operand) {
          EXPECT_EQ(acc, cpu) << method << " quant " << quant;
        }
        const LayerStats& st = d.run().layers[0];
        EXPECT_EQ(st.macs(), int64_t{2} * std::max(lb, rb) * M * N * K);
        EXPECT_GT(st.cycles.compute, 0);
        EXPECT_GT(st.host.weight_copy_bytes, 0);  // the operand is packed every inference
        EXPECT_EQ(st.preload_weight_bytes, 0);
      }
    }
  }
}

TEST(MatMulAccel, DataFreeEstimateCountsWhatARunCounts) {
  const Model model = OneMatMul({1, 3, 17, 64}, {1, 3, 17, 64}, false, true, 4, -7, 2);
  const AcceleratorConfig c = Hls("apot", true);
  AcceleratorDelegate d(model, c);
  std::mt19937 rng(3);
  RunModel(model, RandomBytes(3 * 17 * 64, rng), RandomBytes(3 * 17 * 64, rng), &d);
  const AccelRun est = EstimateAccelRun(model, c);
  EXPECT_EQ(est.layers[0].device, "accel");
  EXPECT_EQ(est.layers[0].cycles.total(), d.run().layers[0].cycles.total());
  EXPECT_EQ(est.layers[0].host.weight_copy_bytes, d.run().layers[0].host.weight_copy_bytes);
  EXPECT_EQ(est.layers[0].host.commands, d.run().layers[0].host.commands);
}

TEST(MatMulAccel, FamiliesThatDoNotAcceptItSayWhy) {
  const Model model = OneMatMul({1, 5, 8}, {1, 8, 5}, false, false, 0, 0, 0);
  for (const std::string family : {"potacc-v12", "icecs-v2"}) {
    AcceleratorDelegate d(model, ResolveAcceleratorConfig(family == "icecs-v2" ? "qkeras" : "int8", "pynq-z2", family));
    EXPECT_FALSE(d.placements()[0].on_accel);
    EXPECT_NE(d.placements()[0].reason.find("BATCH_MATMUL not accepted"), std::string::npos)
        << d.placements()[0].reason;
  }
}

TEST(MatMulAccel, UnsupportedOperandsStayOnTheCpuWithTheReason) {
  Model model = OneMatMul({1, 5, 8}, {1, 8, 5}, false, false, 0, 0, 0);
  for (Tensor& t : model.main().tensors) t.type = DataType::kInt16;
  const std::vector<NodePlacement> p = PlanDelegation(model, Hls("int8", true));
  EXPECT_FALSE(p[0].on_accel);
  EXPECT_NE(p[0].reason.find("BATCH_MATMUL: types lhs int16"), std::string::npos) << p[0].reason;
  EXPECT_NE(p[0].reason.find("int8 operands only"), std::string::npos) << p[0].reason;
  // Hostile quantization and shapes: refused, never planned.
  Model zp = OneMatMul({1, 5, 8}, {1, 8, 5}, false, false, 0, 0, 0);
  zp.main().tensors[1].quant.zero_point = {300};
  EXPECT_NE(PlanDelegation(zp, Hls("int8", true))[0].reason.find("zero points in [-128, 127]"), std::string::npos);
  Model scale = OneMatMul({1, 5, 8}, {1, 8, 5}, false, false, 0, 0, 0);
  scale.main().tensors[2].quant.scale = {0.0f};
  EXPECT_NE(PlanDelegation(scale, Hls("int8", true))[0].reason.find("positive and finite"), std::string::npos);
  const Model empty = OneMatMul({1, 0, 8}, {1, 8, 5}, false, false, 0, 0, 0);
  EXPECT_NE(PlanDelegation(empty, Hls("int8", true))[0].reason.find("empty"), std::string::npos);
}

// A one-block transformer (5 tokens) with its FC weights on each grid: every
// accelerated FULLY_CONNECTED / BATCH_MATMUL equals the TFLite reference of
// the same layer. Without the mode the run is bit-exact end to end (the
// attention matmuls stay on the CPU, reason given); with it the matmuls run on
// the accelerator and equal the reference of their quantized operand.
TEST(MatMulAccel, SmallTransformerDiffOnPotaccHls) {
  const std::map<std::string, std::string> p = {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}};
  std::vector<float> image(32 * 32 * 3);  // a normalised-image-like input in [-2, 2]
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>((i * 37) % 200) / 50.0f - 2.0f;
  std::vector<std::vector<uint8_t>> images(1, std::vector<uint8_t>(image.size() * 4));
  std::memcpy(images[0].data(), image.data(), images[0].size());
  for (const std::string method : {"qkeras", "apot", "msq", "int8"}) {
    const Model model = xmodes::Generated("deit-tiny", 1, p, method);
    for (const bool quant : {false, true}) {
      const DiffReport r = DiffAgainstCpu(model, Hls(method, quant), images);
      int fc = 0, mm = 0;
      for (const LayerDiff& l : r.layers) {
        if (l.op == "FULLY_CONNECTED") {
          EXPECT_EQ(l.device, "accel") << method << " node " << l.node << ": " << l.reason;
          fc += l.device == "accel";
        }
        if (l.op == "BATCH_MATMUL") {
          if (quant) {
            EXPECT_EQ(l.device, "accel") << l.reason;
          } else if (l.device == "cpu") {
            EXPECT_NE(l.reason.find("matmul_operand_quant"), std::string::npos) << l.reason;
          }
          mm += l.device == "accel";
        }
        if (l.device == "accel") {
          EXPECT_EQ(l.isolated_mismatches, 0) << method << " node " << l.node;
        }
      }
      EXPECT_EQ(fc, 7) << method;
      if (quant) {
        EXPECT_EQ(mm, 2) << method;
      }
      EXPECT_EQ(r.accel_mismatches(), 0) << method << " quant " << quant;
      if (!quant && mm == 0) {
        EXPECT_TRUE(r.bit_exact()) << method;
      }
    }
  }
}

}  // namespace
}  // namespace potacc::accel
