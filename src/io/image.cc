#include "potacc/io/image.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <optional>

#include "potacc/error.h"
#include "potacc/util/file.h"

namespace potacc::io {
namespace {

enum class ImageFormat { kPng, kJpeg, kBmp };

// The format from the file's first bytes (not its name): stb_image also
// decodes PSD, TGA, PNM, GIF, HDR and PIC, which potacc does not accept.
std::optional<ImageFormat> SniffFormat(const std::vector<uint8_t>& b) {
  static constexpr uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() >= sizeof kPng && std::equal(std::begin(kPng), std::end(kPng), b.begin())) return ImageFormat::kPng;
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ImageFormat::kJpeg;
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return ImageFormat::kBmp;
  return std::nullopt;
}

uint32_t Le32(const std::vector<uint8_t>& b, size_t at) {
  return at + 4 <= b.size() ? static_cast<uint32_t>(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) |
                                                   (static_cast<uint32_t>(b[at + 3]) << 24))
                            : 0;
}
uint16_t Le16(const std::vector<uint8_t>& b, size_t at) {
  return at + 2 <= b.size() ? static_cast<uint16_t>(b[at] | (b[at + 1] << 8)) : 0;
}

// A header can declare any size; the data behind it cannot be smaller than
// the format allows (stb_image would decode the missing part as blank
// pixels). BMP (stb reads uncompressed and bit-field BMPs only): the pixel
// rows must be in the file. PNG: deflate expands at most 1032:1 and a 1-bit
// image packs 8 pixels per byte. JPEG: even a flat image costs a few bits per
// 8x8 block; 1024 pixels per byte is far beyond any real photograph.
void CheckDeclaredSize(ImageFormat format, const std::vector<uint8_t>& b, int w, int h, const std::string& name) {
  const auto pixels = static_cast<double>(w) * h;
  const auto size = static_cast<double>(b.size());
  double needed = 0;
  switch (format) {
    case ImageFormat::kBmp: {
      const uint32_t offset = Le32(b, 10), dib = Le32(b, 14);
      const int bpp = dib == 12 ? Le16(b, 24) : Le16(b, 28);
      const double row = std::floor((static_cast<double>(w) * bpp + 31) / 32) * 4;
      needed = offset + row * h;
      break;
    }
    case ImageFormat::kPng: needed = pixels / (1032.0 * 8); break;
    case ImageFormat::kJpeg: needed = pixels / 1024.0; break;
  }
  if (size < needed)
    throw Error("image " + name + " declares " + std::to_string(w) + "x" + std::to_string(h) + " pixels but holds " +
                std::to_string(b.size()) + " bytes, fewer than such an image needs (truncated or forged header)");
}

}  // namespace

Image DecodeImage(const std::vector<uint8_t>& bytes, const std::string& name_for_errors) {
  Check(!bytes.empty(), "cannot decode image " + name_for_errors + ": file is empty");
  Check(bytes.size() < (size_t{1} << 31), "image " + name_for_errors + " is too large");
  const std::optional<ImageFormat> format = SniffFormat(bytes);
  if (!format) throw Error("cannot decode image " + name_for_errors + ": not a PNG, JPEG or BMP file");
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &channels))
    throw Error("cannot decode image " + name_for_errors + ": " + stbi_failure_reason());
  // Refuse absurd dimensions and forged headers before stb allocates.
  Check(w > 0 && h > 0 && static_cast<int64_t>(w) * h <= kMaxImagePixels,
        "image " + name_for_errors + " has unsupported size " + std::to_string(w) + "x" + std::to_string(h) +
            " (at most " + std::to_string(kMaxImagePixels >> 20) + " M pixels)");
  CheckDeclaredSize(*format, bytes, w, h, name_for_errors);
  stbi_uc* data = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h,
                                        &channels, 3);
  if (!data) throw Error("cannot decode image " + name_for_errors + ": " + stbi_failure_reason());
  Image img;
  img.width = w;
  img.height = h;
  img.pixels.assign(data, data + static_cast<size_t>(w) * h * 3);
  stbi_image_free(data);
  return img;
}

Image LoadImage(const std::string& path) { return DecodeImage(ReadFileBytes(path), path); }

namespace {

// Taps of one output sample along one axis: a triangle (bilinear) filter
// stretched by the shrink factor, so shrinking averages every input pixel it
// covers (antialiasing), as PIL's BILINEAR resize does.
struct Taps {
  int first = 0;
  std::vector<float> weights;
};

std::vector<Taps> AxisTaps(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double support = std::max(scale, 1.0);
  std::vector<Taps> taps(static_cast<size_t>(out_size));
  for (int o = 0; o < out_size; ++o) {
    const double center = (o + 0.5) * scale;
    const int lo = std::max(0, static_cast<int>(std::floor(center - support)));
    const int hi = std::min(in_size - 1, static_cast<int>(std::ceil(center + support)));
    Taps& t = taps[static_cast<size_t>(o)];
    t.first = lo;
    double sum = 0;
    for (int i = lo; i <= hi; ++i) {
      const double w = std::max(0.0, 1.0 - std::abs((i + 0.5 - center) / support));
      t.weights.push_back(static_cast<float>(w));
      sum += w;
    }
    if (sum <= 0) {  // cannot happen for in_size >= 1, but never divide by zero
      t.weights.assign(1, 1.0f);
      t.first = std::clamp(static_cast<int>(center), 0, in_size - 1);
      sum = 1;
    }
    for (float& w : t.weights) w = static_cast<float>(w / sum);
  }
  return taps;
}

// Separable resize of an RGB image: horizontal pass into floats, then vertical.
Image Resize(const Image& in, int out_w, int out_h) {
  const auto tx = AxisTaps(in.width, out_w);
  const auto ty = AxisTaps(in.height, out_h);
  std::vector<float> tmp(static_cast<size_t>(in.height) * out_w * 3);
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < out_w; ++x)
      for (int c = 0; c < 3; ++c) {
        const Taps& t = tx[static_cast<size_t>(x)];
        float acc = 0;
        for (size_t k = 0; k < t.weights.size(); ++k)
          acc += t.weights[k] * in.pixels[(static_cast<size_t>(y) * in.width + t.first + k) * 3 + c];
        tmp[(static_cast<size_t>(y) * out_w + x) * 3 + c] = acc;
      }
  Image out;
  out.width = out_w;
  out.height = out_h;
  out.pixels.resize(static_cast<size_t>(out_w) * out_h * 3);
  for (int y = 0; y < out_h; ++y) {
    const Taps& t = ty[static_cast<size_t>(y)];
    for (int x = 0; x < out_w; ++x)
      for (int c = 0; c < 3; ++c) {
        float acc = 0;
        for (size_t k = 0; k < t.weights.size(); ++k)
          acc += t.weights[k] * tmp[((t.first + k) * static_cast<size_t>(out_w) + x) * 3 + c];
        out.pixels[(static_cast<size_t>(y) * out_w + x) * 3 + c] =
            static_cast<uint8_t>(std::clamp(std::lround(acc), 0L, 255L));
      }
  }
  return out;
}

}  // namespace

Image ResizeAndCenterCrop(const Image& image, int out_h, int out_w, float crop_fraction) {
  Check(out_h > 0 && out_w > 0, "bad crop size");
  Check(crop_fraction > 0.0f && crop_fraction <= 1.0f, "crop fraction must be in (0, 1]");
  if (image.width == out_w && image.height == out_h) return image;
  // Scale so the short side covers the crop divided by the fraction.
  const double target_short = std::max(out_h, out_w) / static_cast<double>(crop_fraction);
  const double scale = target_short / std::min(image.width, image.height);
  const double resized_w = std::max<double>(out_w, std::round(image.width * scale));
  const double resized_h = std::max<double>(out_h, std::round(image.height * scale));
  // A very long, thin image (1000000 x 1) would be resized to billions of
  // pixels before the crop: refuse instead.
  Check(resized_w * resized_h <= static_cast<double>(kMaxImagePixels),
        "image of " + std::to_string(image.width) + "x" + std::to_string(image.height) + " pixels would be resized to " +
            std::to_string(static_cast<int64_t>(resized_w)) + "x" + std::to_string(static_cast<int64_t>(resized_h)) +
            " before the centre crop (aspect ratio too extreme; at most " + std::to_string(kMaxImagePixels >> 20) +
            " M pixels)");
  const int rw = static_cast<int>(resized_w), rh = static_cast<int>(resized_h);
  const Image resized = Resize(image, rw, rh);
  Image out;
  out.width = out_w;
  out.height = out_h;
  out.pixels.resize(static_cast<size_t>(out_w) * out_h * 3);
  const int x0 = (rw - out_w) / 2;
  const int y0 = (rh - out_h) / 2;
  for (int y = 0; y < out_h; ++y) {
    std::memcpy(&out.pixels[static_cast<size_t>(y) * out_w * 3],
                &resized.pixels[(static_cast<size_t>(y0 + y) * rw + x0) * 3], static_cast<size_t>(out_w) * 3);
  }
  return out;
}

}  // namespace potacc::io
