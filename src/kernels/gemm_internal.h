// Private plumbing of the int8 GEMM: the row-block driver shared by conv and
// FC, and the per-ISA block kernels it dispatches to.
#pragma once

#include <cstdint>
#include <functional>

#include "potacc/kernels/gemm.h"

namespace potacc::kernels::detail {

// Writes `count` GEMM rows starting at `first` as int16 into dst (row stride
// lda >= k; entries k..lda-1 must be written as 0).
using FillRows = std::function<void(int64_t first, int count, int16_t* dst, int64_t lda)>;

// out[m * ldo + n] = requantized GEMM of the rows produced by `fill`.
void RunGemm(const Int8Params& q, const PackedWeightsInt8& w, int64_t rows, const FillRows& fill,
             int8_t* out, int64_t ldo, Isa isa);

// dst[i] = src[i] for i < n (int8 -> int16).
void Widen(const int8_t* src, int n, int16_t* dst, Isa isa);

// True when the AVX2 requantization reproduces the scalar one for q: double
// rounding, non-negative multipliers and shifts in TFLite's range [-31, 30].
bool VectorRequantOk(const Int8Params& q, int channels);

// One block of int16 rows against every panel of w, requantized into out.
// Per-channel tables are padded to whole panels.
struct GemmBlock {
  const int16_t* a = nullptr;
  int64_t lda = 0;
  int rows = 0;
  const PackedWeightsInt8* w = nullptr;
  const Int8Params* q = nullptr;
  const int32_t* multiplier = nullptr;  // padded
  const int32_t* left_shift = nullptr;  // padded, max(shift, 0)
  const int32_t* right_shift = nullptr; // padded, max(-shift, 0)
  int8_t* out = nullptr;
  int64_t ldo = 0;
};
void GemmBlockPortable(const GemmBlock& g);
void GemmBlockAvx2(const GemmBlock& g);
void GemmBlockNeon(const GemmBlock& g);

void WidenAvx2(const int8_t* src, int n, int16_t* dst);
void RequantizeRowAvx2(const Int8Params& q, const int32_t* acc, int count, int8_t* out);
void WidenNeon(const int8_t* src, int n, int16_t* dst);
void RequantizeRowNeon(const Int8Params& q, const int32_t* acc, int count, int8_t* out);

// Whether `isa` selects the NEON kernels: a NEON variant, in a build for a
// NEON target (elsewhere the NEON entry points are never called).
inline bool IsNeon(Isa isa) {
#if defined(__ARM_NEON) || defined(__ARM_NEON__)
  return isa == Isa::kNeon || isa == Isa::kNeonDot;
#else
  (void)isa;
  return false;
#endif
}

}  // namespace potacc::kernels::detail
