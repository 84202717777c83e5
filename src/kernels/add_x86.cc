// Vector twins of int8 ADD (add.cc) for same-shape inputs: each input is
// offset, shifted left by 20 and rescaled, the two are added and rescaled
// to the output, exactly as AddInt8Element does, on 8 (AVX2) or 16
// (AVX-512) lanes. MultiplyByQuantizedMultiplierSmallerThanOneExp is the
// conv requantization with a right shift only, so the GEMM's exact vector
// requantizations are reused.
#include "kernels/elementwise_internal.h"
#include "kernels/gemm_avx512.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {
namespace {

// One multiplier and right shift (-shift) on every lane.
POTACC_AVX2 inline RequantLanes UniformLanes(int32_t multiplier, int shift) {
  return MakeRequantLanes(_mm256_set1_epi32(multiplier), _mm256_setzero_si256(), _mm256_set1_epi32(-shift));
}

}  // namespace

POTACC_AVX2 int64_t AddInt8Avx2(const AddInt8Params& p, const int8_t* in1, const int8_t* in2, int64_t n,
                                int8_t* out) {
  const RequantLanes r1 = UniformLanes(p.input1_multiplier, p.input1_shift);
  const RequantLanes r2 = UniformLanes(p.input2_multiplier, p.input2_shift);
  const RequantLanes ro = UniformLanes(p.output_multiplier, p.output_shift);
  const __m256i off1 = _mm256_set1_epi32(p.input1_offset), off2 = _mm256_set1_epi32(p.input2_offset);
  const OutputLanes o{_mm256_set1_epi32(p.output_offset), _mm256_set1_epi32(p.range.min),
                      _mm256_set1_epi32(p.range.max)};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i a = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in1 + i)));
    const __m256i b = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in2 + i)));
    const __m256i sa = MultiplyByQuantizedMultiplier8(_mm256_slli_epi32(_mm256_add_epi32(a, off1), 20), r1);
    const __m256i sb = MultiplyByQuantizedMultiplier8(_mm256_slli_epi32(_mm256_add_epi32(b, off2), 20), r2);
    const __m256i v = RequantizeClamp8(_mm256_add_epi32(sa, sb), ro, o);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), PackInt8x8(v));
  }
  return i;
}

POTACC_AVX512_VNNI int64_t AddInt8Avx512(const AddInt8Params& p, const int8_t* in1, const int8_t* in2,
                                         int64_t n, int8_t* out) {
  RequantTables::Lanes16 l1{}, l2{}, lo{};
  for (int lane = 0; lane < 16; ++lane) {
    RequantTables::SetLane(l1, lane, p.input1_multiplier, p.input1_shift);
    RequantTables::SetLane(l2, lane, p.input2_multiplier, p.input2_shift);
    RequantTables::SetLane(lo, lane, p.output_multiplier, p.output_shift);
  }
  const __m512i off1 = _mm512_set1_epi32(p.input1_offset), off2 = _mm512_set1_epi32(p.input2_offset);
  const __m512i zp = _mm512_set1_epi32(p.output_offset);
  const __m512i lo_clamp = _mm512_set1_epi32(p.range.min), hi_clamp = _mm512_set1_epi32(p.range.max);
  for (int64_t i = 0; i < n; i += 16) {
    const auto keep = static_cast<__mmask16>(n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1);
    const __m512i a = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(keep, in1 + i));
    const __m512i b = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(keep, in2 + i));
    const __m512i sa = Requantize16(_mm512_slli_epi32(_mm512_add_epi32(a, off1), 20), l1, false);
    const __m512i sb = Requantize16(_mm512_slli_epi32(_mm512_add_epi32(b, off2), 20), l2, false);
    __m512i v = _mm512_add_epi32(Requantize16(_mm512_add_epi32(sa, sb), lo, false), zp);
    v = _mm512_min_epi32(_mm512_max_epi32(v, lo_clamp), hi_clamp);
    _mm512_mask_cvtepi32_storeu_epi8(out + i, keep, v);
  }
  return n;
}

}  // namespace potacc::kernels::detail

#else

namespace potacc::kernels::detail {
int64_t AddInt8Avx2(const AddInt8Params&, const int8_t*, const int8_t*, int64_t, int8_t*) { return 0; }
int64_t AddInt8Avx512(const AddInt8Params&, const int8_t*, const int8_t*, int64_t, int8_t*) { return 0; }
}  // namespace potacc::kernels::detail

#endif
