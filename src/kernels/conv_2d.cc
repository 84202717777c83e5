#include "potacc/kernels/conv_2d.h"

#include <algorithm>
#include <vector>

#include "kernels/conv_2d_layer.h"
#include "kernels/gemm_internal.h"
#include "potacc/error.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

void ResolvePadding(ConvShape& s, Padding padding) {
  s.out_h = ComputeOutSize(padding, s.in_h, s.filter_h, s.stride_h, s.dilation_h);
  s.out_w = ComputeOutSize(padding, s.in_w, s.filter_w, s.stride_w, s.dilation_w);
  s.pad_top = ComputePadding(padding, s.in_h, s.filter_h, s.stride_h, s.dilation_h, s.out_h);
  s.pad_left = ComputePadding(padding, s.in_w, s.filter_w, s.stride_w, s.dilation_w, s.out_w);
}

ConvShape MakeConvShape(const std::vector<int32_t>& input_nhwc, int filter_h, int filter_w,
                        int out_c, const OpOptions& options) {
  ConvShape s;
  s.batch = input_nhwc[0];
  s.in_h = input_nhwc[1];
  s.in_w = input_nhwc[2];
  s.in_c = input_nhwc[3];
  s.filter_h = filter_h;
  s.filter_w = filter_w;
  s.out_c = out_c;
  s.stride_h = options.stride_h;
  s.stride_w = options.stride_w;
  s.dilation_h = options.dilation_h;
  s.dilation_w = options.dilation_w;
  ResolvePadding(s, options.padding);
  return s;
}

void ConvInt8Reference(const ConvShape& s, const Int8Params& q, const int8_t* input,
                       const int8_t* filter, const int32_t* bias, int8_t* output) {
  for (int b = 0; b < s.batch; ++b) {
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        for (int oc = 0; oc < s.out_c; ++oc) {
          int32_t acc = 0;
          for (int ky = 0; ky < s.filter_h; ++ky) {
            const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            for (int kx = 0; kx < s.filter_w; ++kx) {
              const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;  // padding
              for (int ic = 0; ic < s.in_c; ++ic) {
                const int32_t x = input[((int64_t{b} * s.in_h + iy) * s.in_w + ix) * s.in_c + ic];
                const int32_t w =
                    filter[((int64_t{oc} * s.filter_h + ky) * s.filter_w + kx) * s.in_c + ic];
                acc += (x + q.input_offset) * (w + q.filter_offset);
              }
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

namespace {

bool IsPointwise(const ConvShape& s) {
  return s.filter_h == 1 && s.filter_w == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
         s.pad_left == 0 && s.out_h == s.in_h && s.out_w == s.in_w;
}

// The output pixel of GEMM row m, advanced one row at a time (no divisions
// per row).
struct PixelCursor {
  int64_t b = 0;
  int oy = 0, ox = 0;
  PixelCursor(const ConvShape& s, int64_t m) {
    const int64_t plane = int64_t{s.out_h} * s.out_w;
    b = m / plane;
    oy = static_cast<int>((m % plane) / s.out_w);
    ox = static_cast<int>(m % s.out_w);
  }
  void Next(const ConvShape& s) {
    if (++ox < s.out_w) return;
    ox = 0;
    if (++oy < s.out_h) return;
    oy = 0;
    ++b;
  }
};

// Row r of the (virtual) im2col matrix: the taps of output pixel p in
// (ky, kx, ic) order; taps outside the input hold the input zero point,
// whose (x + input_offset) is 0, so they contribute nothing.
void Im2colRow(const ConvShape& s, const int8_t* input, int8_t pad_value, const PixelCursor& p,
               const detail::RowBlock& dst, int r) {
  const int ix0 = p.ox * s.stride_w - s.pad_left;
  // With dilation 1 and the window inside horizontally, the taps of one
  // filter row are contiguous in the input: one copy per filter row.
  const bool row_runs = s.dilation_w == 1 && ix0 >= 0 && ix0 + s.filter_w <= s.in_w;
  const int run = s.filter_w * s.in_c;
  int64_t col = 0;
  for (int ky = 0; ky < s.filter_h; ++ky) {
    const int iy = p.oy * s.stride_h - s.pad_top + ky * s.dilation_h;
    if (iy < 0 || iy >= s.in_h) {
      dst.Fill(r, col, pad_value, run);
      col += run;
      continue;
    }
    const int8_t* image_row = input + (p.b * s.in_h + iy) * s.in_w * s.in_c;
    if (row_runs) {
      dst.Copy(r, col, image_row + int64_t{ix0} * s.in_c, run);
      col += run;
      continue;
    }
    for (int kx = 0; kx < s.filter_w; ++kx, col += s.in_c) {
      const int ix = ix0 + kx * s.dilation_w;
      if (ix < 0 || ix >= s.in_w) {
        dst.Fill(r, col, pad_value, s.in_c);
      } else {
        dst.Copy(r, col, image_row + int64_t{ix} * s.in_c, s.in_c);
      }
    }
  }
}

}  // namespace

void ConvInt8(const ConvShape& s, const Int8Params& q, const PackedWeightsInt8& filter,
              const int8_t* input, int8_t* output, Isa isa, ThreadPool* pool) {
  Check(filter.n() == s.out_c && filter.k() == s.depth(),
        "ConvInt8: packed filter does not match the conv shape");
  const bool pointwise = IsPointwise(s);
  const auto pad_value = static_cast<int8_t>(-q.input_offset);
  auto fill = [&](int64_t first, int count, const detail::RowBlock& dst) {
    if (pointwise) {  // 1x1 stride 1: the input pixel is the row
      for (int r = 0; r < count; ++r) dst.Copy(r, 0, input + (first + r) * s.in_c, s.in_c);
      return;
    }
    PixelCursor p(s, first);
    for (int r = 0; r < count; ++r, p.Next(s)) Im2colRow(s, input, pad_value, p, dst, r);
  };
  detail::RunGemm(q, filter, s.rows(), fill, output, s.out_c, isa, pool);
}

void ConvInt8(const ConvShape& s, const Int8Params& q, const int8_t* input, const int8_t* filter,
              const int32_t* bias, int8_t* output, Isa isa, ThreadPool* pool) {
  const PackedWeightsInt8 packed(filter, s.out_c, s.depth(), bias, q, isa);
  ConvInt8(s, q, packed, input, output, isa, pool);
}

void ConvFloat(const ConvShape& s, FloatRange range, const float* input, const float* filter,
               const float* bias, float* output) {
  // Filter transposed to [tap][ic][oc] so the inner loop runs over output
  // channels; each output still sums its taps in TFLite's order (ky, kx, ic),
  // then adds the bias, so results match TFLite's reference kernel.
  const int k = s.depth();
  std::vector<float> wt(static_cast<size_t>(k) * s.out_c);
  for (int oc = 0; oc < s.out_c; ++oc) {
    for (int i = 0; i < k; ++i) wt[static_cast<size_t>(i) * s.out_c + oc] = filter[int64_t{oc} * k + i];
  }
  std::vector<float> acc(s.out_c);
  for (int b = 0; b < s.batch; ++b) {
    for (int oy = 0; oy < s.out_h; ++oy) {
      for (int ox = 0; ox < s.out_w; ++ox) {
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (int ky = 0; ky < s.filter_h; ++ky) {
          const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (int kx = 0; kx < s.filter_w; ++kx) {
            const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            const float* x = input + ((int64_t{b} * s.in_h + iy) * s.in_w + ix) * s.in_c;
            const float* w = wt.data() + static_cast<size_t>((ky * s.filter_w + kx) * s.in_c) * s.out_c;
            for (int ic = 0; ic < s.in_c; ++ic) {
              const float xv = x[ic];
              const float* wr = w + static_cast<size_t>(ic) * s.out_c;
              for (int oc = 0; oc < s.out_c; ++oc) acc[oc] += xv * wr[oc];
            }
          }
        }
        BiasAndClampPixel(acc.data(), bias, s.out_c, range,
                          output + ((int64_t{b} * s.out_h + oy) * s.out_w + ox) * s.out_c);
      }
    }
  }
}

namespace {

class Conv2DKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    type_ = CheckLayerTypes(ctx);
    const Tensor& in = ctx.input(0);
    const Tensor& f = ctx.input(1);
    const Tensor& out = ctx.output(0);
    ctx.Require(in.shape.size() == 4, "input must be 4-D NHWC, got " + FormatShape(in.shape));
    ctx.Require(f.shape.size() == 4, "filter must be 4-D OHWI, got " + FormatShape(f.shape));
    ctx.Require(out.shape.size() == 4, "output must be 4-D NHWC, got " + FormatShape(out.shape));
    if (f.shape[3] != in.shape[3]) {
      if (f.shape[3] > 0 && in.shape[3] % f.shape[3] == 0) {
        ctx.Unsupported("grouped convolution (input channels " + std::to_string(in.shape[3]) +
                        ", filter channels " + std::to_string(f.shape[3]) + ")");
      }
      ctx.Require(false, "filter " + FormatShape(f.shape) + " does not match input " +
                             FormatShape(in.shape));
    }
    RequireConvOptions(ctx);
    for (int d = 0; d < 4; ++d) ctx.Require(in.shape[d] > 0 && f.shape[d] > 0, "empty tensor");
    shape_ = MakeConvShape(in.shape, f.shape[1], f.shape[2], f.shape[0], ctx.options());
    RequireConvOutputShape(ctx, shape_);
    if (type_ == LayerType::kFloat32) {
      range_ = FloatActivation(ctx);
      return;
    }
    layer_.Prepare(ctx, shape_.out_c, 0);
    packed_ = {};
    if (ConstantWeightsAndBias(ctx)) Pack(ctx);
  }

  void Eval(OpContext& ctx) override {
    if (type_ == LayerType::kFloat32) {
      ConvFloat(shape_, range_, ctx.input_data<float>(0), ctx.input_data<float>(1),
                OptionalBias<float>(ctx), ctx.output_data<float>(0));
      return;
    }
    if (!ConstantWeightsAndBias(ctx)) Pack(ctx);
    ConvInt8(shape_, layer_.params(), packed_, ctx.input_data<int8_t>(0),
             ctx.output_data<int8_t>(0), ctx.isa(), ctx.pool());
  }

 private:
  void Pack(const OpContext& ctx) {
    packed_ = PackedWeightsInt8(ctx.input_data<int8_t>(1), shape_.out_c, shape_.depth(),
                                OptionalBias<int32_t>(ctx), layer_.params(), ctx.isa());
  }

  LayerType type_ = LayerType::kInt8;
  ConvShape shape_;
  Int8Layer layer_;
  PackedWeightsInt8 packed_;
  FloatRange range_{};
};

}  // namespace

POTACC_REGISTER_KERNEL(kConv2D, Conv2DKernel);

}  // namespace potacc::kernels
