// MEAN over a set of axes (TFLite Micro reference semantics), int8 and float32.
//
// float32: per output element, sum the inputs in row-major order (float
//   accumulator), then divide by the number of reduced elements N.
// int8, always (TFLM reference_ops::QuantizedMeanOrSum, integer path; also
// when input and output share scale and zero point, where the multiplier is 1):
//   (m, shift) = QuantizeMultiplier(s_in / s_out);
//   k = min(floor(log2 N), 32, 31 + shift);
//   m' = (m << k) / N  (64-bit, truncating);  shift' = shift - k;
//   out = clamp(MultiplyByQuantizedMultiplier(sum(q) - zp_in * N, m', shift') + zp_out).
// This also covers the global spatial mean over H and W with keep_dims (the
// MobileNetV2 head); current TFLM has no separate fast path for it.
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/kernels/quantize.h"

namespace potacc::kernels {

// Normalises axes (negative -> +rank, duplicates dropped, order kept);
// throws potacc::Error for an axis outside [-rank, rank).
std::vector<int> ResolveReduceAxes(const std::vector<int64_t>& axes, int rank);

// Shape of the result (reduced axes set to 1 with keep_dims, removed otherwise).
std::vector<int32_t> ReducedShape(const std::vector<int32_t>& input_shape,
                                  const std::vector<int>& axes, bool keep_dims);

// The requantization s_in / s_out of QUANTIZE int8 -> int8, with 1/N folded
// in per call (MeanInt8FromSum).
using MeanInt8Params = RequantizeParams;

MeanInt8Params PrepareMeanInt8(float input_scale, int32_t input_zero_point, float output_scale,
                               int32_t output_zero_point);

// The per-element requantization of a sum of N raw int8 values (exposed for tests).
int8_t MeanInt8FromSum(const MeanInt8Params& p, int32_t sum, int64_t count);

// Reference: sums in row-major input order over any axis set.
void MeanInt8Reference(const MeanInt8Params& p, const std::vector<int32_t>& input_shape,
                       const std::vector<int>& axes, const int8_t* input, int8_t* output);
// Optimized twin: when the reduced axes are one block of consecutive
// dimensions, contiguous sums (row sums for trailing axes, as layer norms;
// a row of channel sums per pixel for NHWC over H and W); the reference
// otherwise. Axes distinct and in range (ResolveReduceAxes).
void MeanInt8(const MeanInt8Params& p, const std::vector<int32_t>& input_shape,
              const std::vector<int>& axes, const int8_t* input, int8_t* output);

void MeanFloat(const std::vector<int32_t>& input_shape, const std::vector<int>& axes,
               const float* input, float* output);

}  // namespace potacc::kernels
