// Private: the vector tiles of DotsInt16.
#pragma once

#include <algorithm>
#include <cstdint>

namespace potacc::kernels::detail {

// Up to 4 x 4 dot products of length k.
struct DotTile {
  const int16_t* a;
  int rows;
  int64_t lda;
  const int16_t* w;
  int cols;
  int64_t ldw;
  int k;
  int32_t* out;
  int64_t ldo;
};

void DotTileAvx2(const DotTile& t);
void DotTileAvx512(const DotTile& t);

}  // namespace potacc::kernels::detail
