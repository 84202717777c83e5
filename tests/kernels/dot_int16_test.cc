#include "potacc/kernels/dot_int16.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "conv_test_model.h"

namespace potacc::kernels {
namespace {

using testing::Isas;

TEST(DotsInt16Test, HandComputed) {
  // a = [[1, 2, 3], [-4, 5, -6]], w = [[1, 0, -1], [2, 2, 2]]:
  // row 0: 1 - 3 = -2, 2 + 4 + 6 = 12; row 1: -4 + 6 = 2, -8 + 10 - 12 = -10.
  const std::vector<int16_t> a = {1, 2, 3, -4, 5, -6}, w = {1, 0, -1, 2, 2, 2};
  for (Isa isa : Isas()) {
    std::vector<int32_t> out(4, 99);
    DotsInt16(a.data(), 2, 3, w.data(), 2, 3, 3, out.data(), 2, isa);
    EXPECT_EQ(out, (std::vector<int32_t>{-2, 12, 2, -10})) << IsaName(isa);
  }
}

// Every ISA against the reference loops: tile edges (1..9 rows and columns),
// depths around the vector widths, strides wider than the depth, and the
// extreme values the simulator's PEs produce (128 x 128 products).
TEST(DotsInt16Test, RandomShapesAndExtremesMatchReference) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> small(-300, 300), dim(1, 9), pad(0, 5);
  const int depths[] = {1, 7, 15, 16, 17, 31, 32, 33, 64, 100, 257};
  for (int trial = 0; trial < 200; ++trial) {
    const int rows = dim(rng), cols = dim(rng), k = depths[trial % 11];
    const int64_t lda = k + pad(rng), ldw = k + pad(rng), ldo = cols + pad(rng);
    std::vector<int16_t> a(static_cast<size_t>(rows * lda)), w(static_cast<size_t>(cols * ldw));
    for (auto& x : a) x = static_cast<int16_t>(trial % 4 == 0 ? 128 : small(rng));
    for (auto& x : w) x = static_cast<int16_t>(trial % 4 == 0 ? -128 : small(rng));
    std::vector<int32_t> expect(static_cast<size_t>(rows * ldo), 7), got;
    DotsInt16Reference(a.data(), rows, lda, w.data(), cols, ldw, k, expect.data(), ldo);
    for (Isa isa : Isas()) {
      got.assign(expect.size(), 7);  // the gaps past cols stay untouched
      DotsInt16(a.data(), rows, lda, w.data(), cols, ldw, k, got.data(), ldo, isa);
      ASSERT_EQ(got, expect) << IsaName(isa) << " trial " << trial << " " << rows << "x" << cols << "x" << k;
    }
  }
}

}  // namespace
}  // namespace potacc::kernels
