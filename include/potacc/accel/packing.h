// Host-side data preparation of the driver: weight encoding (integer weight
// values -> the PE's codes, plus the per-channel epilogue B / Mq / S) and the
// §2.3 / §3 stream layouts for weights and input rows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "potacc/accel/command.h"
#include "potacc/accel/config.h"

namespace potacc::accel {

// One layer's weights and quantization, as read from the model.
struct LayerWeights {
  int64_t n = 0, k = 0;
  const int8_t* weights = nullptr;  // n x k, row-major (OHWI filter / FC [N, K])
  const int32_t* bias = nullptr;    // n values or null
  std::vector<float> filter_scales; // n (per channel) or 1 (per tensor)
  float input_scale = 1, output_scale = 1;
  int32_t input_zero_point = 0, output_zero_point = 0;
};

// Weights turned into what the hardware holds.
struct EncodedWeights {
  int64_t n = 0, k = 0;
  std::vector<uint8_t> codes;        // n x k: 4-bit codes or int8 bytes
  std::vector<int32_t> bias_sum;     // B[c] = bias'[c] + zp_off * sum of the values the host believes
  std::vector<int32_t> multiplier;   // Mq[c]
  std::vector<int> shift;            // TFLite shift[c] (S[c] = 31 - shift[c])
  std::string refused;               // non-empty: the layer cannot be encoded (reason)
  int64_t released_case_b_channels = 0;  // released APoT/MSQ encoder: channels re-gridded (§1.6 case B)
};

// Encodes per config.encoding: kExact requires every weight to be a value of
// the method's grid (a model quantized for the method; bit-exact with the
// CPU), kReleased applies the v12 host transformation of §1.6.
EncodedWeights EncodeWeights(const AcceleratorConfig& config, const LayerWeights& layer);

// The v12 host encoder (§1.6) alone: codes, changed per-channel scales and
// biases. Exposed for tests.
struct ReleasedEncoding {
  std::vector<uint8_t> codes;          // n x k
  std::vector<int32_t> believed_values;  // n x k: what the host assumes the PE multiplies
  std::vector<float> filter_scales;    // s'[c]
  std::vector<int32_t> bias;           // bias'[c]
  int64_t case_b_channels = 0;
};
// Throws potacc::Error for a method the released host has no shift-PE
// encoder for (see ReleasedEncoderFor).
ReleasedEncoding ReleasedEncode(const quant::Method& method, const LayerWeights& layer);

// Which of the released host's encoders a method gets (§1.6, §10): qkeras its
// power-of-two encoder, apot the APoT tables, msq the same APoT tables (the
// released MSQ host is a copy of the APoT one); multiplier methods (uniform4,
// int8) are written as plain integers. Decided per method id, never by
// falling through to APoT.
enum class ReleasedEncoder { kPlainIntegers, kQKerasPow2, kApotTables };
ReleasedEncoder ReleasedEncoderFor(quant::MethodId id);

// Packs encoded weights into the stream layout (8 codes or 4 int8 per word,
// depth padded with code 0 to rK, columns padded to rN) with the epilogue.
// rk / chunk_rk: the plan's padded depth and K-chunk depth (0: RoundUp(k, 16),
// one chunk); a split layer is packed chunk-major (PackedWeights).
std::shared_ptr<PackedWeights> PackWeights(const AcceleratorConfig& config, const EncodedWeights& enc,
                                           int64_t rk = 0, int64_t chunk_rk = 0);
// The same sizes without data (data-free timing: the layer's weights are not read).
std::shared_ptr<PackedWeights> PackedWeightsShape(const AcceleratorConfig& config, int64_t n, int64_t k,
                                                  int64_t rk = 0, int64_t chunk_rk = 0);

// Splits rows [row0, row0 + rows) of A (m x k, leading dimension lda) into the
// four input streams, depth padded with zeros to rk. Rows at or beyond m
// (padding) are zeros. A null `a` gives a shape-only tile (data-free timing).
// For a K-chunk pass a + depth offset and the chunk's k (at most rk).
std::shared_ptr<InputTile> SplitRows(const int8_t* a, int64_t lda, int64_t m, int64_t row0, int64_t rows,
                                     int64_t k, int64_t rk);

// Value of one code as the host's bookkeeping assumes (for B), and as the PE
// really multiplies it (see pe.h).
uint32_t PackCodesWord(const uint8_t* codes, int count, int code_bits);

}  // namespace potacc::accel
