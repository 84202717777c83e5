// The processing element of one GEMM unit (§1.2-1.4, §2.4): the product a PE
// forms for (activation x, weight code), computed the way the hardware does
// (shifts/adds + sign-bit add/subtract, or a multiplier), and the effective
// weight table the simulator's vectorized fast path multiplies by instead.
// pe_test proves PeProduct(x, c) == x * table[c] for every x and code.
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/accel/config.h"

namespace potacc::accel {

// Product of one PE (signed, as accumulated: the sign bit already applied).
int32_t PeProduct(const AcceleratorConfig& config, int8_t x, uint32_t code);

// table[code] = value the PE effectively multiplies by (num_codes entries).
std::vector<int16_t> EffectiveWeightTable(const AcceleratorConfig& config);

// One 4x4 tile over the full depth, exactly as the unit's loop runs it: four
// 32-bit lane accumulators per output (depth lanes 0..3, wrap-around), then
// lanes + B. a: 4 rows x rk activations; codes: 4 columns x rk codes.
// out[4 * col + row] (the unit's output index).
void PeTileReference(const AcceleratorConfig& config, const int8_t* a, int64_t lda, const uint8_t* codes,
                     int64_t ldc, int64_t rk, const int32_t* bias_sum, int32_t out[16]);

}  // namespace potacc::accel
