// AVX-VNNI depthwise kernel (depth multiplier 1): the 8-channel loop of
// depthwise_conv_2d_ymm.inc with the pair products accumulated by vpdpwssd.
#include <algorithm>
#include <cstring>

#include "kernels/depthwise_conv_2d_internal.h"
#include "kernels/gemm_avx2.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {
namespace avxvnni {

#define POTACC_DW_TARGET __attribute__((target("avx2,fma,avxvnni")))

POTACC_DW_TARGET inline __m256i PairDot(__m256i acc, __m256i x, __m256i w) {
  return _mm256_dpwssd_avx_epi32(acc, x, w);
}

#include "kernels/depthwise_conv_2d_ymm.inc"

#undef POTACC_DW_TARGET

}  // namespace avxvnni

void DepthwisePixelsAvxVnni(const DepthwisePixels& r) { avxvnni::PixelsYmm(r); }

}  // namespace potacc::kernels::detail

#else

namespace potacc::kernels::detail {
void DepthwisePixelsAvxVnni(const DepthwisePixels& r) { DepthwisePixelsPortable(r); }
}  // namespace potacc::kernels::detail

#endif
