#include "potacc/accel/stream_decoder.h"

#include <memory>
#include <string>

#include "potacc/accel/backend.h"
#include "potacc/accel/depthwise.h"
#include "potacc/accel/tiling.h"
#include "potacc/error.h"

namespace potacc::accel {
namespace {

[[noreturn]] void StreamFail(const std::string& what) { throw Error("accelerator input stream: " + what); }

// Moves `n` words from the front of q into dst.
void Take(std::deque<uint32_t>& q, int64_t n, std::vector<uint32_t>& dst) {
  dst.insert(dst.end(), q.begin(), q.begin() + n);
  q.erase(q.begin(), q.begin() + n);
}

uint32_t Pop(std::deque<uint32_t>& q) {
  const uint32_t v = q.front();
  q.pop_front();
  return v;
}

// Largest CONFIG depth and CONFIG_DW geometry word the decoder accepts (far
// beyond any buffer; keeps every product of them inside int64_t).
constexpr uint32_t kMaxWord = 1u << 20;

// The CONFIG_DW geometry words [kh, kw, stride_h, stride_w, dilation_h,
// dilation_w, pitch, out_w] (words 3..10 of the command on stream 0).
DepthwiseGeometry ReadGeometry(const std::deque<uint32_t>& q, uint32_t depth) {
  static const char* const kNames[] = {"kh", "kw", "stride_h", "stride_w", "dilation_h", "dilation_w", "pitch", "out_w"};
  int32_t v[8];
  for (int i = 0; i < 8; ++i) {
    const uint32_t w = q[3 + static_cast<size_t>(i)];
    if (w == 0 || w > kMaxWord) StreamFail("CONFIG_DW " + std::string(kNames[i]) + " " + std::to_string(w) + " is out of range");
    v[i] = static_cast<int32_t>(w);
  }
  const DepthwiseGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
  if (int64_t{g.filter_h} * g.filter_w > depth)
    StreamFail("CONFIG_DW window of " + std::to_string(int64_t{g.filter_h} * g.filter_w) + " taps exceeds depth " +
               std::to_string(depth));
  if (g.bank_shift() < 0) StreamFail("CONFIG_DW stride_w " + std::to_string(g.stride_w) + " is not 1, 2 or 4");
  return g;
}

}  // namespace

StreamDecoder::StreamDecoder(const AcceleratorConfig& config)
    : units_(config.units),
      codes_per_word_(config.codes_per_word()),
      depth_split_(config.depth_split()),
      depthwise_mode_(config.depthwise_mode()),
      local_input_addresses_(config.buffers.local_input_addresses) {
  RequireV12Stream(config, "device-model");
}

std::optional<Command> StreamDecoder::Next(StreamQueues& in) {
  if (in[0].empty()) return std::nullopt;
  uint32_t opcode = in[0].front();
  // Depth splitting: a COMPUTE's PsumMode in bits 8..9 of its opcode word.
  constexpr uint32_t kPsumBits = 0x300;
  const auto psum = static_cast<PsumMode>((opcode & kPsumBits) >> 8);
  if (depth_split_ && (opcode & ~kPsumBits) == static_cast<uint32_t>(Opcode::kCompute)) opcode &= ~kPsumBits;
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::kNop:
      in[0].pop_front();
      return Command::Nop();
    case Opcode::kCompute: {
      if (in[0].size() < 3) return std::nullopt;
      in[0].pop_front();
      const uint32_t rows = Pop(in[0]), cols = Pop(in[0]);
      return Command::Compute(rows, cols, psum);
    }
    case Opcode::kConfig: return Configure(in, false);
    case Opcode::kConfigDepthwise:
      if (!depthwise_mode_) break;  // not an opcode of this design
      return Configure(in, true);
    case Opcode::kLoadInputs: return depthwise_ ? LoadSlabs(in) : LoadInputs(in);
    case Opcode::kLoadWeights: return LoadWeights(in);
  }
  StreamFail("unknown opcode word " + std::to_string(opcode));
}

// CONFIG [op, rK, zp_out]; CONFIG_DW adds the 8 geometry words.
std::optional<Command> StreamDecoder::Configure(StreamQueues& in, bool depthwise) {
  const size_t words = depthwise ? 11 : 3;
  if (in[0].size() < words) return std::nullopt;
  const uint32_t depth = in[0][1], zp_out = in[0][2];
  if (depth == 0 || depth % 16 != 0 || depth > kMaxWord)
    StreamFail("CONFIG depth " + std::to_string(depth) + " is not a multiple of 16");
  const DepthwiseGeometry geometry = depthwise ? ReadGeometry(in[0], depth) : DepthwiseGeometry{};
  in[0].erase(in[0].begin(), in[0].begin() + static_cast<std::ptrdiff_t>(words));
  depth_ = depth;
  depthwise_ = depthwise;
  geometry_ = geometry;
  const auto rk = static_cast<int32_t>(depth), zp = static_cast<int32_t>(zp_out);
  return depthwise ? Command::ConfigDepthwise(rk, zp, geometry) : Command::Config(rk, zp);
}

std::optional<Command> StreamDecoder::LoadInputs(StreamQueues& in) {
  if (in[0].size() < 3) return std::nullopt;
  if (depth_ == 0) StreamFail("LOAD_INP before CONFIG");
  const int64_t nb = in[0][1];
  const int64_t per_strip = depth_ / 4;
  if (nb == 0 || nb % per_strip != 0)
    StreamFail("LOAD_INP of " + std::to_string(nb) + " beats is not whole strips at depth " + std::to_string(depth_));
  if (static_cast<int64_t>(in[0].size()) < 3 + nb) return std::nullopt;
  for (int q = 1; q < 4; ++q) {
    if (static_cast<int64_t>(in[q].size()) < nb) return std::nullopt;
  }
  in[0].erase(in[0].begin(), in[0].begin() + 3);  // opcode, NB, strips (ignored by the hardware)
  auto tile = std::make_shared<InputTile>();
  tile->rk = depth_;
  tile->rows = 4 * (nb / per_strip);
  for (int q = 0; q < 4; ++q) Take(in[q], nb, tile->data[q]);
  return Command::LoadInputs(std::move(tile));
}

// Depthwise LOAD_INP [op, NB, blocks, slab rows, pitch] + NB beats: the
// slabs of `blocks` 4-channel blocks, each slab_beats_per_block() beats. The
// tile's output pixels follow from the slab rows and the CONFIG_DW window.
std::optional<Command> StreamDecoder::LoadSlabs(StreamQueues& in) {
  constexpr int64_t kHeader = 5;
  if (static_cast<int64_t>(in[0].size()) < kHeader) return std::nullopt;
  const int64_t nb = in[0][1], blocks = in[0][2], slab_rows = in[0][3], pitch = in[0][4];
  const DepthwiseGeometry& g = geometry_;
  if (pitch != g.slab_w)
    StreamFail("depthwise LOAD_INP pitch " + std::to_string(pitch) + " differs from CONFIG_DW's " + std::to_string(g.slab_w));
  const int64_t one_row = SlabRows(g, 1);  // input rows of one output row
  if (slab_rows < one_row || (slab_rows - one_row) % g.stride_h != 0)
    StreamFail("depthwise LOAD_INP slab of " + std::to_string(slab_rows) + " rows is not whole output rows of a " +
               std::to_string(g.filter_h) + "-row window at stride " + std::to_string(g.stride_h));
  auto tile = std::make_shared<InputTile>();
  tile->rk = depth_;
  tile->slab_blocks = blocks;
  tile->slab_rows = slab_rows;
  tile->slab_w = pitch;
  tile->slab_bank_shift = g.bank_shift();
  const int64_t bpb = tile->slab_beats_per_block();  // >= 1
  if (blocks == 0 || nb % bpb != 0 || nb / bpb != blocks)
    StreamFail("depthwise LOAD_INP of " + std::to_string(nb) + " beats is not " + std::to_string(blocks) +
               " slabs of " + std::to_string(bpb) + " beats (" + std::to_string(slab_rows) + " rows x " +
               std::to_string(pitch) + ")");
  if ((blocks + units_ - 1) / units_ * bpb > local_input_addresses_)
    StreamFail("depthwise LOAD_INP slabs of " + std::to_string(blocks) + " blocks x " + std::to_string(bpb) +
               " beats overflow a unit's local input buffer (" + std::to_string(local_input_addresses_) + " addresses)");
  if (static_cast<int64_t>(in[0].size()) < kHeader + nb) return std::nullopt;
  for (int q = 1; q < 4; ++q) {
    if (static_cast<int64_t>(in[q].size()) < nb) return std::nullopt;
  }
  in[0].erase(in[0].begin(), in[0].begin() + kHeader);
  tile->rows = RoundUp(((slab_rows - one_row) / g.stride_h + 1) * g.out_w, 2);
  for (int q = 0; q < 4; ++q) Take(in[q], nb, tile->data[q]);
  return Command::LoadInputs(std::move(tile));
}

std::optional<Command> StreamDecoder::LoadWeights(StreamQueues& in) {
  if (in[0].size() < 6) return std::nullopt;
  if (depth_ == 0) StreamFail("LOAD_WGT before CONFIG");
  const int64_t nblk = in[0][1], wpb = in[0][2];
  if (nblk == 0 || wpb * codes_per_word_ != depth_)
    StreamFail("LOAD_WGT header (" + std::to_string(nblk) + " blocks, " + std::to_string(wpb) +
         " words per block) does not match depth " + std::to_string(depth_));
  if (in[0][3] != nblk / units_ || in[0][4] != nblk % units_)
    StreamFail("LOAD_WGT header block split does not match " + std::to_string(units_) + " units");
  const int64_t data = nblk * wpb;
  if (static_cast<int64_t>(in[0].size()) < 6 + data + 3 * nblk) return std::nullopt;
  for (int q = 1; q < 4; ++q) {
    if (static_cast<int64_t>(in[q].size()) < data + 2 * nblk) return std::nullopt;
  }
  in[0].erase(in[0].begin(), in[0].begin() + 6);
  auto w = std::make_shared<PackedWeights>();
  w->rk = w->k = depth_;
  w->rn = w->n = 4 * nblk;
  w->codes_per_word = codes_per_word_;
  w->words_per_block = wpb;
  for (int q = 0; q < 4; ++q) Take(in[q], data, w->data[q]);
  w->bias_sum.resize(4 * nblk);
  w->multiplier.resize(4 * nblk);
  w->right_shift.resize(4 * nblk);
  for (int64_t b = 0; b < nblk; ++b) {
    for (int q = 0; q < 4; ++q) {
      w->bias_sum[4 * b + q] = static_cast<int32_t>(Pop(in[q]));
      w->multiplier[4 * b + q] = static_cast<int32_t>(Pop(in[q]));
    }
    const uint32_t shifts = Pop(in[0]);
    for (int q = 0; q < 4; ++q) w->right_shift[4 * b + q] = static_cast<int8_t>((shifts >> (8 * q)) & 0xff);
  }
  return Command::LoadWeights(std::move(w), 0, nblk);
}

}  // namespace potacc::accel
