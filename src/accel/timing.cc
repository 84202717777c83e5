// Event model of the COMPUTE command: the threads of the reference design
// (scheduler.sc.h / vmm_modules.sc.h / write_sync.sc.h of the released
// SystemC model, described in ../shared/docs/reference-accelerator.md §2.4-2.6),
// advanced per tile. All times are clock cycles after the Scheduler sees the
// command; "visible" times are when another thread can observe a signal or
// FIFO write (one cycle after it is written, as with clocked SystemC threads).
#include "potacc/accel/timing.h"

#include <algorithm>
#include <deque>
#include <memory>

#include "potacc/error.h"

namespace potacc::accel {
namespace {

using namespace thread_delay;

// The Arranger: pops unit ids in dispatch order and forwards one output beat
// per cycle once the unit's PPU has written it.
class ArrangerModel {
 public:
  explicit ArrangerModel(int fifo_depth) : depth_(fifo_depth) {}

  // Earliest cycle the Scheduler can write entry number `count()` (FIFO full
  // until the entry `depth` places earlier has been popped).
  int64_t WriteSlot(int64_t want) const {
    const int64_t j = static_cast<int64_t>(pops_.size());
    if (j < depth_) return want;
    return std::max(want, pops_[static_cast<size_t>(j - depth_)] + kVisible);
  }
  // Adds an entry written at `written` whose data is visible at `data_visible`.
  void Push(int64_t written, int64_t data_visible) {
    const int64_t pop = std::max(free_at_, written + kVisible);
    const int64_t out = std::max(pop, data_visible);
    pops_.push_back(pop);
    last_out_ = out;
    free_at_ = out + 1;  // one output beat per cycle
  }
  int64_t last_out() const { return last_out_; }

 private:
  int depth_;
  std::vector<int64_t> pops_;
  int64_t free_at_ = 0;
  int64_t last_out_ = 0;
};

}  // namespace

ComputeTiming TimeComputeEvent(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk,
                               ComputeKind kind) {
  const TimingParams& P = config.timing;
  const int V = config.units;
  const int64_t d = rk / 4;
  const int64_t strips = (rows + 3) / 4;
  const int64_t blocks = cols / 4;
  ComputeTiming r;
  r.units.assign(static_cast<size_t>(V), {});
  if (strips == 0 || blocks == 0) {
    r.cycles = P.compute_overhead;
    return r;
  }
  constexpr int64_t kNever = -(int64_t{1} << 40);
  std::vector<int64_t> ready(static_cast<size_t>(V), 0);        // unit ready visible to the Scheduler
  std::vector<int64_t> ppu_free(static_cast<size_t>(V), 0);     // PPU accepts a hand-off
  std::vector<int64_t> post_check(static_cast<size_t>(V), kNever);  // PPU thread back at its loop top
  ArrangerModel arranger(P.arranger_fifo_depth);
  const bool outputs = !PsumWrites(kind.psum);
  // Dispatch -> PPU hand-off (for psum-writing tiles: -> the end of the psum update).
  const int64_t pe_loop = d + P.pe_overhead - P.unit_rearm_cycles - kPeOutsideLoop;  // the PE loop with its drain
  const int64_t pe_to_handoff =
      d + P.pe_overhead - P.unit_rearm_cycles + (PsumUsed(kind.psum) ? P.psum_cycles : 0);
  // Scheduler: after a dispatch at tc it returns to its loop at tc + after_dispatch.
  const int64_t after_dispatch = P.dispatch_gap - P.dispatch_to_start;
  // Per strip: the broadcast of its inputs, or (depthwise) the window generator's set-up.
  const int64_t strip_start =
      kind.depthwise ? P.dw_strip_setup_cycles : P.broadcast_setup_cycles + P.broadcast_cycles_per_beat * d;

  int64_t t = P.scheduler_start_cycles;
  int64_t last_handoff = 0;
  for (int64_t g = 0; g < strips; ++g) {
    for (int u = 0; u < V; ++u) t = std::max(t, ready[u]) + P.ready_poll_cycles_per_unit;
    t += strip_start;
    int64_t next = t + P.dispatch_to_start;  // where the Scheduler starts waiting for the unit
    for (int64_t b = 0; b < blocks; ++b) {
      const int u = static_cast<int>(b % V);
      const int64_t tc = std::max(next, ready[u]);
      r.units[u].pe_busy += pe_loop;
      r.units[u].tiles += 1;
      if (!outputs) {
        // Sums go to the partial-sum buffer: no PPU, no Arranger entry.
        ready[u] = tc + pe_to_handoff + P.unit_rearm_cycles;
        last_handoff = std::max(last_handoff, tc + pe_to_handoff);
        next = tc + P.dispatch_gap;
        t = tc + after_dispatch;
        continue;
      }
      const int64_t handoff = std::max(tc + pe_to_handoff, ppu_free[u]);
      ppu_free[u] = handoff + P.ppu_occupancy;
      post_check[u] = handoff + P.ppu_occupancy + kPostLoopReturn;
      ready[u] = handoff + P.unit_rearm_cycles;
      last_handoff = std::max(last_handoff, handoff);
      r.units[u].ppu_busy += P.ppu_occupancy;
      // Arranger FIFO write (may stall the Scheduler when the FIFO is full).
      const int64_t want = tc + kDispatchToFifoWrite;
      const int64_t written = arranger.WriteSlot(want);
      arranger.Push(written, handoff + P.ppu_output_latency);
      const int64_t stall = written - want;
      next = tc + P.dispatch_gap + stall;
      t = tc + after_dispatch + stall;
    }
  }
  // Tail: wait until every unit is ready, then ask the next unit in rotation
  // for its end marker and forward it.
  for (int u = 0; u < V; ++u) t = std::max(t, ready[u]) + P.ready_poll_cycles_per_unit;
  const int uc = static_cast<int>(blocks % V);
  const int64_t tlast_written = std::max(t + kVisible, post_check[uc]);  // send_done seen at the loop top
  const int64_t id_written = arranger.WriteSlot(tlast_written + kTlastToFifoWrite);
  arranger.Push(id_written, tlast_written + kVisible);
  const int64_t end = arranger.last_out();
  r.cycles = end + P.compute_overhead;
  r.post_drain = end - last_handoff;
  r.output_beats = (outputs ? strips * blocks : 0) + 1;
  return r;
}

int64_t ClosedFormComputeCycles(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk) {
  const TimingParams& P = config.timing;
  const int64_t V = config.units;
  const int64_t S = (rows + 3) / 4, B = cols / 4;
  if (S == 0 || B == 0) return P.compute_overhead;
  const int64_t R = (B + V - 1) / V;
  const int64_t d = rk / 4;
  const int64_t pe = d + P.pe_overhead;
  const int64_t ts = P.broadcast_cycles_per_beat * d + P.dispatch_gap * ((B - 1) % V) + std::max<int64_t>(0, V - B) +
                     pe + (R - 1) * std::max<int64_t>(pe, P.ppu_occupancy) + 4;
  return (P.closed_form_drain_base + V) + ts + (S - 1) * std::max(ts, P.ppu_occupancy * R) - 4;
}

ComputeTiming TimeCompute(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk,
                          ComputeKind kind) {
  switch (config.timing.model) {
    case TimingParams::Model::kEvent:
      return TimeComputeEvent(config, rows, cols, rk, kind);
    case TimingParams::Model::kCycle:
      return TimeComputeCycle(config, rows, cols, rk, kind);
    case TimingParams::Model::kClosedForm: {
      ComputeTiming r = TimeComputeEvent(config, rows, cols, rk, kind);  // activity counts
      if (kind.plain()) r.cycles = ClosedFormComputeCycles(config, rows, cols, rk);
      return r;
    }
  }
  return {};
}

namespace {

// Header words of the potacc-x depthwise commands beyond the reference
// command's (CONFIG_DW's window geometry, a depthwise LOAD_INP's slab header);
// the hardware takes one header word per cycle.
int64_t DepthwiseConfigExtraWords() {
  static const int64_t extra =
      StreamWordCounts(Command::ConfigDepthwise(16, 0, {}))[0] - StreamWordCounts(Command::Config(16, 0))[0];
  return extra;
}
int64_t DepthwiseLoadInputExtraWords() {
  auto header_words = [](bool depthwise) {
    auto empty = std::make_shared<InputTile>();  // no beats: header only
    empty->slab_rows = depthwise ? 1 : 0;
    return StreamWordCounts(Command::LoadInputs(empty))[0];
  };
  static const int64_t extra = header_words(true) - header_words(false);
  return extra;
}

}  // namespace

int64_t ConfigCycles(const AcceleratorConfig& config, bool depthwise) {
  return config.timing.config_cycles + (depthwise ? DepthwiseConfigExtraWords() : 0);
}

int64_t LoadInputCycles(const AcceleratorConfig& config, int64_t rows, int64_t rk) {
  return (rows + 3) / 4 * (rk / 4) + config.timing.load_input_overhead;
}

int64_t LoadInputCycles(const AcceleratorConfig& config, const InputTile& tile) {
  return tile.beats() + config.timing.load_input_overhead + (tile.depthwise() ? DepthwiseLoadInputExtraWords() : 0);
}

int64_t LoadWeightCycles(const AcceleratorConfig& config, int64_t blocks, int64_t rk) {
  const TimingParams& P = config.timing;
  return blocks * (rk / config.codes_per_word()) + P.load_weight_overhead + P.epilogue_cycles_per_block * blocks +
         P.epilogue_overhead;
}

int64_t NopCycles(const AcceleratorConfig& config) { return config.timing.nop_cycles; }

}  // namespace potacc::accel
