#include "potacc/accel/depthwise.h"

#include <algorithm>
#include <cstring>

#include "accel/lowering_common.h"
#include "potacc/util/text.h"

namespace potacc::accel {

GemmLowering LowerDepthwise(const Model& model, int node) {
  GemmLowering g;
  g.node = node;
  g.depthwise = true;
  const Operator& op = model.main().operators.at(node);
  g.builtin = op.builtin;
  auto refuse = [&](const std::string& why) {
    g.refused = why;
    return g;
  };
  if (op.op() != BuiltinOp::kDepthwiseConv2D) return refuse(BuiltinOpName(op.builtin) + " is not DEPTHWISE_CONV_2D");
  detail::NodeTensors t;
  if (std::string why = detail::CheckNode(model, op, &t); !why.empty()) return refuse(why);
  const Tensor &in = *t.in, &w = *t.weights, &out = *t.out;
  if (in.shape.size() != 4 || w.shape.size() != 4 || out.shape.size() != 4 || w.shape[0] != 1)
    return refuse("DEPTHWISE_CONV_2D needs 4-D input, [1, kh, kw, C] filter and output");
  if (w.shape[3] != in.shape[3])
    return refuse("depth multiplier " + std::to_string(w.shape[3] / std::max(1, in.shape[3])) +
                  " (the depthwise mode runs one output channel per input channel)");
  g.conv = kernels::MakeConvShape(in.shape, w.shape[1], w.shape[2], w.shape[3], op.options);
  const kernels::ConvShape& s = g.conv;
  if (s.stride_h < 1 || s.stride_w < 1 || s.dilation_h < 1 || s.dilation_w < 1) return refuse("invalid stride/dilation");
  const std::vector<int32_t> expected = {s.batch, s.out_h, s.out_w, s.out_c};
  if (out.shape != expected)
    return refuse("output shape " + FormatShape(out.shape) + " should be " + FormatShape(expected));
  if (w.quant.scale.size() > 1 && w.quant.quantized_dimension != 3)
    return refuse("per-channel scales along dimension " + std::to_string(w.quant.quantized_dimension) +
                  " (depthwise filters are quantized along dimension 3)");
  g.m = s.rows();
  g.n = s.out_c;
  g.k = int64_t{s.filter_h} * s.filter_w;
  if (static_cast<int64_t>(t.weight_data->size()) != g.n * g.k) return refuse("weight buffer size mismatch");
  // [1, kh, kw, C] -> [C][kh*kw]: each channel's taps become one weight column.
  auto owned = std::make_shared<std::vector<int8_t>>(static_cast<size_t>(g.n * g.k));
  const auto* src = reinterpret_cast<const int8_t*>(t.weight_data->data());
  for (int64_t tap = 0; tap < g.k; ++tap)
    for (int64_t c = 0; c < g.n; ++c) (*owned)[c * g.k + tap] = src[tap * g.n + c];
  g.owned_weights = owned;
  if (std::string why = detail::FillLayer(t, op, owned->data(), g); !why.empty()) return refuse(why);
  return g;
}

DepthwiseGeometry MakeDepthwiseGeometry(const kernels::ConvShape& s) {
  DepthwiseGeometry g;
  g.filter_h = s.filter_h;
  g.filter_w = s.filter_w;
  g.stride_h = s.stride_h;
  g.stride_w = s.stride_w;
  g.dilation_h = s.dilation_h;
  g.dilation_w = s.dilation_w;
  g.out_w = s.out_w;
  // Padded input columns -pad_left .. (out_w - 1) * stride + (kw - 1) * dilation - pad_left,
  // widened to a pitch the window generator reads conflict-free.
  g.slab_w = SlabPitch(g, int64_t{s.out_w - 1} * s.stride_w + int64_t{s.filter_w - 1} * s.dilation_w + 1);
  return g;
}

int32_t SlabPitch(const DepthwiseGeometry& g, int64_t min_w) {
  if (g.bank_shift() < 0 || min_w < 1 || min_w > INT32_MAX / 2) return 0;
  const int64_t period = 4 * int64_t{g.stride_w};
  const int64_t want = int64_t{g.out_w} * g.stride_w % period;
  // pitch * stride_h mod period repeats with period `period` in pitch: one period is enough.
  for (int64_t pitch = min_w; pitch < min_w + period; ++pitch)
    if (pitch * g.stride_h % period == want) return static_cast<int32_t>(pitch);
  return 0;
}

SlabPosition SlabWordPosition(int64_t a, int bank_shift) {
  const int64_t low = a & ((int64_t{1} << bank_shift) - 1);
  return {(a >> (bank_shift + 2)) << bank_shift | low, static_cast<int>((a >> bank_shift) & 3)};
}

int64_t SlabRows(const DepthwiseGeometry& g, int64_t out_rows) {
  return (out_rows - 1) * g.stride_h + int64_t{g.filter_h - 1} * g.dilation_h + 1;
}

namespace {

int64_t SlabBeats(const DepthwiseGeometry& g, int64_t out_rows) { return SlabShape(g, out_rows).slab_beats_per_block(); }

}  // namespace

InputTile SlabShape(const DepthwiseGeometry& g, int64_t out_rows, int64_t blocks) {
  InputTile t;
  t.slab_blocks = blocks;
  t.slab_rows = SlabRows(g, out_rows);
  t.slab_w = g.slab_w;
  t.slab_bank_shift = g.bank_shift();
  return t;
}

TilePlan PlanDepthwiseTiles(const AcceleratorConfig& config, const kernels::ConvShape& s) {
  TilePlan p;
  p.depthwise = true;
  p.m = s.rows();
  p.n = s.out_c;
  p.k = int64_t{s.filter_h} * s.filter_w;
  p.dw = MakeDepthwiseGeometry(s);
  if (p.m <= 0 || p.n <= 0 || p.k <= 0) {
    p.refused = "empty depthwise layer";
    return p;
  }
  p.rk = p.chunk_rk = RoundUp(p.k, 16);
  p.rn = RoundUp(p.n, 4);
  const int64_t V = config.units;
  const int64_t lia = config.buffers.local_input_addresses;
  if (p.dw.slab_w == 0) {
    p.refused = "the window generator reads strides 1, 2, 4 across with a slab pitch P * stride_h = out_w * stride_w "
                "(mod 4 * stride_w); stride " + std::to_string(s.stride_h) + "x" + std::to_string(s.stride_w) +
                " with " + std::to_string(s.out_w) + " output columns has none";
    return p;
  }
  if (p.rk > config.max_depth()) {
    p.refused = "depthwise window of " + std::to_string(p.k) + " taps exceeds the weight buffer of " + config.name;
    return p;
  }
  // Slots (blocks per unit): epilogue arrays, weight buffer, and one output row of slab each.
  int64_t slots = std::min(config.buffers.wsums_entries, config.buffers.weight_addresses / (p.rk / 4));
  slots = std::min(slots, lia / SlabBeats(p.dw, 1));
  if (slots < 1) {
    p.refused = "depthwise slab of one output row (" + std::to_string(SlabRows(p.dw, 1)) + " x " +
                std::to_string(p.dw.slab_w) + " pixels) exceeds the local input buffer (" + std::to_string(lia) +
                " beats) of " + config.name;
    return p;
  }
  const int64_t col_inc = std::min(p.rn, 4 * V * slots);
  const int64_t busiest = (col_inc / 4 + V - 1) / V;  // slots the busiest unit holds
  // Output rows per tile: the busiest unit's slabs fit its local input buffer.
  // First guess from the unpadded words, then down to what fits once each slab is
  // padded to whole bank-layout groups (4 << bank_shift words): a few steps at most.
  const int64_t max_slab_rows = 4 * (lia / busiest) / p.dw.slab_w;
  int64_t out_rows =
      std::clamp<int64_t>((max_slab_rows - int64_t{s.filter_h - 1} * s.dilation_h - 1) / s.stride_h + 1, 1, s.out_h);
  while (out_rows > 1 && busiest * SlabBeats(p.dw, out_rows) > lia) --out_rows;
  p.col_inc = col_inc;
  p.row_inc = out_rows * s.out_w;
  for (int64_t c = 0; c < p.rn; c += col_inc) {
    const int64_t cols = std::min(col_inc, p.rn - c);
    bool first = true;
    for (int64_t image = 0; image < s.batch; ++image) {
      for (int64_t oy = 0; oy < s.out_h; oy += out_rows) {
        Tile t;
        t.image = image;
        t.out_row0 = oy;
        t.out_rows = std::min(out_rows, s.out_h - oy);
        t.row0 = (image * s.out_h + oy) * s.out_w;
        t.valid_rows = t.out_rows * s.out_w;
        t.rows = RoundUp(t.valid_rows, 2);
        t.col0 = c;
        t.cols = cols;
        t.load_inputs = true;
        t.load_weights = first || !config.weights_resident_nop;
        first = false;
        p.tiles.push_back(t);
      }
    }
  }
  int64_t rows = 0;
  for (const Tile& t : p.tiles)
    if (t.col0 == 0) rows += t.rows;
  p.rm = rows;
  return p;
}

std::shared_ptr<InputTile> SplitSlab(const kernels::ConvShape& s, const TilePlan& plan, const Tile& tile,
                                     const int8_t* input, int8_t zero_point) {
  auto t = std::make_shared<InputTile>(SlabShape(plan.dw, tile.out_rows, tile.cols / 4));
  t->rows = tile.rows;
  t->rk = plan.rk;
  if (!input) return t;  // shape only
  const int64_t bpb = t->slab_beats_per_block();
  for (auto& q : t->data) q.assign(static_cast<size_t>(t->slab_blocks * bpb), 0);
  const int64_t iy0 = tile.out_row0 * s.stride_h - s.pad_top;
  const uint8_t zp = static_cast<uint8_t>(zero_point);
  for (int64_t j = 0; j < t->slab_blocks; ++j) {
    const int64_t c0 = tile.col0 + 4 * j;
    int64_t word = 0;
    for (int64_t r = 0; r < t->slab_rows; ++r) {
      const int64_t iy = iy0 + r;
      for (int64_t x = 0; x < t->slab_w; ++x, ++word) {
        const int64_t ix = x - s.pad_left;
        const bool inside = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w;
        uint32_t w = 0;
        for (int ch = 0; ch < 4; ++ch) {
          const int64_t c = c0 + ch;
          uint8_t byte = 0;  // channels beyond C: their outputs are discarded
          if (c < s.in_c)
            byte = inside ? static_cast<uint8_t>(input[((tile.image * s.in_h + iy) * s.in_w + ix) * s.in_c + c]) : zp;
          w |= uint32_t{byte} << (8 * ch);
        }
        const SlabPosition at = SlabWordPosition(word, t->slab_bank_shift);
        t->data[at.stream][static_cast<size_t>(j * bpb + at.beat)] = w;
      }
    }
  }
  return t;
}

int32_t DepthwiseDot(const DepthwiseGeometry& g, const uint32_t* slab, int64_t slab_rows, int64_t pixel, int channel,
                     const int16_t* weights) {
  const int64_t oy = pixel / g.out_w, ox = pixel % g.out_w;
  int32_t sum = 0;
  for (int ky = 0; ky < g.filter_h; ++ky) {
    const int64_t r = oy * g.stride_h + int64_t{ky} * g.dilation_h;
    if (r >= slab_rows) break;  // a padding pixel past the tile (output discarded)
    for (int kx = 0; kx < g.filter_w; ++kx) {
      const int64_t x = ox * g.stride_w + int64_t{kx} * g.dilation_w;
      const auto v = static_cast<int8_t>((slab[r * g.slab_w + x] >> (8 * channel)) & 0xff);
      sum += static_cast<int32_t>(v) * weights[ky * g.filter_w + kx];
    }
  }
  return sum;
}

}  // namespace potacc::accel
