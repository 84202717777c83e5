// Depthwise mode (potacc-x; not in the reference design): DEPTHWISE_CONV_2D
// on the accelerator.
//
// A depthwise layer is a per-channel dot product over each output pixel's
// kh x kw window. potacc-x runs it on the same GEMM units, PEs and PPU as a
// GEMM with M = output pixels, N = channels and K = taps (padded to 16, the
// padded taps read activation 0): a 4x4 tile is 4 output pixels x 4 channels,
// the PE's 4 depth lanes take 4 taps per cycle, weights are the channel's
// taps on the method's grid, the epilogue (B, Mq, S) and PPU are unchanged.
// What differs is where the activations come from: a column of the PE array
// must see its own channel (in a GEMM all columns share the row), so instead
// of broadcasting im2col strips the driver sends each 4-channel block the
// *slab* of input rows its output rows need (padded columns, the input zero
// point in the padding, 4 channels per 32-bit word). LOAD_INP routes the slab
// of block b to unit b mod V like LOAD_WGT routes weights, and a window
// generator in the unit forms the windows from it (no host im2col: the host
// copies each input byte once, plus the row halo).
//
// The window generator (hw/rtl/dw_window.v) reads 4 taps x 4 output pixels
// (16 slab words) per cycle: one copy of the slab per tap lane, each copy in
// 4 banks of 32-bit words, one per pixel row of the tile. Word a of a slab
// lives in bank (a >> s) mod 4, s = log2(stride_w) (SlabWordPosition), and the
// slab row pitch P (DepthwiseGeometry::slab_w) is chosen so that
// P * stride_h = out_w * stride_w (mod 4 * stride_w) (SlabPitch): then the
// words of 4 consecutive output pixels at one tap lie in 4 different banks,
// also when the pixels wrap into the next output row, and every read is
// conflict-free. Strides other than 1, 2, 4 across, and shapes with no such
// pitch, stay on the CPU.
//
// Tiles: channel tiles (outer, at most 4*V*wsums_entries channels) x whole
// output rows of one image (inner) sized so that every unit's slabs fit its
// local input buffer. The weights of a channel tile stay resident across its
// row tiles (NOP).
#pragma once

#include <cstdint>
#include <memory>

#include "potacc/accel/command.h"
#include "potacc/accel/config.h"
#include "potacc/accel/lowering.h"
#include "potacc/accel/tiling.h"
#include "potacc/kernels/conv_2d.h"
#include "potacc/model.h"

namespace potacc::accel {

// Lowers a DEPTHWISE_CONV_2D node (depth multiplier 1): m = output pixels,
// n = channels, k = kh*kw, weights transposed to [channel][tap]. Never
// throws for a node it cannot handle: sets `refused`.
GemmLowering LowerDepthwise(const Model& model, int node);

// The window geometry the units need (CONFIG_DW); slab_w = SlabPitch (0 when
// the window generator cannot read the layer conflict-free).
DepthwiseGeometry MakeDepthwiseGeometry(const kernels::ConvShape& s);

// The smallest slab row pitch >= `min_w` with pitch * stride_h = out_w *
// stride_w (mod 4 * stride_w); 0 when there is none or stride_w is not 1, 2, 4.
int32_t SlabPitch(const DepthwiseGeometry& g, int64_t min_w);

// Where slab word `a` of a block travels: {beat (= local-input address),
// stream (= bank)} for bank shift s: bank (a >> s) mod 4, address
// (a >> (s + 2)) << s | (a mod 2^s). For s = 0 this is word order.
struct SlabPosition {
  int64_t beat;
  int stream;
};
SlabPosition SlabWordPosition(int64_t a, int bank_shift);

// Input rows a tile of `out_rows` output rows reads.
int64_t SlabRows(const DepthwiseGeometry& g, int64_t out_rows);

// Plans the tiles of a depthwise layer (sets `refused` when not even one
// output row of one block fits a unit's local input buffer).
TilePlan PlanDepthwiseTiles(const AcceleratorConfig& config, const kernels::ConvShape& s);

// The shape of the LOAD_INP slabs of `blocks` 4-channel blocks covering
// `out_rows` output rows (no data).
InputTile SlabShape(const DepthwiseGeometry& g, int64_t out_rows, int64_t blocks = 1);

// The LOAD_INP slab of one tile from the NHWC input (null input: a shape-only
// tile for data-free timing).
std::shared_ptr<InputTile> SplitSlab(const kernels::ConvShape& s, const TilePlan& plan, const Tile& tile,
                                     const int8_t* input, int8_t zero_point);

// One output of a depthwise tile as the units compute it: the sum over the
// window of slab value x effective weight (tests and the simulator share it).
// `slab` = the block's slab words, pixel = index in the tile, channel 0..3.
int32_t DepthwiseDot(const DepthwiseGeometry& g, const uint32_t* slab, int64_t slab_rows, int64_t pixel,
                     int channel, const int16_t* weights);

}  // namespace potacc::accel
