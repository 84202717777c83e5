// FULLY_CONNECTED (TFLite semantics): `rows` input vectors of length `depth`
// times weights [units, depth] (+ bias [units]) -> output [rows, units].
#pragma once

#include <cstdint>

#include "potacc/kernels/gemm.h"
#include "potacc/kernels/kernel_util.h"

namespace potacc::kernels {

struct FullyConnectedShape {
  int64_t rows = 1;  // batch (all input dims but the last, flattened)
  int depth = 1;     // K
  int units = 1;     // N
};

void FullyConnectedInt8Reference(const FullyConnectedShape& s, const Int8Params& q,
                                 const int8_t* input, const int8_t* weights, const int32_t* bias,
                                 int8_t* output);

// Optimized, with the weights packed once (PackedWeightsInt8(weights, units,
// depth, bias, q, isa)); with a pool, split across its threads.
void FullyConnectedInt8(const FullyConnectedShape& s, const Int8Params& q,
                        const PackedWeightsInt8& weights, const int8_t* input, int8_t* output,
                        Isa isa = BestIsa(), ThreadPool* pool = nullptr);

// Optimized, one shot.
void FullyConnectedInt8(const FullyConnectedShape& s, const Int8Params& q, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output,
                        Isa isa = BestIsa(), ThreadPool* pool = nullptr);

void FullyConnectedFloat(const FullyConnectedShape& s, FloatRange range, const float* input,
                         const float* weights, const float* bias, float* output);

}  // namespace potacc::kernels
