// SUB (TFLite Micro reference semantics), int8 and float32, with NumPy
// broadcasting.
//
// int8: the ADD arithmetic with a difference (reference_ops::SubElementwise /
// BroadcastQuantSubSlow, left_shift = 20), but TFLite Micro's SUB computes its
// real multipliers in float32, not double (sub_common.cc):
//   t    = 2 * max(s1, s2)                           (float)
//   m_i  = (double)(s_i / t)                          (float division)
//   m_o  = (double)(t / ((1 << 20) * s_out))          (float)
//   each split by QuantizeMultiplierSmallerThanOneExp (a multiplier >= 1 is
//   refused, as TFLite's check would abort).
//   out = MBQMSmallerThanOneExp(x1'' - x2'', m_o, sh_o) + zp_out, clamped to
//   the fused activation range.
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/kernels/add.h"

namespace potacc::kernels {

// Same fields as ADD's parameters.
using SubInt8Params = AddInt8Params;

// Throws potacc::Error if a multiplier is not in (0, 1).
SubInt8Params PrepareSubInt8(float scale1, int32_t zp1, float scale2, int32_t zp2, float out_scale,
                             int32_t out_zp, fixed_point::ActivationRange range);

int8_t SubInt8Element(const SubInt8Params& p, int8_t a, int8_t b);

void SubInt8(const SubInt8Params& p, const std::vector<int32_t>& shape1, const int8_t* in1,
             const std::vector<int32_t>& shape2, const int8_t* in2, const std::vector<int32_t>& out_shape,
             int8_t* out);

void SubFloat(FloatRange range, const std::vector<int32_t>& shape1, const float* in1,
              const std::vector<int32_t>& shape2, const float* in2, const std::vector<int32_t>& out_shape,
              float* out);

}  // namespace potacc::kernels
