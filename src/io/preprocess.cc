#include "potacc/io/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "potacc/error.h"

namespace potacc::io {

std::array<float, 3> Preprocess::ParseTriple(const std::string& text, const std::string& flag) {
  std::array<float, 3> v{};
  std::stringstream ss(text);
  std::string item;
  int n = 0;
  while (std::getline(ss, item, ',')) {
    Check(n < 3, flag + " takes three comma-separated numbers (R,G,B), got '" + text + "'");
    char* end = nullptr;
    const double d = item.empty() ? 0.0 : std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size()) throw Error(flag + ": '" + item + "' is not a number");
    if (!std::isfinite(d)) throw Error(flag + ": '" + item + "' is not a finite number");
    v[n] = static_cast<float>(d);
    ++n;
  }
  Check(n == 3, flag + " takes three comma-separated numbers (R,G,B), got '" + text + "'");
  return v;
}

namespace {
std::string FormatNumber(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace

void Preprocess::Validate() const {
  if (mode != Mode::kMeanStd) return;
  for (float s : std)
    Check(s >= kMinStd && s <= kMaxStd, "--std values must be between " + FormatNumber(kMinStd) + " and " +
                                            FormatNumber(kMaxStd) + " (pixel units), got " + FormatNumber(s));
  for (float m : mean)
    Check(std::abs(m) <= kMaxAbsMean, "--mean values must be between -1000 and 1000 (pixel units), got " +
                                          FormatNumber(m));
}

std::string Preprocess::Describe() const {
  switch (mode) {
    case Mode::kRaw: return "raw pixel values 0..255";
    case Mode::kScale01: return "px/255";
    case Mode::kMeanStd: {
      std::ostringstream os;
      os << "(px/255 - [" << mean[0] << "," << mean[1] << "," << mean[2] << "]) / [" << std[0]
         << "," << std[1] << "," << std[2] << "]";
      return os.str();
    }
  }
  return "";
}

float PreprocessPixel(uint8_t px, int channel, const Preprocess& pre) {
  switch (pre.mode) {
    case Preprocess::Mode::kRaw: return static_cast<float>(px);
    case Preprocess::Mode::kScale01: return static_cast<float>(px) / 255.f;
    case Preprocess::Mode::kMeanStd:
      return (static_cast<float>(px) / 255.f - pre.mean[channel]) / pre.std[channel];
  }
  return 0.f;
}

InputGeometry ImageInputGeometry(const Tensor& input) {
  const auto& s = input.shape;
  Check(s.size() == 4 && s[0] == 1 && s[3] == 3,
        "model input '" + input.name + "' is not a 1xHxWx3 image tensor");
  return {s[1], s[2], s[3]};
}

std::vector<uint8_t> PixelsToInput(const Tensor& input, std::span<const uint8_t> hwc_pixels,
                                   const Preprocess& pre) {
  const InputGeometry g = ImageInputGeometry(input);
  const size_t n = static_cast<size_t>(g.height) * g.width * g.channels;
  Check(hwc_pixels.size() == n, "image has " + std::to_string(hwc_pixels.size()) +
                                    " pixel values, model input needs " + std::to_string(n));
  std::vector<uint8_t> out(n * DataTypeSize(input.type));
  switch (input.type) {
    case DataType::kFloat32: {
      for (size_t i = 0; i < n; ++i) {
        const float v = PreprocessPixel(hwc_pixels[i], static_cast<int>(i % g.channels), pre);
        std::memcpy(&out[i * 4], &v, 4);
      }
      break;
    }
    case DataType::kInt8:
    case DataType::kUInt8: {
      Check(!input.quant.empty(), "quantized model input '" + input.name + "' has no scale");
      const float scale = input.quant.scale[0];
      const auto zp = static_cast<int32_t>(input.quant.zero_point.empty() ? 0 : input.quant.zero_point[0]);
      const int32_t lo = input.type == DataType::kInt8 ? -128 : 0;
      const int32_t hi = input.type == DataType::kInt8 ? 127 : 255;
      for (size_t i = 0; i < n; ++i) {
        const float v = PreprocessPixel(hwc_pixels[i], static_cast<int>(i % g.channels), pre);
        const int32_t q = std::clamp(static_cast<int32_t>(std::round(v / scale)) + zp, lo, hi);
        out[i] = static_cast<uint8_t>(q);
      }
      break;
    }
    default:
      throw UnsupportedError(std::string("model input type ") + DataTypeName(input.type) +
                             " is not supported for images");
  }
  return out;
}

}  // namespace potacc::io
