// Preprocessing / dataset flags shared by run, eval, diff and quantize --eval.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "potacc/io/dataset.h"
#include "potacc/io/preprocess.h"

namespace potacc::cli {

struct InputFlags {
  std::string mean, std;
  bool scale01 = false;
  float crop_fraction = 0.875f;
  std::string labels_file;
  int label_offset = 0;

  // Adds --mean --std --scale01 --crop-fraction (and, with dataset = true,
  // --labels-file --label-offset).
  void Add(CLI::App* cmd, bool dataset);
  io::Preprocess preprocess() const;
  io::DatasetOptions dataset_options(int height, int width) const;
};

}  // namespace potacc::cli
