// 256-entry lookup tables of int8 -> int8 functions, built exactly as
// TFLite's LUTPopulate<int8_t> (kernels/internal/common.h) builds them: for
// every input code q, in float32 arithmetic,
//   x   = input_scale * (q - input_zero_point)
//   y   = transform(x)
//   out = clamp((int32)(round_half_away(y * (1 / output_scale)) + output_zero_point), -128, 127)
// Operators whose TFLite int8 kernel is a table lookup (GELU) use it.
#pragma once

#include <array>
#include <cstdint>

namespace potacc::kernels {

// Indexed by the int8 input code reinterpreted as uint8 (as TFLite stores it).
using Int8Lut = std::array<int8_t, 256>;

Int8Lut PopulateInt8Lut(float input_scale, int32_t input_zero_point, float output_scale,
                        int32_t output_zero_point, float (*transform)(float));

inline int8_t LookupInt8(const Int8Lut& lut, int8_t q) { return lut[static_cast<uint8_t>(q)]; }

void ApplyInt8Lut(const Int8Lut& lut, const int8_t* input, int64_t count, int8_t* output);

}  // namespace potacc::kernels
