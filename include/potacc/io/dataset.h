// Labelled image sets for `potacc eval`:
//  * CIFAR-10 binary (official): per record 1 label byte + 3072 channel-major
//    pixel bytes (data_batch_N.bin / test_batch.bin);
//  * raw NHWC uint8 pixels "<prefix>_u8_nhwc.bin" with labels in
//    "<prefix>_labels_u8.bin" or "<prefix>_labels_u16.bin" (shared/data layout);
//  * a folder of images (ImageNet-validation style) with a labels file
//    ("<file name> <label>" per line; the file's order is the dataset order),
//    or class subfolders (label = index of the subfolder in sorted order, the
//    torchvision ImageFolder convention), or labels taken from a leading
//    number in each file name ("0042_n01234567_name.jpg").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace potacc::io {

struct Sample {
  std::vector<uint8_t> pixels;  // HWC RGB, already at the model's input size
  int label = -1;
  std::string name;
};

struct DatasetOptions {
  int height = 0, width = 0;       // model input size (pixels are resized/cropped to it)
  std::string labels_file;         // image folders / raw files: explicit labels
  int label_offset = 0;            // added to every label (1001-class models: 1)
  float crop_fraction = 0.875f;    // image folders: centre crop fraction
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual size_t size() const = 0;
  virtual Sample Get(size_t index) const = 0;
  // Name of an item (file name, or "<file>#<index>") without decoding it.
  virtual std::string Name(size_t index) const { return "#" + std::to_string(index); }
  virtual std::string Describe() const = 0;
};

// Picks the format from the path (see above). Throws potacc::Error with the
// reason when the path is missing or matches no format.
std::unique_ptr<Dataset> OpenDataset(const std::string& path, const DatasetOptions& options);

}  // namespace potacc::io
