// Private: splitting element-wise loops over a thread pool, and the vector
// twins of the element-wise int8 operators.
#pragma once

#include <algorithm>
#include <cstdint>

#include "potacc/kernels/add.h"
#include "potacc/kernels/gemm.h"
#include "potacc/util/thread_pool.h"

namespace potacc::kernels::detail {

// Calls fn(begin, end) over [0, n): once, or, with a pool and enough
// elements to pay for the hand-off (min_chunk each), in chunks (multiples of
// `align`) spread over its threads, in order (ThreadPool gives thread k the
// k-th part, so consecutive operators split alike stay in one core's cache).
template <class Fn>
void ForEachSpan(int64_t n, ThreadPool* pool, const Fn& fn, int64_t min_chunk = 16384, int64_t align = 64) {
  const int64_t chunks = pool ? std::min<int64_t>(2 * pool->size(), n / min_chunk) : 1;
  if (chunks <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  const int64_t step = (n / chunks + align - 1) / align * align;
  pool->ParallelFor((n + step - 1) / step, [&](int64_t i) { fn(i * step, std::min(n, (i + 1) * step)); });
}

// ADD of two same-shape int8 spans. The vector twins need AddVectorOk(p) and
// return how many leading elements they wrote (the rest: AddInt8Element).
bool AddVectorOk(const AddInt8Params& p);
int64_t AddInt8Avx2(const AddInt8Params& p, const int8_t* in1, const int8_t* in2, int64_t n, int8_t* out);
int64_t AddInt8Avx512(const AddInt8Params& p, const int8_t* in1, const int8_t* in2, int64_t n, int8_t* out);

// QUANTIZE float -> int8 of a span; returns how many leading values were
// written (the rest: the scalar QuantizeFloatToInt8).
int64_t QuantizeFloatAvx2(const float* in, int64_t n, float scale, int32_t zero_point, int8_t* out);
int64_t QuantizeFloatAvx512(const float* in, int64_t n, float scale, int32_t zero_point, int8_t* out);

}  // namespace potacc::kernels::detail
