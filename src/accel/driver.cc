#include "potacc/accel/driver.h"

#include <algorithm>

#include "potacc/accel/depthwise.h"
#include "potacc/accel/timing.h"
#include "potacc/error.h"

namespace potacc::accel {

POTACC_REGISTER_ACCEL_MODE(ModeSpec{kModeWeightPreload,
                                    "packed weights are copied once into the DMA preload area (reference §5.2); "
                                    "off: the host copies each LOAD_WGT's words per inference",
                                    1, 0, 1});

PreparedGemm PrepareGemm(const AcceleratorConfig& config, const LayerWeights& layer, int64_t m, int32_t act_min,
                         int32_t act_max) {
  GemmLowering g;
  g.m = m;
  g.n = layer.n;
  g.k = layer.k;
  g.layer = layer;
  g.act_min = act_min;
  g.act_max = act_max;
  return PrepareLayer(config, g);
}

PreparedGemm PrepareLayer(const AcceleratorConfig& config, const GemmLowering& lowering, bool shape_only) {
  PreparedGemm g;
  const LayerWeights& layer = lowering.layer;
  g.m = lowering.m;
  g.n = lowering.n;
  g.k = lowering.k;
  g.output_zero_point = layer.output_zero_point;
  g.input_zero_point = layer.input_zero_point;
  g.conv = lowering.conv;
  if (config.host_activation_clamp) {
    g.act_min = lowering.act_min;
    g.act_max = lowering.act_max;
  }
  g.plan = lowering.depthwise ? PlanDepthwiseTiles(config, lowering.conv) : PlanTiles(config, g.m, g.n, g.k);
  if (!g.plan.ok()) {
    g.refused = g.plan.refused;
    return g;
  }
  if (shape_only) {
    g.weights = PackedWeightsShape(config, g.n, g.k, g.plan.rk, g.plan.chunk_rk);
    return g;
  }
  const EncodedWeights enc = EncodeWeights(config, layer);
  if (!enc.refused.empty()) {
    g.refused = enc.refused;
    return g;
  }
  g.released_case_b_channels = enc.released_case_b_channels;
  g.weights = PackWeights(config, enc, g.plan.rk, g.plan.chunk_rk);
  return g;
}

namespace {

std::shared_ptr<InputTile> TileInputs(const PreparedGemm& gemm, const Tile& t, const int8_t* a, int64_t lda) {
  const TilePlan& p = gemm.plan;
  if (p.depthwise) return SplitSlab(gemm.conv, p, t, a, static_cast<int8_t>(gemm.input_zero_point));
  const int64_t k0 = t.chunk * p.chunk_rk;
  const int64_t k = std::clamp<int64_t>(gemm.k - k0, 0, p.chunk_rk);
  return SplitRows(a ? a + k0 : nullptr, lda, gemm.m, t.row0, t.rows, k, p.chunk_rk);
}

}  // namespace

void GenerateCommands(const PreparedGemm& gemm, const int8_t* a, int64_t lda, const CommandSink& fn) {
  Check(gemm.ok(), "GenerateCommands on a refused layer: " + gemm.refused);
  const TilePlan& p = gemm.plan;
  const auto depth = static_cast<int32_t>(p.chunk_rk);
  fn(p.depthwise ? Command::ConfigDepthwise(depth, gemm.output_zero_point, p.dw)
                 : Command::Config(depth, gemm.output_zero_point),
     nullptr);
  for (const Tile& t : p.tiles) {
    if (t.load_inputs) fn(Command::LoadInputs(TileInputs(gemm, t, a, lda)), &t);
    if (t.load_weights)
      fn(Command::LoadWeights(gemm.weights, t.col0 / 4, t.cols / 4, t.chunk), &t);
    else
      fn(Command::Nop(), &t);
    fn(Command::Compute(t.rows, t.cols, t.psum), &t);
  }
}

std::vector<Command> BuildCommands(const PreparedGemm& gemm, const int8_t* a, int64_t lda) {
  std::vector<Command> cmds;
  GenerateCommands(gemm, a, lda, [&](const Command& c, const Tile*) { cmds.push_back(c); });
  return cmds;
}

void CountHostWork(const AcceleratorConfig& config, const Command& cmd, HostWork* work) {
  ++work->commands;
  switch (cmd.op) {
    case Opcode::kConfig:
    case Opcode::kConfigDepthwise:
    case Opcode::kNop: work->dma_transfers += 1; break;
    case Opcode::kLoadInputs:
      work->dma_transfers += 4;
      work->row_split_copies += 1;
      work->input_pack_bytes += 16 * cmd.inputs->beats();  // 128-bit beats written into the DMA buffers
      break;
    case Opcode::kLoadWeights:
      if (config.weight_preload()) {
        work->dma_transfers += 4 * 2 + 1;  // header, data from the preload area, epilogue
      } else {
        // The host copies header, weight tile and epilogue into the DMA
        // buffers and sends one transfer per stream (reference §6).
        work->dma_transfers += 4;
        for (int64_t words : StreamWordCounts(cmd, config.protocol())) work->weight_copy_bytes += 4 * words;
      }
      break;
    case Opcode::kCompute: work->dma_transfers += 1 + 4; break;  // command + 4 output channels
  }
}

namespace {

// Scatter: stream q word (g * blocks + b) = row 4g+q, columns 4b..4b+3.
// c == nullptr (data-free): only the bytes are counted.
int64_t ScatterTile(const PreparedGemm& gemm, const Tile& tile, const StreamWordsT& out, int8_t* c, int64_t ldc) {
  const int64_t blocks = tile.cols / 4, strips = (tile.rows + 3) / 4;
  const int64_t row_end = std::min(gemm.m, tile.row0 + tile.valid_rows);
  const int64_t col_end = std::min<int64_t>(gemm.n, tile.col0 + tile.cols);
  int64_t bytes = 0;
  for (int64_t g = 0; g < strips; ++g) {
    for (int q = 0; q < 4; ++q) {
      const int64_t row = tile.row0 + 4 * g + q;
      if (row >= row_end) continue;
      bytes += std::max<int64_t>(0, col_end - tile.col0);
      if (!c) continue;
      int8_t* dst = c + row * ldc;
      const uint32_t* words = out[q].data() + g * blocks;
      for (int64_t col = tile.col0; col < col_end; ++col) {
        const int64_t j = col - tile.col0;
        auto v = static_cast<int8_t>((words[j / 4] >> (8 * (j % 4))) & 0xff);
        dst[col] = static_cast<int8_t>(std::clamp<int32_t>(v, gemm.act_min, gemm.act_max));
      }
    }
  }
  return bytes;
}

}  // namespace

void RunGemm(Backend& backend, const PreparedGemm& gemm, const int8_t* a, int64_t lda, int8_t* c, int64_t ldc,
             HostWork* host) {
  HostWork work;
  StreamWordsT out;
  const bool data = a != nullptr;
  GenerateCommands(gemm, a, lda, [&](const Command& cmd, const Tile* tile) {
    CountHostWork(backend.config(), cmd, &work);
    if (cmd.op != Opcode::kCompute) {
      backend.Execute(cmd, nullptr);
      return;
    }
    for (auto& s : out) s.clear();
    backend.Execute(cmd, data ? &out : nullptr);
    if (PsumWrites(cmd.psum)) return;  // sums stayed in the partial-sum buffers
    if (data) {
      for (const auto& s : out)
        Check(static_cast<int64_t>(s.size()) == (tile->rows + 3) / 4 * (tile->cols / 4) + 1,
              backend.name() + " backend returned " + std::to_string(s.size()) + " output beats for " + Describe(cmd));
    }
    work.output_scatter_bytes += ScatterTile(gemm, *tile, out, data ? c : nullptr, ldc);
  });
  if (host) *host += work;
}

PhaseCycles EstimateGemmCycles(const AcceleratorConfig& config, const TilePlan& plan) {
  Check(plan.ok(), "EstimateGemmCycles on a refused GEMM: " + plan.refused);
  PhaseCycles c;
  c.config = ConfigCycles(config, plan.depthwise);
  const int64_t rk = plan.chunk_rk;
  for (const Tile& t : plan.tiles) {
    if (t.load_inputs) {
      if (plan.depthwise) {
        c.load_input += LoadInputCycles(config, SlabShape(plan.dw, t.out_rows, t.cols / 4));
      } else {
        c.load_input += LoadInputCycles(config, t.rows, rk);
      }
    }
    if (t.load_weights)
      c.load_weights += LoadWeightCycles(config, t.cols / 4, rk);
    else
      c.nop += NopCycles(config);
    const ComputeTiming ct = TimeCompute(config, t.rows, t.cols, rk, {plan.depthwise, t.psum});
    c.compute += ct.cycles;
    c.post_drain += ct.post_drain;
    c.output_beats += ct.output_beats;
  }
  return c;
}

}  // namespace potacc::accel
