// The GEMM unit (4 rows x 4 columns x 4 lanes, 32-bit lane accumulators,
// lane sum + bias) on random tiles of several depths, against a C++ model of
// the tile arithmetic (reference §1.4), including the cycle count.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "Vgemm_unit_apot.h"
#include "Vgemm_unit_int8.h"
#include "Vgemm_unit_msq.h"
#include "Vgemm_unit_qkeras.h"
#include "Vgemm_unit_uniform4.h"
#include "potacc/quant/method.h"
#include "verilator_util.h"

namespace potacc::hw {
namespace {

// Documented in hw/rtl/gemm_unit.v: done rises d + 2 edges after the edge
// that sampled start (product register + lane-sum register).
constexpr int kGemmLatency = 2;

struct Tile {
  int depth_steps = 0;                       // d; the tile's depth is 4d
  std::array<std::vector<int8_t>, 4> x;      // x[row][k], k < 4d
  std::array<std::vector<uint32_t>, 4> w;    // w[col][k] weight codes
  std::array<int32_t, 4> bias{};             // B[col]
};

Tile RandomTile(const quant::Method& method, int d, std::mt19937& rng, bool extreme = false) {
  Tile t;
  t.depth_steps = d;
  std::uniform_int_distribution<int> byte(-128, 127);
  std::uniform_int_distribution<int> code(0, method.num_codes() - 1);
  std::uniform_int_distribution<int32_t> bias(std::numeric_limits<int32_t>::min(),
                                              std::numeric_limits<int32_t>::max());
  for (int i = 0; i < 4; ++i) {
    t.x[i].resize(4 * static_cast<size_t>(d));
    t.w[i].resize(4 * static_cast<size_t>(d));
    for (auto& v : t.x[i]) v = static_cast<int8_t>(extreme ? -128 : byte(rng));
    for (auto& c : t.w[i]) c = static_cast<uint32_t>(code(rng));
    t.bias[i] = bias(rng);
  }
  if (extreme) {  // the largest negative products, e.g. -128 * -128 (int8)
    for (auto& col : t.w)
      for (auto& c : col) {
        int best = 0;
        for (int cc = 0; cc < method.num_codes(); ++cc)
          if (method.Decode(cc) < method.Decode(best)) best = cc;
        c = static_cast<uint32_t>(best);
      }
  }
  return t;
}

// acc_sum[col][row] = B[col] + sum_k P(w[col][k], x[row][k]), 32-bit wrap-around.
// Output o = 4*col + row.
std::array<uint32_t, 16> ReferenceTile(const quant::Method& method, const Tile& t) {
  std::array<uint32_t, 16> out{};
  for (int col = 0; col < 4; ++col) {
    for (int row = 0; row < 4; ++row) {
      uint32_t acc = static_cast<uint32_t>(t.bias[col]);
      for (size_t k = 0; k < t.x[row].size(); ++k)
        acc += static_cast<uint32_t>(method.PeProduct(t.x[row][k], t.w[col][k]));
      out[static_cast<size_t>(4 * col + row)] = acc;
    }
  }
  return out;
}

struct RunResult {
  std::array<uint32_t, 16> result{};
  int cycles = 0;      // edges after the start edge until done is seen
  int reads = 0;       // cycles with rd_en
  bool addresses_in_order = true;
  bool done_seen = false;
};

template <class Model>
class GemmHarness {
 public:
  explicit GemmHarness(const quant::Method& method) : method_(method) {
    m().rst = 1;
    m().start = 0;
    Tick();
    Tick();
    m().rst = 0;
  }

  RunResult Run(const Tile& t) {
    RunResult r;
    m().start = 1;
    m().depth = static_cast<uint16_t>(t.depth_steps);
    for (int col = 0; col < 4; ++col) sim::PutBits(m().bias, 32 * col, 32, static_cast<uint32_t>(t.bias[col]));
    Present(t);
    Tick();  // the edge that samples start
    m().start = 0;
    for (int limit = t.depth_steps + 64; r.cycles < limit; ) {
      if (m().rd_en) {
        if (static_cast<int>(m().rd_addr) != r.reads) r.addresses_in_order = false;
        ++r.reads;
      }
      Present(t);
      Tick();
      ++r.cycles;
      if (m().done) {
        r.done_seen = true;
        break;
      }
    }
    for (int o = 0; o < 16; ++o) r.result[static_cast<size_t>(o)] = sim::GetWord(m().result, o);
    Tick();  // done is a one-cycle pulse
    EXPECT_EQ(m().done, 0);
    EXPECT_EQ(m().busy, 0);
    return r;
  }

 private:
  Model& m() { return *h_.model; }

  // Puts the operands of step rd_addr on x_word/w_word (combinational read).
  void Present(const Tile& t) {
    m().eval();
    const size_t step = m().rd_addr;
    if (!m().rd_en || step >= static_cast<size_t>(t.depth_steps)) return;
    const int cw = method_.code_bits;
    for (int i = 0; i < 4; ++i) {
      for (int lane = 0; lane < 4; ++lane) {
        const size_t k = 4 * step + static_cast<size_t>(lane);
        sim::PutBits(m().x_word, 8 * (4 * i + lane), 8, static_cast<uint8_t>(t.x[i][k]));
        sim::PutBits(m().w_word, cw * (4 * i + lane), cw, t.w[i][k]);
      }
    }
    m().eval();
  }

  void Tick() {
    m().clk = 0;
    m().eval();
    m().clk = 1;
    m().eval();
  }

  const quant::Method& method_;
  sim::Harness<Model> h_;
};

template <class Model>
void CheckRandomTiles(const char* name) {
  const quant::Method& method = quant::MethodByName(name);
  GemmHarness<Model> unit(method);
  std::mt19937 rng(1234);
  int mismatching_outputs = 0;
  int tiles = 0;
  for (int d : {1, 2, 3, 4, 7, 16, 33, 100, 257}) {
    for (bool extreme : {false, true}) {
      const Tile t = RandomTile(method, d, rng, extreme);
      const RunResult r = unit.Run(t);
      const auto expected = ReferenceTile(method, t);
      ASSERT_TRUE(r.done_seen) << name << " d=" << d << ": no done";
      EXPECT_EQ(r.cycles, d + kGemmLatency) << name << " d=" << d;
      EXPECT_EQ(r.reads, d) << name << " d=" << d;
      EXPECT_TRUE(r.addresses_in_order) << name << " d=" << d;
      for (int o = 0; o < 16; ++o) {
        if (r.result[static_cast<size_t>(o)] != expected[static_cast<size_t>(o)]) {
          ++mismatching_outputs;
          ADD_FAILURE() << name << " d=" << d << " output " << o << " (col " << o / 4 << ", row " << o % 4
                        << "): rtl " << static_cast<int32_t>(r.result[static_cast<size_t>(o)]) << " vs model "
                        << static_cast<int32_t>(expected[static_cast<size_t>(o)]);
        }
      }
      ++tiles;
    }
  }
  EXPECT_EQ(tiles, 18);
  EXPECT_EQ(mismatching_outputs, 0);
}

TEST(RtlGemmUnit, QKerasRandomTiles) { CheckRandomTiles<Vgemm_unit_qkeras>("qkeras"); }
TEST(RtlGemmUnit, ApotRandomTiles) { CheckRandomTiles<Vgemm_unit_apot>("apot"); }
TEST(RtlGemmUnit, MsqRandomTiles) { CheckRandomTiles<Vgemm_unit_msq>("msq"); }
TEST(RtlGemmUnit, Uniform4RandomTiles) { CheckRandomTiles<Vgemm_unit_uniform4>("uniform4"); }
TEST(RtlGemmUnit, Int8RandomTiles) { CheckRandomTiles<Vgemm_unit_int8>("int8"); }

// A hand-computed tile: d = 1, x[row][k] = row + 1, every weight = +2 (qkeras
// code 1), bias[col] = 100 * col: acc_sum = 100*col + 4 * 2 * (row + 1).
TEST(RtlGemmUnit, HandComputedQKerasTile) {
  const quant::Method& method = quant::MethodByName("qkeras");
  GemmHarness<Vgemm_unit_qkeras> unit(method);
  Tile t;
  t.depth_steps = 1;
  for (int i = 0; i < 4; ++i) {
    t.x[i].assign(4, static_cast<int8_t>(i + 1));
    t.w[i].assign(4, 1u);
    t.bias[i] = 100 * i;
  }
  const RunResult r = unit.Run(t);
  for (int col = 0; col < 4; ++col)
    for (int row = 0; row < 4; ++row)
      EXPECT_EQ(static_cast<int32_t>(r.result[static_cast<size_t>(4 * col + row)]), 100 * col + 8 * (row + 1));
  EXPECT_EQ(r.cycles, 1 + kGemmLatency);
}

// depth 0 (no steps): the unit returns B after one cycle instead of hanging.
TEST(RtlGemmUnit, EmptyTileReturnsBias) {
  const quant::Method& method = quant::MethodByName("msq");
  GemmHarness<Vgemm_unit_msq> unit(method);
  Tile t;
  t.bias = {1, -2, 3, -4};
  const RunResult r = unit.Run(t);
  ASSERT_TRUE(r.done_seen);
  EXPECT_EQ(r.reads, 0);
  EXPECT_EQ(r.cycles, 1);
  for (int o = 0; o < 16; ++o) EXPECT_EQ(static_cast<int32_t>(r.result[static_cast<size_t>(o)]), t.bias[static_cast<size_t>(o / 4)]);
}

}  // namespace
}  // namespace potacc::hw
