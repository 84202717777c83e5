#include "potacc/io/dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "potacc/error.h"
#include "potacc/io/image.h"

namespace fs = std::filesystem;

namespace potacc::io {
namespace {

constexpr size_t kCifarPixels = 32 * 32 * 3;

std::vector<uint8_t> ReadAll(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot open " + path.string());
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class CifarBinary : public Dataset {
 public:
  CifarBinary(const fs::path& path, const DatasetOptions& opt) : path_(path), opt_(opt) {
    data_ = ReadAll(path);
    Check(!data_.empty() && data_.size() % (kCifarPixels + 1) == 0,
          path.string() + " is not CIFAR-10 binary (size is not a multiple of 3073 bytes)");
    Check(opt.height == 32 && opt.width == 32,
          "CIFAR-10 images are 32x32 but the model input is " + std::to_string(opt.height) + "x" +
              std::to_string(opt.width));
  }
  size_t size() const override { return data_.size() / (kCifarPixels + 1); }
  Sample Get(size_t i) const override {
    const uint8_t* rec = &data_[i * (kCifarPixels + 1)];
    Sample s;
    s.label = rec[0] + opt_.label_offset;
    s.name = path_.filename().string() + "#" + std::to_string(i);
    s.pixels.resize(kCifarPixels);
    for (int c = 0; c < 3; ++c)  // channel-major planes -> HWC
      for (int p = 0; p < 1024; ++p) s.pixels[p * 3 + c] = rec[1 + c * 1024 + p];
    return s;
  }
  std::string Describe() const override {
    return "CIFAR-10 binary " + path_.string() + " (" + std::to_string(size()) + " images)";
  }

 private:
  fs::path path_;
  DatasetOptions opt_;
  std::vector<uint8_t> data_;
};

std::vector<int> ReadLabelFile(const fs::path& path) {
  const auto bytes = ReadAll(path);
  std::vector<int> labels;
  if (EndsWith(path.filename().string(), "_u16.bin")) {
    Check(bytes.size() % 2 == 0, path.string() + ": odd size for uint16 labels");
    for (size_t i = 0; i < bytes.size(); i += 2) labels.push_back(bytes[i] | (bytes[i + 1] << 8));
  } else {
    labels.assign(bytes.begin(), bytes.end());
  }
  return labels;
}

class RawNhwc : public Dataset {
 public:
  RawNhwc(const fs::path& path, const fs::path& labels, const DatasetOptions& opt)
      : path_(path), opt_(opt) {
    Check(opt.height > 0 && opt.width > 0, "raw pixel data needs the model input size");
    data_ = ReadAll(path);
    const size_t per = static_cast<size_t>(opt.height) * opt.width * 3;
    Check(!data_.empty() && data_.size() % per == 0,
          path.string() + ": size " + std::to_string(data_.size()) + " is not a multiple of one " +
              std::to_string(opt.height) + "x" + std::to_string(opt.width) + "x3 image");
    labels_ = ReadLabelFile(labels);
    Check(labels_.size() >= data_.size() / per,
          labels.string() + " has fewer labels than " + path.string() + " has images");
    labels_path_ = labels;
  }
  size_t size() const override {
    return data_.size() / (static_cast<size_t>(opt_.height) * opt_.width * 3);
  }
  Sample Get(size_t i) const override {
    const size_t per = static_cast<size_t>(opt_.height) * opt_.width * 3;
    Sample s;
    s.pixels.assign(data_.begin() + i * per, data_.begin() + (i + 1) * per);
    s.label = labels_[i] + opt_.label_offset;
    s.name = path_.filename().string() + "#" + std::to_string(i);
    return s;
  }
  std::string Describe() const override {
    return "raw NHWC uint8 " + path_.string() + " + labels " + labels_path_.string() + " (" +
           std::to_string(size()) + " images)";
  }

 private:
  fs::path path_, labels_path_;
  DatasetOptions opt_;
  std::vector<uint8_t> data_;
  std::vector<int> labels_;
};

bool IsImageFile(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

class ImageFolder : public Dataset {
 public:
  ImageFolder(const fs::path& dir, const DatasetOptions& opt) : dir_(dir), opt_(opt) {
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && IsImageFile(e.path())) files_.push_back(e.path());
    std::sort(files_.begin(), files_.end());
    Check(!files_.empty(), dir.string() + " contains no images (.jpg .jpeg .png .bmp)");
    if (!opt.labels_file.empty()) {
      std::ifstream f(opt.labels_file);
      if (!f) throw Error("cannot open labels file " + opt.labels_file);
      std::map<std::string, int> by_name;
      std::string line;
      while (std::getline(f, line)) {
        std::istringstream ls(line);
        std::string name;
        int label;
        if (ls >> name >> label) by_name[name] = label;
      }
      for (const auto& p : files_) {
        auto it = by_name.find(fs::relative(p, dir).string());
        if (it == by_name.end()) it = by_name.find(p.filename().string());
        Check(it != by_name.end(), "no label for " + p.string() + " in " + opt.labels_file);
        labels_.push_back(it->second);
      }
    } else {
      for (const auto& p : files_) {
        const std::string name = p.filename().string();
        size_t digits = 0;
        while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
        Check(digits > 0, "cannot infer a label from file name " + name +
                              " (expected a leading number, or give --labels-file)");
        labels_.push_back(std::stoi(name.substr(0, digits)));
      }
    }
  }
  size_t size() const override { return files_.size(); }
  Sample Get(size_t i) const override {
    const Image img = ResizeAndCenterCrop(LoadImage(files_[i].string()), opt_.height, opt_.width,
                                          opt_.crop_fraction);
    Sample s;
    s.pixels = img.pixels;
    s.label = labels_[i] + opt_.label_offset;
    s.name = files_[i].filename().string();
    return s;
  }
  std::string Describe() const override {
    return "image folder " + dir_.string() + " (" + std::to_string(size()) + " images)";
  }

 private:
  fs::path dir_;
  DatasetOptions opt_;
  std::vector<fs::path> files_;
  std::vector<int> labels_;
};

std::unique_ptr<Dataset> OpenRawFile(const fs::path& path, const DatasetOptions& opt) {
  if (!opt.labels_file.empty()) return std::make_unique<RawNhwc>(path, opt.labels_file, opt);
  const std::string name = path.filename().string();
  const std::string prefix = name.substr(0, name.size() - std::string("_u8_nhwc.bin").size());
  for (const char* suffix : {"_labels_u8.bin", "_labels_u16.bin"}) {
    const fs::path labels = path.parent_path() / (prefix + suffix);
    if (fs::exists(labels)) return std::make_unique<RawNhwc>(path, labels, opt);
  }
  throw Error("no labels for " + path.string() + " (expected " + prefix +
              "_labels_u8.bin or _labels_u16.bin beside it, or --labels-file)");
}

}  // namespace

std::unique_ptr<Dataset> OpenDataset(const std::string& path_text, const DatasetOptions& opt) {
  const fs::path path(path_text);
  if (!fs::exists(path)) throw Error("dataset not found: " + path_text);
  if (fs::is_regular_file(path)) {
    if (EndsWith(path.filename().string(), "_u8_nhwc.bin")) return OpenRawFile(path, opt);
    if (!opt.labels_file.empty() && !EndsWith(path.filename().string(), ".bin"))
      throw Error(path_text + ": unknown dataset file type");
    if (!opt.labels_file.empty()) return std::make_unique<RawNhwc>(path, opt.labels_file, opt);
    return std::make_unique<CifarBinary>(path, opt);
  }
  if (fs::exists(path / "test_batch.bin")) return std::make_unique<CifarBinary>(path / "test_batch.bin", opt);
  std::vector<fs::path> raw;
  for (const auto& e : fs::directory_iterator(path))
    if (e.is_regular_file() && EndsWith(e.path().filename().string(), "_u8_nhwc.bin")) raw.push_back(e.path());
  if (raw.size() == 1) return OpenRawFile(raw[0], opt);
  if (raw.size() > 1) {
    std::string names;
    for (const auto& r : raw) names += " " + r.filename().string();
    throw Error(path_text + " holds several raw image files (" + names + " ); name one");
  }
  return std::make_unique<ImageFolder>(path, opt);
}

}  // namespace potacc::io
