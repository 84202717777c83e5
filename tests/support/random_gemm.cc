#include "support/random_gemm.h"

#include <algorithm>
#include <cmath>

#include "potacc/kernels/gemm.h"
#include "potacc/kernels/kernel_util.h"

namespace potacc::testing {

RandomGemm MakeRandomGemm(const quant::Method& method, int64_t m, int64_t n, int64_t k, std::mt19937& rng) {
  RandomGemm gemm;
  RandomGemm* g = &gemm;
  g->m = m;
  g->n = n;
  g->k = k;
  std::vector<int> levels;
  for (int v : method.levels())
    if (v >= -128 && v <= 127) levels.push_back(v);
  g->a.resize(static_cast<size_t>(m * k));
  g->w.resize(static_cast<size_t>(n * k));
  g->bias.resize(static_cast<size_t>(n));
  for (auto& x : g->a) x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  std::uniform_int_distribution<size_t> pick(0, levels.size() - 1);
  for (auto& x : g->w) x = static_cast<int8_t>(levels[pick(rng)]);
  for (auto& x : g->bias) x = std::uniform_int_distribution<int32_t>(-20000, 20000)(rng);
  accel::LayerWeights& L = g->layer;
  L = {};
  L.n = n;
  L.k = k;
  L.weights = g->w.data();
  L.bias = g->bias.data();
  L.filter_scales.resize(static_cast<size_t>(n));
  for (auto& s : L.filter_scales) s = std::uniform_real_distribution<float>(0.001f, 0.02f)(rng);
  L.input_scale = 0.05f;
  // Output scale so that results spread over the int8 range.
  L.output_scale = 0.05f * 0.01f * static_cast<float>(std::max<int>(1, method.max_level())) *
                   std::sqrt(static_cast<float>(k)) * 8;
  L.input_zero_point = std::uniform_int_distribution<int>(-128, 127)(rng);
  L.output_zero_point = std::uniform_int_distribution<int>(-20, 20)(rng);
  return gemm;
}

std::vector<int8_t> ReferenceGemm(const RandomGemm& g, fixed_point::Rounding rounding, int32_t act_min,
                                  int32_t act_max) {
  const kernels::ChannelMultipliers mult = kernels::PerChannelMultipliers(
      g.layer.input_scale, g.layer.filter_scales, g.layer.output_scale, static_cast<int>(g.n));
  kernels::Int8Params q;
  q.input_offset = -g.layer.input_zero_point;
  q.output_zero_point = g.layer.output_zero_point;
  q.act_min = act_min;
  q.act_max = act_max;
  q.multiplier = mult.multiplier.data();
  q.shift = mult.shift.data();
  q.rounding = rounding;
  std::vector<int8_t> out(static_cast<size_t>(g.m * g.n));
  kernels::GemmInt8Reference(q, g.w.data(), static_cast<int>(g.n), static_cast<int>(g.k), g.bias.data(), g.a.data(),
                             g.m, g.k, out.data(), g.n);
  return out;
}

}  // namespace potacc::testing
