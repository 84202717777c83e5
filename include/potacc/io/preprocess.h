// Turning 8-bit RGB pixels into a model's input tensor: normalisation options,
// then quantization with the input tensor's own parameters (or float input).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "potacc/model.h"

namespace potacc::io {

struct Preprocess {
  enum class Mode { kRaw, kScale01, kMeanStd };
  Mode mode = Mode::kRaw;           // raw: value = px (0..255)
  std::array<float, 3> mean{0, 0, 0};  // kMeanStd: value = (px/255 - mean[c]) / std[c]
  std::array<float, 3> std{1, 1, 1};

  // Values are in [0,1] pixel units: a std outside [1e-6, 1e6] or a mean
  // beyond +-1000 maps every pixel to +-infinity or to one value.
  static constexpr float kMinStd = 1e-6f, kMaxStd = 1e6f, kMaxAbsMean = 1000.0f;

  // Parses "--mean R,G,B" style lists; throws on malformed or non-finite input.
  static std::array<float, 3> ParseTriple(const std::string& text, const std::string& flag);
  // Throws potacc::Error when mean/std are outside the ranges above.
  void Validate() const;
  std::string Describe() const;
};

// Real value of one pixel channel after preprocessing (computed in float32,
// as the reference runs did).
float PreprocessPixel(uint8_t px, int channel, const Preprocess& pre);

// Expected number of HWC pixels for a model input [1, H, W, C].
struct InputGeometry {
  int height = 0, width = 0, channels = 0;
};
InputGeometry ImageInputGeometry(const Tensor& input);

// Fills the input tensor bytes from HWC uint8 pixels: float32 inputs get the
// preprocessed value, int8/uint8 inputs get round(value/scale) + zero_point,
// clamped (TFLite AffineQuantize semantics).
std::vector<uint8_t> PixelsToInput(const Tensor& input, std::span<const uint8_t> hwc_pixels,
                                   const Preprocess& pre);

}  // namespace potacc::io
