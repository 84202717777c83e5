// Test helpers of the conv / depthwise / FC kernel tests: a one-operator
// Model built in memory and run through the Interpreter, random data, and
// exact multipliers for hand-computed cases.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <random>
#include <span>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/kernels/conv_2d.h"
#include "potacc/kernels/gemm.h"
#include "potacc/model.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::testing {

struct TensorSpec {
  DataType type = DataType::kInt8;
  std::vector<int32_t> shape;
  QuantParams quant;
  std::vector<uint8_t> data;  // non-empty = constant tensor; empty = graph input
};

template <class T>
std::vector<uint8_t> Bytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

inline QuantParams Quant(std::vector<float> scale, std::vector<int64_t> zero_point, int dim = 0) {
  QuantParams q;
  q.scale = std::move(scale);
  q.zero_point = std::move(zero_point);
  q.quantized_dimension = dim;
  return q;
}

// One operator; constant inputs get their own buffer, the others are graph inputs.
// A spec with an empty shape and type kInt32 and no data marks an absent optional input.
inline Model SingleLayerModel(BuiltinOp op, const OpOptions& options,
                           const std::vector<TensorSpec>& inputs, const TensorSpec& output) {
  Model m;
  m.buffers.resize(1);
  m.operator_codes.push_back({static_cast<int32_t>(op), "", 1});
  Subgraph g;
  Operator o;
  o.builtin = static_cast<int32_t>(op);
  o.options = options;
  for (const TensorSpec& spec : inputs) {
    Tensor t;
    t.name = "in" + std::to_string(g.tensors.size());
    t.type = spec.type;
    t.shape = spec.shape;
    t.quant = spec.quant;
    if (!spec.data.empty()) {
      t.buffer = static_cast<uint32_t>(m.buffers.size());
      m.buffers.push_back({spec.data});
    } else {
      g.inputs.push_back(static_cast<int32_t>(g.tensors.size()));
    }
    o.inputs.push_back(static_cast<int32_t>(g.tensors.size()));
    g.tensors.push_back(t);
  }
  Tensor out;
  out.name = "out";
  out.type = output.type;
  out.shape = output.shape;
  out.quant = output.quant;
  g.outputs.push_back(static_cast<int32_t>(g.tensors.size()));
  o.outputs.push_back(static_cast<int32_t>(g.tensors.size()));
  g.tensors.push_back(out);
  g.operators.push_back(o);
  m.subgraphs.push_back(g);
  return m;
}

// Runs a single-input model and returns output 0 as T.
template <class T, class In>
std::vector<T> RunSingleInput(const Model& m, const std::vector<In>& input) {
  Interpreter interp(m);
  interp.Prepare();
  interp.SetInput(0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(input.data()),
                                              input.size() * sizeof(In)));
  interp.Invoke();
  const auto out = interp.Output(0);
  std::vector<T> r(out.size() / sizeof(T));
  std::memcpy(r.data(), out.data(), out.size());
  return r;
}

inline std::vector<int8_t> RandomInt8(std::mt19937& rng, size_t n, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

inline std::vector<int32_t> RandomInt32(std::mt19937& rng, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// The instruction sets to cross-check: every variant this CPU runs (the
// first call prints which ones run and which are skipped).
inline std::vector<kernels::Isa> Isas() {
  static const std::vector<kernels::Isa> isas = [] {
    std::string run, skipped;
    for (kernels::Isa isa : kernels::kAllIsas) {
      std::string& list = kernels::IsaSupported(isa) ? run : skipped;
      list += (list.empty() ? "" : ", ") + std::string(kernels::IsaName(isa));
    }
    std::printf("[ ISA      ] kernel variants run: %s; skipped (this CPU lacks them): %s\n", run.c_str(),
                skipped.empty() ? "none" : skipped.c_str());
    return kernels::SupportedIsas();
  }();
  return isas;
}

// A convolution geometry with the same stride and dilation along H and W.
inline kernels::ConvShape UniformConvShape(int batch, int h, int w, int c, int fh, int fw, int out_c,
                                           int stride, int dilation, Padding padding) {
  OpOptions o;
  o.stride_h = o.stride_w = stride;
  o.dilation_h = o.dilation_w = dilation;
  o.padding = padding;
  return kernels::MakeConvShape({batch, h, w, c}, fh, fw, out_c, o);
}

// Per-channel tables for given real multipliers (exact powers of two in the
// hand-computed cases, so the expected values need no rounding).
struct MultiplierTables {
  std::vector<int32_t> m;
  std::vector<int> s;
  explicit MultiplierTables(const std::vector<double>& reals) {
    for (double r : reals) {
      int32_t q;
      int shift;
      fixed_point::QuantizeMultiplier(r, &q, &shift);
      m.push_back(q);
      s.push_back(shift);
    }
  }
  kernels::Int8Params Params(int32_t input_zp, int32_t output_zp) const {
    kernels::Int8Params p;
    p.input_offset = -input_zp;
    p.output_zero_point = output_zp;
    p.multiplier = m.data();
    p.shift = s.data();
    return p;
  }
};

}  // namespace potacc::testing
