// Decoding and resizing images for classification models.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace potacc::io {

// 8-bit interleaved RGB (HWC) image.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // height * width * 3
};

// Largest image potacc decodes or resizes to (64 M pixels, 192 MB as RGB).
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 26;

// Decodes PNG, JPEG or BMP content (recognised by its first bytes, not the
// file name) to RGB; grayscale is expanded. Throws potacc::Error naming the
// file when it cannot be read or decoded, is another format, has more than
// kMaxImagePixels pixels, or holds fewer bytes than its header's size needs.
Image LoadImage(const std::string& path);
Image DecodeImage(const std::vector<uint8_t>& bytes, const std::string& name_for_errors);

// Resizes so that the short side is out/crop_fraction (bilinear with
// antialiasing when shrinking, like PIL's BILINEAR; the usual ImageNet
// "resize 256, crop 224" with crop_fraction = 0.875), then takes the
// centre out_h x out_w window. crop_fraction = 1 resizes the short side to
// the output size. An image already of the output size is returned as is.
// Throws potacc::Error when the resized image would exceed kMaxImagePixels
// (absurd aspect ratios).
Image ResizeAndCenterCrop(const Image& image, int out_h, int out_w, float crop_fraction);

}  // namespace potacc::io
