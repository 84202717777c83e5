// Lowering of CONV_2D and FULLY_CONNECTED nodes to the accelerator's GEMM
// C[M x N] = requant(A[M x K] * W[N x K]^T + B[N]) (§0, §5.3): shapes, the
// weights/quantization read from the model, and im2col (only when needed,
// padding filled with the input zero point).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/accel/packing.h"
#include "potacc/kernels/conv_2d.h"
#include "potacc/model.h"

namespace potacc::accel {

struct GemmLowering {
  int node = -1;
  int32_t builtin = 0;
  int64_t m = 0, n = 0, k = 0;
  bool im2col = false;            // CONV_2D that is not 1x1 / stride 1 / unpadded
  kernels::ConvShape conv;        // CONV_2D geometry
  LayerWeights layer;             // points into the model's constant buffers
  int32_t act_min = -128, act_max = 127;  // fused activation bounds (int8 domain)
  std::string refused;            // non-empty: cannot be lowered (reason)
  bool ok() const { return refused.empty(); }
};

// Lowers node `node` of the model's main subgraph. Never throws for a node it
// cannot handle: sets `refused` instead (wrong op, types, quantization...).
GemmLowering LowerNode(const Model& model, int node);

// Writes the im2col matrix of a CONV_2D input (M x K, row-major) into `a`.
void Im2col(const kernels::ConvShape& s, const int8_t* input, int8_t zero_point, int8_t* a);

// A for the node's current input: the input itself when no im2col is needed,
// else im2col into *scratch. Returns the row pointer base (lda = k).
const int8_t* GemmInput(const GemmLowering& g, const int8_t* input, std::vector<int8_t>* scratch);

}  // namespace potacc::accel
