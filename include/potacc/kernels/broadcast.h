// NumPy-style broadcasting of two operands onto an output shape (TFLite's
// BroadcastAdd/Mul 4-D/6-D "slow" paths compute the same per-element function
// for each output index; the iteration order does not change the results).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace potacc {
class ThreadPool;
}

namespace potacc::kernels {

// True if `a` and `b` broadcast to exactly `out` (trailing-aligned; each
// dimension equal or 1).
bool BroadcastsTo(const std::vector<int32_t>& a, const std::vector<int32_t>& b,
                  const std::vector<int32_t>& out);

// Element offsets into a and b for every output element, in row-major
// output order. fn(offset_a, offset_b, offset_out).
template <class Fn>
void ForEachBroadcast(const std::vector<int32_t>& a, const std::vector<int32_t>& b,
                      const std::vector<int32_t>& out, Fn&& fn) {
  const int rank = static_cast<int>(out.size());
  if (a == out && b == out) {
    int64_t n = 1;
    for (int32_t d : out) n *= d;
    for (int64_t i = 0; i < n; ++i) fn(i, i, i);
    return;
  }
  // Strides of a and b in output coordinates (0 along broadcast dimensions).
  std::vector<int64_t> stride_a(rank, 0), stride_b(rank, 0);
  auto strides = [&](const std::vector<int32_t>& shape, std::vector<int64_t>& stride) {
    int64_t s = 1;
    const int offset = rank - static_cast<int>(shape.size());
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
      stride[d + offset] = shape[d] == 1 ? 0 : s;
      s *= shape[d];
    }
  };
  strides(a, stride_a);
  strides(b, stride_b);
  int64_t total = 1;
  for (int32_t d : out) total *= d;
  if (total == 0) return;
  std::vector<int32_t> index(rank, 0);
  int64_t ia = 0, ib = 0;
  for (int64_t o = 0; o < total; ++o) {
    fn(ia, ib, o);
    // Odometer increment over the output index.
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < out[d]) {
        ia += stride_a[d];
        ib += stride_b[d];
        break;
      }
      ia -= stride_a[d] * (out[d] - 1);
      ib -= stride_b[d] * (out[d] - 1);
      index[d] = 0;
    }
  }
}

// A binary int8 operator tabulated over all 256 x 256 operand pairs:
// out = table[(uint8)a << 8 | (uint8)b]. The optimized twin of the
// element-wise kernels (ADD, SUB, MUL, SQUARED_DIFFERENCE): each entry is the
// reference element function, so results are identical by construction.
using BinaryInt8Table = std::vector<int8_t>;

template <class ElementFn>
BinaryInt8Table TabulateBinaryInt8(ElementFn&& fn) {
  BinaryInt8Table t(65536);
  for (int a = -128; a <= 127; ++a)
    for (int b = -128; b <= 127; ++b)
      t[(static_cast<size_t>(static_cast<uint8_t>(a)) << 8) | static_cast<uint8_t>(b)] =
          fn(static_cast<int8_t>(a), static_cast<int8_t>(b));
  return t;
}

// Applies the table with broadcasting, one innermost output row at a time;
// same-shape operands in spans over the pool's threads, if one is given.
void BinaryInt8ByTable(const BinaryInt8Table& table, const std::vector<int32_t>& shape1, const int8_t* in1,
                       const std::vector<int32_t>& shape2, const int8_t* in2, const std::vector<int32_t>& out_shape,
                       int8_t* out, ThreadPool* pool = nullptr);

}  // namespace potacc::kernels
