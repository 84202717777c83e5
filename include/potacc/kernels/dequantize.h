// DEQUANTIZE int8 -> float32 (TFLite Micro reference_ops::Dequantize):
//   x = (float)((double)scale * (q - zp))
#pragma once

#include <cstdint>

namespace potacc::kernels {

inline float DequantizeInt8(int8_t q, float scale, int32_t zero_point) {
  return static_cast<float>(static_cast<double>(scale) * (static_cast<int32_t>(q) - zero_point));
}
void DequantizeInt8(const int8_t* input, int64_t count, float scale, int32_t zero_point,
                    float* output);

}  // namespace potacc::kernels
