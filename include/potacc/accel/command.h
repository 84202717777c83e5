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
  // potacc-x (not in the reference design): CONFIG of a depthwise layer.
  kConfigDepthwise = 0x10,
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

// Depth splitting (potacc-x): a COMPUTE over one K-chunk of a layer deeper
// than a unit's buffers. Each 4x4 tile's sums go to / come from the unit's
// partial-sum buffer; only the last chunk reaches the PPU and emits outputs.
// Carried in bits 8..9 of the COMPUTE opcode word (0 = the reference's COMPUTE).
enum class PsumMode : uint8_t {
  kNone = 0,    // whole depth in one COMPUTE (the reference)
  kFirst = 1,   // psum = sums                     (no outputs)
  kMiddle = 2,  // psum += sums                    (no outputs)
  kLast = 3,    // outputs = PPU(psum + sums + B)
};
inline bool PsumReads(PsumMode m) { return m == PsumMode::kMiddle || m == PsumMode::kLast; }
inline bool PsumWrites(PsumMode m) { return m == PsumMode::kFirst || m == PsumMode::kMiddle; }
inline bool PsumUsed(PsumMode m) { return m != PsumMode::kNone; }

// Window geometry of a depthwise layer (potacc-x CONFIG_DW): the units form
// each output pixel's kh x kw window from the input slab a LOAD_INP put in
// their local buffers (slab = input rows of the tile, padded columns, zero
// point in the padding, 4 channels per 32-bit word).
struct DepthwiseGeometry {
  int32_t filter_h = 1, filter_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t slab_w = 1;  // slab row pitch: padded input columns held per slab row (see SlabPitch)
  int32_t out_w = 1;   // output pixels per output row (pixel p of a tile: row p / out_w, column p % out_w)
  int32_t taps() const { return filter_h * filter_w; }
  // log2(stride_w): the window generator's bank select (SlabWordPosition);
  // -1 when stride_w is not 1, 2 or 4 (the window generator refuses it).
  int bank_shift() const { return stride_w == 1 ? 0 : stride_w == 2 ? 1 : stride_w == 4 ? 2 : -1; }
  bool operator==(const DepthwiseGeometry&) const = default;
};

using StreamWordsT = std::array<std::vector<uint32_t>, 4>;

// One layer's weights as the driver packs them once at Prepare time and keeps
// in the DMA preload area (§5.2): per 4-column block b and stream q (= column
// 4b+q), words_per_block words of codes (8 per word, 4-bit PEs) or int8
// (4 per word, INT8), depth padded to rK; plus the per-column epilogue.
// A layer split into K-chunks (depth splitting) is packed chunk-major: chunk
// c holds depth [c*chunk_rk, (c+1)*chunk_rk) of every block, blocks back to
// back, so each chunk's LOAD_WGT is one contiguous DMA transfer.
// Empty `data` = shape only (data-free timing).
struct PackedWeights {
  int64_t n = 0, k = 0;           // real sizes
  int64_t rk = 0, rn = 0;         // padded depth (multiple of 16; chunks * chunk_rk) and columns (multiple of 4)
  int64_t chunk_rk = 0;           // depth of one K-chunk (= rk when the layer is not split)
  int codes_per_word = 8;         // 8 (4-bit codes) or 4 (int8)
  int64_t words_per_block = 0;    // chunk_rk / codes_per_word (one chunk of one block)
  StreamWordsT data;              // stream q: [chunk][block][words_per_block]
  std::vector<int32_t> bias_sum;  // B[c] per padded column (0 beyond n)
  std::vector<int32_t> multiplier;  // Mq[c] (Q31 significand)
  std::vector<int8_t> right_shift;  // S[c] = 31 - tflite_shift[c]
  int64_t blocks() const { return rn / 4; }
  int64_t chunk_depth() const { return chunk_rk > 0 ? chunk_rk : rk; }
  int64_t chunks() const { return rk / chunk_depth(); }
  int64_t bytes() const;  // preload footprint: data + epilogues
  bool shape_only() const { return data[0].empty(); }
};

// Rows of A split into the four DMA input buffers (§5.3 step 2): stream q
// word t of strip g = bytes A[4g+q][4t..4t+3], depth padded with zeros to rK.
//
// Depthwise mode (slab_rows > 0): the slab of each 4-channel block instead,
// block after block, slab_rows x slab_w words per block (4 channels per word),
// each block padded to whole groups of 4 << bank_shift words; word a of a block
// travels at the position SlabWordPosition(a, bank_shift) gives (beat t = the
// unit's local-input address, stream q = its bank), and the block goes to
// unit (block mod V).
// `rows` is then the tile's output pixels.
//
// An empty `data` is a shape-only tile (data-free timing, see driver.h).
struct InputTile {
  int64_t rows = 0;   // rows carried (a multiple of 2; strips = ceil(rows/4))
  int64_t rk = 0;
  StreamWordsT data;  // stream q: strips back to back, rk/4 words each
  // Depthwise slab (slab_rows > 0).
  int64_t slab_blocks = 0, slab_rows = 0, slab_w = 0;
  int slab_bank_shift = 0;  // DepthwiseGeometry::bank_shift() of the layer
  int64_t strips() const { return (rows + 3) / 4; }
  bool depthwise() const { return slab_rows > 0; }
  int64_t slab_beats_per_block() const {
    const int64_t group = int64_t{4} << slab_bank_shift;
    return (slab_rows * slab_w + group - 1) / group * group / 4;
  }
  // 128-bit beats the command streams (all streams in parallel).
  int64_t beats() const { return depthwise() ? slab_blocks * slab_beats_per_block() : strips() * (rk / 4); }
  bool shape_only() const { return data[0].empty(); }
};

struct Command {
  Opcode op = Opcode::kNop;
  // CONFIG / CONFIG_DW
  int32_t depth = 0;              // rK (of one K-chunk when the layer is split)
  int32_t output_zero_point = 0;
  DepthwiseGeometry dw;           // CONFIG_DW only
  // LOAD_INP
  std::shared_ptr<const InputTile> inputs;
  // LOAD_WGT: blocks [first_block, first_block + blocks) of K-chunk `chunk` of `weights`
  std::shared_ptr<const PackedWeights> weights;
  int64_t first_block = 0, blocks = 0;
  int64_t chunk = 0;
  // COMPUTE: rows (multiple of 2) and columns (multiple of 4) of this tile
  int64_t rows = 0, cols = 0;
  PsumMode psum = PsumMode::kNone;

  static Command Config(int32_t depth, int32_t zp_out);
  static Command ConfigDepthwise(int32_t depth, int32_t zp_out, const DepthwiseGeometry& geometry);
  static Command LoadInputs(std::shared_ptr<const InputTile> tile);
  static Command LoadWeights(std::shared_ptr<const PackedWeights> w, int64_t first_block, int64_t blocks,
                             int64_t chunk = 0);
  static Command Compute(int64_t rows, int64_t cols, PsumMode psum = PsumMode::kNone);
  static Command Nop();
};

// The words of each stream for one command (stream 0 carries the opcode and
// headers), exactly as §3 (§6 for kIcecsV2) lays them out; the potacc-x
// commands extend §3: CONFIG_DW adds the window geometry, a depthwise LOAD_INP
// its slab header, COMPUTE its PsumMode in the opcode word. `units` is V
// (v12 LOAD_WGT header).
StreamWordsT StreamWords(const Command& cmd, int units, Protocol protocol = Protocol::kV12);
// Words per stream of a command without materialising them (also for
// shape-only commands).
std::array<int64_t, 4> StreamWordCounts(const Command& cmd, Protocol protocol = Protocol::kV12);
// Words the PPU of a unit receives per dispatched tile besides its inputs:
// 0 (v12: B/Mq/S already in the unit) or 9 (ICECS: 4 B + 4 Mq + packed shifts).
int64_t DispatchEpilogueWords(Protocol protocol);
// Beats a COMPUTE returns on each output stream: one per tile (none when its
// sums only go to the partial-sum buffer) plus the TLAST beat.
int64_t ComputeOutputBeats(const Command& cmd);
// "LOAD_WGT blocks 0..35 (rK 32)" - for logs and errors.
std::string Describe(const Command& cmd);

}  // namespace potacc::accel
