// The int8 GEMM shared by CONV_2D and FULLY_CONNECTED (and usable by the
// accelerator driver): weights packed once, activations streamed in row
// blocks, int32 accumulation, per-channel TFLite requantization.
//
// Arithmetic (TFLite int8 conv/FC semantics), for output row m and channel n:
//   acc    = bias[n] + Σ_k (a[m][k] + input_offset) * (w[n][k] + filter_offset)
//   out    = clamp(Requantize(acc, multiplier[n], shift[n]) + output_zero_point,
//                  act_min, act_max)
// The optimized path folds the input offset into the bias
// (Σ a·w' + input_offset·Σ w', with w' = w + filter_offset precomputed per
// channel) so its inner loop is a pure integer dot product. The VNNI kernels
// feed the activations as unsigned bytes x + 128 (vpdpbusd multiplies
// unsigned by signed bytes) and start from the bias minus 128 * Σ w, which
// cancels the shift exactly. Every step is exact int32 arithmetic (modulo
// 2^32), so all paths agree bit for bit with the reference.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/kernels/isa.h"

namespace potacc {
class ThreadPool;
}

namespace potacc::kernels {

// Quantized arithmetic of conv / depthwise / FC (see the formula above).
struct Int8Params {
  int32_t input_offset = 0;     // = -(input zero point)
  int32_t filter_offset = 0;    // = -(filter zero point); per-tensor filters only, else 0
  int32_t output_zero_point = 0;
  int32_t act_min = -128;       // fused-activation clamp, already in the output's int8 domain
  int32_t act_max = 127;
  const int32_t* multiplier = nullptr;  // one per output channel
  const int* shift = nullptr;           // one per output channel
  fixed_point::Rounding rounding = fixed_point::Rounding::kDouble;
};

// One output value from its int32 accumulator (bias included): the scalar
// definition every vectorized requantization must reproduce.
inline int8_t RequantizeOne(const Int8Params& q, int32_t acc, int channel) {
  int32_t v = fixed_point::Requantize(acc, q.multiplier[channel], q.shift[channel], q.rounding);
  // + zero point, wrapping like the vector kernels' 32-bit adds (TFLite's
  // int32 add would overflow only for accumulators no real layer produces).
  v = static_cast<int32_t>(static_cast<uint32_t>(v) + static_cast<uint32_t>(q.output_zero_point));
  v = v < q.act_min ? q.act_min : v;
  v = v > q.act_max ? q.act_max : v;
  return static_cast<int8_t>(v);
}

// Per-channel requantization constants in the forms the vector kernels load
// (private to the kernels; built once per layer when the parameters are known
// at packing time).
namespace detail {
struct RequantTables;
}

// Requantizes rows of `channels` accumulators (element c uses channel c),
// with the vector tables built once. q's arrays are copied.
class RowRequantizer {
 public:
  RowRequantizer(const Int8Params& q, int channels, Isa isa = BestIsa());
  ~RowRequantizer();
  RowRequantizer(RowRequantizer&&) noexcept;
  RowRequantizer& operator=(RowRequantizer&&) noexcept;
  void Row(const int32_t* acc, int8_t* out) const;
  int channels() const { return channels_; }

 private:
  int channels_ = 0;
  Isa isa_ = Isa::kPortable;
  std::vector<int32_t> multiplier_;
  std::vector<int> shift_;
  Int8Params q_;
  std::unique_ptr<detail::RequantTables> tables_;
};

// Requantizes `count` accumulators of one row; element c uses channel c.
void RequantizeRow(const Int8Params& q, const int32_t* acc, int count, int8_t* out,
                   Isa isa = BestIsa());

// GEMM weights (N output channels x K depth, row-major int8: an OHWI conv
// filter or an FC weight matrix) packed once for the micro-kernels of one
// instruction set, with the zero-point folding precomputed. Panels of kPanel
// output channels, in one of two layouts:
//  * kInt16Pairs (portable, AVX2, NEON): k_pairs() steps of 16 channels x 2
//    consecutive k, int16 (w + filter_offset), for pairwise multiply-add;
//  * kInt8Quads (AVX-VNNI, AVX-512 VNNI, NEON-dotprod): k_quads() steps of
//    16 channels x 4 consecutive k, int8 w, for 4-byte dot products
//    (vpdpbusd: unsigned x signed bytes; SDOT: signed x signed). Used when
//    filter_offset == 0 (TFLite's int8 weights); otherwise w + filter_offset
//    may not fit a byte and those ISAs pack kInt16Pairs and run their
//    pairwise kernel (AVX2, NEON).
class PackedWeightsInt8 {
 public:
  static constexpr int kPanel = 16;  // output channels per panel
  enum class Layout : uint8_t { kInt16Pairs, kInt8Quads };
  static Layout LayoutFor(Isa isa, int32_t filter_offset);

  PackedWeightsInt8() = default;
  // bias may be null (treated as zeros).
  PackedWeightsInt8(const int8_t* weights, int n, int k, const int32_t* bias, int32_t input_offset,
                    int32_t filter_offset, Isa isa = BestIsa());
  // Also precomputes the requantization tables of q (whose multiplier/shift
  // arrays must outlive this object); GEMMs run with the same q use them.
  PackedWeightsInt8(const int8_t* weights, int n, int k, const int32_t* bias, const Int8Params& q,
                    Isa isa = BestIsa());

  Layout layout() const { return layout_; }
  int n() const { return n_; }
  int k() const { return k_; }
  int k_pairs() const { return (k_ + 1) / 2; }
  int k_quads() const { return (k_ + 3) / 4; }
  int num_panels() const { return (n_ + kPanel - 1) / kPanel; }
  int32_t input_offset() const { return input_offset_; }
  int32_t filter_offset() const { return filter_offset_; }
  bool empty() const { return n_ == 0; }

  // kInt16Pairs panel p: k_pairs() steps of 16 channels x 2 consecutive k,
  // as int16 (w + filter_offset; zero beyond n or k).
  const int16_t* panel(int p) const {
    return panels_.data() + static_cast<size_t>(p) * k_pairs() * 2 * kPanel;
  }
  // kInt8Quads panel p: k_quads() steps of 16 channels x 4 consecutive k, as
  // int8 w (zero beyond n or k).
  const int8_t* quad_panel(int p) const {
    return quads_.data() + static_cast<size_t>(p) * k_quads() * 4 * kPanel;
  }
  // bias[n] + input_offset * Σ_k (w[n][k] + filter_offset), padded to whole panels.
  const int32_t* fused_bias() const { return fused_bias_.data(); }
  // kInt8Quads: the accumulator start when the activations are fed as
  // x + 128 (vpdpbusd's unsigned operand): fused_bias - 128 * Σ_k w[n][k].
  const int32_t* unsigned_bias() const { return unsigned_bias_.data(); }
  // Tables precomputed for `q`, or null when they were not (or q differs).
  const detail::RequantTables* requant_for(const Int8Params& q) const;

 private:
  Layout layout_ = Layout::kInt16Pairs;
  int n_ = 0, k_ = 0;
  int32_t input_offset_ = 0, filter_offset_ = 0;
  std::vector<int16_t> panels_;
  std::vector<int8_t> quads_;
  std::vector<int32_t> fused_bias_, unsigned_bias_;
  std::shared_ptr<const detail::RequantTables> requant_;
};

// out[m * ldo + n] for m < rows, n < w.n(): one FC-style GEMM whose rows are
// contiguous int8 vectors of length w.k() at a + m * lda.
// q.input_offset / q.filter_offset must be the ones w was packed with, and
// isa one that can run w's layout. With a pool, rows (or, for few rows,
// channels) are split across its threads; the result does not depend on it.
void GemmInt8(const Int8Params& q, const PackedWeightsInt8& w, const int8_t* a, int64_t rows,
              int64_t lda, int8_t* out, int64_t ldo, Isa isa = BestIsa(),
              ThreadPool* pool = nullptr);

// Straightforward reference of the same GEMM (unpacked weights [n][k]).
void GemmInt8Reference(const Int8Params& q, const int8_t* weights, int n, int k, const int32_t* bias,
                       const int8_t* a, int64_t rows, int64_t lda, int8_t* out, int64_t ldo);

}  // namespace potacc::kernels
