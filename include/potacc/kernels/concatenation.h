// CONCATENATION along one axis (TFLite semantics) and the byte-level
// interleaving shared with PACK.
//
// The output is `outer` blocks; block o holds, in input order, the o-th
// chunk of every input (chunk = extent along the axis x inner elements).
// int8 inputs whose scale and zero point equal the output's are copied;
// others are requantized as TFLite's ConcatenationWithScaling does, in float:
//   q_out = clamp(round((float)q_in * (s_in / s_out) - zp_in * (s_in / s_out)) + zp_out)
// with s_in / s_out = s_in * (1 / s_out) computed in float. (TFLite Micro
// itself requires equal parameters for int8; this is the TFLite fallback.)
#pragma once

#include <cstdint>
#include <vector>

namespace potacc::kernels {

void ConcatenateBytes(int64_t outer, const std::vector<const uint8_t*>& inputs,
                      const std::vector<int64_t>& chunk_bytes, uint8_t* output);

struct ConcatInt8Input {
  const int8_t* data = nullptr;
  int64_t chunk = 0;  // elements per outer block
  float scale = 1.0f;
  int32_t zero_point = 0;
};
void ConcatenateInt8(int64_t outer, const std::vector<ConcatInt8Input>& inputs, float output_scale,
                     int32_t output_zero_point, int8_t* output);

}  // namespace potacc::kernels
