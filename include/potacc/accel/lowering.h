// Lowering of CONV_2D and FULLY_CONNECTED nodes to the accelerator's GEMM
// C[M x N] = requant(A[M x K] * W[N x K]^T + B[N]) (§0, §5.3): shapes, the
// weights/quantization read from the model, and im2col (only when needed,
// padding filled with the input zero point). DEPTHWISE_CONV_2D (potacc-x
// depthwise mode) lowers to the same view per channel: M output pixels,
// N channels, K = kh*kw taps (depthwise.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "potacc/accel/packing.h"
#include "potacc/kernels/conv_2d.h"
#include "potacc/model.h"

namespace potacc::accel {

struct MatMulLowering;  // matmul.h

struct GemmLowering {
  int node = -1;
  int32_t builtin = 0;
  int64_t m = 0, n = 0, k = 0;
  bool im2col = false;            // CONV_2D that is not 1x1 / stride 1 / unpadded
  bool depthwise = false;         // DEPTHWISE_CONV_2D: A is the NHWC input, windows formed on chip
  kernels::ConvShape conv;        // CONV_2D / DEPTHWISE_CONV_2D geometry
  LayerWeights layer;             // points into the model's constant buffers (or owned_weights)
  std::shared_ptr<const std::vector<int8_t>> owned_weights;  // depthwise: filter as [channel][tap]
  int32_t act_min = -128, act_max = 127;  // fused activation bounds (int8 domain)
  // BATCH_MATMUL (matmul.h): both operands are activations; m, n, k are one
  // batch's GEMM and layer.weights is filled at run time.
  std::shared_ptr<MatMulLowering> matmul;
  int64_t batches() const;
  std::string refused;            // non-empty: cannot be lowered (reason)
  bool ok() const { return refused.empty(); }
};

// Lowers node `node` of the model's main subgraph (CONV_2D, FULLY_CONNECTED,
// DEPTHWISE_CONV_2D, BATCH_MATMUL). Never throws for a node it cannot handle: sets `refused`
// instead (wrong op, types, quantization...).
GemmLowering LowerNode(const Model& model, int node);

// Writes the im2col matrix of a CONV_2D input (M x K, row-major) into `a`.
void Im2col(const kernels::ConvShape& s, const int8_t* input, int8_t zero_point, int8_t* a);

// A for the node's current input: the input itself when no im2col is needed
// (and for depthwise layers, whose driver reads the NHWC input), else im2col
// into *scratch. Returns the row pointer base (lda = k).
const int8_t* GemmInput(const GemmLowering& g, const int8_t* input, std::vector<int8_t>* scratch);

}  // namespace potacc::accel
