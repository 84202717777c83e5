#include "potacc/accel/stream_decoder.h"

#include <memory>
#include <string>

#include "potacc/accel/backend.h"
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

}  // namespace

StreamDecoder::StreamDecoder(const AcceleratorConfig& config)
    : units_(config.units), codes_per_word_(config.codes_per_word()), depth_split_(config.depth_split()) {
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
    case Opcode::kConfig:
    case Opcode::kCompute: {
      if (in[0].size() < 3) return std::nullopt;
      in[0].pop_front();
      const uint32_t a = Pop(in[0]), b = Pop(in[0]);
      if (static_cast<Opcode>(opcode) == Opcode::kCompute) return Command::Compute(a, b, psum);
      if (a == 0 || a % 16 != 0 || a > (1u << 20)) StreamFail("CONFIG depth " + std::to_string(a) + " is not a multiple of 16");
      depth_ = a;
      return Command::Config(static_cast<int32_t>(a), static_cast<int32_t>(b));
    }
    case Opcode::kLoadInputs: return LoadInputs(in);
    case Opcode::kLoadWeights: return LoadWeights(in);
    case Opcode::kConfigDepthwise: break;  // potacc-x: refused at construction
  }
  StreamFail("unknown opcode word " + std::to_string(opcode));
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
