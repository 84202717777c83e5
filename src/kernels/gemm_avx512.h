// AVX-512 building blocks shared by the AVX-512 VNNI GEMM and depthwise
// kernels: the exact requantization of 16 channels and the int8 store. Only
// included by *_avx512vnni.cc files; every function carries its own target
// attribute so the rest of the binary stays baseline x86-64.
#pragma once

#include "kernels/gemm_avx2.h"
#include "kernels/gemm_internal.h"

#if defined(POTACC_HAVE_X86)

#define POTACC_AVX512_VNNI __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))

namespace potacc::kernels::detail {

// Everything the requantizing store needs, copied out of the layer's
// structures into locals (the int8 stores may alias any memory, so values
// read through pointers would be reloaded after every store).
struct OutputLanes16 {
  __m512i zero_point, act_min, act_max;
  const RequantTables::Lanes16* lanes;  // lanes[c / 16]: channels c .. c + 15
  const Int8Params* q;
  bool vector_ok, left_shift;
};

POTACC_AVX512_VNNI inline OutputLanes16 MakeOutputLanes16(const Int8Params& q, const RequantTables& t) {
  return {_mm512_set1_epi32(q.output_zero_point),
          _mm512_set1_epi32(q.act_min),
          _mm512_set1_epi32(q.act_max),
          t.lanes16.data(),
          &q,
          t.vector_ok,
          t.any_left_shift};
}

// fixed_point::MultiplyByQuantizedMultiplier (double rounding) on 16 lanes
// in the single 64-bit rounding step of RequantTables::Lanes16: exact for
// multiplier >= 0 and shifts in [-31, 30]. vpmuldq multiplies the even
// dwords, so the odd lanes are shifted down, multiplied by the odd
// multipliers, and merged back at the end.
POTACC_AVX512_VNNI inline __m512i Requantize16(__m512i x, const RequantTables::Lanes16& l,
                                               bool left_shift) {
  if (left_shift) x = _mm512_sllv_epi32(x, _mm512_load_si512(l.left_shift));
  const __m512i below = _mm512_set1_epi64(-(int64_t{1} << 30));
  __m512i even = _mm512_mul_epi32(x, _mm512_load_si512(l.multiplier));
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_load_si512(l.odd_multiplier));
  const __mmask8 even_neg = _mm512_cmplt_epi64_mask(even, below);
  const __mmask8 odd_neg = _mm512_cmplt_epi64_mask(odd, below);
  even = _mm512_add_epi64(even, _mm512_load_si512(l.round[0]));
  odd = _mm512_add_epi64(odd, _mm512_load_si512(l.round[1]));
  even = _mm512_mask_sub_epi64(even, even_neg, even, _mm512_load_si512(l.fix[0]));
  odd = _mm512_mask_sub_epi64(odd, odd_neg, odd, _mm512_load_si512(l.fix[1]));
  even = _mm512_srav_epi64(even, _mm512_load_si512(l.shift[0]));
  odd = _mm512_srav_epi64(odd, _mm512_load_si512(l.shift[1]));
  // Odd lanes take the low dword of each odd-lane product.
  return _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CCAA);
}

// Requantizes 16 accumulators with lanes l, clamps, and stores the first
// `valid` of them as int8 (channel c + i for the scalar fallback).
POTACC_AVX512_VNNI inline void StoreRequantized16(const OutputLanes16& o, const RequantTables::Lanes16& l,
                                                  __m512i acc, int8_t* out, int c, int valid) {
  if (!o.vector_ok) {
    alignas(64) int32_t lanes[16];
    _mm512_store_si512(lanes, acc);
    for (int i = 0; i < valid; ++i) out[i] = RequantizeOne(*o.q, lanes[i], c + i);
    return;
  }
  __m512i v = _mm512_add_epi32(Requantize16(acc, l, o.left_shift), o.zero_point);
  v = _mm512_min_epi32(_mm512_max_epi32(v, o.act_min), o.act_max);
  const __m128i bytes = _mm512_cvtepi32_epi8(v);
  if (valid >= 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    _mm_mask_storeu_epi8(out, static_cast<__mmask16>((1u << valid) - 1), bytes);
  }
}

// Channels c .. c + 15 of a layer (lanes from o).
POTACC_AVX512_VNNI inline void StoreRequantized16(const OutputLanes16& o, __m512i acc, int8_t* out, int c,
                                                  int valid) {
  StoreRequantized16(o, o.lanes[static_cast<unsigned>(c) / 16], acc, out, c, valid);
}

}  // namespace potacc::kernels::detail

#endif  // x86
