// AVX2 depthwise kernel (depth multiplier 1), 8 channels per vector, taps in
// pairs through _mm256_madd_epi16 (see depthwise_conv_2d_ymm.inc).
#include <algorithm>
#include <cstring>

#include "kernels/depthwise_conv_2d_internal.h"
#include "kernels/gemm_avx2.h"

#if defined(POTACC_HAVE_X86)

namespace potacc::kernels::detail {
namespace avx2 {

#define POTACC_DW_TARGET POTACC_AVX2

POTACC_DW_TARGET inline __m256i PairDot(__m256i acc, __m256i x, __m256i w) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(x, w));
}

#include "kernels/depthwise_conv_2d_ymm.inc"

#undef POTACC_DW_TARGET

}  // namespace avx2

void DepthwisePixelsAvx2(const DepthwisePixels& r) { avx2::PixelsYmm(r); }

}  // namespace potacc::kernels::detail

#else

namespace potacc::kernels::detail {
void DepthwisePixelsAvx2(const DepthwisePixels& r) { DepthwisePixelsPortable(r); }
}  // namespace potacc::kernels::detail

#endif
