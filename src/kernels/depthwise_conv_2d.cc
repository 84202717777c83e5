#include "potacc/kernels/depthwise_conv_2d.h"

#include <algorithm>
#include <vector>

#include "kernels/conv_2d_layer.h"
#include "kernels/depthwise_conv_2d_internal.h"
#include "kernels/gemm_internal.h"
#include "potacc/error.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void DepthwiseConvInt8Reference(const ConvShape& s, const Int8Params& q, const int8_t* input,
                                const int8_t* filter, const int32_t* bias, int8_t* output) {
  const int dm = s.out_c / s.in_c;
  for (int b = 0; b < s.batch; ++b) {
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int ic = 0; ic < s.in_c; ++ic) {
          for (int m = 0; m < dm; ++m) {
            const int oc = ic * dm + m;
            int32_t acc = 0;
            for (int ky = 0; ky < s.filter_h; ++ky) {
              const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
              for (int kx = 0; kx < s.filter_w; ++kx) {
                const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
                if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;  // padding
                const int32_t x = input[((int64_t{b} * s.in_h + iy) * s.in_w + ix) * s.in_c + ic];
                const int32_t w = filter[(int64_t{ky} * s.filter_w + kx) * s.out_c + oc];
                acc += (x + q.input_offset) * (w + q.filter_offset);
              }
            }
            if (bias) acc += bias[oc];
            output[((int64_t{b} * s.out_h + oy) * s.out_w + ox) * s.out_c + oc] =
                RequantizeOne(q, acc, oc);
          }
        }
      }
    }
  }
}

namespace detail {

DepthwiseTables MakeDepthwiseTables(const ConvShape& s, const Int8Params& q, const int8_t* filter,
                                    const int32_t* bias) {
  DepthwiseTables t;
  const int taps = s.filter_h * s.filter_w;
  const int padded = (s.out_c + 7) / 8 * 8;
  t.weights.resize(static_cast<size_t>(taps) * s.out_c);
  for (size_t i = 0; i < t.weights.size(); ++i) t.weights[i] = filter[i] + q.filter_offset;
  t.bias.assign(padded, 0);
  t.multiplier.assign(padded, 0);
  t.left_shift.assign(padded, 0);
  t.right_shift.assign(padded, 0);
  const int pairs = (taps + 1) / 2;
  t.pair_weights.assign(static_cast<size_t>(pairs) * s.out_c * 2, 0);
  t.folded_bias.assign(padded, 0);
  for (int tap = 0; tap < taps; ++tap) {
    for (int c = 0; c < s.out_c; ++c) {
      t.pair_weights[(static_cast<size_t>(tap / 2) * s.out_c + c) * 2 + tap % 2] =
          static_cast<int16_t>(t.weights[static_cast<size_t>(tap) * s.out_c + c]);
    }
  }
  for (int c = 0; c < s.out_c; ++c) {
    t.bias[c] = bias ? bias[c] : 0;
    uint32_t sum = 0;  // wraps like int32
    for (int tap = 0; tap < taps; ++tap) sum += static_cast<uint32_t>(t.weights[static_cast<size_t>(tap) * s.out_c + c]);
    t.folded_bias[c] = static_cast<int32_t>(static_cast<uint32_t>(t.bias[c]) +
                                            static_cast<uint32_t>(q.input_offset) * sum);
    t.multiplier[c] = q.multiplier[c];
    t.left_shift[c] = std::max(q.shift[c], 0);
    t.right_shift[c] = std::max(-q.shift[c], 0);
  }
  return t;
}

int ValidTaps(const ConvShape& s, int oy, int ox, int64_t* offsets, int* taps) {
  int n = 0;
  for (int ky = 0; ky < s.filter_h; ++ky) {
    const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
    if (iy < 0 || iy >= s.in_h) continue;
    for (int kx = 0; kx < s.filter_w; ++kx) {
      const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
      if (ix < 0 || ix >= s.in_w) continue;
      offsets[n] = (int64_t{iy} * s.in_w + ix) * s.in_c;
      taps[n] = ky * s.filter_w + kx;
      ++n;
    }
  }
  return n;
}

void TapPointers(const ConvShape& s, const int8_t* image, int oy, int ox, const int8_t* zero_row,
                 const int8_t** tap_ptr) {
  for (int ky = 0; ky < s.filter_h; ++ky) {
    const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
    for (int kx = 0; kx < s.filter_w; ++kx) {
      const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
      const bool inside = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w;
      tap_ptr[ky * s.filter_w + kx] = inside ? image + (int64_t{iy} * s.in_w + ix) * s.in_c : zero_row;
    }
  }
}

void DepthwiseTailChannels(const ConvShape& s, const Int8Params& q, const DepthwiseTables& t,
                           const int8_t* const* tap_ptr, int from, int8_t* out) {
  const int taps = s.filter_h * s.filter_w;
  for (int c = from; c < s.out_c; ++c) {
    uint32_t acc = static_cast<uint32_t>(t.folded_bias[c]);
    for (int tap = 0; tap < taps; ++tap) {
      acc += static_cast<uint32_t>(tap_ptr[tap][c] * t.weights[int64_t{tap} * s.out_c + c]);
    }
    out[c] = RequantizeOne(q, static_cast<int32_t>(acc), c);
  }
}

namespace {

// Any depth multiplier: per pixel, the valid taps are listed once, then each
// tap updates a row of accumulators (uint32: exact modulo 2^32, no UB).
void DepthwiseInt8Portable(const ConvShape& s, const Int8Params& q, const DepthwiseTables& t,
                           const int8_t* input, int8_t* output) {
  const int dm = s.out_c / s.in_c;
  const int taps = s.filter_h * s.filter_w;
  std::vector<int64_t> offsets(taps);
  std::vector<int> tap_index(taps);
  std::vector<uint32_t> acc(s.out_c);
  std::vector<int32_t> acc32(s.out_c);
  for (int b = 0; b < s.batch; ++b) {
    const int8_t* image = input + int64_t{b} * s.in_h * s.in_w * s.in_c;
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        const int n = ValidTaps(s, oy, ox, offsets.data(), tap_index.data());
        for (int c = 0; c < s.out_c; ++c) acc[c] = static_cast<uint32_t>(t.bias[c]);
        for (int i = 0; i < n; ++i) {
          const int8_t* x = image + offsets[i];
          const int32_t* w = t.weights.data() + int64_t{tap_index[i]} * s.out_c;
          if (dm == 1) {
            for (int c = 0; c < s.out_c; ++c) {
              acc[c] += static_cast<uint32_t>((x[c] + q.input_offset) * w[c]);
            }
          } else {
            for (int c = 0; c < s.out_c; ++c) {
              acc[c] += static_cast<uint32_t>((x[c / dm] + q.input_offset) * w[c]);
            }
          }
        }
        for (int c = 0; c < s.out_c; ++c) acc32[c] = static_cast<int32_t>(acc[c]);
        RequantizeRow(q, acc32.data(), s.out_c,
                      output + ((int64_t{b} * s.out_h + oy) * s.out_w + ox) * s.out_c,
                      Isa::kPortable);
      }
    }
  }
}

}  // namespace
}  // namespace detail

void DepthwiseConvInt8(const ConvShape& s, const Int8Params& q, const int8_t* input,
                       const int8_t* filter, const int32_t* bias, int8_t* output, Isa isa) {
  Check(s.in_c > 0 && s.out_c % s.in_c == 0,
        "DepthwiseConvInt8: output channels must be a multiple of input channels");
  const detail::DepthwiseTables t = detail::MakeDepthwiseTables(s, q, filter, bias);
  const bool vector = s.out_c == s.in_c && detail::VectorRequantOk(q, s.out_c);
  if (vector && isa == Isa::kAvx2) {
    detail::DepthwiseInt8Avx2(s, q, t, input, output);
  } else if (vector && detail::IsNeon(isa)) {
    detail::DepthwiseInt8Neon(s, q, t, input, output);
  } else {
    detail::DepthwiseInt8Portable(s, q, t, input, output);
  }
}

void DepthwiseConvFloat(const ConvShape& s, FloatRange range, const float* input,
                        const float* filter, const float* bias, float* output) {
  // Each output sums its taps in TFLite's order (ky, kx), then adds the bias.
  const int dm = s.out_c / s.in_c;
  const int taps = s.filter_h * s.filter_w;
  std::vector<int64_t> offsets(taps);
  std::vector<int> tap_index(taps);
  std::vector<float> acc(s.out_c);
  for (int b = 0; b < s.batch; ++b) {
    const float* image = input + int64_t{b} * s.in_h * s.in_w * s.in_c;
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        const int n = detail::ValidTaps(s, oy, ox, offsets.data(), tap_index.data());
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (int i = 0; i < n; ++i) {
          const float* x = image + offsets[i];
          const float* w = filter + int64_t{tap_index[i]} * s.out_c;
          for (int c = 0; c < s.out_c; ++c) acc[c] += x[c / dm] * w[c];
        }
        BiasAndClampPixel(acc.data(), bias, s.out_c, range,
                          output + ((int64_t{b} * s.out_h + oy) * s.out_w + ox) * s.out_c);
      }
    }
  }
}

namespace {

class DepthwiseConv2DKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    type_ = CheckLayerTypes(ctx);
    const Tensor& in = ctx.input(0);
    const Tensor& f = ctx.input(1);
    const Tensor& out = ctx.output(0);
    ctx.Require(in.shape.size() == 4, "input must be 4-D NHWC, got " + ShapeString(in.shape));
    ctx.Require(f.shape.size() == 4 && f.shape[0] == 1,
                "filter must be [1, H, W, C], got " + ShapeString(f.shape));
    ctx.Require(out.shape.size() == 4, "output must be 4-D NHWC, got " + ShapeString(out.shape));
    for (int d = 0; d < 4; ++d) ctx.Require(in.shape[d] > 0 && f.shape[d] > 0, "empty tensor");
    // TFLite derives the multiplier from the shapes (some converters leave the option at 0).
    ctx.Require(f.shape[3] % in.shape[3] == 0,
                "filter channels " + std::to_string(f.shape[3]) +
                    " are not a multiple of input channels " + std::to_string(in.shape[3]));
    RequireConvOptions(ctx);
    shape_ = MakeConvShape(in.shape, f.shape[1], f.shape[2], f.shape[3], ctx.options());
    RequireConvOutputShape(ctx, shape_);
    if (type_ == LayerType::kFloat32) {
      range_ = FloatActivation(ctx);
      return;
    }
    layer_.Prepare(ctx, shape_.out_c, 3);
  }

  void Eval(OpContext& ctx) override {
    if (type_ == LayerType::kFloat32) {
      DepthwiseConvFloat(shape_, range_, ctx.input_data<float>(0), ctx.input_data<float>(1),
                         OptionalBias<float>(ctx), ctx.output_data<float>(0));
      return;
    }
    DepthwiseConvInt8(shape_, layer_.params(), ctx.input_data<int8_t>(0),
                      ctx.input_data<int8_t>(1), OptionalBias<int32_t>(ctx),
                      ctx.output_data<int8_t>(0));
  }

 private:
  LayerType type_ = LayerType::kInt8;
  ConvShape shape_;
  Int8Layer layer_;
  FloatRange range_{};
};

}  // namespace

POTACC_REGISTER_KERNEL(kDepthwiseConv2D, DepthwiseConv2DKernel);

}  // namespace potacc::kernels
