// Reading a classifier's output: dequantized scores, top-k, label names.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "potacc/model.h"

namespace potacc::io {

// Output values as real numbers (float32 as is; int8/uint8/int32 dequantized).
std::vector<float> Dequantize(const Tensor& tensor, std::span<const uint8_t> bytes);

// Indices of the k largest scores, largest first; ties keep the lower index first.
std::vector<std::pair<int, float>> TopK(std::span<const float> scores, int k);

// One name per line. "idx wnid name" lines (ImageNet labels) keep the name part;
// a leading class index is dropped.
std::vector<std::string> LoadLabelNames(const std::string& path);

}  // namespace potacc::io
