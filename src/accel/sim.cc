#include "potacc/accel/sim.h"

#include <algorithm>
#include <cstring>

#include "potacc/accel/depthwise.h"
#include "potacc/accel/pe.h"
#include "potacc/accel/ppu.h"
#include "potacc/error.h"
#include "potacc/kernels/dot_int16.h"

namespace potacc::accel {
namespace {

[[noreturn]] void Fail(const std::string& what) { throw Error("accelerator simulator: " + what); }

}  // namespace

PhaseCycles& PhaseCycles::operator+=(const PhaseCycles& o) {
  config += o.config;
  load_input += o.load_input;
  load_weights += o.load_weights;
  compute += o.compute;
  nop += o.nop;
  post_drain += o.post_drain;
  output_beats += o.output_beats;
  return *this;
}

UnitActivity& UnitActivity::operator+=(const UnitActivity& o) {
  pe_busy += o.pe_busy;
  ppu_busy += o.ppu_busy;
  tiles += o.tiles;
  return *this;
}

HostWork& HostWork::operator+=(const HostWork& o) {
  im2col_bytes += o.im2col_bytes;
  input_pack_bytes += o.input_pack_bytes;
  weight_copy_bytes += o.weight_copy_bytes;
  output_scatter_bytes += o.output_scatter_bytes;
  row_split_copies += o.row_split_copies;
  commands += o.commands;
  dma_transfers += o.dma_transfers;
  return *this;
}

Simulator::Simulator(const AcceleratorConfig& config)
    : config_(config),
      weight_table_(EffectiveWeightTable(config)),
      protocol_(config.protocol()),
      broadcast_(config.weights_broadcast()),
      units_(static_cast<size_t>(config.units)) {
  Check(config_.method != nullptr, "accelerator config has no PE method");
  // Buffers are allocated as commands fill them (the GIB up to the largest
  // LOAD_INP, a unit's weights up to the largest LOAD_WGT), so host memory
  // follows what the model loads, not the configured capacity.
  ResetStats();
}

int64_t Simulator::allocated_buffer_bytes() const {
  size_t bytes = 0;
  for (const auto& bank : gib_) bytes += bank.capacity() * sizeof(uint32_t);
  for (const Unit& u : units_)
    bytes += u.weights.capacity() * sizeof(int16_t) + (u.bias_sum.capacity() + u.multiplier.capacity()) * 4 +
             u.shift.capacity();
  return static_cast<int64_t>(bytes + strip16_.capacity() * sizeof(int16_t));
}

void Simulator::ResetStats() {
  stats_ = {};
  stats_.units.assign(static_cast<size_t>(config_.units), {});
}

void Simulator::Execute(const Command& cmd, StreamWordsT* out) {
  ++stats_.commands;
  const auto words = StreamWordCounts(cmd, protocol_);
  for (int64_t w : words) stats_.words_in += w;
  switch (cmd.op) {
    case Opcode::kConfig:
    case Opcode::kConfigDepthwise: Configure(cmd); break;
    case Opcode::kLoadInputs: LoadInputs(cmd); break;
    case Opcode::kLoadWeights: LoadWeights(cmd); break;
    case Opcode::kCompute: Compute(cmd, out); break;
    case Opcode::kNop: stats_.cycles.nop += NopCycles(config_); break;
  }
}

void Simulator::Configure(const Command& cmd) {
  if (cmd.depth <= 0 || cmd.depth % 16 != 0) Fail("CONFIG depth " + std::to_string(cmd.depth) + " is not a positive multiple of 16");
  if (cmd.depth > config_.max_depth()) Fail("CONFIG depth " + std::to_string(cmd.depth) + " exceeds the weight buffer");
  depthwise_ = cmd.op == Opcode::kConfigDepthwise;
  if (depthwise_ && !config_.depthwise_mode()) Fail("CONFIG_DW on a design without the depthwise mode");
  if (depthwise_) {
    const DepthwiseGeometry& g = cmd.dw;
    if (g.filter_h < 1 || g.filter_w < 1 || g.stride_h < 1 || g.stride_w < 1 || g.dilation_h < 1 || g.dilation_w < 1 ||
        g.out_w < 1 || g.taps() > cmd.depth ||
        g.slab_w < int64_t{g.out_w - 1} * g.stride_w + int64_t{g.filter_w - 1} * g.dilation_w + 1)
      Fail("CONFIG_DW window geometry is inconsistent");
    if (g.bank_shift() < 0 || (int64_t{g.slab_w} * g.stride_h - int64_t{g.out_w} * g.stride_w) % (4 * g.stride_w) != 0)
      Fail("CONFIG_DW slab pitch " + std::to_string(g.slab_w) + " or stride " + std::to_string(g.stride_w) +
           " makes the window generator's bank reads collide");
    dw_ = g;
  }
  depth_ = cmd.depth;
  zp_out_ = cmd.output_zero_point;
  psum_shape_ = {-1, -1};
  for (Unit& unit : units_) unit.ppu.reset();
  stats_.cycles.config += ConfigCycles(config_, depthwise_);
}

void Simulator::LoadInputs(const Command& cmd) {
  const InputTile& t = *cmd.inputs;
  if (t.rk != depth_) Fail("LOAD_INP depth " + std::to_string(t.rk) + " differs from CONFIG depth " + std::to_string(depth_));
  if (t.depthwise() != depthwise_) Fail("LOAD_INP layout does not match the CONFIG mode");
  if (t.depthwise()) {
    LoadSlabs(t);
  } else {
    const int64_t nb = t.beats();
    if (nb > config_.buffers.gib_addresses)
      Fail("LOAD_INP of " + std::to_string(nb) + " beats overflows the global input buffer (" +
           std::to_string(config_.buffers.gib_addresses) + " addresses)");
    if (!t.shape_only()) {
      for (int q = 0; q < 4; ++q) {
        if (static_cast<int64_t>(gib_[q].size()) < nb) gib_[q].resize(static_cast<size_t>(nb));
        std::memcpy(gib_[q].data(), t.data[q].data(), static_cast<size_t>(nb) * 4);
      }
    }
    gib_rows_ = 4 * t.strips();
  }
  stats_.cycles.load_input += LoadInputCycles(config_, t);
}

// Depthwise LOAD_INP: the slab of block j goes to unit j mod V, slot j div V.
void Simulator::LoadSlabs(const InputTile& t) {
  const int V = config_.units;
  const int64_t bpb = t.slab_beats_per_block(), pixels = t.slab_rows * t.slab_w;
  const int64_t max_slots = (t.slab_blocks + V - 1) / V;
  if (t.slab_w != dw_.slab_w || t.slab_bank_shift != dw_.bank_shift())
    Fail("LOAD_INP slab width or bank layout differs from CONFIG_DW");
  if (max_slots * bpb > config_.buffers.local_input_addresses)
    Fail("LOAD_INP slabs of " + std::to_string(max_slots) + " blocks x " + std::to_string(bpb) +
         " beats overflow a unit's local input buffer (" + std::to_string(config_.buffers.local_input_addresses) +
         " addresses)");
  for (int u = 0; u < V; ++u) {
    Unit& unit = units_[u];
    const int64_t slots = t.slab_blocks / V + (u < t.slab_blocks % V ? 1 : 0);
    if (!t.shape_only()) unit.slab.assign(static_cast<size_t>(slots * pixels), 0);
  }
  if (!t.shape_only()) {
    for (int64_t j = 0; j < t.slab_blocks; ++j) {
      uint32_t* dst = units_[j % V].slab.data() + (j / V) * pixels;
      for (int64_t w = 0; w < pixels; ++w) {
        const SlabPosition at = SlabWordPosition(w, t.slab_bank_shift);
        dst[w] = t.data[at.stream][static_cast<size_t>(j * bpb + at.beat)];
      }
    }
  }
  slab_blocks_ = t.slab_blocks;
  slab_rows_ = t.slab_rows;
  gib_rows_ = t.rows;
}

void Simulator::LoadWeights(const Command& cmd) {
  const PackedWeights& w = *cmd.weights;
  if (w.chunk_depth() != depth_)
    Fail("LOAD_WGT depth " + std::to_string(w.chunk_depth()) + " differs from CONFIG depth " + std::to_string(depth_));
  if (w.codes_per_word != config_.codes_per_word()) Fail("LOAD_WGT packing does not match the PE width");
  const int V = config_.units;
  const int64_t rk = w.chunk_depth(), d = rk / 4;
  const bool broadcast = broadcast_;
  // Epilogue arrays: per unit (v12) or global (ICECS); weight buffer: a unit's
  // share of the blocks (v12) or the whole tile in every unit (broadcast).
  const int64_t max_slots = (cmd.blocks + V - 1) / V;
  if (cmd.blocks > config_.max_tile_blocks())
    Fail("LOAD_WGT of " + std::to_string(cmd.blocks) + " blocks overflows the weight-sum arrays (" +
         std::to_string(config_.buffers.wsums_entries) +
         (protocol_ == Protocol::kIcecsV2 ? " entries)" : " per unit)"));
  const int64_t unit_blocks = broadcast ? cmd.blocks : max_slots;
  if (unit_blocks * d > config_.buffers.weight_addresses)
    Fail("LOAD_WGT of " + std::to_string(cmd.blocks) + " blocks at depth " + std::to_string(rk) +
         " overflows the weight buffer (" + std::to_string(config_.buffers.weight_addresses) + " addresses per unit)");
  // The simulator keeps one copy of a broadcast tile (every unit reads the same
  // values) in units_[0], and a distributed tile's block b in units_[b % V].
  for (int u = 0; u < V; ++u) {
    Unit& unit = units_[u];
    unit.slots = broadcast ? (u == 0 ? cmd.blocks : 0) : cmd.blocks / V + (u < cmd.blocks % V ? 1 : 0);
    if (w.shape_only()) continue;
    unit.weights.resize(static_cast<size_t>(unit.slots * 4 * rk));
    unit.bias_sum.resize(static_cast<size_t>(unit.slots * 4));
    unit.multiplier.resize(static_cast<size_t>(unit.slots * 4));
    unit.shift.resize(static_cast<size_t>(unit.slots * 4));
  }
  const int bits = config_.code_bits();
  const int cpw = w.codes_per_word;
  const uint32_t mask = (1u << bits) - 1;
  for (int64_t i = 0; i < cmd.blocks && !w.shape_only(); ++i) {
    Unit& unit = units_[WeightUnit(i)];
    const int64_t slot = WeightSlot(i);
    const int64_t b = cmd.first_block + i;
    for (int q = 0; q < 4; ++q) {
      // Stream q carries column q of the block: word t = depth cpw*t .. cpw*t+cpw-1.
      const uint32_t* src = w.data[q].data() + (cmd.chunk * w.blocks() + b) * w.words_per_block;
      int16_t* dst = unit.weights.data() + (slot * 4 + q) * rk;
      for (int64_t t = 0; t < w.words_per_block; ++t) {
        const uint32_t word = src[t];
        for (int j = 0; j < cpw; ++j) dst[t * cpw + j] = weight_table_[(word >> (bits * j)) & mask];
      }
      unit.bias_sum[slot * 4 + q] = w.bias_sum[4 * b + q];
      unit.multiplier[slot * 4 + q] = w.multiplier[4 * b + q];
      unit.shift[slot * 4 + q] = w.right_shift[4 * b + q];
    }
  }
  for (Unit& unit : units_) {
    unit.tflite_shift.resize(unit.shift.size());
    for (size_t c = 0; c < unit.shift.size(); ++c) unit.tflite_shift[c] = 31 - (static_cast<uint8_t>(unit.shift[c]) & 63);
    unit.ppu.reset();
  }
  loaded_depth_ = rk;
  loaded_blocks_ = cmd.blocks;
  stats_.cycles.load_weights += LoadWeightCycles(config_, cmd.blocks, rk);
}

const kernels::RowRequantizer* Simulator::UnitPpu(Unit& unit) {
  if (!unit.ppu) {
    kernels::Int8Params q;
    q.output_zero_point = zp_out_;
    q.multiplier = unit.multiplier.data();
    q.shift = unit.tflite_shift.data();
    q.rounding = config_.ppu_rounding;
    const int columns = static_cast<int>(unit.multiplier.size());
    // The vector path equals PpuRequantize exactly there (its zero-point add
    // cannot overflow); otherwise the scalar PPU runs.
    bool exact = q.rounding == fixed_point::Rounding::kDouble;
    for (int c = 0; c < columns && exact; ++c) {
      exact = q.multiplier[c] >= 0 && q.shift[c] >= -31 && q.shift[c] <= 30;
    }
    if (!exact) return nullptr;
    unit.ppu.emplace(q, columns);
  }
  return &*unit.ppu;
}

void Simulator::ComputeStrip(int64_t g, int64_t blocks, StreamWordsT* out) {
  const int V = config_.units;
  const int64_t rk = depth_, d = rk / 4;
  strip16_.resize(static_cast<size_t>(4 * rk));
  // Strip broadcast: row q of the strip from GIB bank q.
  for (int q = 0; q < 4; ++q) {
    const auto* bytes = reinterpret_cast<const int8_t*>(gib_[q].data() + g * d);
    for (int64_t k = 0; k < rk; ++k) strip16_[q * rk + k] = bytes[k];
  }
  dots_.resize(static_cast<size_t>(V));
  bytes_.resize(static_cast<size_t>(V));
  for (int u = 0; u < V && u < blocks; ++u) {
    Unit& unit = units_[u];
    const int64_t cols = 4 * unit.slots;
    std::vector<int32_t>& acc = dots_[u];
    std::vector<int8_t>& bytes = bytes_[u];
    acc.resize(static_cast<size_t>(4 * cols));
    bytes.resize(static_cast<size_t>(4 * cols));
    kernels::DotsInt16(strip16_.data(), 4, rk, unit.weights.data(), static_cast<int>(cols), rk, static_cast<int>(rk),
                       acc.data(), cols);
    const kernels::RowRequantizer* ppu = UnitPpu(unit);
    for (int row = 0; row < 4; ++row) {
      int32_t* a = acc.data() + row * cols;
      int8_t* o = bytes.data() + row * cols;
      for (int64_t c = 0; c < cols; ++c) {
        a[c] = static_cast<int32_t>(static_cast<uint32_t>(a[c]) + static_cast<uint32_t>(unit.bias_sum[c]));
      }
      if (ppu) {
        ppu->Row(a, o);
      } else {
        for (int64_t c = 0; c < cols; ++c) {
          o[c] = PpuRequantize(a[c], unit.multiplier[c], unit.shift[c], zp_out_, config_.ppu_rounding);
        }
      }
    }
  }
  // Stream q, word b: row q of the strip, the 4 columns of block b (lowest byte first).
  for (int64_t b = 0; b < blocks; ++b) {
    const int u = static_cast<int>(b % V);
    const int64_t slot = b / V, cols = 4 * units_[u].slots;
    for (int q = 0; q < 4; ++q) {
      const auto* o = reinterpret_cast<const uint8_t*>(bytes_[u].data() + q * cols + 4 * slot);
      (*out)[q].push_back(uint32_t{o[0]} | uint32_t{o[1]} << 8 | uint32_t{o[2]} << 16 | uint32_t{o[3]} << 24);
    }
  }
}

const ComputeTiming& Simulator::Timing(int64_t rows, int64_t cols, ComputeKind kind) {
  const auto key = std::make_tuple(rows, cols, depth_, kind);
  auto it = timing_cache_.find(key);
  if (it != timing_cache_.end()) return it->second;
  return timing_cache_.emplace(key, TimeCompute(config_, rows, cols, depth_, kind)).first->second;
}

// A K-chunk COMPUTE must fit the partial-sum buffers and continue the sums held.
void Simulator::CheckPsum(const Command& cmd, int64_t strips, int64_t blocks) {
  if (!PsumUsed(cmd.psum)) return;
  if (!config_.depth_split()) Fail("COMPUTE with partial sums on a design without depth splitting");
  const int64_t entries = strips * ((blocks + config_.units - 1) / config_.units);
  if (entries > config_.buffers.psum_entries)
    Fail("COMPUTE of " + std::to_string(strips) + " strips x " + std::to_string(blocks) +
         " blocks overflows the partial-sum buffer (" + std::to_string(config_.buffers.psum_entries) +
         " entries per unit)");
  if (PsumReads(cmd.psum) && psum_shape_ != std::make_pair(strips, blocks))
    Fail("COMPUTE continues partial sums of a different tile");
  psum_shape_ = cmd.psum == PsumMode::kLast ? std::make_pair(int64_t{-1}, int64_t{-1}) : std::make_pair(strips, blocks);
  for (Unit& unit : units_)
    if (static_cast<int64_t>(unit.psum.size()) < 16 * entries) unit.psum.resize(static_cast<size_t>(16 * entries));
}

void Simulator::TileSums(int64_t g, int64_t b, const Command& cmd, int32_t sums[16]) {
  const int64_t rk = depth_;
  const int16_t* w = units_[WeightUnit(b)].weights.data() + WeightSlot(b) * 4 * rk;
  if (depthwise_) {
    // Slabs are never broadcast: block b's slab is in unit b % V, slot b / V.
    const int64_t pixels = slab_rows_ * dw_.slab_w;
    const uint32_t* slab = units_[b % config_.units].slab.data() + (b / config_.units) * pixels;
    for (int col = 0; col < 4; ++col)
      for (int row = 0; row < 4; ++row) {
        const int64_t p = 4 * g + row;
        sums[col * 4 + row] = p < cmd.rows ? DepthwiseDot(dw_, slab, slab_rows_, p, col, w + col * rk) : 0;
      }
    return;
  }
  int32_t by_row[16];  // [row * 4 + col]
  kernels::DotsInt16(strip16_.data(), 4, rk, w, 4, rk, static_cast<int>(rk), by_row, 4);
  for (int col = 0; col < 4; ++col)
    for (int row = 0; row < 4; ++row) sums[col * 4 + row] = by_row[row * 4 + col];
}

void Simulator::Compute(const Command& cmd, StreamWordsT* out) {
  const int V = config_.units;
  const int64_t rk = depth_, d = rk / 4;
  if (cmd.rows <= 0 || cmd.rows % 2 != 0) Fail("COMPUTE rows " + std::to_string(cmd.rows) + " is not a positive even number");
  if (cmd.cols <= 0 || cmd.cols % 4 != 0) Fail("COMPUTE cols " + std::to_string(cmd.cols) + " is not a positive multiple of 4");
  const int64_t strips = (cmd.rows + 3) / 4, blocks = cmd.cols / 4;
  if (!depthwise_ && 4 * strips > gib_rows_)
    Fail("COMPUTE of " + std::to_string(cmd.rows) + " rows but only " + std::to_string(gib_rows_) + " loaded");
  if (depthwise_ && (cmd.rows > gib_rows_ || blocks > slab_blocks_))
    Fail("COMPUTE of " + std::to_string(cmd.rows) + " pixels x " + std::to_string(cmd.cols) + " channels beyond the slabs loaded");
  if (blocks > loaded_blocks_ || loaded_depth_ != rk)
    Fail("COMPUTE of " + std::to_string(cmd.cols) + " columns but " + std::to_string(4 * loaded_blocks_) +
         " loaded at depth " + std::to_string(loaded_depth_));
  if (!depthwise_ && d > config_.buffers.local_input_addresses && !config_.compat.unchecked_local_input)
    Fail("depth " + std::to_string(rk) + " overflows the local input buffer");
  CheckPsum(cmd, strips, blocks);
  const bool outputs = !PsumWrites(cmd.psum);

  if (out) {
    // Plain GEMM commands run the units' dot products on the CPU kernels
    // (ComputeStrip); depthwise windows, partial sums and broadcast tiles take
    // the tile-by-tile path.
    if (!depthwise_ && !broadcast_ && !PsumUsed(cmd.psum)) {
      for (int q = 0; q < 4; ++q) (*out)[q].reserve((*out)[q].size() + static_cast<size_t>(strips * blocks + 1));
      for (int64_t g = 0; g < strips; ++g) ComputeStrip(g, blocks, out);
    } else {
      if (outputs)
        for (int q = 0; q < 4; ++q) (*out)[q].reserve((*out)[q].size() + static_cast<size_t>(strips * blocks + 1));
      strip16_.resize(static_cast<size_t>(4 * rk));
      const fixed_point::Rounding rounding = config_.ppu_rounding;
      const int64_t slots = (blocks + V - 1) / V;
      for (int64_t g = 0; g < strips; ++g) {
        // Strip broadcast: row q of the strip from GIB bank q.
        if (!depthwise_) {
          for (int q = 0; q < 4; ++q) {
            const auto* bytes = reinterpret_cast<const int8_t*>(gib_[q].data() + g * d);
            for (int64_t k = 0; k < rk; ++k) strip16_[q * rk + k] = bytes[k];
          }
        }
        for (int64_t b = 0; b < blocks; ++b) {
          const Unit& unit = units_[WeightUnit(b)];
          const int64_t slot = WeightSlot(b);
          int32_t sums[16];
          TileSums(g, b, cmd, sums);
          if (PsumUsed(cmd.psum)) {
            // Partial sums stay in the unit that computed them (unit b % V).
            int32_t* ps = units_[b % V].psum.data() + (g * slots + b / V) * 16;
            for (int i = 0; i < 16; ++i) {
              // 32-bit accumulators wrap like the hardware's.
              if (PsumReads(cmd.psum))
                sums[i] = static_cast<int32_t>(static_cast<uint32_t>(sums[i]) + static_cast<uint32_t>(ps[i]));
              if (!outputs) ps[i] = sums[i];
            }
            if (!outputs) continue;
          }
          uint32_t words[4] = {0, 0, 0, 0};
          for (int col = 0; col < 4; ++col) {
            const int32_t bias = unit.bias_sum[slot * 4 + col];
            const int32_t mq = unit.multiplier[slot * 4 + col];
            const int8_t s = unit.shift[slot * 4 + col];
            for (int row = 0; row < 4; ++row) {
              const int32_t dot = sums[col * 4 + row];
              const auto acc = static_cast<int32_t>(static_cast<uint32_t>(dot) + static_cast<uint32_t>(bias));
              const int8_t v = PpuRequantize(acc, mq, s, zp_out_, rounding);
              words[row] |= static_cast<uint32_t>(static_cast<uint8_t>(v)) << (8 * col);
            }
          }
          for (int q = 0; q < 4; ++q) (*out)[q].push_back(words[q]);
        }
      }
    }
    for (int q = 0; q < 4; ++q) (*out)[q].push_back(kTlastWord);
  }
  const ComputeTiming& t = Timing(cmd.rows, cmd.cols, {depthwise_, cmd.psum});
  stats_.cycles.compute += t.cycles;
  stats_.cycles.post_drain += t.post_drain;
  stats_.cycles.output_beats += t.output_beats;
  for (int u = 0; u < V; ++u) stats_.units[u] += t.units[u];
  stats_.words_out += 4 * t.output_beats;
  if (outputs) stats_.dispatch_epilogue_words += DispatchEpilogueWords(protocol_) * strips * blocks;
}

}  // namespace potacc::accel
