#include "input_flags.h"

#include "potacc/error.h"
#include "cli_checks.h"

namespace potacc::cli {

void InputFlags::Add(CLI::App* cmd, bool dataset) {
  cmd->add_option("--mean", mean, "per-channel mean R,G,B in [0,1] units: value = (px/255 - mean)/std");
  cmd->add_option("--std", std, "per-channel std R,G,B (with --mean)");
  cmd->add_flag("--scale01", scale01, "value = px/255 (default: raw pixel values 0..255)");
  cmd->add_option("--crop-fraction", crop_fraction,
                  "images are resized so the crop is this fraction of the short side, then centre-cropped")
      ->check(FiniteNumber())
      ->check(CLI::Range(0.05f, 1.0f));
  if (dataset) {
    cmd->add_option("--labels-file", labels_file,
                    "labels for an image folder ('file label' lines) or a raw NHWC file (u8/u16 binary)");
    cmd->add_option("--label-offset", label_offset, "added to dataset labels (1 for 1001-class models)");
  }
}

io::Preprocess InputFlags::preprocess() const {
  io::Preprocess p;
  Check(!(scale01 && (!mean.empty() || !std.empty())), "--scale01 cannot be combined with --mean/--std");
  if (scale01) p.mode = io::Preprocess::Mode::kScale01;
  if (!mean.empty() || !std.empty()) {
    p.mode = io::Preprocess::Mode::kMeanStd;
    if (!mean.empty()) p.mean = io::Preprocess::ParseTriple(mean, "--mean");
    if (!std.empty()) p.std = io::Preprocess::ParseTriple(std, "--std");
    p.Validate();
  }
  return p;
}

io::DatasetOptions InputFlags::dataset_options(int height, int width) const {
  io::DatasetOptions o;
  o.height = height;
  o.width = width;
  o.labels_file = labels_file;
  o.label_offset = label_offset;
  o.crop_fraction = crop_fraction;
  return o;
}

}  // namespace potacc::cli
