// The accelerator tests' view of a random GEMM layer (tests/support/random_gemm.h):
// the layer and its independent reference answer, plus a driver + simulator
// run of the same layer.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "potacc/accel/driver.h"
#include "potacc/accel/sim.h"
#include "support/random_gemm.h"

namespace potacc::accel {

using testing::MakeRandomGemm;
using testing::RandomGemm;

inline std::vector<int8_t> Reference(const RandomGemm& g, fixed_point::Rounding rounding, int32_t act_min, int32_t act_max) {
  return testing::ReferenceGemm(g, rounding, act_min, act_max);
}

inline std::vector<int8_t> Accelerate(const AcceleratorConfig& c, const RandomGemm& g, int32_t act_min = -128,
                                      int32_t act_max = 127, SimStats* stats = nullptr, HostWork* host = nullptr) {
  const PreparedGemm p = PrepareGemm(c, g.layer, g.m, act_min, act_max);
  EXPECT_TRUE(p.ok()) << p.refused;
  if (!p.ok()) return {};
  Simulator sim(c);
  std::vector<int8_t> out(static_cast<size_t>(g.m * g.n), 99);
  RunGemm(sim, p, g.a.data(), g.k, out.data(), g.n, host);
  if (stats) *stats = sim.stats();
  return out;
}

}  // namespace potacc::accel
