#include "potacc/io/image.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "potacc/error.h"

namespace potacc::io {

Image DecodeImage(const std::vector<uint8_t>& bytes, const std::string& name_for_errors) {
  Check(!bytes.empty(), "cannot decode image " + name_for_errors + ": file is empty");
  Check(bytes.size() < (size_t{1} << 31), "image " + name_for_errors + " is too large");
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &channels))
    throw Error("cannot decode image " + name_for_errors + ": " + stbi_failure_reason());
  // Refuse absurd dimensions before stb allocates (hostile headers).
  Check(w > 0 && h > 0 && static_cast<int64_t>(w) * h <= (int64_t{1} << 28),
        "image " + name_for_errors + " has unsupported size " + std::to_string(w) + "x" +
            std::to_string(h));
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

Image LoadImage(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot open image " + path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return DecodeImage(bytes, path);
}

Image ResizeAndCenterCrop(const Image& image, int out_h, int out_w, float crop_fraction) {
  Check(out_h > 0 && out_w > 0, "bad crop size");
  Check(crop_fraction > 0.0f && crop_fraction <= 1.0f, "crop fraction must be in (0, 1]");
  if (image.width == out_w && image.height == out_h) return image;
  // Scale so the short side covers the crop divided by the fraction.
  const double target_short = std::max(out_h, out_w) / static_cast<double>(crop_fraction);
  const double scale = target_short / std::min(image.width, image.height);
  const int rw = std::max(out_w, static_cast<int>(std::lround(image.width * scale)));
  const int rh = std::max(out_h, static_cast<int>(std::lround(image.height * scale)));
  std::vector<uint8_t> resized(static_cast<size_t>(rw) * rh * 3);
  // Triangle (tent) filter = bilinear interpolation, with area averaging
  // when shrinking, which avoids aliasing on large photos.
  if (!stbir_resize_uint8_generic(image.pixels.data(), image.width, image.height, 0, resized.data(),
                                  rw, rh, 0, 3, STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP,
                                  STBIR_FILTER_TRIANGLE, STBIR_COLORSPACE_LINEAR, nullptr))
    throw Error("image resize failed");
  Image out;
  out.width = out_w;
  out.height = out_h;
  out.pixels.resize(static_cast<size_t>(out_w) * out_h * 3);
  const int x0 = (rw - out_w) / 2;
  const int y0 = (rh - out_h) / 2;
  for (int y = 0; y < out_h; ++y) {
    std::memcpy(&out.pixels[static_cast<size_t>(y) * out_w * 3],
                &resized[(static_cast<size_t>(y0 + y) * rw + x0) * 3], static_cast<size_t>(out_w) * 3);
  }
  return out;
}

}  // namespace potacc::io
