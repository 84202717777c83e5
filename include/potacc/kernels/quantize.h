// QUANTIZE (TFLite Micro reference semantics).
//
// QUANTIZE float32 -> int8 (reference_ops::AffineQuantize):
//   q = clamp(round_half_away_from_zero(x / (float)scale) + zp, -128, 127)
//   The division is done in float32, the rounding is std::round.
// QUANTIZE int8 -> int8 (reference_ops::Requantize):
//   (m, shift) = QuantizeMultiplier(s_in / s_out);
//   q = clamp(MultiplyByQuantizedMultiplier(q_in - zp_in, m, shift) + zp_out)
// DEQUANTIZE: see dequantize.h.
#pragma once

#include <cstdint>

#include "potacc/fixed_point.h"
#include "potacc/kernels/gemm.h"  // Isa

namespace potacc::kernels {

int8_t QuantizeFloatToInt8(float x, float scale, int32_t zero_point);
// The same on `count` values: vectorized on AVX2 / AVX-512 (bit-exact: the
// division in float, round half away from zero emulated exactly, NaN -> 0)
// and, with a pool, split across its threads.
void QuantizeFloatToInt8(const float* input, int64_t count, float scale, int32_t zero_point,
                         int8_t* output, Isa isa = BestIsa(), ThreadPool* pool = nullptr);

struct RequantizeParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;
};
RequantizeParams PrepareRequantize(float input_scale, int32_t input_zero_point,
                                   float output_scale, int32_t output_zero_point);

// zp_out + MultiplyByQuantizedMultiplier(q - zp_in, m, shift), before any
// clamp (QUANTIZE int8 -> int8 and RELU differ only in the clamp).
inline int32_t RequantizeUnclamped(const RequantizeParams& p, int32_t q) {
  return fixed_point::MultiplyByQuantizedMultiplier(q - p.input_zero_point, p.multiplier,
                                                    p.shift) +
         p.output_zero_point;
}
void RequantizeInt8(const RequantizeParams& p, const int8_t* input, int64_t count, int8_t* output);

}  // namespace potacc::kernels
