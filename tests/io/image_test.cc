#include "potacc/io/image.h"

#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "potacc/error.h"
#include "support/data_dir.h"

namespace potacc::io {
namespace {

Image Gradient(int w, int h) {
  Image img;
  img.width = w;
  img.height = h;
  img.pixels.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) img.pixels[(y * w + x) * 3 + c] = static_cast<uint8_t>((x * 7 + y * 3 + c * 50) & 255);
  return img;
}

TEST(ImageTest, PngRoundTripIsLossless) {
  const auto dir = testing::TempDir("png");
  const Image img = Gradient(20, 11);
  const std::string path = (dir / "g.png").string();
  ASSERT_TRUE(stbi_write_png(path.c_str(), img.width, img.height, 3, img.pixels.data(), img.width * 3));
  const Image back = LoadImage(path);
  EXPECT_EQ(back.width, 20);
  EXPECT_EQ(back.height, 11);
  EXPECT_EQ(back.pixels, img.pixels);
}

TEST(ImageTest, JpegDecodesToRgb) {
  const auto dir = testing::TempDir("jpg");
  Image img;
  img.width = img.height = 16;
  img.pixels.assign(16 * 16 * 3, 0);
  for (size_t i = 0; i < img.pixels.size(); i += 3) img.pixels[i] = 200;  // red
  const std::string path = (dir / "r.jpg").string();
  ASSERT_TRUE(stbi_write_jpg(path.c_str(), 16, 16, 3, img.pixels.data(), 95));
  const Image back = LoadImage(path);
  ASSERT_EQ(back.pixels.size(), img.pixels.size());
  EXPECT_NEAR(back.pixels[0], 200, 6);
  EXPECT_NEAR(back.pixels[1], 0, 6);
}

TEST(ImageTest, UnreadableImagesAreErrors) {
  const auto dir = testing::TempDir("badimg");
  EXPECT_THROW(LoadImage((dir / "missing.png").string()), Error);
  const std::string junk = (dir / "junk.jpg").string();
  std::ofstream(junk) << "this is not a jpeg";
  EXPECT_THROW(LoadImage(junk), Error);
  const std::string empty = (dir / "empty.png").string();
  std::ofstream(empty).close();
  EXPECT_THROW(LoadImage(empty), Error);
}

// Hostile input #5: stb_image also decodes TGA/PSD/PNM/GIF; potacc accepts
// PNG, JPEG and BMP content only, whatever the file is called.
TEST(ImageTest, OnlyPngJpegAndBmpContent) {
  const auto dir = testing::TempDir("formats");
  const Image img = Gradient(6, 5);
  const std::string tga = (dir / "really_tga.png").string(), bmp = (dir / "b.bmp").string();
  ASSERT_TRUE(stbi_write_tga(tga.c_str(), img.width, img.height, 3, img.pixels.data()));
  ASSERT_TRUE(stbi_write_bmp(bmp.c_str(), img.width, img.height, 3, img.pixels.data()));
  try {
    LoadImage(tga);
    FAIL() << "TGA content was decoded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a PNG, JPEG or BMP file"), std::string::npos) << e.what();
  }
  EXPECT_EQ(LoadImage(bmp).pixels, img.pixels);  // a real BMP still decodes, losslessly
}

// A BMP header may declare rows the file does not hold (stb would return
// them as black): refused by the byte count an uncompressed BMP needs.
TEST(ImageTest, HeaderDeclaringMoreThanTheFileHolds) {
  const auto dir = testing::TempDir("short_bmp");
  const Image img = Gradient(40, 30);
  const std::string bmp = (dir / "b.bmp").string();
  ASSERT_TRUE(stbi_write_bmp(bmp.c_str(), img.width, img.height, 3, img.pixels.data()));
  std::ifstream in(bmp, std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  // 54-byte header + 30 rows of 120 bytes: drop the last 10 rows.
  ASSERT_EQ(bytes.size(), 54u + 30 * 120);
  bytes.resize(54 + 20 * 120);
  try {
    DecodeImage(bytes, "short.bmp");
    FAIL() << "a truncated BMP was decoded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("declares 40x30 pixels but holds 2454 bytes"), std::string::npos)
        << e.what();
  }
}

// Hostile input #4: an extreme aspect ratio would be resized to billions of
// pixels before the crop; the refusal happens before any allocation.
TEST(ImageTest, ExtremeAspectRatiosAreRefused) {
  Image wide;
  wide.width = 100000;
  wide.height = 1;
  wide.pixels.assign(static_cast<size_t>(wide.width) * 3, 128);
  try {
    ResizeAndCenterCrop(wide, 224, 224, 0.875f);  // short side 1 -> 256: 25.6e6 x 256 pixels
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("aspect ratio too extreme"), std::string::npos) << e.what();
  }
  Image photo = Gradient(400, 300);  // ordinary photos are untouched by the bound
  EXPECT_EQ(ResizeAndCenterCrop(photo, 224, 224, 0.875f).pixels.size(), 224u * 224 * 3);
}

TEST(ImageTest, SameSizeIsPassThrough) {
  const Image img = Gradient(32, 32);
  EXPECT_EQ(ResizeAndCenterCrop(img, 32, 32, 0.875f).pixels, img.pixels);
}

TEST(ImageTest, CropTakesTheCentre) {
  // A uniform image with a distinct centre: the crop of a 2x downscale must
  // come from the middle. Uniform regions stay uniform under any resize.
  Image img;
  img.width = 64;
  img.height = 48;
  img.pixels.assign(64 * 48 * 3, 10);
  for (int y = 12; y < 36; ++y)
    for (int x = 20; x < 44; ++x)
      for (int c = 0; c < 3; ++c) img.pixels[(y * 64 + x) * 3 + c] = 250;
  const Image out = ResizeAndCenterCrop(img, 8, 8, 1.0f);  // short side 48 -> 8
  ASSERT_EQ(out.width, 8);
  ASSERT_EQ(out.height, 8);
  // Centre of the crop is inside the bright square; corners of the 8x8 crop
  // (x in [1.3..9.3] of the 10.7x8 resized image) include some dark border.
  EXPECT_GT(out.pixels[(4 * 8 + 4) * 3], 200);
  EXPECT_LT(out.pixels[0], 100);
}


TEST(ImageTest, ShrinkingAveragesInsteadOfSampling) {
  // Alternating black/white columns: point sampling would give 0 or 255,
  // an antialiased 4x shrink gives mid grey everywhere.
  Image img;
  img.width = 64;
  img.height = 8;
  img.pixels.resize(64 * 8 * 3);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 64; ++x)
      for (int c = 0; c < 3; ++c) img.pixels[(y * 64 + x) * 3 + c] = (x % 2) ? 255 : 0;
  const Image out = ResizeAndCenterCrop(img, 2, 2, 1.0f);  // short side 8 -> 2: 64x8 -> 16x2, crop 2x2
  ASSERT_EQ(out.width, 2);
  for (uint8_t v : out.pixels) {
    EXPECT_GE(v, 110);
    EXPECT_LE(v, 145);
  }
}

TEST(ImageTest, UniformImagesStayUniformAtAnyScale) {
  Image img;
  img.width = 37;
  img.height = 23;
  img.pixels.assign(37 * 23 * 3, 77);
  for (float f : {0.3f, 0.875f, 1.0f})
    for (int size : {5, 16, 100}) {
      const Image out = ResizeAndCenterCrop(img, size, size, f);
      for (uint8_t v : out.pixels) ASSERT_EQ(v, 77) << f << " " << size;
    }
}

TEST(ImageTest, RealPhotosResizeAtEveryCropFraction) {
  POTACC_REQUIRE_DATA("imagenet_sample/originals_subset.tar");
  // The 122 original photos (68x121 .. 2400x1600, some grayscale) of the
  // shared set: every one decodes and resizes without error.
  const auto dir = testing::TempDir("originals");
  const std::string cmd = "tar xf " + testing::DataPath("imagenet_sample/originals_subset.tar").string() +
                          " -C " + dir.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const char* limit_env = std::getenv("POTACC_E2E_LIMIT");
  const size_t limit = limit_env ? static_cast<size_t>(std::atol(limit_env)) : 0;
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    if (limit && n >= limit) break;
    const Image img = LoadImage(e.path().string());
    for (float f : {0.875f, 1.0f, 0.5f}) {
      const Image out = ResizeAndCenterCrop(img, 224, 224, f);
      ASSERT_EQ(out.pixels.size(), 224u * 224 * 3) << e.path();
    }
    ++n;
  }
  EXPECT_GT(n, 0u);
}

}  // namespace
}  // namespace potacc::io
