// Vector twins of QUANTIZE float32 -> int8 (quantize.cc). std::round (half
// away from zero) has no vector instruction; it is t = trunc(v) plus
// copysign(1, v) when |v - t| >= 0.5, which is exact (v - trunc(v) is
// representable). NaN becomes 0 and the value is clamped to +-1e6 before the
// integer conversion, as in the scalar kernel.
#include "kernels/elementwise_internal.h"
#include "kernels/gemm_avx512.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {

POTACC_AVX2 int64_t QuantizeFloatAvx2(const float* in, int64_t n, float scale, int32_t zero_point,
                                      int8_t* out) {
  const __m256 s = _mm256_set1_ps(scale), half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  const __m256 sign = _mm256_set1_ps(-0.0f), limit = _mm256_set1_ps(1.0e6f);
  const __m256i zp = _mm256_set1_epi32(zero_point);
  const __m256i lo = _mm256_set1_epi32(-128), hi = _mm256_set1_epi32(127);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_div_ps(_mm256_loadu_ps(in + i), s);
    const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 away = _mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_sub_ps(v, t)), half, _CMP_GE_OQ);
    __m256 r = _mm256_add_ps(t, _mm256_and_ps(away, _mm256_or_ps(one, _mm256_and_ps(sign, v))));
    r = _mm256_and_ps(r, _mm256_cmp_ps(v, v, _CMP_ORD_Q));  // NaN -> 0
    r = _mm256_max_ps(_mm256_min_ps(r, limit), _mm256_sub_ps(_mm256_setzero_ps(), limit));
    __m256i q = _mm256_add_epi32(_mm256_cvttps_epi32(r), zp);
    q = _mm256_min_epi32(_mm256_max_epi32(q, lo), hi);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), PackInt8x8(q));
  }
  return i;
}

POTACC_AVX512_VNNI int64_t QuantizeFloatAvx512(const float* in, int64_t n, float scale, int32_t zero_point,
                                               int8_t* out) {
  const __m512 s = _mm512_set1_ps(scale), half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
  const __m512 limit = _mm512_set1_ps(1.0e6f), neg_limit = _mm512_set1_ps(-1.0e6f);
  const __m512i sign = _mm512_set1_epi32(INT32_MIN);
  const __m512i zp = _mm512_set1_epi32(zero_point);
  const __m512i lo = _mm512_set1_epi32(-128), hi = _mm512_set1_epi32(127);
  for (int64_t i = 0; i < n; i += 16) {
    const auto keep = static_cast<__mmask16>(n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1);
    const __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(keep, in + i), s);
    const __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __mmask16 away = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_sub_ps(v, t)), half, _CMP_GE_OQ);
    const __m512 step = _mm512_castsi512_ps(
        _mm512_or_si512(_mm512_castps_si512(one), _mm512_and_si512(_mm512_castps_si512(v), sign)));
    __m512 r = _mm512_mask_add_ps(t, away, t, step);
    r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), r);  // NaN -> 0
    r = _mm512_max_ps(_mm512_min_ps(r, limit), neg_limit);
    __m512i q = _mm512_add_epi32(_mm512_cvttps_epi32(r), zp);
    q = _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(out + i, keep, q);
  }
  return n;
}

}  // namespace potacc::kernels::detail

#else

namespace potacc::kernels::detail {
int64_t QuantizeFloatAvx2(const float*, int64_t, float, int32_t, int8_t*) { return 0; }
int64_t QuantizeFloatAvx512(const float*, int64_t, float, int32_t, int8_t*) { return 0; }
}  // namespace potacc::kernels::detail

#endif
