// AArch64 int8 GEMM micro-kernel with the dot-product extension (ARMv8.2
// "asimddp": SDOT), run only when the CPU reports it (HWCAP_ASIMDDP; the
// KV260's Cortex-A53 does not have it). Weights in the kInt8Quads panels of
// PackedWeightsInt8 (16 channels x 4 consecutive k, int8 w, filter_offset 0),
// activations as signed bytes x (RowFormat::kInt8): SDOT multiplies signed by
// signed bytes, so the accumulator starts from the fused bias
// (bias + input_offset * Σ w) with no unsigned-offset correction. Exact:
// each SDOT lane adds 4 products of at most 128 * 128, and the int32
// accumulators wrap modulo 2^32 like the reference's sum.
//
// Tile: 4 rows x one panel (16 channels) = 16 accumulators; per k-quad, four
// 16-byte weight vectors and one vector holding the 4 rows' activation quads,
// multiplied lane by lane (SDOT by element).
#include "kernels/gemm_neon.h"

#include <algorithm>
#include <cstring>

#include "kernels/gemm_internal.h"
#include "potacc/error.h"

#if defined(POTACC_HAVE_NEON) && defined(__aarch64__)

#define POTACC_NEON_DOT __attribute__((target("arch=armv8.2-a+dotprod")))

namespace potacc::kernels::detail {
namespace {

constexpr int kRows = 4;

// Channels [c, c + 8) of rows r .. r + live - 1 from their accumulators
// (lo: channels c..c+3, hi: c+4..c+7).
void StoreEight(const GemmBlock& g, const int32x4_t (&lo)[kRows], const int32x4_t (&hi)[kRows], int r, int live,
                int c, const OutputLanesNeon& o) {
  const int valid = std::min(8, g.w->n() - c);
  if (valid <= 0) return;
  if (g.rq->vector_ok) {
    const RequantLanesNeon r0 = LoadRequantLanesNeon(*g.rq, c);
    const RequantLanesNeon r1 = LoadRequantLanesNeon(*g.rq, c + 4);
    for (int i = 0; i < live; ++i) {
      StoreChannels(g.out + (r + i) * g.ldo + c,
                    PackInt8x8Neon(RequantizeClampNeon(lo[i], r0, o), RequantizeClampNeon(hi[i], r1, o)), valid);
    }
    return;
  }
  for (int i = 0; i < live; ++i) {  // scalar requantization (q outside the vector form's range)
    int32_t acc[8];
    vst1q_s32(acc, lo[i]);
    vst1q_s32(acc + 4, hi[i]);
    for (int j = 0; j < valid; ++j) g.out[(r + i) * g.ldo + c + j] = RequantizeOne(*g.q, acc[j], c + j);
  }
}

// Rows r .. r + 3 (rows past the end repeat row r; only live rows are
// stored) against panel p.
POTACC_NEON_DOT void Tile(const GemmBlock& g, int p, int r, const OutputLanesNeon& o) {
  constexpr int P = PackedWeightsInt8::kPanel;
  const PackedWeightsInt8& w = *g.w;
  const int kq = w.k_quads();
  const int c0 = p * P;
  const auto* a8 = static_cast<const int8_t*>(g.a);
  const int8_t* a[kRows];
  for (int i = 0; i < kRows; ++i) a[i] = a8 + (r + i < g.rows ? r + i : r) * g.lda;
  int32x4_t acc[4][kRows];  // [4-channel group][row]
  for (int j = 0; j < 4; ++j) {
    const int32x4_t bias = vld1q_s32(w.fused_bias() + c0 + 4 * j);
    for (int i = 0; i < kRows; ++i) acc[j][i] = bias;
  }
  const int8_t* b = w.quad_panel(p);
  for (int k = 0; k < kq; ++k, b += 4 * P) {
    int32_t quads[kRows];
    for (int i = 0; i < kRows; ++i) std::memcpy(&quads[i], a[i] + 4 * k, sizeof(int32_t));
    const int8x16_t x = vreinterpretq_s8_s32(vld1q_s32(quads));
    for (int j = 0; j < 4; ++j) {
      const int8x16_t wv = vld1q_s8(b + 16 * j);
      acc[j][0] = vdotq_laneq_s32(acc[j][0], wv, x, 0);
      acc[j][1] = vdotq_laneq_s32(acc[j][1], wv, x, 1);
      acc[j][2] = vdotq_laneq_s32(acc[j][2], wv, x, 2);
      acc[j][3] = vdotq_laneq_s32(acc[j][3], wv, x, 3);
    }
  }
  const int live = std::min(kRows, g.rows - r);
  StoreEight(g, acc[0], acc[1], r, live, c0, o);
  StoreEight(g, acc[2], acc[3], r, live, c0 + 8, o);
}

}  // namespace

void GemmBlockNeonDot(const GemmBlock& g) {
  const OutputLanesNeon o = MakeOutputLanesNeon(g.q->output_zero_point, g.q->act_min, g.q->act_max);
  for (int p = g.panel_begin; p < g.panel_end; ++p) {
    for (int r = 0; r < g.rows; r += kRows) Tile(g, p, r, o);
  }
}

}  // namespace potacc::kernels::detail

#else  // no SDOT in this build: never selected (KernelIsa never returns kNeonDot here)

namespace potacc::kernels::detail {
void GemmBlockNeonDot(const GemmBlock& g) {
  Check(false, "int8 GEMM: the SDOT kernel is not part of this build");
  (void)g;
}
}  // namespace potacc::kernels::detail

#endif
