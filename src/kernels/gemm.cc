#include "potacc/kernels/gemm.h"

#include <algorithm>
#include <optional>
#include <string>

#include "kernels/gemm_internal.h"
#include "potacc/error.h"
#include "potacc/util/thread_pool.h"

namespace potacc::kernels {
namespace {

// The variant of the GEMM's block kernels (and of its packing) for `isa`.
Isa GemmIsa(Isa isa) {
  return KernelIsa(isa, {Isa::kAvx512Vnni, Isa::kAvxVnni, Isa::kAvx2, Isa::kNeonDot, Isa::kNeon});
}
// The variants with 4-byte dot products, which stream int8 quads.
bool RunsInt8Quads(Isa isa) {
  const Isa k = GemmIsa(isa);
  return k == Isa::kAvxVnni || k == Isa::kAvx512Vnni || k == Isa::kNeonDot;
}

}  // namespace

namespace detail {

bool VectorRequantOk(const Int8Params& q, int channels) {
  if (q.rounding != fixed_point::Rounding::kDouble) return false;
  for (int c = 0; c < channels; ++c) {
    if (q.multiplier[c] < 0 || q.shift[c] < -31 || q.shift[c] > 30) return false;
  }
  return true;
}

RequantTables::RequantTables(const Int8Params& q, int channels, int padded)
    : vector_ok(VectorRequantOk(q, channels)),
      multiplier(padded, 0),
      left_shift(padded, 0),
      right_shift(padded, 0),
      lanes16(static_cast<size_t>((padded + 15) / 16)),
      source_multiplier(q.multiplier, q.multiplier + channels),
      source_shift(q.shift, q.shift + channels),
      rounding(q.rounding) {
  for (int c = 0; c < channels; ++c) {
    multiplier[c] = q.multiplier[c];
    left_shift[c] = std::max(q.shift[c], 0);
    right_shift[c] = std::max(-q.shift[c], 0);
    any_left_shift = any_left_shift || left_shift[c] > 0;
  }
  if (!vector_ok) return;  // the kernels fall back to RequantizeOne
  for (int c = 0; c < padded; ++c) {
    SetLane(lanes16[c / 16], c % 16, multiplier[c], c < channels ? q.shift[c] : 0);
  }
}

void RequantTables::SetLane(Lanes16& l, int lane, int32_t multiplier, int shift) {
  const int half = lane % 2, pair = lane / 2;
  const int r = std::max(-shift, 0);
  l.multiplier[lane] = multiplier;
  if (half == 1) l.odd_multiplier[lane - 1] = multiplier;
  l.left_shift[lane] = std::max(shift, 0);
  l.round[half][pair] = (int64_t{1} << 30) + (r > 0 ? int64_t{1} << (30 + r) : 0);
  l.fix[half][pair] = r > 0 ? int64_t{1} << 31 : 0;
  l.shift[half][pair] = 31 + r;
}

bool RequantTables::Matches(const Int8Params& q, int channels) const {
  return q.rounding == rounding && static_cast<int>(source_multiplier.size()) == channels &&
         std::equal(source_multiplier.begin(), source_multiplier.end(), q.multiplier) &&
         std::equal(source_shift.begin(), source_shift.end(), q.shift);
}

void RowBlock::Widen(const int8_t* src, int n, int16_t* dst) const { detail::Widen(src, n, dst, isa_); }

void RowBlock::Finish(int rows, int64_t k) const {
  if (format_ == RowFormat::kInt16) {
    for (int r = 0; r < rows; ++r) {
      int16_t* row = static_cast<int16_t*>(data_) + r * stride_;
      std::fill(row + k, row + stride_, int16_t{0});
    }
    return;
  }
  auto* bytes = static_cast<uint8_t*>(data_);
  for (int r = 0; r < rows; ++r) {
    for (int64_t c = k; c < stride_; ++c) bytes[r * stride_ + c] = 0;
  }
  if (format_ == RowFormat::kInt8) return;
  const int64_t n = rows * stride_;
  for (int64_t i = 0; i < n; ++i) bytes[i] ^= 0x80u;  // x + 128 (the padding's weights are 0)
}

void Widen(const int8_t* src, int n, int16_t* dst, Isa isa) {
  switch (KernelIsa(isa, {Isa::kAvx2, Isa::kNeon})) {
    case Isa::kAvx2: WidenAvx2(src, n, dst); break;
    case Isa::kNeon: WidenNeon(src, n, dst); break;
    default:
      for (int i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// Accumulates in uint32 (exact modulo 2^32, like the int32 reference, but
// without signed-overflow UB when the folded terms wrap on the way).
void GemmBlockPortable(const GemmBlock& g) {
  const PackedWeightsInt8& w = *g.w;
  const int kp = w.k_pairs();
  constexpr int P = PackedWeightsInt8::kPanel;
  const auto* a16 = static_cast<const int16_t*>(g.a);
  for (int p = g.panel_begin; p < g.panel_end; ++p) {
    const int c0 = p * P;
    const int valid = std::min(P, w.n() - c0);
    const int16_t* b = w.panel(p);
    for (int r = 0; r < g.rows; ++r) {
      const int16_t* a = a16 + r * g.lda;
      uint32_t acc[P];
      for (int j = 0; j < P; ++j) acc[j] = static_cast<uint32_t>(w.fused_bias()[c0 + j]);
      for (int k = 0; k < kp; ++k) {
        const int32_t x0 = a[2 * k], x1 = a[2 * k + 1];
        const int16_t* bk = b + k * 2 * P;
        for (int j = 0; j < P; ++j) {
          acc[j] += static_cast<uint32_t>(x0 * bk[2 * j] + x1 * bk[2 * j + 1]);
        }
      }
      int8_t* out = g.out + r * g.ldo + c0;
      for (int j = 0; j < valid; ++j) out[j] = RequantizeOne(*g.q, static_cast<int32_t>(acc[j]), c0 + j);
    }
  }
}

namespace {

// A block kernel and the activation format it reads.
struct BlockKernel {
  void (*run)(const GemmBlock&) = nullptr;
  RowFormat format = RowFormat::kInt16;
};

// The block kernel for an ISA and a packing (an ISA whose own kernel needs
// another packing runs the best one it can for this packing).
BlockKernel ChooseBlockKernel(Isa isa, PackedWeightsInt8::Layout layout) {
  const Isa k = GemmIsa(isa);
  if (layout == PackedWeightsInt8::Layout::kInt8Quads) {
    Check(RunsInt8Quads(k), std::string("int8 GEMM: weights packed as int8 quads cannot run on ") + IsaName(isa));
    switch (k) {
      case Isa::kAvx512Vnni: return {GemmBlockAvx512Vnni, RowFormat::kUint8};
      case Isa::kNeonDot: return {GemmBlockNeonDot, RowFormat::kInt8};
      default: return {GemmBlockAvxVnni, RowFormat::kUint8};
    }
  }
  switch (k) {
    case Isa::kAvx512Vnni:
    case Isa::kAvxVnni:  // int16 pairs (filter_offset != 0): the madd kernel
    case Isa::kAvx2: return {GemmBlockAvx2};
    case Isa::kNeonDot:
    case Isa::kNeon: return {GemmBlockNeon};
    default: return {GemmBlockPortable};
  }
}

// Scratch rows of one thread, reused across layers.
std::vector<uint8_t>& Scratch(size_t bytes) {
  thread_local std::vector<uint8_t> scratch;
  if (scratch.size() < bytes) scratch.resize(bytes);
  return scratch;
}

// How a GEMM is cut into tasks: row blocks that keep ~32 KiB of activations
// in cache while the weight panels stream over them, and, when there are
// fewer row blocks than threads can share, ranges of panels too.
struct Split {
  int64_t block_rows = 0;
  int64_t row_blocks = 0;
  int col_chunks = 1;
};

Split SplitGemm(int64_t rows, int64_t row_bytes, int panels, int threads) {
  Split s;
  s.block_rows = std::clamp<int64_t>(32768 / row_bytes, 16, 512);
  if (threads > 1) {  // at least ~4 tasks per thread, for balance
    const int64_t per_task = (rows + 4 * threads - 1) / (4 * threads);
    s.block_rows = std::clamp<int64_t>((per_task + 3) / 4 * 4, 4, s.block_rows);
  }
  s.block_rows = std::min(s.block_rows, rows);
  s.row_blocks = (rows + s.block_rows - 1) / s.block_rows;
  if (threads > 1 && s.row_blocks < 2 * threads) {
    s.col_chunks = static_cast<int>(std::min<int64_t>(panels, (2 * threads + s.row_blocks - 1) / s.row_blocks));
  }
  return s;
}

}  // namespace

void RunGemm(const Int8Params& q, const PackedWeightsInt8& w, int64_t rows, const FillRows& fill,
             int8_t* out, int64_t ldo, Isa isa, ThreadPool* pool) {
  Check(q.input_offset == w.input_offset() && q.filter_offset == w.filter_offset(),
        "int8 GEMM: weights were packed for other zero points");
  if (rows <= 0) return;
  const BlockKernel kernel = ChooseBlockKernel(isa, w.layout());
  const bool quads = w.layout() == PackedWeightsInt8::Layout::kInt8Quads;
  const int panels = w.num_panels();
  std::optional<RequantTables> local;
  const RequantTables* rq = w.requant_for(q);
  if (!rq) rq = &local.emplace(q, w.n(), panels * PackedWeightsInt8::kPanel);

  const int64_t lda = quads ? 4 * int64_t{w.k_quads()} : 2 * int64_t{w.k_pairs()};
  const int64_t row_bytes = quads ? lda : 2 * lda;
  const Split split = SplitGemm(rows, row_bytes, panels, pool ? pool->size() : 1);
  auto task = [&](int64_t t) {
    const int64_t m0 = (t / split.col_chunks) * split.block_rows;
    const int chunk = static_cast<int>(t % split.col_chunks);
    const int count = static_cast<int>(std::min(split.block_rows, rows - m0));
    std::vector<uint8_t>& a = Scratch(static_cast<size_t>(count * row_bytes));
    const RowBlock dst(kernel.format, a.data(), lda, isa);
    fill(m0, count, dst);
    dst.Finish(count, w.k());
    GemmBlock g;
    g.a = a.data();
    g.lda = lda;
    g.rows = count;
    g.w = &w;
    g.q = &q;
    g.rq = rq;
    g.panel_begin = static_cast<int>(int64_t{panels} * chunk / split.col_chunks);
    g.panel_end = static_cast<int>(int64_t{panels} * (chunk + 1) / split.col_chunks);
    g.out = out + m0 * ldo;
    g.ldo = ldo;
    kernel.run(g);
  };
  const int64_t tasks = split.row_blocks * split.col_chunks;
  if (pool) {
    pool->ParallelFor(tasks, task);
  } else {
    for (int64_t t = 0; t < tasks; ++t) task(t);
  }
}

}  // namespace detail

RowRequantizer::RowRequantizer(const Int8Params& q, int channels, Isa isa)
    : channels_(channels),
      isa_(isa),
      multiplier_(q.multiplier, q.multiplier + channels),
      shift_(q.shift, q.shift + channels),
      q_(q) {
  q_.multiplier = multiplier_.data();
  q_.shift = shift_.data();
  tables_ = std::make_unique<detail::RequantTables>(q_, channels, (channels + 15) / 16 * 16);
}

RowRequantizer::~RowRequantizer() = default;
RowRequantizer::RowRequantizer(RowRequantizer&&) noexcept = default;
RowRequantizer& RowRequantizer::operator=(RowRequantizer&&) noexcept = default;

void RowRequantizer::Row(const int32_t* acc, int8_t* out) const {
  const Isa k = tables_->vector_ok ? KernelIsa(isa_, {Isa::kAvx512Vnni, Isa::kAvx2, Isa::kNeon}) : Isa::kPortable;
  switch (k) {
    case Isa::kAvx512Vnni: detail::RequantizeRowAvx512(q_, *tables_, acc, channels_, out); break;
    case Isa::kAvx2: detail::RequantizeRowAvx2(q_, acc, channels_, out); break;
    case Isa::kNeon: detail::RequantizeRowNeon(q_, acc, channels_, out); break;
    default:
      for (int c = 0; c < channels_; ++c) out[c] = RequantizeOne(q_, acc[c], c);
  }
}

void RequantizeRow(const Int8Params& q, const int32_t* acc, int count, int8_t* out, Isa isa) {
  RowRequantizer(q, count, isa).Row(acc, out);
}

PackedWeightsInt8::Layout PackedWeightsInt8::LayoutFor(Isa isa, int32_t filter_offset) {
  return RunsInt8Quads(isa) && filter_offset == 0 ? Layout::kInt8Quads : Layout::kInt16Pairs;
}

PackedWeightsInt8::PackedWeightsInt8(const int8_t* weights, int n, int k, const int32_t* bias,
                                     int32_t input_offset, int32_t filter_offset, Isa isa)
    : layout_(LayoutFor(isa, filter_offset)),
      n_(n),
      k_(k),
      input_offset_(input_offset),
      filter_offset_(filter_offset) {
  Check(n > 0 && k > 0, "int8 GEMM weights must be non-empty (n=" + std::to_string(n) +
                            ", k=" + std::to_string(k) + ")");
  Check(filter_offset >= -127 && filter_offset <= 128 && input_offset >= -127 &&
            input_offset <= 128,
        "int8 GEMM zero points must lie in [-128, 127]");
  const int panels = num_panels();
  fused_bias_.assign(static_cast<size_t>(panels) * kPanel, 0);
  const bool quads = layout_ == Layout::kInt8Quads;
  if (quads) {
    quads_.assign(static_cast<size_t>(panels) * k_quads() * 4 * kPanel, 0);
    unsigned_bias_.assign(fused_bias_.size(), 0);
  } else {
    panels_.assign(static_cast<size_t>(panels) * k_pairs() * 2 * kPanel, 0);
  }
  for (int c = 0; c < n; ++c) {
    const int8_t* row = weights + static_cast<int64_t>(c) * k;
    const size_t panel = static_cast<size_t>(c / kPanel), lane = static_cast<size_t>(c % kPanel);
    uint32_t sum = 0;  // Σ (w + filter_offset), wraps like int32
    for (int i = 0; i < k; ++i) {
      const int32_t v = row[i] + filter_offset;
      if (quads) {
        quads_[(panel * k_quads() + i / 4) * 4 * kPanel + lane * 4 + i % 4] = static_cast<int8_t>(v);
      } else {
        panels_[(panel * k_pairs() + i / 2) * 2 * kPanel + lane * 2 + i % 2] = static_cast<int16_t>(v);
      }
      sum += static_cast<uint32_t>(v);
    }
    const uint32_t b = bias ? static_cast<uint32_t>(bias[c]) : 0u;
    fused_bias_[c] = static_cast<int32_t>(b + static_cast<uint32_t>(input_offset) * sum);
    if (quads) unsigned_bias_[c] = static_cast<int32_t>(static_cast<uint32_t>(fused_bias_[c]) - 128u * sum);
  }
}

PackedWeightsInt8::PackedWeightsInt8(const int8_t* weights, int n, int k, const int32_t* bias,
                                     const Int8Params& q, Isa isa)
    : PackedWeightsInt8(weights, n, k, bias, q.input_offset, q.filter_offset, isa) {
  requant_ = std::make_shared<const detail::RequantTables>(q, n, num_panels() * kPanel);
}

const detail::RequantTables* PackedWeightsInt8::requant_for(const Int8Params& q) const {
  return requant_ && requant_->Matches(q, n_) ? requant_.get() : nullptr;
}

void GemmInt8(const Int8Params& q, const PackedWeightsInt8& w, const int8_t* a, int64_t rows,
              int64_t lda, int8_t* out, int64_t ldo, Isa isa, ThreadPool* pool) {
  const int k = w.k();
  detail::RunGemm(
      q, w, rows,
      [&](int64_t first, int count, const detail::RowBlock& dst) {
        for (int r = 0; r < count; ++r) dst.Copy(r, 0, a + (first + r) * lda, k);
      },
      out, ldo, isa, pool);
}

void GemmInt8Reference(const Int8Params& q, const int8_t* weights, int n, int k, const int32_t* bias,
                       const int8_t* a, int64_t rows, int64_t lda, int8_t* out, int64_t ldo) {
  for (int64_t m = 0; m < rows; ++m) {
    for (int c = 0; c < n; ++c) {
      int32_t acc = bias ? bias[c] : 0;
      for (int i = 0; i < k; ++i) {
        acc += (a[m * lda + i] + q.input_offset) * (weights[int64_t{c} * k + i] + q.filter_offset);
      }
      out[m * ldo + c] = RequantizeOne(q, acc, c);
    }
  }
}

}  // namespace potacc::kernels
