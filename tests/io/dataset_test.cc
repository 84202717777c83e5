#include "potacc/io/dataset.h"

#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <fstream>

#include "potacc/error.h"
#include "potacc/io/outputs.h"
#include "support/data_dir.h"

namespace potacc::io {
namespace {

void Write(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

DatasetOptions Size(int h, int w) {
  DatasetOptions o;
  o.height = h;
  o.width = w;
  return o;
}

TEST(DatasetTest, CifarBinaryIsChannelMajor) {
  const auto dir = testing::TempDir("cifarbin");
  std::vector<uint8_t> bytes;
  for (int img = 0; img < 2; ++img) {
    bytes.push_back(static_cast<uint8_t>(img + 3));  // label
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p) bytes.push_back(static_cast<uint8_t>(c * 10 + img));
  }
  Write(dir / "test_batch.bin", bytes);
  const auto ds = OpenDataset(dir.string(), Size(32, 32));  // folder with test_batch.bin
  ASSERT_EQ(ds->size(), 2u);
  const Sample s = ds->Get(1);
  EXPECT_EQ(s.label, 4);
  // HWC: pixel 0 = (R,G,B) = (1, 11, 21)
  EXPECT_EQ(s.pixels[0], 1);
  EXPECT_EQ(s.pixels[1], 11);
  EXPECT_EQ(s.pixels[2], 21);
  EXPECT_EQ(s.pixels[3], 1);
  Write(dir / "bad.bin", std::vector<uint8_t>(3000));
  EXPECT_THROW(OpenDataset((dir / "bad.bin").string(), Size(32, 32)), Error);
  EXPECT_THROW(OpenDataset((dir / "test_batch.bin").string(), Size(224, 224)), Error);
}

TEST(DatasetTest, RawNhwcFindsLabelsBesideIt) {
  const auto dir = testing::TempDir("rawnhwc");
  std::vector<uint8_t> px(3 * 2 * 2 * 3);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(i);
  Write(dir / "set_u8_nhwc.bin", px);
  EXPECT_THROW(OpenDataset((dir / "set_u8_nhwc.bin").string(), Size(2, 2)), Error);  // no labels
  Write(dir / "set_labels_u16.bin", {1, 0, 0, 1, 7, 0});
  const auto ds = OpenDataset(dir.string(), Size(2, 2));
  ASSERT_EQ(ds->size(), 3u);
  EXPECT_EQ(ds->Get(0).label, 1);
  EXPECT_EQ(ds->Get(1).label, 256);
  EXPECT_EQ(ds->Get(2).label, 7);
  EXPECT_EQ(ds->Get(2).pixels.front(), 24);
}

TEST(DatasetTest, ImageFolderLabelsFromNamesOrFile) {
  const auto dir = testing::TempDir("imgfolder");
  std::vector<uint8_t> px(8 * 8 * 3, 128);
  ASSERT_TRUE(stbi_write_png((dir / "0042_n01_cat.png").string().c_str(), 8, 8, 3, px.data(), 24));
  ASSERT_TRUE(stbi_write_png((dir / "0007_n02_dog.png").string().c_str(), 8, 8, 3, px.data(), 24));
  auto opt = Size(4, 4);
  opt.label_offset = 1;
  const auto ds = OpenDataset(dir.string(), opt);
  ASSERT_EQ(ds->size(), 2u);
  EXPECT_EQ(ds->Get(0).label, 8);   // sorted: 0007 first, +1 offset
  EXPECT_EQ(ds->Get(1).label, 43);
  EXPECT_EQ(ds->Get(0).pixels.size(), 4u * 4 * 3);
  std::ofstream(dir / "labels.txt") << "0042_n01_cat.png 5\n0007_n02_dog.png 9\n";
  opt.labels_file = (dir / "labels.txt").string();
  opt.label_offset = 0;
  const auto ds2 = OpenDataset(dir.string(), opt);  // the labels file's order
  EXPECT_EQ(ds2->Get(0).label, 5);
  EXPECT_EQ(ds2->Get(1).label, 9);
}

TEST(DatasetTest, LabelsFileOrderIsTheDatasetOrder) {
  const auto dir = testing::TempDir("imgorder");
  std::vector<uint8_t> px(4 * 4 * 3, 10);
  std::filesystem::create_directories(dir / "a");
  for (const char* n : {"a/x.png", "a/y.png", "z.png"})
    ASSERT_TRUE(stbi_write_png((dir / n).string().c_str(), 4, 4, 3, px.data(), 12));
  std::ofstream(dir / "labels.txt") << "z.png 2\na/y.png 1\n";  // subset, not sorted
  auto opt = Size(4, 4);
  opt.labels_file = (dir / "labels.txt").string();
  const auto ds = OpenDataset(dir.string(), opt);
  ASSERT_EQ(ds->size(), 2u);  // only the listed images, in the file's order
  EXPECT_EQ(ds->Name(0), "z.png");
  EXPECT_EQ(ds->Get(0).label, 2);
  EXPECT_EQ(ds->Name(1), "a/y.png");
  std::ofstream(dir / "bad.txt") << "missing.png 3\n";
  opt.labels_file = (dir / "bad.txt").string();
  EXPECT_THROW(OpenDataset(dir.string(), opt), Error);
}

TEST(DatasetTest, ClassSubfoldersGiveSortedFolderIndices) {
  // CIFAR JPEG layout: test/<class>/NNNN.jpg; file names must not be read as labels.
  const auto dir = testing::TempDir("classdirs");
  std::vector<uint8_t> px(4 * 4 * 3, 10);
  for (const char* n : {"test/cat/0000.png", "test/airplane/0001.png", "test/dog/0002.png"}) {
    std::filesystem::create_directories((dir / n).parent_path());
    ASSERT_TRUE(stbi_write_png((dir / n).string().c_str(), 4, 4, 3, px.data(), 12));
  }
  const auto ds = OpenDataset(dir.string(), Size(4, 4));
  ASSERT_EQ(ds->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const std::string name = ds->Name(i);
    const int expected = name.find("airplane") != std::string::npos ? 0 : name.find("cat") != std::string::npos ? 1 : 2;
    EXPECT_EQ(ds->Get(i).label, expected) << name;
  }
}

TEST(DatasetTest, HugeLeadingNumberIsAClearError) {
  const auto dir = testing::TempDir("hugenum");
  std::vector<uint8_t> px(4 * 4 * 3, 10);
  ASSERT_TRUE(stbi_write_png((dir / "99999999999999_x.png").string().c_str(), 4, 4, 3, px.data(), 12));
  EXPECT_THROW(OpenDataset(dir.string(), Size(4, 4)), Error);
}

TEST(DatasetTest, MissingPathIsError) {
  EXPECT_THROW(OpenDataset("/nonexistent/potacc/data", Size(32, 32)), Error);
}

TEST(DatasetTest, SharedCifarFolderOpens) {
  POTACC_REQUIRE_DATA("cifar10/test_first1000_u8_nhwc.bin");
  const auto ds = OpenDataset(testing::DataPath("cifar10/test_first1000_u8_nhwc.bin").string(), Size(32, 32));
  EXPECT_EQ(ds->size(), 1000u);
  EXPECT_GE(ds->Get(0).label, 0);
  EXPECT_LE(ds->Get(0).label, 9);
}

TEST(OutputsTest, TopKOrdersAndBreaksTiesByIndex) {
  const std::vector<float> s = {0.1f, 0.5f, 0.5f, 0.9f, -1.0f};
  const auto top = TopK(s, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].first, 3);
  EXPECT_EQ(top[1].first, 1);
  EXPECT_EQ(top[2].first, 2);
  EXPECT_EQ(TopK(s, 10).size(), 5u);
}

TEST(OutputsTest, DequantizeInt8) {
  Tensor t;
  t.type = DataType::kInt8;
  t.shape = {1, 3};
  t.quant = {{1.0f / 256}, {-128}, 0};
  const std::vector<uint8_t> b = {static_cast<uint8_t>(-128), 0, 127};
  const auto v = Dequantize(t, b);
  EXPECT_FLOAT_EQ(v[0], 0.0f);
  EXPECT_FLOAT_EQ(v[1], 0.5f);
  EXPECT_FLOAT_EQ(v[2], 255.0f / 256);
}

TEST(OutputsTest, LabelNames) {
  const auto dir = testing::TempDir("labels");
  std::ofstream(dir / "l.txt") << "0 n01440764 tench\n1 n01443537 goldfish\n";
  std::ofstream(dir / "c.txt") << "airplane\nautomobile\n";
  EXPECT_EQ(LoadLabelNames((dir / "l.txt").string()), (std::vector<std::string>{"tench", "goldfish"}));
  EXPECT_EQ(LoadLabelNames((dir / "c.txt").string()), (std::vector<std::string>{"airplane", "automobile"}));
}

}  // namespace
}  // namespace potacc::io
