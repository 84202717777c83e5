// BATCH_MATMUL on the accelerator GEMM (transformers: attention scores and
// context). Both operands are activations, so the right operand plays the
// weights W[N x K] of each batch and is packed by the host at every inference
// (no preload; counted as weight_copy_bytes).
//
// The GEMM units hold only symmetric values of the method's grid. The right
// operand's values R - zp_r (in [-255, 255] for int8) are therefore:
//  * used as they are when zp_r == 0 and every int8 value is on the grid (the
//    INT8 baseline): bit-exact with the CPU BATCH_MATMUL;
//  * otherwise quantized on the fly to the grid only if the configuration sets
//    the mode "matmul_operand_quant" (off by default): one static per-tensor
//    scale maps the largest |R - zp_r| the int8 range allows onto the grid's
//    largest storable level, w = NearestStorable((R - zp_r) * alpha), and the
//    effective scale of the operand becomes (float)(s_r / alpha). This changes
//    the layer's result (an approximation, like quantizing the weights of a
//    conv), so such a layer is bit-exact only with the CPU BATCH_MATMUL of the
//    quantized operand (MatMulReference), never with the original model;
//  * else the layer stays on the CPU and the placement says why.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/accel/config.h"
#include "potacc/accel/lowering.h"
#include "potacc/accel/stats.h"
#include "potacc/kernels/batch_matmul.h"
#include "potacc/model.h"

namespace potacc::accel {

inline constexpr const char* kModeMatMulOperandQuant = "matmul_operand_quant";

// The static view of one BATCH_MATMUL node (GemmLowering::matmul).
struct MatMulLowering {
  kernels::BatchMatMulShape shape;  // M = rows, K = depth, N = cols, batches
  float lhs_scale = 1, rhs_scale = 1, output_scale = 1;
  int32_t lhs_zero_point = 0, rhs_zero_point = 0, output_zero_point = 0;
  // Set by PlanMatMulOperand for a configuration:
  bool quantized = false;              // the operand is put on the grid at run time
  double alpha = 1;                    // (R - zp_r) * alpha before rounding to the grid
  float effective_rhs_scale = 1;       // scale of the operand the GEMM multiplies
  std::array<int8_t, 256> table{};     // grid value of every int8 operand value R (index R + 128)
};

// The operand policy for one method (see the header comment). `allow_quant`:
// the matmul_operand_quant mode. Returns "" or why the operand cannot be used.
std::string PlanMatMulOperand(const quant::Method& method, bool allow_quant, MatMulLowering* m);
// The same for a configuration (its method and mode); fills g->layer's
// scales and zero points. Returns "" or the reason the layer stays on the CPU.
std::string PlanMatMulOperand(const AcceleratorConfig& config, GemmLowering* g);

// Lowers BATCH_MATMUL node `node` (config-independent part: shapes, scales,
// zero points). Sets `refused` for what the GEMM view cannot take.
GemmLowering LowerBatchMatMul(const Model& model, int node);

// Runs every batch on the backend: the host quantizes/transposes the operand
// into W[N x K], packs it (PrepareGemm) and runs the GEMM. lhs == nullptr:
// shape-only (data-free timing); the host work is the same.
void RunMatMul(Backend& backend, const GemmLowering& g, const int8_t* lhs, const int8_t* rhs, int8_t* out,
               HostWork* host);

// What the accelerated layer must produce: the CPU reference BATCH_MATMUL
// with the right operand replaced by its grid values (zero point 0, scale
// effective_rhs_scale). Equals the model's BATCH_MATMUL when not quantized.
std::vector<int8_t> MatMulReference(const GemmLowering& g, const int8_t* lhs, const int8_t* rhs);

}  // namespace potacc::accel
