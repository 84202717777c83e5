#include "potacc/kernels/depthwise_conv_2d.h"

#include <algorithm>
#include <vector>

#include "kernels/conv_2d_layer.h"
#include "kernels/depthwise_conv_2d_internal.h"
#include "kernels/gemm_internal.h"
#include "potacc/error.h"
#include "potacc/runtime/op_kernel.h"
#include "potacc/util/thread_pool.h"

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

DepthwiseTables::DepthwiseTables(const ConvShape& s, const Int8Params& q, const int8_t* filter,
                                 const int32_t* bias)
    : taps(s.filter_h * s.filter_w),
      pairs((taps + 1) / 2),
      padded((s.out_c + 15) / 16 * 16),
      requant(q, s.out_c, padded) {
  weights.resize(static_cast<size_t>(taps) * s.out_c);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = filter[i] + q.filter_offset;
  this->bias.assign(padded, 0);
  pair_weights.assign(static_cast<size_t>(pairs) * padded * 2, 0);
  folded_bias.assign(padded, 0);
  for (int tap = 0; tap < taps; ++tap) {
    for (int c = 0; c < s.out_c; ++c) {
      pair_weights[(static_cast<size_t>(tap / 2) * padded + c) * 2 + tap % 2] =
          static_cast<int16_t>(weights[static_cast<size_t>(tap) * s.out_c + c]);
    }
  }
  for (int c = 0; c < s.out_c; ++c) {
    this->bias[c] = bias ? bias[c] : 0;
    uint32_t sum = 0;  // wraps like int32
    for (int tap = 0; tap < taps; ++tap) sum += static_cast<uint32_t>(weights[static_cast<size_t>(tap) * s.out_c + c]);
    folded_bias[c] = static_cast<int32_t>(static_cast<uint32_t>(this->bias[c]) +
                                          static_cast<uint32_t>(q.input_offset) * sum);
  }
  BuildSplitTables(s, q);
}

void DepthwiseTables::BuildSplitTables(const ConvShape& s, const Int8Params& q) {
  blocks32 = (s.out_c + 31) / 32;
  split_weights.assign(static_cast<size_t>(blocks32) * taps * 2 * 32, 0);
  split_bias.assign(static_cast<size_t>(blocks32) * 2 * 16, 0);
  split_lanes.assign(static_cast<size_t>(blocks32) * 2, RequantTables::Lanes16{});
  for (int c = 0; c < s.out_c; ++c) {
    const int block = c / 32, half = c % 2, lane = (c % 32) / 2;
    for (int tap = 0; tap < taps; ++tap) {
      split_weights[((static_cast<size_t>(block) * taps + tap) * 2 + half) * 32 + 2 * lane + half] =
          static_cast<int16_t>(weights[static_cast<size_t>(tap) * s.out_c + c]);
    }
    split_bias[(static_cast<size_t>(block) * 2 + half) * 16 + lane] = folded_bias[c];
    if (requant.vector_ok) {
      RequantTables::SetLane(split_lanes[static_cast<size_t>(block) * 2 + half], lane, q.multiplier[c], q.shift[c]);
    }
  }
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

TapPointers::TapPointers(const ConvShape& s, const Int8Params& q, int pairs)
    : s_(s),
      zero_row_(static_cast<size_t>(s.in_c) + 64, static_cast<int8_t>(-q.input_offset)),
      ptr_(static_cast<size_t>(pairs) * 2, zero_row_.data()) {
  for (int ky = 0; ky < s.filter_h; ++ky) {
    for (int kx = 0; kx < s.filter_w; ++kx) {
      offset_.push_back((int64_t{ky} * s.dilation_h * s.in_w + int64_t{kx} * s.dilation_w) * s.in_c);
    }
  }
}

void TapPointers::Set(const int8_t* image, int oy, int ox) {
  const int iy = oy * s_.stride_h - s_.pad_top, ix = ox * s_.stride_w - s_.pad_left;
  if (iy >= 0 && ix >= 0 && iy + (s_.filter_h - 1) * s_.dilation_h < s_.in_h &&
      ix + (s_.filter_w - 1) * s_.dilation_w < s_.in_w) {  // the whole window inside
    const int8_t* corner = image + (int64_t{iy} * s_.in_w + ix) * s_.in_c;
    for (size_t t = 0; t < offset_.size(); ++t) ptr_[t] = corner + offset_[t];
    return;
  }
  for (int ky = 0; ky < s_.filter_h; ++ky) {
    const int iy = oy * s_.stride_h - s_.pad_top + ky * s_.dilation_h;
    const bool row_inside = iy >= 0 && iy < s_.in_h;
    for (int kx = 0; kx < s_.filter_w; ++kx) {
      const int ix = ox * s_.stride_w - s_.pad_left + kx * s_.dilation_w;
      const bool inside = row_inside && ix >= 0 && ix < s_.in_w;
      ptr_[static_cast<size_t>(ky * s_.filter_w + kx)] =
          inside ? image + (int64_t{iy} * s_.in_w + ix) * s_.in_c : zero_row_.data();
    }
  }
}

void DepthwiseTailChannels(const DepthwisePixels& r, const TapPointers& taps, int from, int8_t* out) {
  const DepthwiseTables& t = *r.t;
  const int channels = r.s->out_c;
  for (int c = from; c < channels; ++c) {
    uint32_t acc = static_cast<uint32_t>(t.folded_bias[c]);
    for (int tap = 0; tap < t.taps; ++tap) {
      acc += static_cast<uint32_t>(taps.tap(tap)[c] * t.weights[int64_t{tap} * channels + c]);
    }
    out[c] = RequantizeOne(*r.q, static_cast<int32_t>(acc), c);
  }
}

// Any depth multiplier: per pixel, the valid taps are listed once, then each
// tap updates a row of accumulators (uint32: exact modulo 2^32, no UB).
void DepthwisePixelsPortable(const DepthwisePixels& r) {
  const ConvShape& s = *r.s;
  const Int8Params& q = *r.q;
  const DepthwiseTables& t = *r.t;
  const int dm = s.out_c / s.in_c;
  std::vector<int64_t> offsets(t.taps);
  std::vector<int> tap_index(t.taps);
  std::vector<uint32_t> acc(s.out_c);
  std::vector<int32_t> acc32(s.out_c);
  ForEachRowSpan(r, [&](int64_t row, int ox_begin, int ox_end) {
    const int64_t b = row / s.out_h;
    const int oy = static_cast<int>(row % s.out_h);
    const int8_t* image = r.input + b * s.in_h * s.in_w * s.in_c;
    for (int ox = ox_begin; ox < ox_end; ++ox) {
      const int n = ValidTaps(s, oy, ox, offsets.data(), tap_index.data());
      for (int c = 0; c < s.out_c; ++c) acc[c] = static_cast<uint32_t>(t.bias[c]);
      for (int i = 0; i < n; ++i) {
        const int8_t* x = image + offsets[i];
        const int32_t* w = t.weights.data() + int64_t{tap_index[i]} * s.out_c;
        if (dm == 1) {
          for (int c = 0; c < s.out_c; ++c) acc[c] += static_cast<uint32_t>((x[c] + q.input_offset) * w[c]);
        } else {
          for (int c = 0; c < s.out_c; ++c) {
            acc[c] += static_cast<uint32_t>((x[c / dm] + q.input_offset) * w[c]);
          }
        }
      }
      for (int c = 0; c < s.out_c; ++c) acc32[c] = static_cast<int32_t>(acc[c]);
      RequantizeRow(q, acc32.data(), s.out_c, r.output + (row * s.out_w + ox) * s.out_c,
                    Isa::kPortable);
    }
  });
}

namespace {

using PixelsKernel = void (*)(const DepthwisePixels&);

PixelsKernel ChoosePixelsKernel(const ConvShape& s, Isa isa) {
  if (s.out_c != s.in_c) return DepthwisePixelsPortable;
  switch (KernelIsa(isa, {Isa::kAvx512Vnni, Isa::kAvxVnni, Isa::kAvx2, Isa::kNeon})) {
    case Isa::kAvx512Vnni: return DepthwisePixelsAvx512Vnni;
    case Isa::kAvxVnni: return DepthwisePixelsAvxVnni;
    case Isa::kAvx2: return DepthwisePixelsAvx2;
    case Isa::kNeon: return DepthwisePixelsNeon;
    default: return DepthwisePixelsPortable;
  }
}

}  // namespace
}  // namespace detail

PackedDepthwiseInt8::PackedDepthwiseInt8(const ConvShape& s, const Int8Params& q,
                                         const int8_t* filter, const int32_t* bias)
    : tables_(std::make_shared<const detail::DepthwiseTables>(s, q, filter, bias)) {}

void DepthwiseConvInt8(const ConvShape& s, const Int8Params& q, const PackedDepthwiseInt8& packed,
                       const int8_t* input, int8_t* output, Isa isa, ThreadPool* pool) {
  Check(s.in_c > 0 && s.out_c % s.in_c == 0,
        "DepthwiseConvInt8: output channels must be a multiple of input channels");
  const detail::DepthwiseTables* t = packed.tables();
  Check(t != nullptr && t->taps == s.filter_h * s.filter_w && t->requant.Matches(q, s.out_c),
        "DepthwiseConvInt8: packed tables do not match the layer");
  const detail::PixelsKernel kernel = detail::ChoosePixelsKernel(s, isa);
  // ~4 tasks per thread for balance: of whole output rows when there are
  // enough of them, else of pixels (a 7x7 layer has 7 rows).
  const int64_t rows = int64_t{s.batch} * s.out_h;
  const int threads = pool ? pool->size() : 1;
  const int64_t want = 4 * int64_t{threads};
  const bool whole_rows = rows >= want;
  const int64_t units = whole_rows ? rows : rows * s.out_w;
  const int64_t unit = whole_rows ? s.out_w : 1;
  const int64_t tasks = threads > 1 ? std::min(units, want) : 1;
  auto task = [&](int64_t i) {
    kernel({&s, &q, t, input, output, units * i / tasks * unit, units * (i + 1) / tasks * unit});
  };
  if (pool) {
    pool->ParallelFor(tasks, task);
  } else {
    task(0);
  }
}

void DepthwiseConvInt8(const ConvShape& s, const Int8Params& q, const int8_t* input,
                       const int8_t* filter, const int32_t* bias, int8_t* output, Isa isa,
                       ThreadPool* pool) {
  DepthwiseConvInt8(s, q, PackedDepthwiseInt8(s, q, filter, bias), input, output, isa, pool);
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
    ctx.Require(in.shape.size() == 4, "input must be 4-D NHWC, got " + FormatShape(in.shape));
    ctx.Require(f.shape.size() == 4 && f.shape[0] == 1,
                "filter must be [1, H, W, C], got " + FormatShape(f.shape));
    ctx.Require(out.shape.size() == 4, "output must be 4-D NHWC, got " + FormatShape(out.shape));
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
    packed_ = {};
    if (ConstantWeightsAndBias(ctx)) Pack(ctx);
  }

  void Eval(OpContext& ctx) override {
    if (type_ == LayerType::kFloat32) {
      DepthwiseConvFloat(shape_, range_, ctx.input_data<float>(0), ctx.input_data<float>(1),
                         OptionalBias<float>(ctx), ctx.output_data<float>(0));
      return;
    }
    if (!ConstantWeightsAndBias(ctx)) Pack(ctx);
    DepthwiseConvInt8(shape_, layer_.params(), packed_, ctx.input_data<int8_t>(0),
                      ctx.output_data<int8_t>(0), ctx.isa(), ctx.pool());
  }

 private:
  void Pack(const OpContext& ctx) {
    packed_ = PackedDepthwiseInt8(shape_, layer_.params(), ctx.input_data<int8_t>(1),
                                  OptionalBias<int32_t>(ctx));
  }

  LayerType type_ = LayerType::kInt8;
  ConvShape shape_;
  Int8Layer layer_;
  PackedDepthwiseInt8 packed_;
  FloatRange range_{};
};

}  // namespace

POTACC_REGISTER_KERNEL(kDepthwiseConv2D, DepthwiseConv2DKernel);

}  // namespace potacc::kernels
