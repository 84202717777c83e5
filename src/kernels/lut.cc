#include "potacc/kernels/lut.h"

#include <algorithm>
#include <cmath>

namespace potacc::kernels {

Int8Lut PopulateInt8Lut(float input_scale, int32_t input_zero_point, float output_scale,
                        int32_t output_zero_point, float (*transform)(float)) {
  Int8Lut lut{};
  const float inverse_scale = 1 / output_scale;
  for (int32_t q = -128; q <= 127; ++q) {
    const float dequantized = input_scale * static_cast<float>(q - input_zero_point);
    const float transformed = transform(dequantized);
    const float rescaled = std::round(transformed * inverse_scale);
    // (The clamp before the cast only avoids undefined behaviour for values
    // TFLite would saturate anyway.)
    const float shifted = std::clamp(rescaled + static_cast<float>(output_zero_point), -1e9f, 1e9f);
    const auto quantized = static_cast<int32_t>(std::isnan(shifted) ? 0.0f : shifted);
    lut[static_cast<uint8_t>(static_cast<int8_t>(q))] = static_cast<int8_t>(std::clamp(quantized, -128, 127));
  }
  return lut;
}

void ApplyInt8Lut(const Int8Lut& lut, const int8_t* input, int64_t count, int8_t* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = LookupInt8(lut, input[i]);
}

}  // namespace potacc::kernels
