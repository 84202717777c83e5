// Clock-by-clock emulation of the COMPUTE threads (timing model "cycle"): the
// slow, exact mode. Every thread of §2.6 is a small state machine stepped
// once per cycle; signal and FIFO writes become visible the next cycle.
// It exists to cross-check the event model (timing.cc), which must agree
// cycle for cycle (timing_test.cc).
#include <algorithm>
#include <deque>

#include "potacc/accel/timing.h"
#include "potacc/error.h"

namespace potacc::accel {
namespace {

// A value written at cycle t becomes visible at t + 1.
template <class T>
struct Signal {
  T now{}, next{};
  void Write(T v) { next = v; }
  T Read() const { return now; }
  void Tick() { now = next; }
};

struct UnitState {
  // Compute thread
  enum class C { kIdle, kWaitLow, kPe, kWaitPpu, kRearm } c = C::kIdle;
  int64_t wait_until = 0;
  Signal<bool> ready;
  Signal<bool> compute;
  Signal<bool> post_ready;  // PPU free (written by both threads)
  Signal<bool> send_done;
  Signal<bool> ppu_done;
  // Post thread
  enum class P { kLoop, kBusy, kDone } p = P::kLoop;
  int64_t dout_at = 0, free_at = 0, check_at = 0;
  std::deque<int64_t> dout_visible;  // cycle each output word becomes visible
  int64_t tlast_visible = -1;
  UnitActivity act;
};

// More cycles than COMPUTE can take when every thread waits as long as it
// ever can and nothing overlaps: twice the serial sum of the scheduler's
// per-strip work and each tile's dispatch, PE loop, PPU and output, plus the
// tail. A run that passes it is a hang (an unaccepted configuration), not a
// slow command.
int64_t CycleBound(const AcceleratorConfig& config, int64_t strips, int64_t blocks, int64_t d) {
  const TimingParams& P = config.timing;
  const int64_t poll = int64_t{config.units} * (P.ready_poll_cycles_per_unit + 1);
  const int64_t per_strip = poll + P.broadcast_setup_cycles + int64_t{P.broadcast_cycles_per_beat} * d +
                            P.dw_strip_setup_cycles + P.dispatch_to_start;
  const int64_t per_tile = P.dispatch_gap + 4 + d + P.pe_overhead + P.psum_cycles + P.ppu_occupancy +
                           P.ppu_output_latency + 2;
  return 2 * (P.scheduler_start_cycles + strips * per_strip + strips * blocks * per_tile + poll + P.ppu_occupancy +
              P.ppu_output_latency + 64);
}

}  // namespace

ComputeTiming TimeComputeCycle(const AcceleratorConfig& config, int64_t rows, int64_t cols, int64_t rk,
                               ComputeKind kind) {
  const TimingParams& P = config.timing;
  const int V = config.units;
  const int64_t d = rk / 4;
  const bool outputs = !PsumWrites(kind.psum);
  const int64_t psum_cycles = PsumUsed(kind.psum) ? P.psum_cycles : 0;
  const int64_t strip_start =
      kind.depthwise ? P.dw_strip_setup_cycles : P.broadcast_setup_cycles + P.broadcast_cycles_per_beat * d;
  const int64_t strips = (rows + 3) / 4, blocks = cols / 4;
  ComputeTiming r;
  r.units.assign(static_cast<size_t>(V), {});
  if (strips == 0 || blocks == 0) {
    r.cycles = P.compute_overhead;
    return r;
  }
  std::vector<UnitState> u(static_cast<size_t>(V));
  for (auto& x : u) {
    x.ready.now = x.ready.next = true;
    x.post_ready.now = x.post_ready.next = true;
  }
  // Scheduler program counter.
  enum class S { kPoll, kBroadcast, kDispatchDelay, kWaitReady, kWaitAck, kAfterDispatch, kTailPoll, kSendDone,
                 kWaitDone, kTailWrite, kEnd } s = S::kPoll;
  int64_t sched_wait = P.scheduler_start_cycles;  // busy until this cycle
  int64_t g = 0, b = 0, poll_u = 0;
  int uc = 0;
  std::deque<std::pair<int64_t, int>> arranger_fifo;  // (visible cycle, unit or -1-unit for TLAST)
  int64_t arranger_free = 0, end = -1, last_handoff = 0;
  // PE loop with its pipeline drain: dispatch-to-hand-off minus the handshake and the PPU poll step.
  const int64_t pe_len = d + P.pe_overhead - P.unit_rearm_cycles - thread_delay::kPeOutsideLoop;
  constexpr int kNone = 1 << 30;
  int current = kNone;  // unit id the Arranger is waiting on

  const int64_t bound = CycleBound(config, strips, blocks, d);
  for (int64_t t = 0; end < 0; ++t) {
    if (t > bound)
      throw Error("clock-by-clock timing of COMPUTE " + std::to_string(rows) + "x" + std::to_string(cols) + "x" +
                  std::to_string(rk) + " on " + config.name + " did not finish within " + std::to_string(bound) +
                  " cycles (a bound no accepted configuration reaches; see ValidateAcceleratorConfig)");
    // ---- Scheduler
    if (t >= sched_wait) {
      switch (s) {
        case S::kPoll:
          if (u[poll_u].ready.Read()) {
            sched_wait = t + P.ready_poll_cycles_per_unit;
            if (++poll_u == V) {
              poll_u = 0;
              s = S::kBroadcast;
            }
          }
          break;
        case S::kBroadcast:
          sched_wait = t + strip_start;
          s = S::kDispatchDelay;
          b = 0;
          break;
        case S::kDispatchDelay:
          sched_wait = t + P.dispatch_to_start;
          s = S::kWaitReady;
          break;
        case S::kWaitReady: {
          UnitState& x = u[b % V];
          if (x.ready.Read()) {
            x.compute.Write(true);
            s = S::kWaitAck;
          }
          break;
        }
        case S::kWaitAck: {
          UnitState& x = u[b % V];
          if (!x.ready.Read()) {
            x.compute.Write(false);
            sched_wait = t + 1;
            s = S::kAfterDispatch;
          }
          break;
        }
        case S::kAfterDispatch:
          if (outputs) {  // psum-writing tiles send no output beats
            if (static_cast<int64_t>(arranger_fifo.size()) >= P.arranger_fifo_depth) break;  // FIFO full
            arranger_fifo.push_back({t + 1, static_cast<int>(b % V)});
          }
          // t = tc + kDispatchToFifoWrite: the next dispatch is dispatch_gap after tc.
          sched_wait = t + P.dispatch_gap - P.dispatch_to_start - thread_delay::kDispatchToFifoWrite;
          if (++b == blocks) {
            s = ++g == strips ? S::kTailPoll : S::kPoll;
          } else {
            sched_wait += P.dispatch_to_start;
            s = S::kWaitReady;
          }
          break;
        case S::kTailPoll:
          if (u[poll_u].ready.Read()) {
            sched_wait = t + P.ready_poll_cycles_per_unit;
            if (++poll_u == V) s = S::kSendDone;
          }
          break;
        case S::kSendDone:
          uc = static_cast<int>(blocks % V);
          u[uc].send_done.Write(true);
          s = S::kWaitDone;
          break;
        case S::kWaitDone:
          if (u[uc].ppu_done.Read()) {
            u[uc].send_done.Write(false);
            sched_wait = t + 1;
            s = S::kTailWrite;
          }
          break;
        case S::kTailWrite:
          if (static_cast<int64_t>(arranger_fifo.size()) >= P.arranger_fifo_depth) break;
          arranger_fifo.push_back({t + 1, -1 - uc});
          s = S::kEnd;
          break;
        case S::kEnd:
          break;
      }
    }
    // ---- Units: Compute thread
    for (int i = 0; i < V; ++i) {
      UnitState& x = u[i];
      switch (x.c) {
        case UnitState::C::kIdle:
          if (x.compute.Read()) {
            x.ready.Write(false);
            x.c = UnitState::C::kWaitLow;
            x.wait_until = t + 1;
          }
          break;
        case UnitState::C::kWaitLow:
          if (t >= x.wait_until && !x.compute.Read()) {
            x.c = UnitState::C::kPe;
            // PE loop (+ the partial-sum update), then one cycle before polling the PPU.
            x.wait_until = t + pe_len + 1 + psum_cycles;
            x.act.pe_busy += pe_len;
            x.act.tiles += 1;
          }
          break;
        case UnitState::C::kPe:
          if (t >= x.wait_until && !outputs) {
            // Sums written to the partial-sum buffer: no PPU hand-off.
            last_handoff = std::max(last_handoff, t);
            x.c = UnitState::C::kRearm;
            x.wait_until = t + P.unit_rearm_cycles - 1;
            break;
          }
          if (t >= x.wait_until) x.c = UnitState::C::kWaitPpu;
          [[fallthrough]];
        case UnitState::C::kWaitPpu:
          if (x.c == UnitState::C::kWaitPpu && x.post_ready.Read()) {
            x.post_ready.Write(false);  // hand-off
            last_handoff = std::max(last_handoff, t);
            x.c = UnitState::C::kRearm;
            x.wait_until = t + P.unit_rearm_cycles - 1;
          }
          break;
        case UnitState::C::kRearm:
          if (t >= x.wait_until) {
            x.ready.Write(true);
            x.c = UnitState::C::kIdle;
          }
          break;
      }
      // Post thread: a hand-off seen at t (written at h = t - 1) writes the
      // outputs at h + latency - 1, frees the PPU at h + occupancy - 1 and is
      // back at its loop top (checking for an end-of-command request) at
      // h + occupancy + 1.
      if (x.p == UnitState::P::kBusy) {
        if (t == x.dout_at) x.dout_visible.push_back(t + 1);
        if (t == x.free_at) x.post_ready.Write(true);
        if (t >= x.check_at) x.p = UnitState::P::kLoop;
      } else if (x.p == UnitState::P::kDone) {
        if (!x.send_done.Read()) {
          x.ppu_done.Write(false);
          x.p = UnitState::P::kLoop;
          continue;
        }
      }
      if (x.p == UnitState::P::kLoop) {
        if (!x.post_ready.Read()) {
          const int64_t h = t - 1;
          x.p = UnitState::P::kBusy;
          x.dout_at = h + P.ppu_output_latency - 1;
          x.free_at = h + P.ppu_occupancy - 1;
          x.check_at = h + P.ppu_occupancy + 1;
          x.act.ppu_busy += P.ppu_occupancy;
        } else if (x.send_done.Read()) {
          x.tlast_visible = t + 1;
          x.ppu_done.Write(true);
          x.p = UnitState::P::kDone;
        }
      }
    }
    // ---- Arranger: pops a unit id, waits for that unit's output beat,
    // forwards it (one beat per cycle, in dispatch order).
    if (current == kNone && t >= arranger_free && !arranger_fifo.empty() && arranger_fifo.front().first <= t) {
      current = arranger_fifo.front().second;
      arranger_fifo.pop_front();
    }
    if (current != kNone) {
      if (current >= 0) {
        UnitState& x = u[current];
        if (!x.dout_visible.empty() && x.dout_visible.front() <= t) {
          x.dout_visible.pop_front();
          current = kNone;
          arranger_free = t + 1;
        }
      } else {
        UnitState& x = u[-1 - current];
        if (x.tlast_visible >= 0 && x.tlast_visible <= t) end = t;
      }
    }
    for (auto& x : u) {
      x.ready.Tick();
      x.compute.Tick();
      x.post_ready.Tick();
      x.send_done.Tick();
      x.ppu_done.Tick();
    }
  }
  for (int i = 0; i < V; ++i) r.units[i] = u[i].act;
  r.cycles = end + P.compute_overhead;
  r.post_drain = end - last_handoff;
  r.output_beats = (outputs ? strips * blocks : 0) + 1;
  return r;
}

}  // namespace potacc::accel
