#include "potacc/kernels/transpose.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "potacc/error.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc::kernels {

std::vector<int32_t> TransposedShape(const std::vector<int32_t>& input, const std::vector<int>& perm) {
  const int rank = static_cast<int>(input.size());
  Check(static_cast<int>(perm.size()) == rank, "permutation has " + std::to_string(perm.size()) +
                                                   " entries for an input of rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  std::vector<int32_t> out(rank);
  for (int d = 0; d < rank; ++d) {
    Check(perm[d] >= 0 && perm[d] < rank && !seen[perm[d]],
          "perm is not a permutation of 0.." + std::to_string(rank - 1));
    seen[perm[d]] = true;
    out[d] = input[perm[d]];
  }
  return out;
}

namespace {

std::vector<int64_t> RowMajorStrides(const std::vector<int32_t>& shape) {
  std::vector<int64_t> stride(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) stride[d] = stride[d + 1] * shape[d + 1];
  return stride;
}

// Calls fn(output_index, input_index) for every output element, row-major
// over the output, with in_stride[d] = input stride of output dimension d.
template <class Fn>
void ForEachPermuted(const std::vector<int32_t>& out_shape, const std::vector<int64_t>& in_stride, Fn&& fn) {
  const int rank = static_cast<int>(out_shape.size());
  int64_t total = 1;
  for (int32_t d : out_shape) total *= d;
  if (total == 0) return;
  std::vector<int32_t> index(rank, 0);
  int64_t in = 0;
  for (int64_t o = 0; o < total; ++o) {
    fn(o, in);
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < out_shape[d]) {
        in += in_stride[d];
        break;
      }
      in -= in_stride[d] * (out_shape[d] - 1);
      index[d] = 0;
    }
  }
}

}  // namespace

void TransposeReference(const std::vector<int32_t>& input_shape, const std::vector<int>& perm,
                        int element_size, const uint8_t* input, uint8_t* output) {
  const std::vector<int32_t> out_shape = TransposedShape(input_shape, perm);
  const std::vector<int64_t> stride = RowMajorStrides(input_shape);
  std::vector<int64_t> in_stride(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) in_stride[d] = stride[perm[d]];
  ForEachPermuted(out_shape, in_stride, [&](int64_t o, int64_t i) {
    std::memcpy(output + o * element_size, input + i * element_size, static_cast<size_t>(element_size));
  });
}

void Transpose(const std::vector<int32_t>& input_shape, const std::vector<int>& perm, int element_size,
               const uint8_t* input, uint8_t* output) {
  TransposedShape(input_shape, perm);  // validates
  // Drop size-1 dimensions and merge input dimensions that stay adjacent
  // (perm[d+1] == perm[d] + 1): the permutation of the remaining blocks is
  // the same data movement.
  std::vector<int32_t> shape;
  std::vector<int> kept_axes;
  for (int a = 0; a < static_cast<int>(input_shape.size()); ++a) {
    if (input_shape[a] == 0) return;
    if (input_shape[a] != 1) kept_axes.push_back(a);
  }
  std::vector<int> order;  // kept input axes in output order
  for (int p : perm)
    if (input_shape[p] != 1) order.push_back(p);
  // Group runs of consecutive input axes in `order`.
  std::vector<std::vector<int>> groups;
  for (int a : order) {
    if (!groups.empty() && groups.back().back() + 1 == a) {
      groups.back().push_back(a);
    } else {
      groups.push_back({a});
    }
  }
  // Merged input shape: groups sorted by their first input axis.
  std::vector<int> by_input(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) by_input[g] = static_cast<int>(g);
  std::sort(by_input.begin(), by_input.end(), [&](int x, int y) { return groups[x][0] < groups[y][0]; });
  std::vector<int32_t> merged_in(groups.size());
  std::vector<int> rank_of(groups.size());  // group g's position in the merged input
  for (size_t r = 0; r < by_input.size(); ++r) {
    int64_t n = 1;
    for (int a : groups[by_input[r]]) n *= input_shape[a];
    merged_in[r] = static_cast<int32_t>(n);
    rank_of[by_input[r]] = static_cast<int>(r);
  }
  std::vector<int> merged_perm(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) merged_perm[g] = rank_of[g];
  const int rank = static_cast<int>(merged_in.size());
  int64_t total = 1;
  for (int32_t d : merged_in) total *= d;
  if (rank <= 1) {  // identity
    std::memcpy(output, input, static_cast<size_t>(total * element_size));
    return;
  }
  std::vector<int32_t> out_shape(rank);
  for (int d = 0; d < rank; ++d) out_shape[d] = merged_in[merged_perm[d]];
  const std::vector<int64_t> stride = RowMajorStrides(merged_in);
  std::vector<int64_t> in_stride(rank);
  for (int d = 0; d < rank; ++d) in_stride[d] = stride[merged_perm[d]];
  if (merged_perm[rank - 1] == rank - 1) {
    // The innermost dimension stays innermost: copy whole runs.
    const int64_t run = int64_t{out_shape[rank - 1]} * element_size;
    std::vector<int32_t> outer(out_shape.begin(), out_shape.end() - 1);
    std::vector<int64_t> outer_stride(in_stride.begin(), in_stride.end() - 1);
    ForEachPermuted(outer, outer_stride, [&](int64_t o, int64_t i) {
      std::memcpy(output + o * run, input + i * element_size, static_cast<size_t>(run));
    });
    return;
  }
  if (element_size == 1) {
    // Gather along the output's innermost dimension (strided reads, contiguous writes).
    const int64_t n = out_shape[rank - 1];
    const int64_t step = in_stride[rank - 1];
    std::vector<int32_t> outer(out_shape.begin(), out_shape.end() - 1);
    std::vector<int64_t> outer_stride(in_stride.begin(), in_stride.end() - 1);
    ForEachPermuted(outer, outer_stride, [&](int64_t o, int64_t i) {
      uint8_t* dst = output + o * n;
      const uint8_t* src = input + i;
      for (int64_t k = 0; k < n; ++k) dst[k] = src[k * step];
    });
    return;
  }
  ForEachPermuted(out_shape, in_stride, [&](int64_t o, int64_t i) {
    std::memcpy(output + o * element_size, input + i * element_size, static_cast<size_t>(element_size));
  });
}

namespace {

class TransposeKernel final : public OpKernel {
 public:
  void Prepare(OpContext& ctx) override {
    RequireArity(ctx, 2, 2, 1);
    const Tensor& in = ctx.input(0);
    const Tensor& out = ctx.output(0);
    RequireSameType(ctx, out, "output", in, "input");
    element_size_ = DataTypeSize(in.type);
    if (element_size_ == 0) ctx.Unsupported(std::string("input type ") + DataTypeName(in.type) + " is not supported");
    ctx.Require(!in.shape.empty() && in.shape.size() <= 6,
                "input rank " + std::to_string(in.shape.size()) + " is not supported (1..6)");
    ctx.Require(ctx.input_is_constant(1), "perm tensor must be constant");
    perm_.clear();
    try {
      for (int64_t p : ReadIndexTensor(ctx, 1, "perm")) {
        ctx.Require(p >= 0 && p < static_cast<int64_t>(in.shape.size()),
                    "perm entry " + std::to_string(p) + " is out of range for rank " + std::to_string(in.shape.size()));
        perm_.push_back(static_cast<int>(p));
      }
      const std::vector<int32_t> expected = TransposedShape(in.shape, perm_);
      ctx.Require(out.shape == expected,
                  "output shape " + FormatShape(out.shape) + " should be " + FormatShape(expected));
    } catch (const UnsupportedError&) {
      throw;
    } catch (const InvalidModelError&) {
      throw;
    } catch (const Error& e) {
      ctx.Require(false, e.what());
    }
  }

  void Eval(OpContext& ctx) override {
    Transpose(ctx.input(0).shape, perm_, element_size_, ctx.input_data<uint8_t>(0), ctx.output_data<uint8_t>(0));
  }

 private:
  std::vector<int> perm_;
  int element_size_ = 1;
};

POTACC_REGISTER_KERNEL(kTranspose, TransposeKernel);

}  // namespace
}  // namespace potacc::kernels
