// Post-processing unit (§1.4): per output, requantize the 32-bit accumulator
// with the column's Q31 multiplier Mq and right shift S (only the low 6 bits
// of S are wired), add the output zero point, clamp to int8. Rounding is
// TFLite's double rounding by default (fixed_point::MultiplyByQuantizedMultiplier)
// or the reference PPU's single rounding.
#pragma once

#include <cstdint>

#include "potacc/fixed_point.h"

namespace potacc::accel {

inline int8_t PpuRequantize(int32_t acc, int32_t mq, int8_t s, int32_t zp_out, fixed_point::Rounding rounding) {
  const int shift = 31 - (static_cast<uint8_t>(s) & 63);
  const int32_t t = fixed_point::Requantize(acc, mq, shift, rounding);
  const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(t) + static_cast<uint32_t>(zp_out));
  return static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
}

}  // namespace potacc::accel
