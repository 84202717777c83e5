// AVX2 building blocks shared by the GEMM and depthwise kernels. Only
// included by *_avx2.cc files; every function carries its own target
// attribute so the rest of the binary stays baseline x86-64.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#define POTACC_HAVE_X86 1
// GCC 12 reports its own _mm512_undefined_* placeholders as maybe
// uninitialized once inlined (GCC PR105593, fixed in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstdint>
#include <cstring>

#define POTACC_AVX2 __attribute__((target("avx2,fma")))

namespace potacc::kernels::detail {

// Per-channel constants of 8 lanes of requantization (mask = 2^right_shift - 1
// and mask >> 1 precomputed for the rounding shift).
struct RequantLanes {
  __m256i multiplier, left_shift, right_shift, mask, half_mask;
};

POTACC_AVX2 inline RequantLanes MakeRequantLanes(__m256i multiplier, __m256i left_shift,
                                                 __m256i right_shift) {
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right_shift), one);
  return {multiplier, left_shift, right_shift, mask, _mm256_srli_epi32(mask, 1)};
}

// fixed_point::MultiplyByQuantizedMultiplier (double rounding) on 8 lanes,
// exact for multiplier >= 0, left shift 0..30, right shift 0..31.
//
// SaturatingRoundingDoublingHighMul with b >= 0: the product's sign is x's,
// so |x|*b is computed unsigned (also right for x = INT32_MIN) and
//   x >= 0: ( |x|*b + 2^30     ) >> 31
//   x <  0: -((|x|*b + 2^30 - 1) >> 31)
// which equals the scalar (x*b + nudge) / 2^31 truncated toward zero.
POTACC_AVX2 inline __m256i MultiplyByQuantizedMultiplier8(__m256i x, const RequantLanes& r) {
  x = _mm256_sllv_epi32(x, r.left_shift);
  const __m256i ax = _mm256_abs_epi32(x);
  const __m256i neg = _mm256_srai_epi32(x, 31);
  const __m256i half = _mm256_set1_epi64x(int64_t{1} << 30);
  __m256i even = _mm256_mul_epu32(ax, r.multiplier);
  __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(ax, 32), _mm256_srli_epi64(r.multiplier, 32));
  even = _mm256_add_epi64(even, _mm256_add_epi64(half, _mm256_shuffle_epi32(neg, 0xA0)));  // lanes 0,0,2,2
  odd = _mm256_add_epi64(odd, _mm256_add_epi64(half, _mm256_shuffle_epi32(neg, 0xF5)));    // lanes 1,1,3,3
  even = _mm256_srli_epi64(even, 31);
  odd = _mm256_slli_epi64(_mm256_srli_epi64(odd, 31), 32);
  const __m256i high = _mm256_sign_epi32(_mm256_blend_epi32(even, odd, 0xAA), x);
  // RoundingDivideByPOT: (x >> e) + (remainder > (mask >> 1) + (x < 0)).
  const __m256i remainder = _mm256_and_si256(high, r.mask);
  const __m256i threshold = _mm256_sub_epi32(r.half_mask, _mm256_srai_epi32(high, 31));
  return _mm256_sub_epi32(_mm256_srav_epi32(high, r.right_shift),
                          _mm256_cmpgt_epi32(remainder, threshold));
}

// Requantize + output zero point + activation clamp, 8 lanes of int32.
struct OutputLanes {
  __m256i zero_point, act_min, act_max;
};
POTACC_AVX2 inline __m256i RequantizeClamp8(__m256i acc, const RequantLanes& r,
                                            const OutputLanes& o) {
  __m256i v = _mm256_add_epi32(MultiplyByQuantizedMultiplier8(acc, r), o.zero_point);
  return _mm256_min_epi32(_mm256_max_epi32(v, o.act_min), o.act_max);
}

// Two vectors of 8 int32 (already in int8 range) -> 16 int8 in order.
POTACC_AVX2 inline __m128i PackInt8x16(__m256i lo, __m256i hi) {
  const __m256i w = _mm256_packs_epi32(lo, hi);  // [lo0-3 hi0-3 | lo4-7 hi4-7]
  const __m256i b = _mm256_packs_epi16(w, w);    // dwords: lo0-3 hi0-3 .. | lo4-7 hi4-7 ..
  return _mm256_castsi256_si128(
      _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0)));
}

// One vector of 8 int32 (already in int8 range) -> 8 int8 in the low 64 bits.
POTACC_AVX2 inline __m128i PackInt8x8(__m256i v) { return PackInt8x16(v, v); }

// The first `valid` (<= 16) bytes of v to out.
POTACC_AVX2 inline void StoreChannels(int8_t* out, __m128i v, int valid) {
  if (valid == 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), v);
    std::memcpy(out, tmp, static_cast<size_t>(valid));
  }
}

POTACC_AVX2 inline RequantLanes LoadRequantLanes(const int32_t* multiplier,
                                                 const int32_t* left_shift,
                                                 const int32_t* right_shift) {
  return MakeRequantLanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(multiplier)),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(left_shift)),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(right_shift)));
}

}  // namespace potacc::kernels::detail

#endif  // x86
