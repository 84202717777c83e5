// Random GEMM layers for accelerator tests: activations, weights on a
// method's grid, biases and per-channel scales, plus the independent
// reference result (the CPU kernels' plain GEMM + requantization,
// kernels::GemmInt8Reference).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "potacc/accel/packing.h"
#include "potacc/fixed_point.h"
#include "potacc/quant/method.h"

namespace potacc::testing {

struct RandomGemm {
  int64_t m = 0, n = 0, k = 0;
  std::vector<int8_t> a, w;
  std::vector<int32_t> bias;
  accel::LayerWeights layer;  // points into w / bias (moving keeps them valid, copying would not)
  RandomGemm() = default;
  RandomGemm(RandomGemm&&) = default;
  RandomGemm& operator=(RandomGemm&&) = default;
  RandomGemm(const RandomGemm&) = delete;
  RandomGemm& operator=(const RandomGemm&) = delete;
};

// M x K activations (uniform int8), N x K weights drawn from the method's
// int8-storable levels, biases in [-20000, 20000], scales that spread the
// outputs over the int8 range, random zero points.
RandomGemm MakeRandomGemm(const quant::Method& method, int64_t m, int64_t n, int64_t k, std::mt19937& rng);

// C = requant(A * W^T + bias) by kernels::GemmInt8Reference.
std::vector<int8_t> ReferenceGemm(const RandomGemm& g, fixed_point::Rounding rounding, int32_t act_min = -128,
                                  int32_t act_max = 127);

}  // namespace potacc::testing
