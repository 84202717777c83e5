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

namespace {
// Header words of LOAD_WGT on stream 0, opcode included.
int64_t LoadWeightHeaderWords(Protocol protocol) { return protocol == Protocol::kIcecsV2 ? 3 : 6; }
}  // namespace

int64_t PackedWeights::bytes() const {
  int64_t words = 0;
  for (const auto& s : data) words += static_cast<int64_t>(s.size());
  // Epilogue: B and Mq on every stream, the packed shifts on stream 0.
  words += blocks() * (4 * 2 + 1);
  return words * 4;
}

Command Command::Config(int32_t depth, int32_t zp_out) {
  Command c;
  c.op = Opcode::kConfig;
  c.depth = depth;
  c.output_zero_point = zp_out;
  return c;
}

Command Command::LoadInputs(std::shared_ptr<const InputTile> tile) {
  Command c;
  c.op = Opcode::kLoadInputs;
  c.inputs = std::move(tile);
  return c;
}

Command Command::LoadWeights(std::shared_ptr<const PackedWeights> w, int64_t first_block, int64_t blocks) {
  Check(first_block >= 0 && blocks > 0 && first_block + blocks <= w->blocks(), "LOAD_WGT block range out of bounds");
  Command c;
  c.op = Opcode::kLoadWeights;
  c.weights = std::move(w);
  c.first_block = first_block;
  c.blocks = blocks;
  return c;
}

Command Command::Compute(int64_t rows, int64_t cols) {
  Command c;
  c.op = Opcode::kCompute;
  c.rows = rows;
  c.cols = cols;
  return c;
}

Command Command::Nop() { return Command{}; }

std::array<int64_t, 4> StreamWordCounts(const Command& cmd, Protocol protocol) {
  switch (cmd.op) {
    case Opcode::kNop: return {1, 0, 0, 0};
    case Opcode::kConfig: return {3, 0, 0, 0};
    case Opcode::kCompute: return {3, 0, 0, 0};
    case Opcode::kLoadInputs: {
      const int64_t nb = cmd.inputs->strips() * cmd.inputs->rk / 4;
      return {3 + nb, nb, nb, nb};
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
  s[0].push_back(static_cast<uint32_t>(cmd.op));
  switch (cmd.op) {
    case Opcode::kNop:
      break;
    case Opcode::kConfig:
      s[0].push_back(static_cast<uint32_t>(cmd.depth));
      s[0].push_back(static_cast<uint32_t>(cmd.output_zero_point));
      break;
    case Opcode::kCompute:
      s[0].push_back(static_cast<uint32_t>(cmd.rows));
      s[0].push_back(static_cast<uint32_t>(cmd.cols));
      break;
    case Opcode::kLoadInputs: {
      const InputTile& t = *cmd.inputs;
      const int64_t nb = t.strips() * t.rk / 4;
      s[0].push_back(static_cast<uint32_t>(nb));
      s[0].push_back(static_cast<uint32_t>(t.strips()));  // ignored by the hardware
      for (int q = 0; q < 4; ++q) s[q].insert(s[q].end(), t.data[q].begin(), t.data[q].begin() + nb);
      break;
    }
    case Opcode::kLoadWeights: {
      const PackedWeights& w = *cmd.weights;
      const auto nblk = static_cast<uint32_t>(cmd.blocks);
      const auto wpb = static_cast<uint32_t>(w.words_per_block);
      if (protocol == Protocol::kIcecsV2)  // [op, words per stream = cols * rK / 32 (4-bit), blocks]
        s[0].insert(s[0].end(), {nblk * wpb, nblk});
      else
        s[0].insert(s[0].end(), {nblk, wpb, nblk / static_cast<uint32_t>(units), nblk % static_cast<uint32_t>(units), wpb});
      const int64_t first = cmd.first_block * w.words_per_block;
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
      d += " rK=" + std::to_string(cmd.depth) + " zp_out=" + std::to_string(cmd.output_zero_point);
      break;
    case Opcode::kLoadInputs:
      d += " rows=" + std::to_string(cmd.inputs->rows) + " rK=" + std::to_string(cmd.inputs->rk);
      break;
    case Opcode::kLoadWeights:
      d += " blocks " + std::to_string(cmd.first_block) + ".." + std::to_string(cmd.first_block + cmd.blocks - 1) +
           " rK=" + std::to_string(cmd.weights->rk);
      break;
    case Opcode::kCompute:
      d += " rows=" + std::to_string(cmd.rows) + " cols=" + std::to_string(cmd.cols);
      break;
    case Opcode::kNop:
      break;
  }
  return d;
}

}  // namespace potacc::accel
