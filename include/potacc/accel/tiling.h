// Tiling of one GEMM by the buffer capacities (§5.4 "TileGEMM"): padded sizes,
// column/row tile sizes, and the ordered list of tiles with the decision to
// load weights or keep them resident (NOP). Shapes the hardware cannot run
// are refused with a reason (the layer then stays on the CPU).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/accel/config.h"

namespace potacc::accel {

inline int64_t RoundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

struct Tile {
  int64_t row0 = 0, rows = 0;  // rows of A (rows: multiple of 2, last tile may end past M)
  int64_t col0 = 0, cols = 0;  // columns of W (multiple of 4)
  bool load_inputs = false;    // first tile of a row tile: LOAD_INP precedes it
  bool load_weights = true;    // LOAD_WGT (false: NOP, weights resident)
};

struct TilePlan {
  int64_t m = 0, n = 0, k = 0;
  int64_t rk = 0, rn = 0, rm = 0;
  int64_t col_inc = 0, row_inc = 0;  // initial sizes (col_inc may shrink, see tiles)
  std::vector<Tile> tiles;
  std::string refused;  // non-empty: why the hardware cannot run this GEMM

  bool ok() const { return refused.empty(); }
  int64_t row_tiles() const;
  int64_t col_tiles() const;  // column tiles of the first row tile
  int64_t weight_loads() const;
};

// Plans C[M x N] = A[M x K] W[N x K]^T for `config`. Never throws for shapes;
// sets `refused` instead.
TilePlan PlanTiles(const AcceleratorConfig& config, int64_t m, int64_t n, int64_t k);

}  // namespace potacc::accel
