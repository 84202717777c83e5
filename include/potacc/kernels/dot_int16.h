// Dot products of int16 vectors: the arithmetic of the accelerator
// simulator's processing elements (decoded PoT weights times activations),
// run on the CPU's best instruction set.
#pragma once

#include <cstdint>

#include "potacc/kernels/gemm.h"

namespace potacc::kernels {

// out[r * ldo + c] = Σ_{i<k} a[r * lda + i] * w[c * ldw + i] for r < rows,
// c < cols, exact modulo 2^32 (like an int32 accumulator that wraps). Every
// product and every sum of two products must fit int32 (true unless both
// operands of both are -32768).
void DotsInt16(const int16_t* a, int rows, int64_t lda, const int16_t* w, int cols, int64_t ldw, int k,
               int32_t* out, int64_t ldo, Isa isa = BestIsa());

// The straightforward loops of the same.
void DotsInt16Reference(const int16_t* a, int rows, int64_t lda, const int16_t* w, int cols, int64_t ldw,
                        int k, int32_t* out, int64_t ldo);

}  // namespace potacc::kernels
