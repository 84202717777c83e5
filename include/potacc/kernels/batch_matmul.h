// BATCH_MATMUL (TFLite / TFLite Micro reference semantics), int8 and float32.
//
// lhs [..., M, K] (or [..., K, M] with adj_x) times rhs [..., K, N] (or
// [..., N, K] with adj_y) -> output [..., M, N]. The leading ("batch")
// dimensions broadcast NumPy-style (each pair equal, or one of them 1); ranks
// 2..5 as TFLite supports them.
//
// int8 (reference_ops::BatchMatMul<int8_t, int32_t> as TFLite Micro calls it):
//   acc = Σ_k (L[i][k] - zp_lhs) * (R[k][j] - zp_rhs)          (int32, wrapping)
//   out = clamp(MultiplyByQuantizedMultiplier(acc, m, shift) + zp_out, -128, 127)
//   (m, shift) = QuantizeMultiplier((double)(float)(s_lhs * s_rhs) / (double)s_out)
//   -- the scale product is a float product, as TFLite's
//   GetQuantizedConvolutionMultipler (no-bias variant) computes it. No fused
//   activation; both zero points may be non-zero (both operands are activations).
// float32: Σ_k in order k = 0..K-1 in float.
//
// The optimized twin runs every batch through the packed int8 GEMM of
// kernels/gemm.h (rhs transposed into [N, K] "weights" at run time, lhs
// transposed when adj_x); the arithmetic is exact integer arithmetic, so it
// equals the reference bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "potacc/kernels/gemm.h"

namespace potacc::kernels {

struct BatchMatMulShape {
  int64_t rows = 0;   // M
  int64_t depth = 0;  // K
  int64_t cols = 0;   // N
  bool adj_x = false, adj_y = false;
  // Output batch dimensions (broadcast) and, per batch dimension, the element
  // stride of one lhs / rhs matrix step (0 along a broadcast dimension).
  std::vector<int32_t> batch;
  std::vector<int64_t> lhs_stride, rhs_stride;

  int64_t batches() const;
  std::vector<int32_t> output_shape() const;  // batch..., M, N
  // Element offsets of the lhs / rhs matrix of output batch b (row-major over `batch`).
  int64_t lhs_offset(int64_t b) const;
  int64_t rhs_offset(int64_t b) const;
};

// Validates ranks (2..5), broadcasting and the contracted dimension; throws
// potacc::Error with the reason.
BatchMatMulShape MakeBatchMatMulShape(const std::vector<int32_t>& lhs, const std::vector<int32_t>& rhs,
                                      bool adj_x, bool adj_y);

struct BatchMatMulInt8Params {
  int32_t lhs_offset = 0;  // -zp_lhs
  int32_t rhs_offset = 0;  // -zp_rhs
  int32_t output_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;
};
BatchMatMulInt8Params PrepareBatchMatMulInt8(float lhs_scale, int32_t lhs_zero_point, float rhs_scale,
                                             int32_t rhs_zero_point, float output_scale,
                                             int32_t output_zero_point);

void BatchMatMulInt8Reference(const BatchMatMulShape& s, const BatchMatMulInt8Params& p, const int8_t* lhs,
                              const int8_t* rhs, int8_t* output);
void BatchMatMulInt8(const BatchMatMulShape& s, const BatchMatMulInt8Params& p, const int8_t* lhs,
                     const int8_t* rhs, int8_t* output, Isa isa = BestIsa());
void BatchMatMulFloat(const BatchMatMulShape& s, const float* lhs, const float* rhs, float* output);

// Copies the [rows, cols] row-major matrix `in` transposed into `out` [cols, rows].
void TransposeMatrixInt8(const int8_t* in, int64_t rows, int64_t cols, int8_t* out);

}  // namespace potacc::kernels
