#include "potacc/kernels/pad.h"

#include <algorithm>
#include <cstring>

#include "kernels/elementwise_internal.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

std::vector<int32_t> PaddedShape(const std::vector<int32_t>& input_shape,
                                 const std::vector<PadAmount>& pads) {
  std::vector<int32_t> out(input_shape.size());
  for (size_t d = 0; d < input_shape.size(); ++d) {
    out[d] = input_shape[d] + pads[d].before + pads[d].after;
  }
  return out;
}

namespace {

// Writes `count` elements of the pad value.
void FillValue(uint8_t* out, int64_t count, size_t element_size, const uint8_t* value, bool uniform) {
  if (uniform) {
    std::memset(out, value[0], static_cast<size_t>(count) * element_size);
  } else {
    for (int64_t i = 0; i < count; ++i) std::memcpy(out + i * element_size, value, element_size);
  }
}

// Trailing dimensions without padding merge into the one before them (the
// channels of an NHWC image padded in H and W): the same bytes, longer rows.
void MergeUnpaddedTail(std::vector<int32_t>& shape, std::vector<PadAmount>& pads) {
  while (shape.size() > 1 && pads.back().before == 0 && pads.back().after == 0 &&
         int64_t{shape[shape.size() - 2]} * shape.back() < (int64_t{1} << 30) &&
         (int64_t{pads[pads.size() - 2].before} + pads[pads.size() - 2].after) * shape.back() < (int64_t{1} << 30)) {
    const int32_t inner = shape.back();
    shape.pop_back();
    pads.pop_back();
    shape.back() *= inner;
    pads.back().before *= inner;
    pads.back().after *= inner;
  }
}

}  // namespace

namespace {

// One padding, reduced to rows of the innermost dimension (after
// MergeUnpaddedTail): each output row is an input row with its leading and
// trailing padding, or a row of padding.
struct PadRows {
  std::vector<int32_t> in_shape, out_shape;
  std::vector<PadAmount> pads;
  size_t element_size;
  const uint8_t* value;
  bool uniform;  // all the value's bytes are equal: memset
  int64_t in_row, out_row, rows;

  // Output rows [begin, end); each output element is written once.
  void Write(const uint8_t* in, uint8_t* out, int64_t begin, int64_t end) const {
    const int rank = static_cast<int>(in_shape.size());
    std::vector<int32_t> index(rank, 0);  // output index of the row; index[rank-1] stays 0
    for (int64_t d = rank - 2, rest = begin; d >= 0; --d) {
      index[d] = static_cast<int32_t>(rest % out_shape[d]);
      rest /= out_shape[d];
    }
    const bool any_input = ShapeElements(in_shape) > 0;
    for (int64_t r = begin; r < end; ++r) {
      uint8_t* dst = out + r * out_row * element_size;
      bool inside = any_input;
      int64_t src_row = 0;
      for (int d = 0; d < rank - 1 && inside; ++d) {
        const int32_t i = index[d] - pads[d].before;
        inside = i >= 0 && i < in_shape[d];
        src_row = src_row * in_shape[d] + i;
      }
      if (inside) {
        FillValue(dst, pads[rank - 1].before, element_size, value, uniform);
        std::memcpy(dst + pads[rank - 1].before * element_size, in + src_row * in_row * element_size,
                    static_cast<size_t>(in_row) * element_size);
        FillValue(dst + (pads[rank - 1].before + in_row) * element_size, pads[rank - 1].after, element_size,
                  value, uniform);
      } else {
        FillValue(dst, out_row, element_size, value, uniform);
      }
      for (int d = rank - 2; d >= 0; --d) {
        if (++index[d] < out_shape[d]) break;
        index[d] = 0;
      }
    }
  }
};

}  // namespace

void PadBytes(const std::vector<int32_t>& input_shape, const std::vector<PadAmount>& pads_in,
              size_t element_size, const void* input, const void* pad_value, void* output, ThreadPool* pool) {
  PadRows p{input_shape, {}, pads_in, element_size, static_cast<const uint8_t*>(pad_value), true, 0, 0, 0};
  MergeUnpaddedTail(p.in_shape, p.pads);
  p.out_shape = PaddedShape(p.in_shape, p.pads);
  for (size_t b = 1; b < element_size; ++b) p.uniform &= p.value[b] == p.value[0];
  auto* out = static_cast<uint8_t*>(output);
  const auto* in = static_cast<const uint8_t*>(input);
  const int rank = static_cast<int>(p.in_shape.size());
  if (rank == 0) {
    std::memcpy(out, in, element_size);
    return;
  }
  p.out_row = p.out_shape[rank - 1];
  p.in_row = p.in_shape[rank - 1];
  p.rows = ShapeElements(p.out_shape) / std::max<int64_t>(p.out_row, 1);
  if (p.rows == 0) return;  // an empty dimension: nothing to write (Write divides by the shape)
  // Spans of whole rows, each worth a thread's hand-off (~16 KiB and up).
  const int64_t row_bytes = std::max<int64_t>(1, p.out_row * static_cast<int64_t>(element_size));
  detail::ForEachSpan(p.rows, pool, [&](int64_t begin, int64_t end) { p.Write(in, out, begin, end); },
                      std::max<int64_t>(1, 16384 / row_bytes), 1);
}

namespace {

class PadKernel : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 2, 3, 1);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireTypeIn(ctx, in, "input", {DataType::kInt8, DataType::kFloat32, DataType::kInt32});
    RequireSameType(ctx, in, "input", out, "output");
    const Tensor& paddings = ctx.input(1);
    ctx.Require(ctx.input_is_constant(1), "paddings tensor must be constant");
    const int rank = static_cast<int>(in.shape.size());
    ctx.Require(paddings.shape == std::vector<int32_t>{rank, 2},
                "paddings shape " + FormatShape(paddings.shape) + " must be [" +
                    std::to_string(rank) + ", 2]");
    const std::vector<int64_t> p = ReadIndexTensor(ctx, 1, "paddings");
    pads_.assign(rank, {});
    for (int d = 0; d < rank; ++d) {
      ctx.Require(p[2 * d] >= 0 && p[2 * d + 1] >= 0 && p[2 * d] < (1 << 20) &&
                      p[2 * d + 1] < (1 << 20),
                  "padding of dimension " + std::to_string(d) + " must be non-negative");
      pads_[d] = {static_cast<int32_t>(p[2 * d]), static_cast<int32_t>(p[2 * d + 1])};
    }
    const auto expected = PaddedShape(in.shape, pads_);
    ctx.Require(out.shape == expected, "output shape " + FormatShape(out.shape) +
                                           " differs from the padded shape " +
                                           FormatShape(expected));
    element_size_ = static_cast<size_t>(DataTypeSize(in.type));
    pad_value_.assign(element_size_, 0);
    if (in.type == DataType::kInt8) {
      const TensorQuant qi = PerTensorQuant(ctx, in, "input");
      const TensorQuant qo = PerTensorQuant(ctx, out, "output");
      if (!(qi == qo)) ctx.Unsupported("input and output quantization differ");
      pad_value_[0] = static_cast<uint8_t>(static_cast<int8_t>(qo.zero_point));
    }
    has_constant_value_ = ctx.num_inputs() == 3;
    if (has_constant_value_) {
      const Tensor& v = ctx.input(2);
      RequireSameType(ctx, v, "constant_values", in, "input");
      ctx.Require(v.num_elements() == 1, "constant_values must hold one element");
    }
  }

  void Eval(OpContext& ctx) override {
    const void* value = pad_value_.data();
    if (has_constant_value_) value = ctx.input_slot(2).data;
    PadBytes(ctx.input(0).shape, pads_, element_size_, ctx.input_slot(0).data, value,
             ctx.output_slot(0).data, ctx.pool());
  }

 private:
  std::vector<PadAmount> pads_;
  size_t element_size_ = 1;
  std::vector<uint8_t> pad_value_;
  bool has_constant_value_ = false;
};

POTACC_REGISTER_KERNEL(kPad, PadKernel);

}  // namespace
}  // namespace potacc::kernels
