// The host <-> accelerator command protocol of the reference design (§3), as
// data. The driver produces a vector of Commands; the simulator executes them;
// StreamWords() materialises exactly the 32-bit words each of the four AXI
// streams would carry, for tests and inspection.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace potacc::accel {

enum class Opcode : uint32_t {
  kNop = 0x0,
  kLoadWeights = 0x1,
  kLoadInputs = 0x2,
  kCompute = 0x4,
  kConfig = 0x8,
};
const char* OpcodeName(Opcode op);

// Command-stream dialect (reference §3 vs §6).
enum class Protocol : uint8_t {
  // v12: 6-word LOAD_WGT header [op, blocks, words/block, blocks/V, blocks%V,
  // words/block]; B/Mq/S loaded into each unit's epilogue arrays; S = 31 - shift.
  kV12,
  // ICECS v2: 3-word header [op, cols*rK/32, blocks]; B/Mq/S kept in global
  // arrays and pushed (9 words) into the unit's post FIFO at every dispatch;
  // the raw (signed) TFLite shift is sent.
  kIcecsV2,
};
const char* ProtocolName(Protocol p);

using StreamWordsT = std::array<std::vector<uint32_t>, 4>;

// One layer's weights as the driver packs them once at Prepare time and keeps
// in the DMA preload area (§5.2): per 4-column block b and stream q (= column
// 4b+q), words_per_block words of codes (8 per word, 4-bit PEs) or int8
// (4 per word, INT8), depth padded to rK; plus the per-column epilogue.
struct PackedWeights {
  int64_t n = 0, k = 0;           // real sizes
  int64_t rk = 0, rn = 0;         // padded depth (multiple of 16) and columns (multiple of 4)
  int codes_per_word = 8;         // 8 (4-bit codes) or 4 (int8)
  int64_t words_per_block = 0;    // rk / codes_per_word
  StreamWordsT data;              // stream q: blocks back to back
  std::vector<int32_t> bias_sum;  // B[c] per padded column (0 beyond n)
  std::vector<int32_t> multiplier;  // Mq[c] (Q31 significand)
  std::vector<int8_t> right_shift;  // S[c] = 31 - tflite_shift[c]
  int64_t blocks() const { return rn / 4; }
  int64_t bytes() const;  // preload footprint: data + epilogues
};

// Rows of A split into the four DMA input buffers (§5.3 step 2): stream q
// word t of strip g = bytes A[4g+q][4t..4t+3], depth padded with zeros to rK.
struct InputTile {
  int64_t rows = 0;   // rows carried (a multiple of 2; strips = ceil(rows/4))
  int64_t rk = 0;
  StreamWordsT data;  // stream q: strips back to back, rk/4 words each
  int64_t strips() const { return (rows + 3) / 4; }
};

struct Command {
  Opcode op = Opcode::kNop;
  // CONFIG
  int32_t depth = 0;              // rK
  int32_t output_zero_point = 0;
  // LOAD_INP
  std::shared_ptr<const InputTile> inputs;
  // LOAD_WGT: blocks [first_block, first_block + blocks) of `weights`
  std::shared_ptr<const PackedWeights> weights;
  int64_t first_block = 0, blocks = 0;
  // COMPUTE: rows (multiple of 2) and columns (multiple of 4) of this tile
  int64_t rows = 0, cols = 0;

  static Command Config(int32_t depth, int32_t zp_out);
  static Command LoadInputs(std::shared_ptr<const InputTile> tile);
  static Command LoadWeights(std::shared_ptr<const PackedWeights> w, int64_t first_block, int64_t blocks);
  static Command Compute(int64_t rows, int64_t cols);
  static Command Nop();
};

// The words of each stream for one command (stream 0 carries the opcode and
// headers), exactly as §3 (§6 for kIcecsV2) lays them out. `units` is V (v12
// LOAD_WGT header).
StreamWordsT StreamWords(const Command& cmd, int units, Protocol protocol = Protocol::kV12);
// Words per stream of a command without materialising them.
std::array<int64_t, 4> StreamWordCounts(const Command& cmd, Protocol protocol = Protocol::kV12);
// Words the PPU of a unit receives per dispatched tile besides its inputs:
// 0 (v12: B/Mq/S already in the unit) or 9 (ICECS: 4 B + 4 Mq + packed shifts).
int64_t DispatchEpilogueWords(Protocol protocol);
// "LOAD_WGT blocks 0..35 (rK 32)" - for logs and errors.
std::string Describe(const Command& cmd);

}  // namespace potacc::accel
