// Runs §3 commands on an RtlModel through its four AXI4-Stream ports: offers
// each stream's words (TVALID) and takes the output words (TREADY), with
// optional random stalls on both sides, and counts the cycles each command
// took on the RTL.
#pragma once

#include <cstdint>
#include <random>

#include "potacc/accel/command.h"
#include "rtl_model.h"

namespace potacc::hw {

// Random stream stalls: in every cycle each input stream withholds its next
// word with probability `input` (TVALID low) and the host refuses each output
// stream's word with probability `output` (TREADY low). Stalls change the
// cycle counts, never the results.
struct StallPolicy {
  double input = 0;
  double output = 0;
  uint64_t seed = 1;
  bool any() const { return input > 0 || output > 0; }
};

class RtlStreamDriver {
 public:
  RtlStreamDriver(RtlModel& model, int units, StallPolicy stalls);

  // Offers the command's words (StreamWords) from the first cycle on and runs
  // until the command has completed: every word taken and the accelerator
  // idle, or, for COMPUTE, the TLAST beat taken on all four output streams.
  // COMPUTE output words (data beats, then the TLAST beat) are appended to
  // `out` when it is not null. Returns the cycles from the first cycle the
  // command was offered to its completion (with no stalls and an idle
  // accelerator: what the hardware takes). Throws potacc::Error when the RTL
  // has not completed it after `max_cycles` or produces words out of turn.
  int64_t Run(const accel::Command& cmd, accel::StreamWordsT* out, int64_t max_cycles);

 private:
  bool Draw(double p) { return p > 0 && std::bernoulli_distribution(p)(rng_); }

  RtlModel& model_;
  int units_;
  StallPolicy stalls_;
  std::mt19937_64 rng_;
};

}  // namespace potacc::hw
