// Command-by-command co-simulation of one prepared layer: the simulator (the
// reference for outputs and the event model's cycles) against a backend
// (the Verilated RTL), shared by the GEMM and depthwise co-simulation tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/accel/command.h"
#include "potacc/accel/driver.h"
#include "potacc/accel/sim.h"

namespace potacc::hw {

// Runs `commands` on the simulator and on `backend_spec` one by one. Every
// COMPUTE returns the beats ComputeOutputBeats says and every output word must
// equal the simulator's; with compare_cycles, the cycles of every command
// (COMPUTE's post-drain too) and the backend's per-unit performance counters
// must equal the event model's.
inline void CompareCommands(const accel::AcceleratorConfig& c, const std::vector<accel::Command>& commands,
                            const std::string& backend_spec, bool compare_cycles) {
  accel::Simulator sim(c);
  std::unique_ptr<accel::Backend> rtl = accel::MakeBackend(backend_spec, c);
  int computes = 0;
  for (const accel::Command& cmd : commands) {
    accel::StreamWordsT want, got;
    const accel::PhaseCycles s0 = sim.stats().cycles, r0 = rtl->stats().cycles;
    sim.Execute(cmd, &want);
    rtl->Execute(cmd, &got);
    if (cmd.op == accel::Opcode::kCompute) {
      ++computes;
      ASSERT_EQ(static_cast<int64_t>(want[0].size()), accel::ComputeOutputBeats(cmd)) << accel::Describe(cmd);
      for (int q = 0; q < 4; ++q)
        EXPECT_EQ(got[q], want[q]) << accel::Describe(cmd) << " stream " << q << " (COMPUTE " << computes << ")";
    }
    if (compare_cycles) {
      EXPECT_EQ(rtl->stats().cycles.total() - r0.total(), sim.stats().cycles.total() - s0.total())
          << accel::Describe(cmd) << " (COMPUTE " << computes << ")";
      if (cmd.op == accel::Opcode::kCompute) {
        EXPECT_EQ(rtl->stats().cycles.post_drain - r0.post_drain, sim.stats().cycles.post_drain - s0.post_drain)
            << accel::Describe(cmd);
      }
    }
  }
  if (compare_cycles) {
    // The RTL's performance counters against the model's unit activity.
    for (int u = 0; u < c.units; ++u) {
      EXPECT_EQ(rtl->stats().units[u].tiles, sim.stats().units[u].tiles) << "unit " << u;
      EXPECT_EQ(rtl->stats().units[u].pe_busy, sim.stats().units[u].pe_busy) << "unit " << u;
      EXPECT_EQ(rtl->stats().units[u].ppu_busy, sim.stats().units[u].ppu_busy) << "unit " << u;
    }
    EXPECT_EQ(rtl->model_stats()->cycles.total(), sim.stats().cycles.total());
  }
}

// The same for one prepared layer's whole command stream.
inline void CompareCommandByCommand(const accel::AcceleratorConfig& c, const accel::PreparedGemm& p,
                                    const int8_t* a, int64_t lda, const std::string& backend_spec,
                                    bool compare_cycles) {
  CompareCommands(c, accel::BuildCommands(p, a, lda), backend_spec, compare_cycles);
}

}  // namespace potacc::hw
