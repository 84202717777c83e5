#include "potacc/accel/matmul.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "accel/lowering_common.h"
#include "potacc/accel/driver.h"
#include "potacc/error.h"
#include "potacc/util/text.h"

namespace potacc::accel {

POTACC_REGISTER_ACCEL_MODE(ModeSpec{kModeMatMulOperandQuant,
                                    "BATCH_MATMUL: the right operand (an activation) is quantized at run time to "
                                    "the method's grid with a static per-tensor scale (changes the layer's result; "
                                    "off: such layers stay on the CPU)",
                                    0, 0, 1});

namespace {

bool PerTensor(const Tensor& t) { return t.quant.scale.size() == 1 && t.quant.zero_point.size() <= 1; }

// A positive finite scale and an int8 zero point (hostile files may hold anything).
bool Int8Quant(const Tensor& t) {
  const float s = t.quant.scale[0];
  const int64_t zp = t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0];
  return std::isfinite(s) && s > 0 && zp >= -128 && zp <= 127;
}

}  // namespace

GemmLowering LowerBatchMatMul(const Model& model, int node) {
  const Subgraph& sg = model.main();
  const Operator& op = sg.operators.at(node);
  GemmLowering g;
  g.node = node;
  g.builtin = op.builtin;
  auto refuse = [&g](const std::string& why) {
    g.refused = "BATCH_MATMUL: " + why;
    return g;
  };
  if (op.inputs.size() != 2 || op.inputs[0] < 0 || op.inputs[1] < 0 || op.outputs.size() != 1 || op.outputs[0] < 0)
    return refuse("expects two inputs and one output");
  const Tensor &l = sg.tensors.at(op.inputs[0]), &r = sg.tensors.at(op.inputs[1]), &o = sg.tensors.at(op.outputs[0]);
  if (l.type != DataType::kInt8 || r.type != DataType::kInt8 || o.type != DataType::kInt8)
    return refuse(std::string("types lhs ") + DataTypeName(l.type) + ", rhs " + DataTypeName(r.type) + ", output " +
                  DataTypeName(o.type) + " (the accelerator runs int8 operands only)");
  if (!PerTensor(l) || !PerTensor(r) || !PerTensor(o)) return refuse("operands need per-tensor quantization");
  if (!Int8Quant(l) || !Int8Quant(r) || !Int8Quant(o))
    return refuse("scales must be positive and finite, zero points in [-128, 127]");
  auto m = std::make_shared<MatMulLowering>();
  try {
    m->shape = kernels::MakeBatchMatMulShape(l.shape, r.shape, op.options.adj_x, op.options.adj_y);
  } catch (const Error& e) {
    return refuse(e.what());
  }
  if (m->shape.rows == 0 || m->shape.depth == 0 || m->shape.cols == 0 || m->shape.batches() == 0)
    return refuse("an operand is empty");
  if (o.shape != m->shape.output_shape())
    return refuse("output shape " + FormatShape(o.shape) + " should be " +
                  FormatShape(m->shape.output_shape()));
  m->lhs_scale = l.quant.scale[0];
  m->rhs_scale = r.quant.scale[0];
  m->output_scale = o.quant.scale[0];
  m->lhs_zero_point = detail::ZeroPoint(l);
  m->rhs_zero_point = detail::ZeroPoint(r);
  m->output_zero_point = detail::ZeroPoint(o);
  g.m = m->shape.rows;
  g.n = m->shape.cols;
  g.k = m->shape.depth;
  g.layer.n = g.n;
  g.layer.k = g.k;
  g.matmul = std::move(m);
  return g;
}

std::string PlanMatMulOperand(const quant::Method& method, bool allow_quant, MatMulLowering* m) {
  const int32_t zp = m->rhs_zero_point;
  const bool all_int8_on_grid = method.OnGrid(-128) && method.OnGrid(127);
  if (zp == 0 && all_int8_on_grid) {  // the INT8 baseline: the operand is already symmetric int8
    m->quantized = false;
    m->alpha = 1;
    m->effective_rhs_scale = m->rhs_scale;
    for (int v = -128; v < 128; ++v) m->table[v + 128] = static_cast<int8_t>(v);
    return "";
  }
  if (!allow_quant) {
    const std::string what =
        all_int8_on_grid ? "an int8 activation with zero point " + std::to_string(zp) +
                               ": the INT8 PEs hold symmetric values only (R - zp spans [" +
                               std::to_string(-128 - zp) + ", " + std::to_string(127 - zp) + "])"
                         : "an int8 activation, not values of the " + std::string(method.name) + " grid";
    return "BATCH_MATMUL right operand is " + what + "; quantizing it at run time is off (mode " +
           kModeMatMulOperandQuant + ": it would change the result), so the layer stays int8 on the CPU";
  }
  const int32_t reach = std::max(std::abs(-128 - zp), std::abs(127 - zp));  // largest |R - zp|
  m->quantized = true;
  m->alpha = static_cast<double>(method.max_storable_level()) / reach;
  m->effective_rhs_scale = static_cast<float>(static_cast<double>(m->rhs_scale) / m->alpha);
  for (int v = -128; v < 128; ++v)
    m->table[v + 128] = static_cast<int8_t>(method.NearestStorable(static_cast<double>(v - zp) * m->alpha));
  return "";
}

std::string PlanMatMulOperand(const AcceleratorConfig& config, GemmLowering* g) {
  Check(g->matmul != nullptr, "PlanMatMulOperand on a node that is not a BATCH_MATMUL");
  MatMulLowering& m = *g->matmul;
  if (std::string why = PlanMatMulOperand(*config.method, config.Flag(kModeMatMulOperandQuant), &m); !why.empty())
    return why;
  LayerWeights& L = g->layer;
  L.bias = nullptr;
  // (float)(s_l * s_r') as one "input" scale and filter scale 1: the PPU
  // multiplier is then TFLite's BATCH_MATMUL multiplier (a float product).
  L.input_scale = m.lhs_scale * m.effective_rhs_scale;
  L.filter_scales = {1.0f};
  L.output_scale = m.output_scale;
  L.input_zero_point = m.lhs_zero_point;
  L.output_zero_point = m.output_zero_point;
  g->act_min = -128;
  g->act_max = 127;
  return "";
}

void RunMatMul(Backend& backend, const GemmLowering& g, const int8_t* lhs, const int8_t* rhs, int8_t* out,
               HostWork* host) {
  Check(g.matmul != nullptr, "RunMatMul on a node that is not a BATCH_MATMUL");
  const MatMulLowering& mm = *g.matmul;
  const kernels::BatchMatMulShape& s = mm.shape;
  const int64_t M = s.rows, K = s.depth, N = s.cols;
  const bool data = lhs != nullptr;
  std::vector<int8_t> a, rt, w(static_cast<size_t>(N * K));
  GemmLowering gb = g;
  gb.layer.weights = w.data();
  HostWork work;
  for (int64_t b = 0; b < s.batches(); ++b) {
    const int8_t* A = nullptr;
    if (data) {
      A = lhs + s.lhs_offset(b);
      if (s.adj_x) {  // lhs is [K, M]: the GEMM wants rows of K
        a.resize(static_cast<size_t>(M * K));
        kernels::TransposeMatrixInt8(A, K, M, a.data());
        A = a.data();
      }
      const int8_t* R = rhs + s.rhs_offset(b);
      if (!s.adj_y) {  // rhs is [K, N]: W is [N, K]
        rt.resize(static_cast<size_t>(N * K));
        kernels::TransposeMatrixInt8(R, K, N, rt.data());
        R = rt.data();
      }
      for (int64_t i = 0; i < N * K; ++i) w[i] = mm.table[R[i] + 128];
    }
    const PreparedGemm p = PrepareLayer(backend.config(), gb, /*shape_only=*/!data);
    Check(p.ok(), "BATCH_MATMUL node " + std::to_string(g.node) + ": " + p.refused);
    RunGemm(backend, p, A, K, data ? out + b * M * N : nullptr, N, &work);
    // The operand is packed at every inference (never preloaded).
    work.weight_copy_bytes += p.weights->bytes();
    if (s.adj_x) work.im2col_bytes += M * K;
  }
  if (host) *host += work;
}

std::vector<int8_t> MatMulReference(const GemmLowering& g, const int8_t* lhs, const int8_t* rhs) {
  Check(g.matmul != nullptr, "MatMulReference on a node that is not a BATCH_MATMUL");
  const MatMulLowering& mm = *g.matmul;
  const kernels::BatchMatMulShape& s = mm.shape;
  // The right operand as the grid values it becomes, in its own layout.
  int64_t rhs_count = 0;
  for (int64_t b = 0; b < s.batches(); ++b) rhs_count = std::max(rhs_count, s.rhs_offset(b) + s.depth * s.cols);
  std::vector<int8_t> q(static_cast<size_t>(rhs_count));
  for (int64_t i = 0; i < rhs_count; ++i) q[i] = mm.table[rhs[i] + 128];
  const kernels::BatchMatMulInt8Params p = kernels::PrepareBatchMatMulInt8(
      mm.lhs_scale, mm.lhs_zero_point, mm.effective_rhs_scale, 0, mm.output_scale, mm.output_zero_point);
  std::vector<int8_t> out(static_cast<size_t>(s.batches() * s.rows * s.cols));
  kernels::BatchMatMulInt8Reference(s, p, lhs, q.data(), out.data());
  return out;
}

}  // namespace potacc::accel
