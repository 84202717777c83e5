#include "potacc/io/dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "potacc/error.h"
#include "potacc/io/image.h"
#include "potacc/util/file.h"

namespace fs = std::filesystem;

namespace potacc::io {
namespace {

constexpr size_t kCifarPixels = 32 * 32 * 3;

std::vector<uint8_t> ReadAll(const fs::path& path) { return ReadFileBytes(path.string()); }

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
    s.name = Name(i);
    s.pixels.resize(kCifarPixels);
    for (int c = 0; c < 3; ++c)  // channel-major planes -> HWC
      for (int p = 0; p < 1024; ++p) s.pixels[p * 3 + c] = rec[1 + c * 1024 + p];
    return s;
  }
  std::string Name(size_t i) const override { return path_.filename().string() + "#" + std::to_string(i); }
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
    // One label per image: a count mismatch means the pixels are of another
    // size (32x32 data read by a 16x16 model "has" 4x the images).
    Check(labels_.size() == data_.size() / per,
          path.string() + " holds " + std::to_string(data_.size() / per) + " images of " + std::to_string(opt.height) +
              "x" + std::to_string(opt.width) + "x3 but " + labels.string() + " has " +
              std::to_string(labels_.size()) + " labels (data of another image size?)");
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
    s.name = Name(i);
    return s;
  }
  std::string Name(size_t i) const override { return path_.filename().string() + "#" + std::to_string(i); }
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

// A class label: a whole decimal number >= 0 ("1.5", "7x" and "-1" are errors).
int ParseLabel(const std::string& text, const std::string& where) {
  const bool digits = !text.empty() && text.size() <= 6 &&
                      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  Check(digits, where + ": label '" + text + "' is not a class index (a whole number >= 0)");
  return std::stoi(text);
}

// Label from a leading decimal number of a file name ("0042_cat.jpg" -> 42).
int LeadingNumber(const std::string& name) {
  size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  Check(digits > 0, "cannot infer a label from file name " + name +
                        " (expected a leading number, class subfolders, or --labels-file)");
  Check(digits <= 6, "file name " + name + " starts with a number too large to be a class index");
  return std::stoi(name.substr(0, digits));
}

class ImageFolder : public Dataset {
 public:
  ImageFolder(const fs::path& dir, const DatasetOptions& opt) : dir_(dir), opt_(opt) {
    std::vector<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!IsImageFile(e.path())) continue;
      // An image name that is not a readable file (a broken link, a folder,
      // a FIFO) is an error, not an image silently left out.
      if (!e.is_regular_file()) {
        if (e.is_directory()) continue;  // a folder named like an image holds its own entries
        throw Error(e.path().string() + ": not a regular file (broken link or special file) in image folder " +
                    dir.string());
      }
      found.push_back(e.path());
    }
    std::sort(found.begin(), found.end());
    Check(!found.empty(), dir.string() + " contains no images (.jpg .jpeg .png .bmp)");
    class_root_ = CommonRoot(found);
    if (!opt.labels_file.empty()) {
      LabelsFromFile(found, opt.labels_file);
    } else if (InClassFolders(found)) {
      // torchvision ImageFolder convention: sorted class folder names -> 0, 1, ...
      std::vector<std::string> classes;
      for (const auto& p : found) classes.push_back(ClassFolder(p));
      std::sort(classes.begin(), classes.end());
      classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
      files_ = found;
      for (const auto& p : files_)
        labels_.push_back(static_cast<int>(
            std::lower_bound(classes.begin(), classes.end(), ClassFolder(p)) - classes.begin()));
      layout_ = std::to_string(classes.size()) + " class folders";
    } else {
      files_ = found;
      for (const auto& p : files_) labels_.push_back(LeadingNumber(p.filename().string()));
      layout_ = "labels from file names";
    }
  }
  size_t size() const override { return files_.size(); }
  Sample Get(size_t i) const override {
    const Image img = ResizeAndCenterCrop(LoadImage(files_[i].string()), opt_.height, opt_.width,
                                          opt_.crop_fraction);
    Sample s;
    s.pixels = img.pixels;
    s.label = labels_[i] + opt_.label_offset;
    s.name = Name(i);
    return s;
  }
  std::string Name(size_t i) const override { return fs::relative(files_[i], dir_).string(); }
  std::string Describe() const override {
    return "image folder " + dir_.string() + " (" + std::to_string(size()) + " images, " + layout_ + ")";
  }

 private:
  // The labels file's order is the dataset order (so --limit N means its first N lines).
  void LabelsFromFile(const std::vector<fs::path>& found, const std::string& labels_file) {
    RequireReadableFile(labels_file);
    std::ifstream f(labels_file);
    std::map<std::string, fs::path> by_relative, by_name;
    for (const auto& p : found) {
      by_relative[fs::relative(p, dir_).string()] = p;
      by_name.emplace(p.filename().string(), p);
    }
    std::string line;
    int line_no = 0;
    std::map<fs::path, int> listed_at;  // image -> line that listed it
    while (std::getline(f, line)) {
      ++line_no;
      const std::string where = labels_file + ":" + std::to_string(line_no);
      std::istringstream ls(line);
      std::string name, label_text, extra;
      if (!(ls >> name)) continue;
      Check(static_cast<bool>(ls >> label_text) && !(ls >> extra), where + ": expected '<file name> <label>'");
      const int label = ParseLabel(label_text, where);
      auto it = by_relative.find(name);
      if (it == by_relative.end()) it = by_name.find(fs::path(name).filename().string());
      Check(it != by_name.end(), where + ": " + name + " is not an image under " + dir_.string());
      const auto [seen, fresh] = listed_at.emplace(it->second, line_no);
      Check(fresh, where + ": " + name + " is already listed on line " + std::to_string(seen->second));
      files_.push_back(it->second);
      labels_.push_back(label);
    }
    Check(!files_.empty(), labels_file + " lists no images");
    layout_ = "labels from " + labels_file;
  }
  // The deepest folder holding every image ("data/test/cat/1.jpg", "data/test/dog/2.jpg" -> data/test).
  fs::path CommonRoot(const std::vector<fs::path>& found) const {
    fs::path root = dir_;
    for (;;) {
      std::string first;
      bool same = true;
      for (const auto& p : found) {
        const fs::path rel = fs::relative(p, root);
        if (!rel.has_parent_path()) return root;  // an image directly in root
        const std::string top = rel.begin()->string();
        if (first.empty()) first = top;
        same = same && top == first;
      }
      if (!same) return root;
      root /= first;
    }
  }
  // Every image sits in a class subfolder of the common root.
  bool InClassFolders(const std::vector<fs::path>& found) const {
    for (const auto& p : found)
      if (!fs::relative(p, class_root_).has_parent_path()) return false;
    return true;
  }
  std::string ClassFolder(const fs::path& p) const { return fs::relative(p, class_root_).begin()->string(); }

  fs::path dir_;
  fs::path class_root_;
  DatasetOptions opt_;
  std::vector<fs::path> files_;
  std::vector<int> labels_;
  std::string layout_;
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
