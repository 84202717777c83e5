// The "rtl" accelerator backend (accel/backend.h): the §3 command stream runs
// on the Verilated whole-accelerator RTL. Each command also runs on the C++
// simulator first, which validates it (the same limits, the same error
// messages) and gives the event model's cycles as model_stats(); stats() are
// the cycles the RTL took and its own performance counters.
//
// Options: rtl:stall=P (random TVALID/TREADY stalls on every stream with
// probability P per cycle), in_stall=P / out_stall=P (one side only), seed=N.
#include <memory>

#include "potacc/accel/backend.h"
#include "potacc/accel/sim.h"
#include "potacc/error.h"
#include "rtl_driver.h"
#include "rtl_model.h"

namespace potacc::hw {
namespace {

using accel::Command;
using accel::Opcode;

class RtlBackend final : public accel::Backend {
 public:
  RtlBackend(const accel::AcceleratorConfig& config, StallPolicy stalls)
      : config_(config), model_(config), rtl_(MakeRtlModel(config)), driver_(*rtl_, config.units, stalls),
        stalls_(stalls) {
    Check(rtl_->ReadStatus(status::kMagic) == status::kMagicValue, "rtl: the model's status port does not answer");
    ResetStats();
  }

  std::string name() const override { return "rtl"; }
  const accel::AcceleratorConfig& config() const override { return config_; }
  const accel::SimStats& stats() const override { return stats_; }
  const accel::SimStats* model_stats() const override { return &model_.stats(); }

  void ResetStats() override {
    model_.ResetStats();
    stats_ = {};
    stats_.measured = true;
    stats_.units.assign(static_cast<size_t>(config_.units), {});
    counters_ = ReadUnitCounters();
  }

  void Execute(const Command& cmd, accel::StreamWordsT* out) override {
    const int64_t before = model_.stats().cycles.total();
    model_.Execute(cmd, nullptr);  // validates the command (throws like the simulator)
    const int64_t expected = model_.stats().cycles.total() - before;
    // Bounded: the RTL takes the model's cycles; stalls stretch that by at most
    // a large factor.
    const int64_t bound = (expected + 1000) * (stalls_.any() ? 200 : 4);
    const int64_t cycles = driver_.Run(cmd, out, bound);
    ++stats_.commands;
    for (int64_t w : accel::StreamWordCounts(cmd)) stats_.words_in += w;
    accel::PhaseCycles& c = stats_.cycles;
    switch (cmd.op) {
      case Opcode::kConfig:
      case Opcode::kConfigDepthwise: c.config += cycles; break;
      case Opcode::kLoadInputs: c.load_input += cycles; break;
      case Opcode::kLoadWeights: c.load_weights += cycles; break;
      case Opcode::kNop: c.nop += cycles; break;
      case Opcode::kCompute: {
        c.compute += cycles;
        c.post_drain += rtl_->ReadStatus(status::kPostDrain);
        const int64_t beats = accel::ComputeOutputBeats(cmd);
        c.output_beats += beats;
        stats_.words_out += 4 * beats;
        AddUnitActivity();
        break;
      }
    }
  }

 private:
  struct UnitCounters {
    uint32_t pe_busy = 0, ppu_busy = 0, tiles = 0;
  };
  std::vector<UnitCounters> ReadUnitCounters() {
    std::vector<UnitCounters> v(static_cast<size_t>(config_.units));
    for (int u = 0; u < config_.units; ++u)
      v[u] = {rtl_->ReadStatus(status::PeBusy(u)), rtl_->ReadStatus(status::PpuBusy(u)),
              rtl_->ReadStatus(status::Tiles(u))};
    return v;
  }
  // The counters wrap at 32 bits; the differences do not.
  void AddUnitActivity() {
    const std::vector<UnitCounters> now = ReadUnitCounters();
    for (size_t u = 0; u < now.size(); ++u) {
      stats_.units[u].pe_busy += static_cast<uint32_t>(now[u].pe_busy - counters_[u].pe_busy);
      stats_.units[u].ppu_busy += static_cast<uint32_t>(now[u].ppu_busy - counters_[u].ppu_busy);
      stats_.units[u].tiles += static_cast<uint32_t>(now[u].tiles - counters_[u].tiles);
    }
    counters_ = now;
  }

  accel::AcceleratorConfig config_;
  accel::Simulator model_;
  std::unique_ptr<RtlModel> rtl_;
  RtlStreamDriver driver_;
  StallPolicy stalls_;
  accel::SimStats stats_;
  std::vector<UnitCounters> counters_;
};

const bool kRegistered = [] {
  accel::RegisterBackend(
      "rtl", "Verilated whole-accelerator RTL (cycle-accurate; options rtl:stall=P,seed=N for random stream stalls)",
      [](const accel::AcceleratorConfig& config, const accel::BackendOptions& o) -> std::unique_ptr<accel::Backend> {
        o.RejectUnknown({"stall", "in_stall", "out_stall", "seed"});
        StallPolicy s;
        const double both = o.Number("stall", 0, 0, 0.95);
        s.input = o.Number("in_stall", both, 0, 0.95);
        s.output = o.Number("out_stall", both, 0, 0.95);
        s.seed = static_cast<uint64_t>(o.Number("seed", 1, 0, 9007199254740992.0));
        return std::make_unique<RtlBackend>(config, s);
      });
  return true;
}();

}  // namespace
}  // namespace potacc::hw
