#include "potacc/kernels/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "kernels/gemm_internal.h"
#include "potacc/error.h"

#if defined(__arm__) || defined(__aarch64__)
#include <sys/auxv.h>
#endif

namespace potacc::kernels {

namespace {

// ARM: the kernel's hardware capability bits (getauxval), which is what the
// CPU reports through /proc/cpuinfo "Features" too.
Isa DetectArmIsa() {
#if defined(__aarch64__)
  // Advanced SIMD is part of ARMv8-A; SDOT/UDOT (ARMv8.2 "asimddp") is
  // optional: the Cortex-A53 of the KV260 does not have it.
  constexpr unsigned long kHwcapAsimdDp = 1ul << 20;  // HWCAP_ASIMDDP
  return (getauxval(AT_HWCAP) & kHwcapAsimdDp) ? Isa::kNeonDot : Isa::kNeon;
#elif defined(__arm__) && (defined(__ARM_NEON) || defined(__ARM_NEON__))
  constexpr unsigned long kHwcapNeon = 1ul << 12;  // HWCAP_NEON (32-bit ARM)
  return (getauxval(AT_HWCAP) & kHwcapNeon) ? Isa::kNeon : Isa::kPortable;
#else
  return Isa::kPortable;
#endif
}

// What the CPU reports, ignoring POTACC_ISA.
Isa DetectedIsa() {
  static const Isa detected = [] {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
    return DetectArmIsa();
  }();
  return detected;
}

}  // namespace

Isa BestIsa() {
  static const Isa best = [] {
    const char* env = std::getenv(kIsaEnv);
    if (!env || !*env) return DetectedIsa();
    std::string names;
    for (Isa isa : SupportedIsas()) {
      if (env == std::string(IsaName(isa))) return isa;
      names += (names.empty() ? "" : ", ") + std::string(IsaName(isa));
    }
    throw Error(std::string(kIsaEnv) + "=" + env + " is not an instruction set this CPU runs (it runs: " + names + ")");
  }();
  return best;
}

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return "portable";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvxVnni: return "avx-vnni";
    case Isa::kAvx512Vnni: return "avx512-vnni";
    case Isa::kNeon: return "neon";
    case Isa::kNeonDot: return "neon-dotprod";
  }
  return "unknown";
}

std::vector<Isa> SupportedIsas() {
  std::vector<Isa> isas = {Isa::kPortable};
  const Isa best = DetectedIsa();
  if (best == Isa::kAvx2) isas.push_back(Isa::kAvx2);
  if (best == Isa::kNeon || best == Isa::kNeonDot) isas.push_back(Isa::kNeon);
  if (best == Isa::kNeonDot) isas.push_back(Isa::kNeonDot);
  return isas;
}

namespace detail {

bool VectorRequantOk(const Int8Params& q, int channels) {
  if (q.rounding != fixed_point::Rounding::kDouble) return false;
  for (int c = 0; c < channels; ++c) {
    if (q.multiplier[c] < 0 || q.shift[c] < -31 || q.shift[c] > 30) return false;
  }
  return true;
}

void Widen(const int8_t* src, int n, int16_t* dst, Isa isa) {
  if (isa == Isa::kAvx2) {
    WidenAvx2(src, n, dst);
  } else if (IsNeon(isa)) {
    WidenNeon(src, n, dst);
  } else {
    for (int i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// Accumulates in uint32 (exact modulo 2^32, like the int32 reference, but
// without signed-overflow UB when the folded terms wrap on the way).
void GemmBlockPortable(const GemmBlock& g) {
  const PackedWeightsInt8& w = *g.w;
  const int kp = w.k_pairs();
  constexpr int P = PackedWeightsInt8::kPanel;
  for (int p = 0; p < w.num_panels(); ++p) {
    const int c0 = p * P;
    const int valid = std::min(P, w.n() - c0);
    const int16_t* b = w.panel(p);
    for (int r = 0; r < g.rows; ++r) {
      const int16_t* a = g.a + r * g.lda;
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

void RunGemm(const Int8Params& q, const PackedWeightsInt8& w, int64_t rows, const FillRows& fill,
             int8_t* out, int64_t ldo, Isa isa) {
  Check(q.input_offset == w.input_offset() && q.filter_offset == w.filter_offset(),
        "int8 GEMM: weights were packed for other zero points");
  const int n = w.n();
  const bool vector = VectorRequantOk(q, n);
  const int padded = w.num_panels() * PackedWeightsInt8::kPanel;
  std::vector<int32_t> multiplier(padded, 0), left(padded, 0), right(padded, 0);
  for (int c = 0; c < n; ++c) {
    multiplier[c] = q.multiplier[c];
    left[c] = std::max(q.shift[c], 0);
    right[c] = std::max(-q.shift[c], 0);
  }
  const int64_t lda = 2 * int64_t{w.k_pairs()};
  // Row blocks of ~64 KiB of int16 activations (stay in L2 while every
  // weight panel streams over them), a multiple of the 4-row micro-kernel.
  const int64_t block = std::clamp<int64_t>((32768 / lda) / 4 * 4, 4, 512);
  std::vector<int16_t> a(static_cast<size_t>(std::min(block, rows) * lda));
  GemmBlock g;
  g.a = a.data();
  g.lda = lda;
  g.w = &w;
  g.q = &q;
  g.multiplier = multiplier.data();
  g.left_shift = left.data();
  g.right_shift = right.data();
  g.ldo = ldo;
  for (int64_t m0 = 0; m0 < rows; m0 += block) {
    const int count = static_cast<int>(std::min(block, rows - m0));
    fill(m0, count, a.data(), lda);
    g.rows = count;
    g.out = out + m0 * ldo;
    if (vector && isa == Isa::kAvx2) {
      GemmBlockAvx2(g);
    } else if (vector && IsNeon(isa)) {
      GemmBlockNeon(g);
    } else {
      GemmBlockPortable(g);
    }
  }
}

}  // namespace detail

void RequantizeRow(const Int8Params& q, const int32_t* acc, int count, int8_t* out, Isa isa) {
  if (isa == Isa::kAvx2 && detail::VectorRequantOk(q, count)) {
    detail::RequantizeRowAvx2(q, acc, count, out);
    return;
  }
  if (detail::IsNeon(isa) && detail::VectorRequantOk(q, count)) {
    detail::RequantizeRowNeon(q, acc, count, out);
    return;
  }
  for (int c = 0; c < count; ++c) out[c] = RequantizeOne(q, acc[c], c);
}

PackedWeightsInt8::PackedWeightsInt8(const int8_t* weights, int n, int k, const int32_t* bias,
                                     int32_t input_offset, int32_t filter_offset)
    : n_(n), k_(k), input_offset_(input_offset), filter_offset_(filter_offset) {
  Check(n > 0 && k > 0, "int8 GEMM weights must be non-empty (n=" + std::to_string(n) +
                            ", k=" + std::to_string(k) + ")");
  Check(filter_offset >= -127 && filter_offset <= 128 && input_offset >= -127 &&
            input_offset <= 128,
        "int8 GEMM zero points must lie in [-128, 127]");
  const int kp = k_pairs();
  const int panels = num_panels();
  panels_.assign(static_cast<size_t>(panels) * kp * 2 * kPanel, 0);
  fused_bias_.assign(static_cast<size_t>(panels) * kPanel, 0);
  for (int c = 0; c < n; ++c) {
    const int8_t* row = weights + static_cast<int64_t>(c) * k;
    int16_t* dst = panels_.data() + static_cast<size_t>(c / kPanel) * kp * 2 * kPanel + (c % kPanel) * 2;
    uint32_t sum = 0;  // Σ (w + filter_offset), wraps like int32
    for (int i = 0; i < k; ++i) {
      const int32_t v = row[i] + filter_offset;
      dst[(i / 2) * 2 * kPanel + (i % 2)] = static_cast<int16_t>(v);
      sum += static_cast<uint32_t>(v);
    }
    const uint32_t b = bias ? static_cast<uint32_t>(bias[c]) : 0u;
    fused_bias_[c] = static_cast<int32_t>(b + static_cast<uint32_t>(input_offset) * sum);
  }
}

void GemmInt8(const Int8Params& q, const PackedWeightsInt8& w, const int8_t* a, int64_t rows,
              int64_t lda, int8_t* out, int64_t ldo, Isa isa) {
  const int k = w.k();
  detail::RunGemm(
      q, w, rows,
      [&](int64_t first, int count, int16_t* dst, int64_t dst_stride) {
        for (int r = 0; r < count; ++r) {
          int16_t* d = dst + r * dst_stride;
          detail::Widen(a + (first + r) * lda, k, d, isa);
          std::fill(d + k, d + dst_stride, int16_t{0});
        }
      },
      out, ldo, isa);
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
