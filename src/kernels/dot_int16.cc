#include "potacc/kernels/dot_int16.h"

#include "kernels/dot_int16_internal.h"

namespace potacc::kernels {

void DotsInt16Reference(const int16_t* a, int rows, int64_t lda, const int16_t* w, int cols, int64_t ldw,
                        int k, int32_t* out, int64_t ldo) {
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      uint32_t sum = 0;  // wraps like int32, without signed-overflow UB
      for (int i = 0; i < k; ++i) sum += static_cast<uint32_t>(a[r * lda + i] * w[c * ldw + i]);
      out[r * ldo + c] = static_cast<int32_t>(sum);
    }
  }
}

void DotsInt16(const int16_t* a, int rows, int64_t lda, const int16_t* w, int cols, int64_t ldw, int k,
               int32_t* out, int64_t ldo, Isa isa) {
  // Tiles of 4 x 4 dot products share their loads; the edges are narrower tiles.
  for (int r = 0; r < rows; r += 4) {
    for (int c = 0; c < cols; c += 4) {
      const detail::DotTile t{a + r * lda, std::min(4, rows - r), lda, w + c * ldw, std::min(4, cols - c),
                              ldw, k, out + r * ldo + c, ldo};
      switch (KernelIsa(isa, {Isa::kAvx512Vnni, Isa::kAvx2})) {
        case Isa::kAvx512Vnni: detail::DotTileAvx512(t); break;
        case Isa::kAvx2: detail::DotTileAvx2(t); break;
        default: DotsInt16Reference(t.a, t.rows, t.lda, t.w, t.cols, t.ldw, t.k, t.out, t.ldo);
      }
    }
  }
}

}  // namespace potacc::kernels
