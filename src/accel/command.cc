#include "potacc/accel/command.h"

#include "potacc/accel/config.h"
#include "potacc/error.h"

namespace potacc::accel {

const char* OpcodeName(Opcode op) {
  switch (op) {
    case Opcode::kNop: return "NOP";
    case Opcode::kLoadWeights: return "LOAD_WGT";
    case Opcode::kLoadInputs: return "LOAD_INP";
    case Opcode::kCompute: return "COMPUTE";
    case Opcode::kConfig: return "CONFIG";
    case Opcode::kConfigDepthwise: return "CONFIG_DW";
  }
  return "?";
}

POTACC_REGISTER_ACCEL_MODE({"icecs_v2_protocol",
                            "the ICECS v2 command dialect (reference §6): 3-word LOAD_WGT header, raw signed shifts, "
                            "B/Mq/S in global arrays of buffers.wsums_entries pushed (9 words) to a unit's PPU at "
                            "every dispatch",
                            0, 0, 1});

const char* ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kV12: return "v12";
    case Protocol::kIcecsV2: return "icecs-v2";
  }
  return "?";
}

int64_t DispatchEpilogueWords(Protocol protocol) { return protocol == Protocol::kIcecsV2 ? 9 : 0; }

int64_t ComputeOutputBeats(const Command& cmd) {
  return (PsumWrites(cmd.psum) ? 0 : (cmd.rows + 3) / 4 * (cmd.cols / 4)) + 1;
}

namespace {
// Header words of LOAD_WGT on stream 0, opcode included.
int64_t LoadWeightHeaderWords(Protocol protocol) { return protocol == Protocol::kIcecsV2 ? 3 : 6; }
}  // namespace

int64_t PackedWeights::bytes() const {
  // Codes of every chunk on the 4 streams, then the epilogue: B and Mq on
  // every stream, the packed shifts on stream 0.
  const int64_t words = 4 * chunks() * blocks() * words_per_block + blocks() * (4 * 2 + 1);
  return words * 4;
}

Command Command::Config(int32_t depth, int32_t zp_out) {
  Command c;
  c.op = Opcode::kConfig;
  c.depth = depth;
  c.output_zero_point = zp_out;
  return c;
}

Command Command::ConfigDepthwise(int32_t depth, int32_t zp_out, const DepthwiseGeometry& geometry) {
  Command c = Config(depth, zp_out);
  c.op = Opcode::kConfigDepthwise;
  c.dw = geometry;
  return c;
}

Command Command::LoadInputs(std::shared_ptr<const InputTile> tile) {
  Command c;
  c.op = Opcode::kLoadInputs;
  c.inputs = std::move(tile);
  return c;
}

Command Command::LoadWeights(std::shared_ptr<const PackedWeights> w, int64_t first_block, int64_t blocks,
                             int64_t chunk) {
  Check(first_block >= 0 && blocks > 0 && first_block + blocks <= w->blocks(), "LOAD_WGT block range out of bounds");
  Check(chunk >= 0 && chunk < w->chunks(), "LOAD_WGT chunk out of bounds");
  Command c;
  c.op = Opcode::kLoadWeights;
  c.weights = std::move(w);
  c.first_block = first_block;
  c.blocks = blocks;
  c.chunk = chunk;
  return c;
}

Command Command::Compute(int64_t rows, int64_t cols, PsumMode psum) {
  Command c;
  c.op = Opcode::kCompute;
  c.rows = rows;
  c.cols = cols;
  c.psum = psum;
  return c;
}

Command Command::Nop() { return Command{}; }

std::array<int64_t, 4> StreamWordCounts(const Command& cmd, Protocol protocol) {
  switch (cmd.op) {
    case Opcode::kNop: return {1, 0, 0, 0};
    case Opcode::kConfig: return {3, 0, 0, 0};
    case Opcode::kConfigDepthwise: return {11, 0, 0, 0};
    case Opcode::kCompute: return {3, 0, 0, 0};
    case Opcode::kLoadInputs: {
      const int64_t nb = cmd.inputs->beats();
      return {(cmd.inputs->depthwise() ? 5 : 3) + nb, nb, nb, nb};
    }
    case Opcode::kLoadWeights: {
      const int64_t data = cmd.blocks * cmd.weights->words_per_block;
      return {LoadWeightHeaderWords(protocol) + data + 3 * cmd.blocks, data + 2 * cmd.blocks, data + 2 * cmd.blocks,
              data + 2 * cmd.blocks};
    }
  }
  return {0, 0, 0, 0};
}

StreamWordsT StreamWords(const Command& cmd, int units, Protocol protocol) {
  StreamWordsT s;
  const uint32_t psum_bits = static_cast<uint32_t>(cmd.psum) << 8;
  s[0].push_back(static_cast<uint32_t>(cmd.op) | (cmd.op == Opcode::kCompute ? psum_bits : 0u));
  switch (cmd.op) {
    case Opcode::kNop:
      break;
    case Opcode::kConfig:
    case Opcode::kConfigDepthwise:
      s[0].push_back(static_cast<uint32_t>(cmd.depth));
      s[0].push_back(static_cast<uint32_t>(cmd.output_zero_point));
      if (cmd.op == Opcode::kConfigDepthwise) {
        const DepthwiseGeometry& g = cmd.dw;
        for (int32_t v : {g.filter_h, g.filter_w, g.stride_h, g.stride_w, g.dilation_h, g.dilation_w, g.slab_w, g.out_w})
          s[0].push_back(static_cast<uint32_t>(v));
      }
      break;
    case Opcode::kCompute:
      s[0].push_back(static_cast<uint32_t>(cmd.rows));
      s[0].push_back(static_cast<uint32_t>(cmd.cols));
      break;
    case Opcode::kLoadInputs: {
      const InputTile& t = *cmd.inputs;
      Check(!t.shape_only(), "StreamWords of a shape-only LOAD_INP");
      const int64_t nb = t.beats();
      s[0].push_back(static_cast<uint32_t>(nb));
      if (t.depthwise()) {
        s[0].push_back(static_cast<uint32_t>(t.slab_blocks));
        s[0].push_back(static_cast<uint32_t>(t.slab_rows));
        s[0].push_back(static_cast<uint32_t>(t.slab_w));
      } else {
        s[0].push_back(static_cast<uint32_t>(t.strips()));  // ignored by the hardware
      }
      for (int q = 0; q < 4; ++q) s[q].insert(s[q].end(), t.data[q].begin(), t.data[q].begin() + nb);
      break;
    }
    case Opcode::kLoadWeights: {
      const PackedWeights& w = *cmd.weights;
      Check(!w.shape_only(), "StreamWords of a shape-only LOAD_WGT");
      const auto nblk = static_cast<uint32_t>(cmd.blocks);
      const auto wpb = static_cast<uint32_t>(w.words_per_block);
      if (protocol == Protocol::kIcecsV2)  // [op, words per stream = cols * rK / 32 (4-bit), blocks]
        s[0].insert(s[0].end(), {nblk * wpb, nblk});
      else
        s[0].insert(s[0].end(), {nblk, wpb, nblk / static_cast<uint32_t>(units), nblk % static_cast<uint32_t>(units), wpb});
      const int64_t first = (cmd.chunk * w.blocks() + cmd.first_block) * w.words_per_block;
      const int64_t count = cmd.blocks * w.words_per_block;
      for (int q = 0; q < 4; ++q)
        s[q].insert(s[q].end(), w.data[q].begin() + first, w.data[q].begin() + first + count);
      for (int64_t b = cmd.first_block; b < cmd.first_block + cmd.blocks; ++b) {
        uint32_t packed_shift = 0;
        for (int q = 0; q < 4; ++q) {
          const int64_t c = 4 * b + q;
          s[q].push_back(static_cast<uint32_t>(w.bias_sum[c]));
          s[q].push_back(static_cast<uint32_t>(w.multiplier[c]));
          // v12 sends S = 31 - shift, ICECS the raw signed TFLite shift.
          const int8_t shift = protocol == Protocol::kIcecsV2 ? static_cast<int8_t>(31 - w.right_shift[c]) : w.right_shift[c];
          packed_shift |= static_cast<uint32_t>(static_cast<uint8_t>(shift)) << (8 * q);
        }
        s[0].push_back(packed_shift);
      }
      break;
    }
  }
  return s;
}

std::string Describe(const Command& cmd) {
  std::string d = OpcodeName(cmd.op);
  switch (cmd.op) {
    case Opcode::kConfig:
    case Opcode::kConfigDepthwise:
      d += " rK=" + std::to_string(cmd.depth) + " zp_out=" + std::to_string(cmd.output_zero_point);
      if (cmd.op == Opcode::kConfigDepthwise)
        d += " window " + std::to_string(cmd.dw.filter_h) + "x" + std::to_string(cmd.dw.filter_w) + " stride " +
             std::to_string(cmd.dw.stride_h) + "x" + std::to_string(cmd.dw.stride_w);
      break;
    case Opcode::kLoadInputs:
      d += " rows=" + std::to_string(cmd.inputs->rows) + " rK=" + std::to_string(cmd.inputs->rk);
      if (cmd.inputs->depthwise())
        d += " slab " + std::to_string(cmd.inputs->slab_blocks) + "x" + std::to_string(cmd.inputs->slab_rows) + "x" +
             std::to_string(cmd.inputs->slab_w);
      break;
    case Opcode::kLoadWeights:
      d += " blocks " + std::to_string(cmd.first_block) + ".." + std::to_string(cmd.first_block + cmd.blocks - 1) +
           " rK=" + std::to_string(cmd.weights->chunk_depth());
      if (cmd.weights->chunks() > 1) d += " chunk " + std::to_string(cmd.chunk);
      break;
    case Opcode::kCompute:
      d += " rows=" + std::to_string(cmd.rows) + " cols=" + std::to_string(cmd.cols);
      if (PsumUsed(cmd.psum)) d += " psum=" + std::to_string(static_cast<int>(cmd.psum));
      break;
    case Opcode::kNop:
      break;
  }
  return d;
}

}  // namespace potacc::accel
