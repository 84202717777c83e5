#include "potacc/kernels/fully_connected.h"

#include <algorithm>
#include <vector>

#include "kernels/conv_2d_layer.h"
#include "potacc/error.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void FullyConnectedInt8Reference(const FullyConnectedShape& s, const Int8Params& q,
                                 const int8_t* input, const int8_t* weights, const int32_t* bias,
                                 int8_t* output) {
  GemmInt8Reference(q, weights, s.units, s.depth, bias, input, s.rows, s.depth, output, s.units);
}

void FullyConnectedInt8(const FullyConnectedShape& s, const Int8Params& q,
                        const PackedWeightsInt8& weights, const int8_t* input, int8_t* output,
                        Isa isa, ThreadPool* pool) {
  Check(weights.n() == s.units && weights.k() == s.depth,
        "FullyConnectedInt8: packed weights do not match the shape");
  GemmInt8(q, weights, input, s.rows, s.depth, output, s.units, isa, pool);
}

void FullyConnectedInt8(const FullyConnectedShape& s, const Int8Params& q, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output, Isa isa,
                        ThreadPool* pool) {
  const PackedWeightsInt8 packed(weights, s.units, s.depth, bias, q, isa);
  FullyConnectedInt8(s, q, packed, input, output, isa, pool);
}

void FullyConnectedFloat(const FullyConnectedShape& s, FloatRange range, const float* input,
                         const float* weights, const float* bias, float* output) {
  // Sums in TFLite's order (d = 0..depth-1), then adds the bias.
  for (int64_t r = 0; r < s.rows; ++r) {
    const float* x = input + r * s.depth;
    for (int u = 0; u < s.units; ++u) {
      const float* w = weights + int64_t{u} * s.depth;
      float acc = 0.0f;
      for (int d = 0; d < s.depth; ++d) acc += x[d] * w[d];
      const float v = acc + (bias ? bias[u] : 0.0f);
      output[r * s.units + u] = ClampToRange(v, range);
    }
  }
}

namespace {

class FullyConnectedKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    type_ = CheckLayerTypes(ctx);
    const OpOptions& o = ctx.options();
    if (o.weights_format != 0) ctx.Unsupported("shuffled weights format " + std::to_string(o.weights_format));
    const Tensor& in = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor& out = ctx.output(0);
    ctx.Require(w.shape.size() == 2 && w.shape[0] > 0 && w.shape[1] > 0,
                "weights must be 2-D [units, depth], got " + FormatShape(w.shape));
    shape_.units = w.shape[0];
    shape_.depth = w.shape[1];
    const int64_t elems = in.num_elements();
    ctx.Require(!in.shape.empty() && elems % shape_.depth == 0,
                "input " + FormatShape(in.shape) + " is not a whole number of rows of depth " +
                    std::to_string(shape_.depth));
    shape_.rows = elems / shape_.depth;
    ctx.Require(!out.shape.empty() && out.shape.back() == shape_.units &&
                    out.num_elements() == shape_.rows * shape_.units,
                "output shape " + FormatShape(out.shape) + " should hold " +
                    std::to_string(shape_.rows) + " rows of " + std::to_string(shape_.units));
    if (o.keep_num_dims) {
      std::vector<int32_t> expected = in.shape;
      expected.back() = shape_.units;
      ctx.Require(in.shape.back() == shape_.depth && out.shape == expected,
                  "keep_num_dims output shape " + FormatShape(out.shape) + " should be " +
                      FormatShape(expected));
    }
    if (type_ == LayerType::kFloat32) {
      range_ = FloatActivation(ctx);
      return;
    }
    layer_.Prepare(ctx, shape_.units, 0);
    packed_ = {};
    if (ConstantWeightsAndBias(ctx)) Pack(ctx);
  }

  void Eval(OpContext& ctx) override {
    if (type_ == LayerType::kFloat32) {
      FullyConnectedFloat(shape_, range_, ctx.input_data<float>(0), ctx.input_data<float>(1),
                          OptionalBias<float>(ctx), ctx.output_data<float>(0));
      return;
    }
    if (!ConstantWeightsAndBias(ctx)) Pack(ctx);
    FullyConnectedInt8(shape_, layer_.params(), packed_, ctx.input_data<int8_t>(0),
                       ctx.output_data<int8_t>(0), ctx.isa(), ctx.pool());
  }

 private:
  void Pack(const OpContext& ctx) {
    packed_ = PackedWeightsInt8(ctx.input_data<int8_t>(1), shape_.units, shape_.depth,
                                OptionalBias<int32_t>(ctx), layer_.params(), ctx.isa());
  }

  LayerType type_ = LayerType::kInt8;
  FullyConnectedShape shape_;
  Int8Layer layer_;
  PackedWeightsInt8 packed_;
  FloatRange range_{};
};

}  // namespace

POTACC_REGISTER_KERNEL(kFullyConnected, FullyConnectedKernel);

}  // namespace potacc::kernels
