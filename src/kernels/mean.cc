#include "potacc/kernels/mean.h"

#include <algorithm>
#include <bit>
#include <optional>
#include <utility>

#include "potacc/error.h"
#include "potacc/fixed_point.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

std::vector<int> ResolveReduceAxes(const std::vector<int64_t>& axes, int rank) {
  std::vector<int> resolved;
  for (int64_t a : axes) {
    Check(a >= -rank && a < rank,
          "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
    const int axis = static_cast<int>(a < 0 ? a + rank : a);
    if (std::find(resolved.begin(), resolved.end(), axis) == resolved.end()) {
      resolved.push_back(axis);
    }
  }
  return resolved;
}

std::vector<int32_t> ReducedShape(const std::vector<int32_t>& input_shape,
                                  const std::vector<int>& axes, bool keep_dims) {
  std::vector<int32_t> out;
  for (int d = 0; d < static_cast<int>(input_shape.size()); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced) {
      out.push_back(input_shape[d]);
    } else if (keep_dims) {
      out.push_back(1);
    }
  }
  return out;
}

namespace {

// Sums the input into out[] (already zeroed) along `axes`, visiting inputs in
// row-major order; returns the number of elements summed per output.
template <class In, class Acc>
int64_t SumOverAxes(const std::vector<int32_t>& shape, const std::vector<int>& axes,
                    const In* input, Acc* out) {
  const int rank = static_cast<int>(shape.size());
  std::vector<int64_t> out_stride(rank, 0);
  int64_t s = 1;
  int64_t count = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (std::find(axes.begin(), axes.end(), d) != axes.end()) {
      count *= shape[d];
    } else {
      out_stride[d] = s;
      s *= shape[d];
    }
  }
  const int64_t total = ShapeElements(shape);
  if (total == 0) return count;
  std::vector<int32_t> index(rank, 0);
  int64_t o = 0;
  for (int64_t i = 0; i < total; ++i) {
    out[o] += static_cast<Acc>(input[i]);
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d]) {
        o += out_stride[d];
        break;
      }
      o -= out_stride[d] * (shape[d] - 1);
      index[d] = 0;
    }
  }
  return count;
}

}  // namespace

MeanInt8Params PrepareMeanInt8(float input_scale, int32_t input_zero_point, float output_scale,
                               int32_t output_zero_point) {
  return PrepareRequantize(input_scale, input_zero_point, output_scale, output_zero_point);
}

int8_t MeanInt8FromSum(const MeanInt8Params& p, int32_t sum, int64_t count) {
  if (count <= 0) return 0;
  // Fold 1/N into the multiplier, keeping as many bits as the shift allows.
  int k = 63 - std::countl_zero(static_cast<uint64_t>(count));
  k = std::min(k, 32);
  k = std::min(k, 31 + p.shift);
  const auto multiplier =
      static_cast<int32_t>((static_cast<int64_t>(p.multiplier) << k) / count);
  const int shift = p.shift - k;
  const auto shifted_sum = static_cast<int32_t>(sum - p.input_zero_point * count);
  const int32_t out =
      fixed_point::MultiplyByQuantizedMultiplier(shifted_sum, multiplier, shift) +
      p.output_zero_point;
  return static_cast<int8_t>(std::clamp<int32_t>(out, -128, 127));
}

void MeanInt8Reference(const MeanInt8Params& p, const std::vector<int32_t>& input_shape,
                       const std::vector<int>& axes, const int8_t* input, int8_t* output) {
  const int64_t n_out = ShapeElements(ReducedShape(input_shape, axes, false));
  std::vector<int32_t> sums(static_cast<size_t>(n_out), 0);
  const int64_t count = SumOverAxes(input_shape, axes, input, sums.data());
  for (int64_t i = 0; i < n_out; ++i) output[i] = MeanInt8FromSum(p, sums[i], count);
}

namespace {

// The reduced axes as one block of consecutive dimensions [first, last], or
// nullopt when they are not consecutive. Axes must be distinct and in range
// (ResolveReduceAxes makes them so).
std::optional<std::pair<int, int>> ReducedBlock(const std::vector<int>& axes) {
  if (axes.empty()) return std::nullopt;
  const auto [lo, hi] = std::minmax_element(axes.begin(), axes.end());
  if (*hi - *lo + 1 != static_cast<int>(axes.size())) return std::nullopt;
  return std::make_pair(*lo, *hi);
}

// outer x depth x inner: the sums over depth of each (outer, inner) pair, a
// row of `inner` int32 sums at a time (contiguous adds; NHWC MEAN over H, W
// adds one pixel's channels per step). Exact integer arithmetic: the order
// does not change the sums.
void SumMiddle(const int8_t* input, int64_t outer, int64_t depth, int64_t inner, int32_t* sums) {
  if (inner == 1) {  // trailing axes (layer norm): one register sum per contiguous row
    for (int64_t o = 0; o < outer; ++o) {
      const int8_t* in = input + o * depth;
      int32_t sum = 0;
      for (int64_t i = 0; i < depth; ++i) sum += in[i];
      sums[o] = sum;
    }
    return;
  }
  for (int64_t o = 0; o < outer; ++o) {
    int32_t* row = sums + o * inner;
    std::fill(row, row + inner, 0);
    for (int64_t d = 0; d < depth; ++d) {
      const int8_t* in = input + (o * depth + d) * inner;
      for (int64_t i = 0; i < inner; ++i) row[i] += in[i];
    }
  }
}

}  // namespace

void MeanInt8(const MeanInt8Params& p, const std::vector<int32_t>& input_shape, const std::vector<int>& axes,
              const int8_t* input, int8_t* output) {
  const auto block = ReducedBlock(axes);
  if (!block) {
    MeanInt8Reference(p, input_shape, axes, input, output);
    return;
  }
  int64_t outer = 1, depth = 1, inner = 1;
  for (int d = 0; d < static_cast<int>(input_shape.size()); ++d) {
    (d < block->first ? outer : d <= block->second ? depth : inner) *= input_shape[d];
  }
  if (depth == 0) {
    std::fill(output, output + outer * inner, int8_t{0});
    return;
  }
  std::vector<int32_t> sums(static_cast<size_t>(outer * inner));
  SumMiddle(input, outer, depth, inner, sums.data());
  for (size_t i = 0; i < sums.size(); ++i) output[i] = MeanInt8FromSum(p, sums[i], depth);
}

void MeanFloat(const std::vector<int32_t>& input_shape, const std::vector<int>& axes,
               const float* input, float* output) {
  const int64_t n_out = ShapeElements(ReducedShape(input_shape, axes, false));
  std::fill(output, output + n_out, 0.0f);
  const int64_t count = SumOverAxes(input_shape, axes, input, output);
  if (count <= 0) return;
  for (int64_t i = 0; i < n_out; ++i) output[i] = output[i] / static_cast<float>(count);
}

namespace {

class MeanKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 2, 2, 1);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, in, "input", {DataType::kInt8, DataType::kFloat32});
    RequireSameType(ctx, in, "input", out, "output");
    ctx.Require(ctx.input_is_constant(1), "axis tensor must be constant");
    try {
      axes_ = ResolveReduceAxes(ReadIndexTensor(ctx, 1, "axis"), static_cast<int>(in.shape.size()));
    } catch (const UnsupportedError&) {
      throw;
    } catch (const Error& e) {
      ctx.Require(false, e.what());
    }
    const auto expected = ReducedShape(in.shape, axes_, ctx.options().keep_dims);
    ctx.Require(ShapeElements(expected) == out.num_elements(),
                "output shape " + FormatShape(out.shape) + " does not match the reduced shape " +
                    FormatShape(expected));
    if (in.type == DataType::kInt8) {
      int64_t count = 1;
      for (int a : axes_) count *= in.shape[static_cast<size_t>(a)];
      // 2^24 x |-128| still fits the int32 sum TFLite's kernel keeps.
      if (count > (int64_t{1} << 24)) ctx.Unsupported("int8 MEAN over more than 2^24 values per output");
      const auto [qi, qo] = PerTensorInputOutputQuant(ctx);
      params_ = PrepareMeanInt8(qi.scale, qi.zero_point, qo.scale, qo.zero_point);
    }
  }

  void Eval(OpContext& ctx) override {
    if (ctx.input(0).type == DataType::kInt8) {
      MeanInt8(params_, ctx.input(0).shape, axes_, ctx.input_data<int8_t>(0),
               ctx.output_data<int8_t>(0));
    } else {
      MeanFloat(ctx.input(0).shape, axes_, ctx.input_data<float>(0), ctx.output_data<float>(0));
    }
  }

 private:
  std::vector<int> axes_;
  MeanInt8Params params_;
};

POTACC_REGISTER_KERNEL(kMean, MeanKernel);

}  // namespace
}  // namespace potacc::kernels
