#include "potacc/kernels/strided_slice.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "potacc/error.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

int64_t SliceRange::count() const {
  if (stride > 0) return stop > start ? (stop - start + stride - 1) / stride : 0;
  return start > stop ? (start - stop + (-stride) - 1) / (-stride) : 0;
}

std::vector<SliceRange> ResolveStridedSlice(const std::vector<int32_t>& input_shape,
                                            const StridedSliceSpec& spec) {
  const int rank = static_cast<int>(input_shape.size());
  Check(static_cast<int>(spec.begin.size()) == rank && static_cast<int>(spec.end.size()) == rank &&
            static_cast<int>(spec.strides.size()) == rank,
        "begin/end/strides must have one entry per input dimension (" + std::to_string(rank) + ")");
  std::vector<SliceRange> ranges(rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t n = input_shape[d];
    const int64_t stride = spec.strides[d];
    Check(stride != 0, "stride of dimension " + std::to_string(d) + " is zero");
    SliceRange& r = ranges[d];
    r.stride = stride;
    r.shrink = (spec.shrink_axis_mask >> d) & 1;
    auto clamp_index = [&](int64_t i) {
      if (i < 0) i += n;
      return stride > 0 ? std::clamp<int64_t>(i, 0, n) : std::clamp<int64_t>(i, -1, n - 1);
    };
    int64_t start = spec.begin[d];
    if ((spec.begin_mask >> d) & 1) {
      start = stride > 0 ? std::numeric_limits<int32_t>::lowest()
                         : std::numeric_limits<int32_t>::max();
    }
    if (r.shrink) {
      // A shrunk axis selects exactly one index, which must exist: no
      // clamping (an out-of-range begin is refused at prepare), stride 1.
      // begin_mask picks the first index in the stride's direction.
      int64_t index = spec.begin[d];
      if ((spec.begin_mask >> d) & 1) index = stride > 0 ? 0 : n - 1;
      if (index < 0) index += n;
      Check(index >= 0 && index < n, "begin index " + std::to_string(spec.begin[d]) + " of shrunk dimension " +
                                         std::to_string(d) + " is outside its size " + std::to_string(n));
      r.start = index;
      r.stop = index + 1;
      r.stride = 1;
      continue;
    }
    r.start = n == 0 ? 0 : clamp_index(start);
    if (n == 0) {
      r.stop = 0;
    } else {
      int64_t stop = spec.offset ? spec.begin[d] + spec.end[d] : spec.end[d];
      if ((spec.end_mask >> d) & 1) {
        stop = stride > 0 ? std::numeric_limits<int32_t>::max()
                          : std::numeric_limits<int32_t>::lowest();
      }
      r.stop = clamp_index(stop);
    }
  }
  return ranges;
}

std::vector<int32_t> StridedSliceShape(const std::vector<SliceRange>& ranges) {
  std::vector<int32_t> shape;
  for (const SliceRange& r : ranges) {
    if (!r.shrink) shape.push_back(static_cast<int32_t>(r.count()));
  }
  return shape;
}

void StridedSliceBytes(const std::vector<int32_t>& input_shape,
                       const std::vector<SliceRange>& ranges, size_t element_size,
                       const void* input, void* output) {
  const int rank = static_cast<int>(input_shape.size());
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  if (rank == 0) {
    std::memcpy(out, in, element_size);
    return;
  }
  for (const SliceRange& r : ranges) {
    if (r.count() == 0) return;
  }
  std::vector<int64_t> in_stride(rank, 1);
  for (int d = rank - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * input_shape[d + 1];
  // Odometer over the selected indices of every axis, in row-major order.
  std::vector<int64_t> index(rank);
  for (int d = 0; d < rank; ++d) index[d] = ranges[d].start;
  size_t written = 0;
  while (true) {
    int64_t offset = 0;
    for (int d = 0; d < rank; ++d) offset += index[d] * in_stride[d];
    std::memcpy(out + written, in + offset * static_cast<int64_t>(element_size), element_size);
    written += element_size;
    int d = rank - 1;
    for (; d >= 0; --d) {
      const SliceRange& r = ranges[d];
      index[d] += r.stride;
      if (r.stride > 0 ? index[d] < r.stop : index[d] > r.stop) break;
      index[d] = r.start;
    }
    if (d < 0) break;
  }
}

namespace {

class StridedSliceKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 4, 4, 1);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, in, "input", {DataType::kInt8, DataType::kInt32, DataType::kFloat32});
    RequireSameType(ctx, in, "input", out, "output");
    const OpOptions& o = ctx.options();
    if (o.ellipsis_mask != 0 || o.new_axis_mask != 0) {
      ctx.Unsupported("ellipsis_mask and new_axis_mask are not supported");
    }
    element_size_ = static_cast<size_t>(DataTypeSize(in.type));
    constant_ = ctx.input_is_constant(1) && ctx.input_is_constant(2) && ctx.input_is_constant(3);
    if (constant_) {
      ranges_ = Resolve(ctx);
      const auto shape = StridedSliceShape(ranges_);
      ctx.Require(shape == out.shape, "output shape " + FormatShape(out.shape) +
                                          " differs from the sliced shape " + FormatShape(shape));
    }
  }

  void Eval(OpContext& ctx) override {
    if (!constant_) {
      ranges_ = Resolve(ctx);
      ctx.Require(ShapeElements(StridedSliceShape(ranges_)) == ctx.output(0).num_elements(),
                  "run-time slice does not match the output shape " +
                      FormatShape(ctx.output(0).shape));
    }
    StridedSliceBytes(ctx.input(0).shape, ranges_, element_size_, ctx.input_slot(0).data,
                      ctx.output_slot(0).data);
  }

 private:
  std::vector<SliceRange> Resolve(const OpContext& ctx) const {
    StridedSliceSpec spec;
    spec.begin = ReadIndexTensor(ctx, 1, "begin");
    spec.end = ReadIndexTensor(ctx, 2, "end");
    spec.strides = ReadIndexTensor(ctx, 3, "strides");
    const OpOptions& o = ctx.options();
    spec.begin_mask = o.begin_mask;
    spec.end_mask = o.end_mask;
    spec.shrink_axis_mask = o.shrink_axis_mask;
    spec.offset = o.offset;
    try {
      return ResolveStridedSlice(ctx.input(0).shape, spec);
    } catch (const Error& e) {
      ctx.Require(false, e.what());
    }
    return {};
  }

  size_t element_size_ = 1;
  bool constant_ = false;
  std::vector<SliceRange> ranges_;
};

POTACC_REGISTER_KERNEL(kStridedSlice, StridedSliceKernel);

}  // namespace
}  // namespace potacc::kernels
