#include "potacc/kernels/broadcast.h"

#include "kernels/elementwise_internal.h"

#include <algorithm>

namespace potacc::kernels {

bool BroadcastsTo(const std::vector<int32_t>& a, const std::vector<int32_t>& b,
                  const std::vector<int32_t>& out) {
  if (a.size() > out.size() || b.size() > out.size()) return false;
  const size_t rank = out.size();
  for (size_t i = 0; i < rank; ++i) {
    const int32_t o = out[rank - 1 - i];
    const int32_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int32_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != o && da != 1) return false;
    if (db != o && db != 1) return false;
    // The output extent must come from an operand (or all are 1).
    if (o != std::max(da, db) && !(o == 0 && (da == 0 || db == 0))) return false;
  }
  return true;
}

namespace {

// Element strides of `shape` (trailing-aligned to `rank`) in output
// coordinates; 0 along broadcast dimensions.
std::vector<int64_t> BroadcastStrides(const std::vector<int32_t>& shape, size_t rank) {
  std::vector<int64_t> stride(rank, 0);
  int64_t s = 1;
  const size_t offset = rank - shape.size();
  for (size_t d = shape.size(); d-- > 0;) {
    stride[d + offset] = shape[d] == 1 ? 0 : s;
    s *= shape[d];
  }
  return stride;
}

}  // namespace

void BinaryInt8ByTable(const BinaryInt8Table& table, const std::vector<int32_t>& shape1, const int8_t* in1,
                       const std::vector<int32_t>& shape2, const int8_t* in2, const std::vector<int32_t>& out_shape,
                       int8_t* out, ThreadPool* pool) {
  // The table by value: int8 stores may alias anything a reference reaches.
  const int8_t* const t = table.data();
  auto at = [t](int8_t a, int8_t b) {
    return t[(static_cast<size_t>(static_cast<uint8_t>(a)) << 8) | static_cast<uint8_t>(b)];
  };
  int64_t total = 1;
  for (int32_t d : out_shape) total *= d;
  if (total == 0) return;
  if (shape1 == out_shape && shape2 == out_shape) {
    detail::ForEachSpan(total, pool, [at, in1, in2, out](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) out[i] = at(in1[i], in2[i]);
    });
    return;
  }
  const size_t rank = out_shape.size();
  if (rank == 0) {
    out[0] = at(in1[0], in2[0]);
    return;
  }
  const std::vector<int64_t> sa = BroadcastStrides(shape1, rank), sb = BroadcastStrides(shape2, rank);
  const int64_t n = out_shape[rank - 1];
  const int64_t step_a = sa[rank - 1], step_b = sb[rank - 1];
  std::vector<int32_t> index(rank, 0);
  int64_t ia = 0, ib = 0;
  for (int64_t o = 0; o < total; o += n) {
    int8_t* dst = out + o;
    if (step_a == 1 && step_b == 1) {
      for (int64_t k = 0; k < n; ++k) dst[k] = at(in1[ia + k], in2[ib + k]);
    } else if (step_a == 1) {
      const int8_t b = in2[ib];
      for (int64_t k = 0; k < n; ++k) dst[k] = at(in1[ia + k], b);
    } else if (step_b == 1) {
      const int8_t a = in1[ia];
      for (int64_t k = 0; k < n; ++k) dst[k] = at(a, in2[ib + k]);
    } else {
      for (int64_t k = 0; k < n; ++k) dst[k] = at(in1[ia + k * step_a], in2[ib + k * step_b]);
    }
    // Advance the outer index (all dimensions but the innermost).
    for (size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < out_shape[d]) {
        ia += sa[d];
        ib += sb[d];
        break;
      }
      ia -= sa[d] * (out_shape[d] - 1);
      ib -= sb[d] * (out_shape[d] - 1);
      index[d] = 0;
    }
  }
}

}  // namespace potacc::kernels
