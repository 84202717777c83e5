// AVX-512 VNNI int8 GEMM: vpdpbusd on zmm (16 channels x 4 depth per
// instruction), unsigned activations x + 128 against the int8 quads of
// PackedWeightsInt8, tiles of up to 12 rows x 64 channels, fused exact
// requantization (Requantize16) and masked int8 stores.
#include <algorithm>
#include <cstring>
#include <utility>

#include "kernels/gemm_avx512.h"
#include "kernels/gemm_internal.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {
namespace avx512 {

#define POTACC_VNNI_TARGET POTACC_AVX512_VNNI

struct Vnni {
  using V = __m512i;
  static constexpr int kLanes = 16;
  static constexpr int kMaxGroup = 4;
  // Up to 24 accumulators + the weights + one broadcast of the 32 registers.
  static constexpr int MaxRows(int vectors) { return vectors <= 2 ? 12 : vectors == 3 ? 8 : 6; }

  POTACC_VNNI_TARGET static V Load(const void* p) { return _mm512_loadu_si512(p); }
  POTACC_VNNI_TARGET static V Broadcast4(const uint8_t* p) {
    int32_t v;
    std::memcpy(&v, p, sizeof v);
    return _mm512_set1_epi32(v);
  }
  POTACC_VNNI_TARGET static V Dot(V acc, V x, V w) { return _mm512_dpbusd_epi32(acc, x, w); }

  using Out = OutputLanes16;
  POTACC_VNNI_TARGET static Out OutputConstants(const GemmBlock& g) { return MakeOutputLanes16(*g.q, *g.rq); }
  POTACC_VNNI_TARGET static void Store(const Out& o, V acc, int8_t* out, int c, int valid) {
    StoreRequantized16(o, acc, out, c, valid);
  }
};

#include "kernels/gemm_vnni.inc"

#undef POTACC_VNNI_TARGET

}  // namespace avx512

void GemmBlockAvx512Vnni(const GemmBlock& g) { avx512::RunBlock(g); }

POTACC_AVX512_VNNI void RequantizeRowAvx512(const Int8Params& q, const RequantTables& t,
                                            const int32_t* acc, int count, int8_t* out) {
  const OutputLanes16 o = MakeOutputLanes16(q, t);
  for (int c = 0; c < count; c += 16) {
    const int valid = std::min(16, count - c);
    const auto keep = static_cast<__mmask16>(valid == 16 ? 0xFFFFu : (1u << valid) - 1);
    StoreRequantized16(o, _mm512_maskz_loadu_epi32(keep, acc + c), out + c, c, valid);
  }
}

}  // namespace potacc::kernels::detail

#else  // not x86: never selected

namespace potacc::kernels::detail {
void GemmBlockAvx512Vnni(const GemmBlock& g) { GemmBlockPortable(g); }
void RequantizeRowAvx512(const Int8Params& q, const RequantTables&, const int32_t* acc, int count,
                         int8_t* out) {
  for (int c = 0; c < count; ++c) out[c] = RequantizeOne(q, acc[c], c);
}
}  // namespace potacc::kernels::detail

#endif
