// Tiling of one GEMM by the buffer capacities (§5.4 "TileGEMM"): padded sizes,
// column/row tile sizes, and the ordered list of tiles with the decision to
// load weights or keep them resident (NOP). Shapes the hardware cannot run
// are refused with a reason (the layer then stays on the CPU).
//
// Depth splitting (potacc-x, mode depth_split): a depth beyond one
// unit's buffers is cut into equal K-chunks; every (row tile, column tile)
// becomes one tile per chunk, the first writing the unit's partial-sum buffer,
// the last reading it and emitting the outputs (PsumMode). The partial-sum
// buffer holds one (row tile x column tile) of 4x4 sums per unit, which bounds
// both tile sizes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/accel/command.h"
#include "potacc/accel/config.h"

namespace potacc::accel {

inline int64_t RoundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

struct Tile {
  int64_t row0 = 0, rows = 0;  // rows of A (rows: multiple of 2, last tile may end past M)
  int64_t col0 = 0, cols = 0;  // columns of W (multiple of 4)
  int64_t valid_rows = 0;      // rows [row0, row0 + valid_rows) are outputs of this tile
  bool load_inputs = false;    // first tile of a row tile: LOAD_INP precedes it
  bool load_weights = true;    // LOAD_WGT (false: NOP, weights resident)
  int64_t chunk = 0;           // K-chunk (depth splitting)
  PsumMode psum = PsumMode::kNone;
  // Depthwise tiles: output rows [out_row0, out_row0 + out_rows) of image `image`.
  int64_t image = 0, out_row0 = 0, out_rows = 0;
};

struct TilePlan {
  int64_t m = 0, n = 0, k = 0;
  int64_t rk = 0, rn = 0, rm = 0;
  int64_t chunks = 1, chunk_rk = 0;  // K-chunks (depth splitting); chunk_rk = rk when not split
  int64_t col_inc = 0, row_inc = 0;  // initial sizes (col_inc may shrink, see tiles)
  bool depthwise = false;            // depthwise tiles (depthwise.h): rows = output pixels, cols = channels
  DepthwiseGeometry dw;              // depthwise only
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

// The depth one K-chunk may have on `config` (the smallest of the weight
// buffer, the local input buffer and the global input buffer limits).
int64_t MaxChunkDepth(const AcceleratorConfig& config);

}  // namespace potacc::accel
