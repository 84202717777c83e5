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
POTACC_REGISTER_ACCEL_MODE(ModeSpec{kModeDepthSplit,
                                    "layers deeper than a unit's buffers run in K-chunks with the partial sums "
                                    "kept on chip (buffers.psum_entries); potacc-x",
                                    0, 0, 1});

int64_t TilePlan::row_tiles() const {
  std::set<int64_t> rows;
  for (const Tile& t : tiles) rows.insert(t.row0);
  return static_cast<int64_t>(rows.size());
}

int64_t TilePlan::col_tiles() const {
  std::set<int64_t> cols;
  for (const Tile& t : tiles)
    if (t.row0 == tiles.front().row0) cols.insert(t.col0);
  return static_cast<int64_t>(cols.size());
}

int64_t TilePlan::weight_loads() const {
  return std::count_if(tiles.begin(), tiles.end(), [](const Tile& t) { return t.load_weights; });
}

int64_t MaxChunkDepth(const AcceleratorConfig& config) {
  int64_t cap = config.max_depth();
  if (!config.compat.unchecked_local_input) cap = std::min(cap, 4 * config.buffers.local_input_addresses);
  cap = std::min(cap, 4 * config.buffers.gib_addresses);  // one 4-row strip in the global input buffer
  return cap / 16 * 16;
}

namespace {

std::string DepthText(int64_t k, int64_t rk) {
  return "depth K=" + std::to_string(k) + " (padded " + std::to_string(rk) + ")";
}

// Sets p.rk / chunks / chunk_rk, or p.refused for a depth the design cannot run.
void PlanDepth(const AcceleratorConfig& config, TilePlan& p) {
  p.rk = RoundUp(p.k, 16);
  p.chunk_rk = p.rk;
  const int64_t cap = MaxChunkDepth(config);
  if (config.depth_split() && p.rk > cap) {
    if (cap < 16) {
      p.refused = DepthText(p.k, p.rk) + ": the buffers of " + config.name + " hold no 16-deep chunk";
      return;
    }
    p.chunks = (p.rk + cap - 1) / cap;
    p.chunk_rk = RoundUp((p.rk + p.chunks - 1) / p.chunks, 16);
    p.rk = p.chunks * p.chunk_rk;
    return;
  }
  // The driver's own limit (weight buffer of one unit must hold one block).
  if (p.rk > config.max_depth()) {
    p.refused = DepthText(p.k, p.rk) + " exceeds the weight buffer limit " + std::to_string(config.max_depth()) +
                " of " + config.name;
    return;
  }
  // The local input buffer holds one strip of d beats (§10.8: the released driver does not check).
  if (p.rk / 4 > config.buffers.local_input_addresses && !config.compat.unchecked_local_input) {
    p.refused = DepthText(p.k, p.rk) + " exceeds the local input buffer (" +
                std::to_string(4 * config.buffers.local_input_addresses) + ") of " + config.name;
    return;
  }
  if ((16 * config.buffers.gib_addresses / p.rk) / 4 * 4 < 4)
    p.refused = "depth K=" + std::to_string(p.k) + " leaves no room for a 4-row strip in the global input buffer";
}

// Expands each (row tile, column tile) of a split layer into one tile per chunk.
std::vector<Tile> ExpandChunks(const std::vector<Tile>& tiles, int64_t chunks) {
  std::vector<Tile> out;
  out.reserve(tiles.size() * static_cast<size_t>(chunks));
  for (const Tile& t : tiles) {
    for (int64_t c = 0; c < chunks; ++c) {
      Tile x = t;
      x.chunk = c;
      x.load_inputs = true;   // the global input buffer holds one chunk of the rows
      x.load_weights = true;  // every chunk has its own weights
      x.psum = c == 0 ? PsumMode::kFirst : c + 1 == chunks ? PsumMode::kLast : PsumMode::kMiddle;
      out.push_back(x);
    }
  }
  return out;
}

}  // namespace

TilePlan PlanTiles(const AcceleratorConfig& config, int64_t m, int64_t n, int64_t k) {
  TilePlan p;
  p.m = m;
  p.n = n;
  p.k = k;
  if (m <= 0 || n <= 0 || k <= 0) {
    p.refused = "empty GEMM (M=" + std::to_string(m) + ", N=" + std::to_string(n) + ", K=" + std::to_string(k) + ")";
    return p;
  }
  p.rn = RoundUp(n, 4);
  p.rm = RoundUp(m, 2);
  PlanDepth(config, p);
  if (!p.ok()) return p;
  const int64_t V = config.units;
  const int64_t wbuf = config.buffers.weight_addresses;  // addresses per unit (per bank for INT8)
  const int64_t rk = p.chunk_rk;                         // the depth one COMPUTE sees
  const int64_t gib_rows = (16 * config.buffers.gib_addresses / rk) / 4 * 4;

  // One address holds 16 weights (4 columns x 4 depth); a tile fills all
  // units' buffers (v12) or one unit's (ICECS: every unit holds the whole tile).
  const bool distributed = !config.weights_broadcast();
  const int64_t col_cap = (16 * config.tile_weight_addresses() / rk) / 4 * 4;
  int64_t col_inc = std::min({p.rn, col_cap, 4 * config.max_tile_blocks()});
  if (p.chunks > 1) col_inc = std::min(col_inc, 4 * V * config.buffers.psum_entries);
  if (distributed) {
    // v12: the unit that gets the extra blocks of an uneven tile must hold them.
    const int64_t nb = col_inc / 4;
    if ((nb / V + nb % V) * 4 * rk > 16 * wbuf) col_inc -= 4 * (nb % V);
    // Released driver would loop forever here; keep one block per unit instead.
    if (col_inc <= 0) col_inc = 4 * std::min<int64_t>(nb, V);
  }
  p.col_inc = col_inc;
  p.row_inc = std::min(p.rm, gib_rows);
  if (const int64_t cap = config.Mode("max_tile_rows"); cap > 0) p.row_inc = std::min(p.row_inc, cap / 4 * 4);
  if (p.chunks > 1) {
    // One row tile x column tile of sums must fit the partial-sum buffer.
    const int64_t slots = (col_inc / 4 + V - 1) / V;
    p.row_inc = std::min(p.row_inc, 4 * std::max<int64_t>(1, config.buffers.psum_entries / slots));
  }

  for (int64_t r = 0; r < p.rm; r += p.row_inc) {
    const int64_t rows = std::min(p.row_inc, p.rm - r);
    bool first_in_row = true;
    for (int64_t c = 0; c < p.rn; c += col_inc) {
      int64_t cols = std::min(col_inc, p.rn - c);
      if (distributed && cols < 4 * V) {
        // Small-tile guard of the released driver (§5.4).
        for (int64_t i = 0; i <= V - 3; ++i) {
          if (cols == 4 * (V - 1 - i) && rk > 16 * wbuf / cols) {
            int64_t shrunk = cols - 4;
            while (shrunk > 4 && shrunk * rk >= 16 * wbuf) shrunk -= 4;
            cols = std::max<int64_t>(4, shrunk);
            col_inc = cols;
            break;
          }
        }
      }
      Tile t;
      t.row0 = r;
      t.rows = rows;
      t.valid_rows = std::min(rows, m - r);
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
  if (p.chunks > 1) p.tiles = ExpandChunks(p.tiles, p.chunks);
  return p;
}

}  // namespace potacc::accel
