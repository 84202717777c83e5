#include "potacc/accel/driver.h"

#include <algorithm>

#include "potacc/accel/timing.h"
#include "potacc/error.h"

namespace potacc::accel {

PreparedGemm PrepareGemm(const AcceleratorConfig& config, const LayerWeights& layer, int64_t m, int32_t act_min,
                         int32_t act_max) {
  PreparedGemm g;
  g.m = m;
  g.n = layer.n;
  g.k = layer.k;
  g.output_zero_point = layer.output_zero_point;
  if (config.host_activation_clamp) {
    g.act_min = act_min;
    g.act_max = act_max;
  }
  g.plan = PlanTiles(config, m, layer.n, layer.k);
  if (!g.plan.ok()) {
    g.refused = g.plan.refused;
    return g;
  }
  const EncodedWeights enc = EncodeWeights(config, layer);
  if (!enc.refused.empty()) {
    g.refused = enc.refused;
    return g;
  }
  g.released_case_b_channels = enc.released_case_b_channels;
  g.weights = PackWeights(config, enc);
  return g;
}

void GenerateCommands(const PreparedGemm& gemm, const int8_t* a, int64_t lda, const CommandSink& fn) {
  Check(gemm.ok(), "GenerateCommands on a refused layer: " + gemm.refused);
  const TilePlan& p = gemm.plan;
  fn(Command::Config(static_cast<int32_t>(p.rk), gemm.output_zero_point), nullptr);
  for (const Tile& t : p.tiles) {
    if (t.load_inputs) fn(Command::LoadInputs(SplitRows(a, lda, gemm.m, t.row0, t.rows, gemm.k, p.rk)), &t);
    if (t.load_weights)
      fn(Command::LoadWeights(gemm.weights, t.col0 / 4, t.cols / 4), &t);
    else
      fn(Command::Nop(), &t);
    fn(Command::Compute(t.rows, t.cols), &t);
  }
}

std::vector<Command> BuildCommands(const PreparedGemm& gemm, const int8_t* a, int64_t lda) {
  std::vector<Command> cmds;
  GenerateCommands(gemm, a, lda, [&](const Command& c, const Tile*) { cmds.push_back(c); });
  return cmds;
}

void RunGemm(Backend& backend, const PreparedGemm& gemm, const int8_t* a, int64_t lda, int8_t* c, int64_t ldc,
             HostWork* host) {
  HostWork work;
  StreamWordsT out;
  const int32_t lo = gemm.act_min, hi = gemm.act_max;
  GenerateCommands(gemm, a, lda, [&](const Command& cmd, const Tile* tile) {
    ++work.commands;
    switch (cmd.op) {
      case Opcode::kConfig:
      case Opcode::kNop: work.dma_transfers += 1; break;
      case Opcode::kLoadInputs:
        work.dma_transfers += 4;
        work.row_split_copies += 1;
        work.input_pack_bytes += cmd.inputs->strips() * 4 * cmd.inputs->rk;
        break;
      case Opcode::kLoadWeights: work.dma_transfers += 4 * 2 + 1; break;  // header, data, epilogue
      case Opcode::kCompute: work.dma_transfers += 1 + 4; break;         // command + 4 output channels
    }
    if (cmd.op != Opcode::kCompute) {
      backend.Execute(cmd, nullptr);
      return;
    }
    for (auto& s : out) s.clear();
    backend.Execute(cmd, &out);
    for (const auto& s : out)
      Check(static_cast<int64_t>(s.size()) == (tile->rows + 3) / 4 * (tile->cols / 4) + 1,
            backend.name() + " backend returned " + std::to_string(s.size()) + " output beats for " + Describe(cmd));
    // Scatter: stream q word (g * blocks + b) = row 4g+q, columns 4b..4b+3.
    const int64_t blocks = tile->cols / 4, strips = (tile->rows + 3) / 4;
    for (int64_t g = 0; g < strips; ++g) {
      for (int q = 0; q < 4; ++q) {
        const int64_t row = tile->row0 + 4 * g + q;
        if (row >= gemm.m) continue;
        int8_t* dst = c + row * ldc;
        const uint32_t* words = out[q].data() + g * blocks;
        const int64_t col_end = std::min<int64_t>(gemm.n, tile->col0 + tile->cols);
        const int64_t count = std::max<int64_t>(0, col_end - tile->col0);
        // Word j holds columns 4j .. 4j + 3, lowest byte first.
        for (int64_t j = 0; j < count; ++j) {
          dst[tile->col0 + j] = static_cast<int8_t>((words[j / 4] >> (8 * (j % 4))) & 0xff);
        }
        if (lo > -128 || hi < 127) {
          for (int64_t j = 0; j < count; ++j) {
            dst[tile->col0 + j] = static_cast<int8_t>(std::clamp<int32_t>(dst[tile->col0 + j], lo, hi));
          }
        }
        work.output_scatter_bytes += count;
      }
    }
  });
  if (host) *host += work;
}

PhaseCycles EstimateGemmCycles(const AcceleratorConfig& config, const TilePlan& plan) {
  Check(plan.ok(), "EstimateGemmCycles on a refused GEMM: " + plan.refused);
  PhaseCycles c;
  c.config = ConfigCycles(config);
  for (const Tile& t : plan.tiles) {
    if (t.load_inputs) c.load_input += LoadInputCycles(config, t.rows, plan.rk);
    if (t.load_weights)
      c.load_weights += LoadWeightCycles(config, t.cols / 4, plan.rk);
    else
      c.nop += NopCycles(config);
    const ComputeTiming ct = TimeCompute(config, t.rows, t.cols, plan.rk);
    c.compute += ct.cycles;
    c.post_drain += ct.post_drain;
    c.output_beats += ct.output_beats;
  }
  return c;
}

}  // namespace potacc::accel
