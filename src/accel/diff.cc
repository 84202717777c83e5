#include "potacc/accel/diff.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "accel/format.h"
#include "potacc/accel/delegate.h"
#include "potacc/accel/lowering.h"
#include "potacc/accel/matmul.h"
#include "potacc/error.h"
#include "potacc/kernels/depthwise_conv_2d.h"
#include "potacc/kernels/gemm.h"
#include "potacc/kernels/kernel_util.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::accel {
namespace {

double Element(const uint8_t* p, DataType t, int64_t i) {
  switch (t) {
    case DataType::kInt8: return reinterpret_cast<const int8_t*>(p)[i];
    case DataType::kUInt8: return p[i];
    case DataType::kInt16: return reinterpret_cast<const int16_t*>(p)[i];
    case DataType::kInt32: return reinterpret_cast<const int32_t*>(p)[i];
    case DataType::kInt64: return static_cast<double>(reinterpret_cast<const int64_t*>(p)[i]);
    case DataType::kFloat32: return reinterpret_cast<const float*>(p)[i];
    default: return 0;
  }
}

// The TFLite reference of one accelerated layer on the inputs it saw
// (BATCH_MATMUL: with its right operand as the configuration puts it on the
// grid, matmul.h).
std::vector<int8_t> IsolatedReference(const Model& model, const AcceleratorConfig& config, int node,
                                      const int8_t* input, const int8_t* input1) {
  GemmLowering g = LowerNode(model, node);
  Check(g.ok(), "diff: cannot lower node " + std::to_string(node) + ": " + g.refused);
  if (g.matmul) {
    const std::string why = PlanMatMulOperand(config, &g);
    Check(why.empty(), "diff: node " + std::to_string(node) + ": " + why);
    return MatMulReference(g, input, input1);
  }
  std::vector<int8_t> scratch;
  const int8_t* a = GemmInput(g, input, &scratch);
  const kernels::ChannelMultipliers m = kernels::PerChannelMultipliers(
      g.layer.input_scale, g.layer.filter_scales, g.layer.output_scale, static_cast<int>(g.n));
  kernels::Int8Params q;
  q.input_offset = -g.layer.input_zero_point;
  q.output_zero_point = g.layer.output_zero_point;
  q.act_min = g.act_min;
  q.act_max = g.act_max;
  q.multiplier = m.multiplier.data();
  q.shift = m.shift.data();
  std::vector<int8_t> out(static_cast<size_t>(g.m * g.n));
  if (g.depthwise) {
    // The TFLite depthwise reference wants the filter as [kh][kw][C].
    std::vector<int8_t> filter(static_cast<size_t>(g.n * g.k));
    for (int64_t c = 0; c < g.n; ++c)
      for (int64_t tap = 0; tap < g.k; ++tap) filter[tap * g.n + c] = g.layer.weights[c * g.k + tap];
    kernels::DepthwiseConvInt8Reference(g.conv, q, input, filter.data(), g.layer.bias, out.data());
    return out;
  }
  kernels::GemmInt8Reference(q, g.layer.weights, static_cast<int>(g.n), static_cast<int>(g.k), g.layer.bias, a, g.m,
                             g.k, out.data(), g.n);
  return out;
}

using detail::Fmt;

// Σ over the layers of one per-layer count.
int64_t SumOverLayers(const std::vector<LayerDiff>& layers, int64_t LayerDiff::*count) {
  int64_t n = 0;
  for (const auto& l : layers) n += l.*count;
  return n;
}

}  // namespace

int64_t DiffReport::accel_elements() const { return SumOverLayers(layers, &LayerDiff::isolated_elements); }
int64_t DiffReport::accel_mismatches() const { return SumOverLayers(layers, &LayerDiff::isolated_mismatches); }
int64_t DiffReport::accel_off_by_one() const { return SumOverLayers(layers, &LayerDiff::isolated_off_by_one); }
int64_t DiffReport::end_to_end_mismatches() const { return SumOverLayers(layers, &LayerDiff::mismatches); }

DiffReport DiffAgainstCpu(const Model& model, const AcceleratorConfig& config,
                          const std::vector<std::vector<uint8_t>>& inputs, const ProgressCallback& progress,
                          const std::string& backend) {
  DiffReport r;
  r.config = config.name;
  Interpreter cpu(model);
  cpu.Prepare();
  AcceleratorDelegate delegate(model, config, backend);
  r.backend = delegate.backend().name();
  Interpreter acc(model);
  delegate.Install(acc);
  acc.Prepare();
  const Subgraph& g = model.main();
  for (const auto& p : delegate.placements()) {
    LayerDiff d;
    d.node = p.node;
    d.op = BuiltinOpName(p.builtin);
    d.device = p.on_accel ? "accel" : "cpu";
    d.reason = p.reason;
    r.layers.push_back(d);
  }
  const auto total = static_cast<int64_t>(inputs.size());
  for (const auto& in : inputs) {
    ReportProgress(progress, "diff", r.inputs, total);
    cpu.SetInput(0, in);
    acc.SetInput(0, in);
    cpu.Invoke();
    acc.Invoke();
    ++r.inputs;
    for (size_t n = 0; n < g.operators.size(); ++n) {
      const Operator& op = g.operators[n];
      LayerDiff& d = r.layers[n];
      for (int t : op.outputs) {
        if (t < 0) continue;
        const Tensor& tensor = g.tensors[t];
        const auto a = cpu.tensor_bytes(t);
        const auto b = acc.tensor_bytes(t);
        const int64_t count = tensor.num_elements();
        for (int64_t i = 0; i < count; ++i) {
          const double x = Element(a.data(), tensor.type, i), y = Element(b.data(), tensor.type, i);
          const double diff = std::fabs(x - y);
          if (diff != 0 || std::isnan(x) != std::isnan(y)) ++d.mismatches;
          d.max_abs = std::max(d.max_abs, diff);
        }
        d.elements += count;
      }
      if (d.device == "accel") {
        const auto input = acc.tensor_bytes(op.inputs[0]);
        std::span<const uint8_t> input1;
        if (op.op() == BuiltinOp::kBatchMatMul) input1 = acc.tensor_bytes(op.inputs[1]);
        const std::vector<int8_t> ref =
            IsolatedReference(model, config, static_cast<int>(n), reinterpret_cast<const int8_t*>(input.data()),
                              reinterpret_cast<const int8_t*>(input1.data()));
        const auto out = acc.tensor_bytes(op.outputs[0]);
        const auto* got = reinterpret_cast<const int8_t*>(out.data());
        for (size_t i = 0; i < ref.size(); ++i) {
          const int diff = std::abs(static_cast<int>(ref[i]) - static_cast<int>(got[i]));
          if (diff) ++d.isolated_mismatches;
          if (diff == 1) ++d.isolated_off_by_one;
          d.isolated_max_abs = std::max<double>(d.isolated_max_abs, diff);
        }
        d.isolated_elements += static_cast<int64_t>(ref.size());
      }
    }
  }
  ReportProgress(progress, "diff", r.inputs, total);
  return r;
}

void PrintDiffReport(std::ostream& os, const DiffReport& r) {
  os << "diff vs CPU reference: " << r.config << " on the " << r.backend << " backend, " << r.inputs << " input(s)\n";
  os << Fmt("%4s  %-18s %-5s %11s %11s %9s   %-28s  %s\n", "node", "op", "dev", "elements", "mismatches", "max|diff|",
            "layer alone: mismatch (±1)", "note");
  for (const LayerDiff& l : r.layers) {
    std::string alone = "-";
    if (l.device == "accel")
      alone = Fmt("%lld / %lld (%lld)", static_cast<long long>(l.isolated_mismatches),
                  static_cast<long long>(l.isolated_elements), static_cast<long long>(l.isolated_off_by_one));
    os << Fmt("%4d  %-18s %-5s %11lld %11lld %9.4g   %-28s  %s\n", l.node, l.op.c_str(), l.device.c_str(),
              static_cast<long long>(l.elements), static_cast<long long>(l.mismatches), l.max_abs, alone.c_str(),
              l.device == "cpu" ? l.reason.c_str() : "");
  }
  const int64_t el = r.accel_elements(), mm = r.accel_mismatches(), ob = r.accel_off_by_one();
  os << Fmt("accelerated layers: %lld outputs, %lld mismatching the TFLite reference of the same layer (%.4f%%), "
            "%lld of them by ±1 LSB\n",
            static_cast<long long>(el), static_cast<long long>(mm), el ? 100.0 * static_cast<double>(mm) / el : 0.0,
            static_cast<long long>(ob));
  os << Fmt("end to end: %lld mismatching node outputs; %s\n", static_cast<long long>(r.end_to_end_mismatches()),
            r.bit_exact() ? "BIT-EXACT" : "NOT bit-exact");
}

}  // namespace potacc::accel
