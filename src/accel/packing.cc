#include "potacc/accel/packing.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "potacc/error.h"
#include "potacc/accel/tiling.h"
#include "potacc/kernels/kernel_util.h"

namespace potacc::accel {

uint32_t PackCodesWord(const uint8_t* codes, int count, int code_bits) {
  uint32_t w = 0;
  const uint32_t mask = (1u << code_bits) - 1;
  for (int j = 0; j < count; ++j) w |= (codes[j] & mask) << (code_bits * j);
  return w;
}

EncodedWeights EncodeWeights(const AcceleratorConfig& config, const LayerWeights& layer) {
  const quant::Method& method = *config.method;
  EncodedWeights e;
  e.n = layer.n;
  e.k = layer.k;
  e.codes.resize(static_cast<size_t>(layer.n * layer.k));
  std::vector<float> scales = layer.filter_scales;
  std::vector<int32_t> bias(static_cast<size_t>(layer.n), 0);
  if (layer.bias) std::memcpy(bias.data(), layer.bias, sizeof(int32_t) * layer.n);
  std::vector<int64_t> value_sum(static_cast<size_t>(layer.n), 0);

  if (config.encoding == WeightEncoding::kReleased &&
      ReleasedEncoderFor(method.id) != ReleasedEncoder::kPlainIntegers) {
    ReleasedEncoding r = ReleasedEncode(method, layer);
    e.codes = std::move(r.codes);
    scales = std::move(r.filter_scales);
    bias = std::move(r.bias);
    e.released_case_b_channels = r.case_b_channels;
    for (int64_t c = 0; c < layer.n; ++c)
      for (int64_t i = 0; i < layer.k; ++i) value_sum[c] += r.believed_values[c * layer.k + i];
  } else {
    for (int64_t c = 0; c < layer.n; ++c) {
      for (int64_t i = 0; i < layer.k; ++i) {
        const int v = layer.weights[c * layer.k + i];
        if (!method.OnGrid(v)) {
          e.refused = "weight " + std::to_string(v) + " (output channel " + std::to_string(c) + ") is not on the " +
                      std::string(method.name) + " grid";
          if (method.id == quant::MethodId::kQKeras && std::abs(v) == 127)
            e.refused += " (2^7 stored as 127: the PE would multiply by 128; quantize with --top-level merge-bottom)";
          else
            e.refused += "; quantize the model for this method (potacc quantize)";
          e.refused += " or use weight_encoding \"released\"";
          return e;
        }
        e.codes[c * layer.k + i] = static_cast<uint8_t>(method.Encode(v));
        value_sum[c] += v;
      }
    }
  }
  const int32_t zp_off = -layer.input_zero_point;
  e.bias_sum.resize(static_cast<size_t>(layer.n));
  for (int64_t c = 0; c < layer.n; ++c) {
    // 32-bit wrap-around like the host's int arithmetic.
    const uint32_t b = static_cast<uint32_t>(bias[c]) +
                       static_cast<uint32_t>(zp_off) * static_cast<uint32_t>(static_cast<int32_t>(value_sum[c]));
    e.bias_sum[c] = static_cast<int32_t>(b);
  }
  const kernels::ChannelMultipliers m =
      kernels::PerChannelMultipliers(layer.input_scale, scales, layer.output_scale, static_cast<int>(layer.n));
  e.multiplier = m.multiplier;
  e.shift = m.shift;
  for (int64_t c = 0; c < layer.n; ++c) {
    const int s = 31 - e.shift[c];
    if (s < 0 || s > 63) {
      e.refused = "requantization shift " + std::to_string(e.shift[c]) + " (channel " + std::to_string(c) +
                  ") does not fit the PPU's 6-bit right shift";
      return e;
    }
  }
  return e;
}

std::shared_ptr<PackedWeights> PackedWeightsShape(const AcceleratorConfig& config, int64_t n, int64_t k,
                                                  int64_t rk, int64_t chunk_rk) {
  auto p = std::make_shared<PackedWeights>();
  p->n = n;
  p->k = k;
  p->rk = rk > 0 ? rk : RoundUp(k, 16);
  p->chunk_rk = chunk_rk > 0 ? chunk_rk : p->rk;
  Check(p->rk >= k && p->rk % p->chunk_rk == 0 && p->chunk_rk % 16 == 0, "PackWeights: bad depth split");
  p->rn = RoundUp(n, 4);
  p->codes_per_word = 32 / config.code_bits();
  p->words_per_block = p->chunk_rk / p->codes_per_word;
  return p;
}

std::shared_ptr<PackedWeights> PackWeights(const AcceleratorConfig& config, const EncodedWeights& enc, int64_t rk,
                                           int64_t chunk_rk) {
  auto p = PackedWeightsShape(config, enc.n, enc.k, rk, chunk_rk);
  const int bits = config.code_bits();
  const int64_t blocks = p->rn / 4, chunks = p->chunks();
  std::vector<uint8_t> column(static_cast<size_t>(p->rk));
  for (int q = 0; q < 4; ++q) p->data[q].assign(static_cast<size_t>(chunks * blocks * p->words_per_block), 0);
  for (int64_t c = 0; c < enc.n; ++c) {
    std::fill(column.begin(), column.end(), 0);
    std::memcpy(column.data(), enc.codes.data() + c * enc.k, static_cast<size_t>(enc.k));
    for (int64_t ch = 0; ch < chunks; ++ch) {
      uint32_t* out = p->data[c % 4].data() + (ch * blocks + c / 4) * p->words_per_block;
      const uint8_t* codes = column.data() + ch * p->chunk_rk;
      for (int64_t t = 0; t < p->words_per_block; ++t)
        out[t] = PackCodesWord(codes + t * p->codes_per_word, p->codes_per_word, bits);
    }
  }
  p->bias_sum.assign(static_cast<size_t>(p->rn), 0);
  p->multiplier.assign(static_cast<size_t>(p->rn), 0);
  p->right_shift.assign(static_cast<size_t>(p->rn), 0);
  for (int64_t c = 0; c < enc.n; ++c) {
    p->bias_sum[c] = enc.bias_sum[c];
    p->multiplier[c] = enc.multiplier[c];
    p->right_shift[c] = static_cast<int8_t>(31 - enc.shift[c]);
  }
  return p;
}

std::shared_ptr<InputTile> SplitRows(const int8_t* a, int64_t lda, int64_t m, int64_t row0, int64_t rows,
                                     int64_t k, int64_t rk) {
  auto t = std::make_shared<InputTile>();
  t->rows = rows;
  t->rk = rk;
  if (!a) return t;  // shape only
  const int64_t strips = t->strips();
  const int64_t words = rk / 4;
  for (int q = 0; q < 4; ++q) t->data[q].assign(static_cast<size_t>(strips * words), 0);
  for (int64_t g = 0; g < strips; ++g) {
    for (int q = 0; q < 4; ++q) {
      const int64_t r = row0 + 4 * g + q;
      if (r >= m || 4 * g + q >= rows) continue;
      // Word t holds depth 4t..4t+3 with byte j = depth 4t+j: on a little-endian
      // host this is the row's bytes in order.
      std::memcpy(t->data[q].data() + g * words, a + r * lda, static_cast<size_t>(k));
    }
  }
  return t;
}

// ---- v12 host encoder (§1.6) ------------------------------------------------

namespace {

constexpr int kT8[15] = {-127, -102, -76, -51, -38, -25, -13, 0, 13, 25, 38, 51, 76, 102, 127};
constexpr int kTO[15] = {-10, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 10};

int T8Index(int v) {
  for (int i = 0; i < 15; ++i)
    if (kT8[i] == v) return i;
  return -1;
}

// Nearest T8 level (scan with strict '<': ties keep the first, more negative level).
int NearestT8Index(double v) {
  int best = 0;
  double best_d = std::fabs(v - kT8[0]);
  for (int i = 1; i < 15; ++i) {
    const double dd = std::fabs(v - kT8[i]);
    if (dd < best_d) {
      best_d = dd;
      best = i;
    }
  }
  return best;
}

// APoT integer level -> code, as the released encoder maps it (sign bit for v <= 0).
uint8_t ApotCode(int v) {
  static const int kMagCode[11] = {2, 0, 3, 1, 4, -1, 5, -1, 6, -1, 7};
  const int mag = std::abs(v);
  const int m = mag <= 10 ? kMagCode[mag] : -1;
  return static_cast<uint8_t>((v <= 0 ? 8 : 0) | (m < 0 ? 0 : m));  // unknown -> magnitude code 000
}

}  // namespace

ReleasedEncoder ReleasedEncoderFor(quant::MethodId id) {
  switch (id) {  // no default: a new method must be placed here explicitly
    case quant::MethodId::kQKeras: return ReleasedEncoder::kQKerasPow2;
    case quant::MethodId::kApot:
    case quant::MethodId::kMsq: return ReleasedEncoder::kApotTables;
    case quant::MethodId::kUniform4:
    case quant::MethodId::kInt8: return ReleasedEncoder::kPlainIntegers;
  }
  throw Error("the released v12 host has no encoder for method id " + std::to_string(static_cast<int>(id)));
}

ReleasedEncoding ReleasedEncode(const quant::Method& method, const LayerWeights& layer) {
  const ReleasedEncoder encoder = ReleasedEncoderFor(method.id);
  if (encoder == ReleasedEncoder::kPlainIntegers)
    throw Error("the released v12 host has no shift-PE encoder for method " + std::string(method.name) +
                " (its integers are written as they are)");
  ReleasedEncoding r;
  const int64_t n = layer.n, k = layer.k;
  r.codes.resize(static_cast<size_t>(n * k));
  r.believed_values.resize(static_cast<size_t>(n * k));
  r.filter_scales.resize(static_cast<size_t>(n));
  r.bias.assign(static_cast<size_t>(n), 0);
  for (int64_t c = 0; c < n; ++c) {
    const float s = layer.filter_scales.size() == 1 ? layer.filter_scales[0] : layer.filter_scales[c];
    const int8_t* w = layer.weights + c * k;
    const int32_t bias = layer.bias ? layer.bias[c] : 0;
    if (encoder == ReleasedEncoder::kQKerasPow2) {
      // Nearest power of two (ties up, 127 -> 128), zero -> code 0 (+1); B from raw weights.
      for (int64_t i = 0; i < k; ++i) {
        const int mag = std::abs(static_cast<int>(w[i]));
        int e = 0;
        if (mag > 0) {
          while (e < 7 && (1 << (e + 1)) <= mag) ++e;  // 2^e <= mag
          if (e < 7 && (1 << (e + 1)) - mag <= mag - (1 << e)) ++e;
        }
        r.codes[c * k + i] = static_cast<uint8_t>((w[i] < 0 ? 8 : 0) | e);
        r.believed_values[c * k + i] = w[i];
      }
      r.filter_scales[c] = s;
      r.bias[c] = bias;
      continue;
    }
    // ReleasedEncoder::kApotTables (the released MSQ host uses the same copy of the APoT encoder).
    bool case_a = true;
    for (int64_t i = 0; i < k && case_a; ++i) case_a = T8Index(w[i]) >= 0;
    int out_level = 10;  // O_i
    std::vector<int> to(static_cast<size_t>(k));
    if (case_a) {
      for (int64_t i = 0; i < k; ++i) to[i] = kTO[T8Index(w[i])];
    } else {
      ++r.case_b_channels;
      int pick = -1;
      double best_score = 0;
      for (int li = 1; li <= 6 && pick < 0; ++li) {
        const int L = std::abs(kT8[li]);
        bool all_in = true;
        for (int64_t i = 0; i < k && all_in; ++i) {
          double q = std::round(static_cast<double>(w[i]) * L / 127.0);
          q = std::fmin(std::fmax(q, -L), L);
          all_in = T8Index(static_cast<int>(q)) >= 0;
        }
        if (all_in) pick = li;
      }
      if (pick < 0) {
        for (int li = 1; li <= 6; ++li) {
          const int L = std::abs(kT8[li]);
          bool any = false;
          double worst = 0;
          for (int64_t i = 0; i < k; ++i) {
            double q = std::round(static_cast<double>(w[i]) * L / 127.0);
            q = std::fmin(std::fmax(q, -L), L);
            if (T8Index(static_cast<int>(q)) >= 0) continue;
            const double diff = q - kT8[NearestT8Index(q)];
            if (!any || diff > worst) worst = diff;
            any = true;
          }
          if (pick < 0 || worst < best_score) {
            pick = li;
            best_score = worst;
          }
        }
      }
      const int L = std::abs(kT8[pick]);
      out_level = std::abs(kTO[pick]);
      for (int64_t i = 0; i < k; ++i) to[i] = kTO[NearestT8Index(static_cast<double>(w[i]) * L / 127.0)];
    }
    const float s_new = s * 127.0f / static_cast<float>(out_level);
    r.filter_scales[c] = s_new;
    r.bias[c] = static_cast<int32_t>(std::round(static_cast<double>(bias) * s / s_new));
    for (int64_t i = 0; i < k; ++i) {
      r.codes[c * k + i] = ApotCode(to[i]);
      r.believed_values[c * k + i] = to[i];
    }
  }
  return r;
}

}  // namespace potacc::accel
