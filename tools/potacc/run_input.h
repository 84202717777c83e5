// Turning --input arguments into input tensors (images, raw tensors, raw pixels).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/io/preprocess.h"
#include "potacc/model.h"

namespace potacc::cli {

struct NamedInput {
  std::string name;
  std::vector<uint8_t> bytes;  // exactly the input tensor's bytes
};

// One inference of a model with several inputs: the bytes of each input tensor.
struct NamedInputs {
  std::string name;
  std::vector<std::vector<uint8_t>> tensors;
};

struct InputSource {
  io::Preprocess preprocess;
  float crop_fraction = 0.875f;
  bool pixels = false;      // raw files hold uint8 HxWx3 pixels
  bool batch_file = false;  // raw files may hold several inputs back to back

  // One entry per inference. No paths: one deterministic pseudo-random input.
  std::vector<NamedInput> Collect(const Tensor& input, const std::vector<std::string>& paths) const;
  // Any number of model inputs: with one input as Collect; with k > 1, paths
  // are raw tensor files taken k at a time (one file per input, in the
  // model's input order) and there must be a whole number of such groups.
  std::vector<NamedInputs> CollectAll(const std::vector<const Tensor*>& inputs,
                                      const std::vector<std::string>& paths) const;
};

}  // namespace potacc::cli
