// ADD (TFLite / TFLite Micro reference semantics), int8 and float32, with
// NumPy broadcasting of any rank.
//
// int8: both inputs are brought to a common scale 2*max(s1, s2) with 20 bits
// of headroom, added, and requantized to the output scale:
//   x_i'  = (q_i - zp_i) << 20
//   x_i'' = MultiplyByQuantizedMultiplierSmallerThanOneExp(x_i', m_i, shift_i),
//           m_i/shift_i from s_i / (2*max(s1,s2))
//   out   = MultiplyByQuantizedMultiplierSmallerThanOneExp(x_1'' + x_2'', m_o, shift_o)
//           + zp_out,   m_o/shift_o from 2*max(s1,s2) / (2^20 * s_out)
//   clamped to the fused activation range.
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/kernels/gemm.h"  // Isa
#include "potacc/kernels/kernel_util.h"

namespace potacc::kernels {

struct AddInt8Params {
  int32_t input1_offset = 0;  // -zp1
  int32_t input2_offset = 0;  // -zp2
  int32_t output_offset = 0;  // zp_out
  int left_shift = 20;
  int32_t input1_multiplier = 0;
  int input1_shift = 0;
  int32_t input2_multiplier = 0;
  int input2_shift = 0;
  int32_t output_multiplier = 0;
  int output_shift = 0;
  fixed_point::ActivationRange range;
};

AddInt8Params PrepareAddInt8(float scale1, int32_t zp1, float scale2, int32_t zp2,
                             float out_scale, int32_t out_zp, fixed_point::ActivationRange range);

// One output element.
int8_t AddInt8Element(const AddInt8Params& p, int8_t a, int8_t b);

// Reference: one AddInt8Element per output, any broadcast.
void AddInt8Reference(const AddInt8Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
                      const std::vector<int32_t>& shape2, const int8_t* in2,
                      const std::vector<int32_t>& out_shape, int8_t* out);

// Optimized: inputs of the output's shape run vectorized (AVX2 / AVX-512,
// bit-exact with the reference) and, with a pool, split across its threads;
// broadcasts use the reference loop.
void AddInt8(const AddInt8Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
             const std::vector<int32_t>& shape2, const int8_t* in2,
             const std::vector<int32_t>& out_shape, int8_t* out, Isa isa = BestIsa(),
             ThreadPool* pool = nullptr);

void AddFloat(FloatRange range, const std::vector<int32_t>& shape1, const float* in1,
              const std::vector<int32_t>& shape2, const float* in2,
              const std::vector<int32_t>& out_shape, float* out);

}  // namespace potacc::kernels
