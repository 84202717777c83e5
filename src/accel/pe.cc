#include "potacc/accel/pe.h"

namespace potacc::accel {

int32_t PeProduct(const AcceleratorConfig& config, int8_t x, uint32_t code) {
  const quant::Method& m = *config.method;
  if (m.id == quant::MethodId::kUniform4 && config.compat.uniform4_sign_magnitude) {
    // Released quirk (§1.3): the LUT multiplier forms w4 * x with w4 read as
    // two's complement, and the accumulator still subtracts when bit 3 is set.
    const int w4 = (code & 8) ? static_cast<int>(code & 15) - 16 : static_cast<int>(code & 15);
    const int32_t p = static_cast<int32_t>(x) * w4;
    return (code & 8) ? -p : p;
  }
  return m.PeProduct(x, code);
}

std::vector<int16_t> EffectiveWeightTable(const AcceleratorConfig& config) {
  const quant::Method& m = *config.method;
  std::vector<int16_t> t(static_cast<size_t>(m.num_codes()));
  for (uint32_t c = 0; c < t.size(); ++c) {
    if (m.id == quant::MethodId::kUniform4 && config.compat.uniform4_sign_magnitude)
      t[c] = static_cast<int16_t>((c & 8) ? 16 - static_cast<int>(c) : static_cast<int>(c));
    else
      t[c] = static_cast<int16_t>(m.Decode(c));
  }
  return t;
}

void PeTileReference(const AcceleratorConfig& config, const int8_t* a, int64_t lda, const uint8_t* codes,
                     int64_t ldc, int64_t rk, const int32_t* bias_sum, int32_t out[16]) {
  uint32_t acc[4][4][4] = {};  // [col][row][lane], 32-bit wrap-around
  for (int64_t i = 0; i < rk / 4; ++i) {
    for (int col = 0; col < 4; ++col) {
      for (int row = 0; row < 4; ++row) {
        for (int lane = 0; lane < 4; ++lane) {
          const int64_t k = 4 * i + lane;
          acc[col][row][lane] += static_cast<uint32_t>(PeProduct(config, a[row * lda + k], codes[col * ldc + k]));
        }
      }
    }
  }
  for (int col = 0; col < 4; ++col) {
    for (int row = 0; row < 4; ++row) {
      uint32_t s = static_cast<uint32_t>(bias_sum[col]);
      for (int lane = 0; lane < 4; ++lane) s += acc[col][row][lane];
      out[4 * col + row] = static_cast<int32_t>(s);
    }
  }
}

}  // namespace potacc::accel
