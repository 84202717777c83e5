// AVX-VNNI int8 GEMM (the VEX-encoded vpdpbusd of CPUs with AVX-VNNI but
// not necessarily AVX-512): ymm vectors of 8 channels x 4 depth, tiles of up
// to 6 rows x 16 channels in the 16 registers, the AVX2 requantization.
#include <algorithm>
#include <cstring>
#include <utility>

#include "kernels/gemm_avx2.h"
#include "kernels/gemm_internal.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {
namespace avxvnni {

#define POTACC_VNNI_TARGET __attribute__((target("avx2,fma,avxvnni")))

struct Vnni {
  using V = __m256i;
  static constexpr int kLanes = 8;
  static constexpr int kMaxGroup = 2;
  // 12 accumulators + 2 weight vectors + 1 broadcast of the 16 registers.
  static constexpr int MaxRows(int) { return 6; }

  POTACC_VNNI_TARGET static V Load(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
  }
  POTACC_VNNI_TARGET static V Broadcast4(const uint8_t* p) {
    int32_t v;
    std::memcpy(&v, p, sizeof v);
    return _mm256_set1_epi32(v);
  }
  POTACC_VNNI_TARGET static V Dot(V acc, V x, V w) { return _mm256_dpbusd_avx_epi32(acc, x, w); }

  // Output constants and the tables, copied to locals (see OutputLanes16).
  struct Out {
    OutputLanes lanes;
    const int32_t *multiplier, *left_shift, *right_shift;
    const Int8Params* q;
    bool vector_ok;
  };
  POTACC_VNNI_TARGET static Out OutputConstants(const GemmBlock& g) {
    return {{_mm256_set1_epi32(g.q->output_zero_point), _mm256_set1_epi32(g.q->act_min),
             _mm256_set1_epi32(g.q->act_max)},
            g.rq->multiplier.data(),
            g.rq->left_shift.data(),
            g.rq->right_shift.data(),
            g.q,
            g.rq->vector_ok};
  }
  POTACC_VNNI_TARGET static void Store(const Out& o, V acc, int8_t* out, int c, int valid) {
    if (!o.vector_ok) {
      alignas(32) int32_t lanes[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
      for (int i = 0; i < valid; ++i) out[i] = RequantizeOne(*o.q, lanes[i], c + i);
      return;
    }
    const RequantLanes r = LoadRequantLanes(o.multiplier + c, o.left_shift + c, o.right_shift + c);
    const __m128i bytes = PackInt8x8(RequantizeClamp8(acc, r, o.lanes));
    if (valid >= 8) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out), bytes);
    } else {
      StoreChannels(out, bytes, valid);
    }
  }
};

#include "kernels/gemm_vnni.inc"

#undef POTACC_VNNI_TARGET

}  // namespace avxvnni

void GemmBlockAvxVnni(const GemmBlock& g) { avxvnni::RunBlock(g); }

}  // namespace potacc::kernels::detail

#else  // not x86: never selected

namespace potacc::kernels::detail {
void GemmBlockAvxVnni(const GemmBlock& g) { GemmBlockPortable(g); }
}  // namespace potacc::kernels::detail

#endif
