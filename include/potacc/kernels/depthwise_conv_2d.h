// DEPTHWISE_CONV_2D (TFLite semantics): NHWC input, filter [1, KH, KW, out_c]
// with out_c = in_c * depth_multiplier; output channel c reads input channel
// c / depth_multiplier. Padded taps contribute nothing.
#pragma once

#include <cstdint>
#include <memory>

#include "potacc/kernels/conv_2d.h"

namespace potacc::kernels {

namespace detail {
struct DepthwiseTables;
}

// The filter, bias and requantization tables of one depthwise layer, built
// once (the kernel's Prepare) for DepthwiseConvInt8. q's multiplier and shift
// arrays are copied.
class PackedDepthwiseInt8 {
 public:
  PackedDepthwiseInt8() = default;
  PackedDepthwiseInt8(const ConvShape& s, const Int8Params& q, const int8_t* filter,
                      const int32_t* bias);
  const detail::DepthwiseTables* tables() const { return tables_.get(); }

 private:
  std::shared_ptr<const detail::DepthwiseTables> tables_;
};

// Reference: straight loops. s.out_c must be a multiple of s.in_c.
void DepthwiseConvInt8Reference(const ConvShape& s, const Int8Params& q, const int8_t* input,
                                const int8_t* filter, const int32_t* bias, int8_t* output);

// Optimized: direct per-pixel kernel vectorized over the channels (which are
// innermost in NHWC), taps in pairs through int16 multiply-adds (vpdpwssd on
// VNNI), requantization fused. Bit-exact with the reference. With a pool, the
// output rows are split across its threads; the output does not depend on it.
// `packed` must have been built for the same shape and q.
void DepthwiseConvInt8(const ConvShape& s, const Int8Params& q, const PackedDepthwiseInt8& packed,
                       const int8_t* input, int8_t* output, Isa isa = BestIsa(),
                       ThreadPool* pool = nullptr);

// One shot (builds the tables on every call).
void DepthwiseConvInt8(const ConvShape& s, const Int8Params& q, const int8_t* input,
                       const int8_t* filter, const int32_t* bias, int8_t* output,
                       Isa isa = BestIsa(), ThreadPool* pool = nullptr);

void DepthwiseConvFloat(const ConvShape& s, FloatRange range, const float* input,
                        const float* filter, const float* bias, float* output);

}  // namespace potacc::kernels
