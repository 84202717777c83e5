#include "potacc/accel/tiling.h"

#include <algorithm>
#include <set>

namespace potacc::accel {

// The ICECS design's tiling (reference §6): every unit holds the whole weight
// tile, and its INT8 baseline caps the rows of a tile by a row-sum buffer.
POTACC_REGISTER_ACCEL_MODE({"weights_broadcast",
                            "every GEMM unit holds the whole weight tile (ICECS v2, reference §6): a tile is bounded "
                            "by one unit's weight buffer, not by all units'",
                            0, 0, 1});
POTACC_REGISTER_ACCEL_MODE({"max_tile_rows",
                            "rows per tile capped by a row-sum buffer (ISUMS_BUF_LEN of SECDA's VM int8 design, the "
                            "ICECS baseline); 0 = no such buffer",
                            0, 0, int64_t{1} << 20});

int64_t TilePlan::row_tiles() const {
  std::set<int64_t> rows;
  for (const Tile& t : tiles) rows.insert(t.row0);
  return static_cast<int64_t>(rows.size());
}

int64_t TilePlan::col_tiles() const {
  int64_t n = 0;
  for (const Tile& t : tiles)
    if (t.row0 == 0) ++n;
  return n;
}

int64_t TilePlan::weight_loads() const {
  return std::count_if(tiles.begin(), tiles.end(), [](const Tile& t) { return t.load_weights; });
}

TilePlan PlanTiles(const AcceleratorConfig& config, int64_t m, int64_t n, int64_t k) {
  TilePlan p;
  p.m = m;
  p.n = n;
  p.k = k;
  if (m <= 0 || n <= 0 || k <= 0) {
    p.refused = "empty GEMM (M=" + std::to_string(m) + ", N=" + std::to_string(n) + ", K=" + std::to_string(k) + ")";
    return p;
  }
  const int64_t V = config.units;
  const int64_t wbuf = config.buffers.weight_addresses;  // addresses per unit (per bank for INT8)
  p.rk = RoundUp(k, 16);
  p.rn = RoundUp(n, 4);
  p.rm = RoundUp(m, 2);
  const int64_t d = p.rk / 4;

  // The driver's own limit (weight buffer of one unit must hold one block).
  if (p.rk > config.max_depth()) {
    p.refused = "depth K=" + std::to_string(k) + " (padded " + std::to_string(p.rk) + ") exceeds the weight buffer limit " +
                std::to_string(config.max_depth()) + " of " + config.name;
    return p;
  }
  // The local input buffer holds one strip of d beats (§10.8: the released driver does not check).
  if (d > config.buffers.local_input_addresses && !config.compat.unchecked_local_input) {
    p.refused = "depth K=" + std::to_string(k) + " (padded " + std::to_string(p.rk) + ") exceeds the local input buffer (" +
                std::to_string(4 * config.buffers.local_input_addresses) + ") of " + config.name;
    return p;
  }
  const int64_t gib_rows = (16 * config.buffers.gib_addresses / p.rk) / 4 * 4;
  if (gib_rows < 4) {
    p.refused = "depth K=" + std::to_string(k) + " leaves no room for a 4-row strip in the global input buffer";
    return p;
  }

  // One address holds 16 weights (4 columns x 4 depth); a tile fills all
  // units' buffers (v12) or one unit's (ICECS: every unit holds the whole tile).
  const bool distributed = !config.weights_broadcast();
  const int64_t col_cap = (16 * config.tile_weight_addresses() / p.rk) / 4 * 4;
  int64_t col_inc = std::min({p.rn, col_cap, 4 * config.max_tile_blocks()});
  if (distributed) {
    // v12: the unit that gets the extra blocks of an uneven tile must hold them.
    const int64_t nb = col_inc / 4;
    if ((nb / V + nb % V) * 4 * p.rk > 16 * wbuf) col_inc -= 4 * (nb % V);
    // Released driver would loop forever here; keep one block per unit instead.
    if (col_inc <= 0) col_inc = 4 * std::min<int64_t>(nb, V);
  }
  p.col_inc = col_inc;
  p.row_inc = std::min(p.rm, gib_rows);
  if (const int64_t cap = config.Mode("max_tile_rows"); cap > 0) p.row_inc = std::min(p.row_inc, cap / 4 * 4);

  for (int64_t r = 0; r < p.rm; r += p.row_inc) {
    const int64_t rows = std::min(p.row_inc, p.rm - r);
    bool first_in_row = true;
    for (int64_t c = 0; c < p.rn; c += col_inc) {
      int64_t cols = std::min(col_inc, p.rn - c);
      if (distributed && cols < 4 * V) {
        // Small-tile guard of the released driver (§5.4).
        for (int64_t i = 0; i <= V - 3; ++i) {
          if (cols == 4 * (V - 1 - i) && p.rk > 16 * wbuf / cols) {
            int64_t shrunk = cols - 4;
            while (shrunk > 4 && shrunk * p.rk >= 16 * wbuf) shrunk -= 4;
            cols = std::max<int64_t>(4, shrunk);
            col_inc = cols;
            break;
          }
        }
      }
      Tile t;
      t.row0 = r;
      t.rows = rows;
      t.col0 = c;
      t.cols = cols;
      t.load_inputs = first_in_row;
      // tileOpt: a single column tile stays resident across row tiles (NOP).
      const Tile* prev = p.tiles.empty() ? nullptr : &p.tiles.back();
      t.load_weights = !(config.weights_resident_nop && prev && prev->col0 == c && prev->cols == cols);
      p.tiles.push_back(t);
      first_in_row = false;
      if (c + cols >= p.rn) break;
      c += cols - col_inc;  // the loop adds col_inc
    }
  }
  return p;
}

}  // namespace potacc::accel
