// Timeline arithmetic on hand-computed cases (test board: CPU 1 GHz, PL 100 MHz).
#include "potacc/platform/timeline.h"

#include <gtest/gtest.h>

#include "potacc/error.h"
#include "test_board.h"

namespace potacc::platform {
namespace {

// A single FULLY_CONNECTED layer delegated to the accelerator.
NodeWork AccelFc() {
  NodeWork n;
  n.node = 0;
  n.op = "FULLY_CONNECTED";
  n.op_class = OpClass::kFullyConnected;
  n.macs = 64 * 64;
  n.on_accel = true;
  AccelNodeWork& a = n.accel;
  a.m = 1, a.n = 64, a.k = 64;
  a.im2col_bytes = 0;
  a.input_pack_bytes = 1000;   // 1000 B / 0.5 B/cycle = 2000 cycles
  a.output_unpack_bytes = 400; // 400 B / 0.25 B/cycle = 1600 cycles
  a.commands = 5;              // 5 x 100 cycles = 500 cycles  -> host 4100 cycles = 4.1 us
  a.dma_transfers = 12;        // 12 x 1 us = 12 us
  a.tiles = 4;
  a.bytes_to_accel = 16000;    // 16000 B / 4 GB/s = 4 us < 1000 cycles / 100 MHz = 10 us
  a.bytes_from_accel = 400;
  a.load_cycles = 1000;
  a.compute_cycles = 5000;     // 50 us
  a.pe_utilization = 0.5;
  a.pe_method = "qkeras";
  return n;
}

AccelPowerModel SimplePl() {
  AccelPowerModel pl;
  pl.method = "qkeras";
  pl.clock_w = 0.2;
  pl.active_w = 1.0;
  return pl;
}

TEST(Timeline, SingleFcLayerOnAcceleratorAddsUpSequentially) {
  const Board board = boards_for_tests::TestBoard();
  Workload w;
  w.name = "fc";
  w.nodes.push_back(AccelFc());
  const AccelPowerModel pl = SimplePl();
  const Timeline tl = ComputeTimeline(board, w, &pl, {});

  const double host = 4.1e-6, setup = 12e-6, transfer = 10e-6, accel = 50e-6;
  ASSERT_EQ(tl.nodes.size(), 1u);
  EXPECT_NEAR(tl.nodes[0].host_s, host, 1e-12);
  EXPECT_NEAR(tl.nodes[0].dma_setup_s, setup, 1e-12);
  EXPECT_NEAR(tl.nodes[0].transfer_s, transfer, 1e-12);
  EXPECT_NEAR(tl.nodes[0].accel_s, accel, 1e-12);
  // CPU time (none) + host work + transfers + accelerator cycles = latency.
  EXPECT_NEAR(tl.latency_s, host + setup + transfer + accel, 1e-12);
  EXPECT_NEAR(tl.latency_s, 76.1e-6, 1e-12);

  // Energy = sum of power x time per component.
  const double T = 76.1e-6;
  EXPECT_NEAR(tl.energy.ps_idle, 1.0 * T, 1e-15);
  EXPECT_NEAR(tl.energy.cpu_cores, 0.5 * T, 1e-15);       // one driver core for the whole layer
  EXPECT_NEAR(tl.energy.pl_static, 0.1 * T, 1e-15);
  EXPECT_NEAR(tl.energy.accel_clock, 0.2 * T, 1e-15);
  EXPECT_NEAR(tl.energy.accel_dynamic, 0.5 * 1.0 * 50e-6, 1e-15);
  EXPECT_NEAR(tl.energy.dma, 0.1 * (10e-6 + 400 / 4e9), 1e-15);
  EXPECT_NEAR(tl.energy.ddr, (16000 + 400 + 1000 + 400) * 100e-12, 1e-15);
  const double total = (1.0 + 0.5 + 0.1 + 0.2) * T + 25e-6 + 0.1 * 10.1e-6 + 17800 * 100e-12;
  EXPECT_NEAR(tl.energy.total(), total, 1e-15);
  EXPECT_NEAR(tl.energy.above_idle(), total - (1.0 + 0.1 + 0.2) * T, 1e-15);
}

TEST(Timeline, OverlapPipelinesHostAndDeviceOverTiles) {
  const Board board = boards_for_tests::TestBoard();
  Workload w;
  w.nodes.push_back(AccelFc());
  const AccelPowerModel pl = SimplePl();
  const Timeline tl = ComputeTimeline(board, w, &pl, {.threads = 1, .overlap = true});
  const double host_side = 4.1e-6 + 12e-6, device_side = 10e-6 + 50e-6;
  EXPECT_NEAR(tl.latency_s, device_side + host_side / 4, 1e-12);
  EXPECT_LT(tl.latency_s, 76.1e-6);
}

TEST(Timeline, SingleFcLayerOnCpuWithThreads) {
  const Board board = boards_for_tests::TestBoard();
  NodeWork n;
  n.node = 0;
  n.op = "FULLY_CONNECTED";
  n.op_class = OpClass::kFullyConnected;
  n.macs = 1'200'000;
  n.ddr_bytes = 10'000;
  Workload w;
  w.nodes.push_back(n);
  // 1 thread: (1000 + 1.2e6 / 2) cycles at 1 GHz.
  const Timeline t1 = ComputeTimeline(board, w, nullptr, {.threads = 1});
  EXPECT_NEAR(t1.latency_s, 601000e-9, 1e-12);
  // 2 threads: speed-up 1 + 1 * 0.5 = 1.5 -> 1000 + 400000 cycles.
  const Timeline t2 = ComputeTimeline(board, w, nullptr, {.threads = 2});
  EXPECT_NEAR(t2.latency_s, 401000e-9, 1e-12);
  EXPECT_NEAR(t2.energy.cpu_cores, 2 * 0.5 * 401000e-9, 1e-15);
  EXPECT_NEAR(t2.energy.ddr, 10'000 * 100e-12, 1e-18);
  EXPECT_NEAR(t2.energy.ps_idle, 1.0 * 401000e-9, 1e-15);
  EXPECT_EQ(t2.energy.pl_static, 0.0);  // no bitstream given
  // More threads than cores clamp to the cores.
  const Timeline t8 = ComputeTimeline(board, w, nullptr, {.threads = 8});
  EXPECT_EQ(t8.threads, 2);
  EXPECT_NEAR(t8.latency_s, t2.latency_s, 1e-15);
}

TEST(Timeline, MixedGraphAddsCpuAndAcceleratorNodesInOrder) {
  const Board board = boards_for_tests::TestBoard();
  NodeWork add;
  add.node = 1;
  add.op = "ADD";
  add.op_class = OpClass::kElementwise;
  add.bytes = 3000;  // 6000 cycles + 1000 overhead, single-threaded
  Workload w;
  w.nodes.push_back(AccelFc());
  w.nodes.push_back(add);
  const AccelPowerModel pl = SimplePl();
  const Timeline tl = ComputeTimeline(board, w, &pl, {.threads = 2});
  EXPECT_NEAR(tl.nodes[1].start_s, 76.1e-6, 1e-12);
  EXPECT_NEAR(tl.latency_s, 76.1e-6 + 7e-6, 1e-12);
  EXPECT_NEAR(tl.phases.cpu, 7e-6, 1e-12);
  // Element-wise kernels are single-threaded: one busy core.
  EXPECT_NEAR(tl.energy.cpu_cores, 0.5 * 76.1e-6 + 0.5 * 7e-6, 1e-15);
}

TEST(Timeline, AcceleratorNodeWithoutDesignIsAnError) {
  Workload w;
  w.nodes.push_back(AccelFc());
  EXPECT_THROW(ComputeTimeline(boards_for_tests::TestBoard(), w, nullptr), Error);
}

TEST(Timeline, DramBoundTransfersUseDdrBandwidth) {
  const Board board = boards_for_tests::TestBoard();
  NodeWork n = AccelFc();
  n.accel.bytes_to_accel = 400'000;  // 100 us at 4 GB/s > 10 us of streamed beats
  Workload w;
  w.nodes.push_back(n);
  const AccelPowerModel pl = SimplePl();
  EXPECT_NEAR(ComputeTimeline(board, w, &pl).nodes[0].transfer_s, 100e-6, 1e-12);
}

}  // namespace
}  // namespace potacc::platform
