#include "rtl_driver.h"

#include "potacc/error.h"

namespace potacc::hw {

RtlStreamDriver::RtlStreamDriver(RtlModel& model, int units, StallPolicy stalls)
    : model_(model), units_(units), stalls_(stalls), rng_(stalls.seed) {}

int64_t RtlStreamDriver::Run(const accel::Command& cmd, accel::StreamWordsT* out, int64_t max_cycles) {
  const accel::StreamWordsT words = accel::StreamWords(cmd, units_);
  const bool compute = cmd.op == accel::Opcode::kCompute;
  std::array<size_t, 4> next{};
  uint8_t tlast_seen = 0;
  AxisIn in;
  for (int64_t cycle = 0; cycle < max_cycles; ++cycle) {
    in.tvalid = 0;
    in.tlast = 0;
    for (int q = 0; q < 4; ++q) {
      if (next[q] >= words[q].size() || Draw(stalls_.input)) continue;
      in.tdata[q] = words[q][next[q]];
      in.tvalid |= static_cast<uint8_t>(1u << q);
      if (next[q] + 1 == words[q].size()) in.tlast |= static_cast<uint8_t>(1u << q);
    }
    in.m_tready = 0xf;
    for (int q = 0; q < 4; ++q)
      if (Draw(stalls_.output)) in.m_tready &= static_cast<uint8_t>(~(1u << q));
    const AxisOut o = model_.Cycle(in);
    for (int q = 0; q < 4; ++q) {
      const uint8_t bit = static_cast<uint8_t>(1u << q);
      if (in.tvalid & o.s_tready & bit) ++next[q];
      if (!(o.m_tvalid & in.m_tready & bit)) continue;
      Check(compute && !(tlast_seen & bit), "rtl: output word on stream " + std::to_string(q) + " during " +
                                                accel::Describe(cmd) + (compute ? " after its TLAST beat" : ""));
      if (out) (*out)[q].push_back(o.m_tdata[q]);
      if (o.m_tlast & bit) tlast_seen |= bit;
    }
    bool sent = true;
    for (int q = 0; q < 4; ++q) sent = sent && next[q] == words[q].size();
    // Done when the next command could start in the next cycle.
    if (sent && (compute ? tlast_seen == 0xf : o.idle_next)) return cycle + 1;
  }
  throw Error("rtl: " + accel::Describe(cmd) + " did not complete within " + std::to_string(max_cycles) + " cycles");
}

}  // namespace potacc::hw
