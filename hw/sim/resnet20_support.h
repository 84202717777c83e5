// ResNet-20 (the shared PoTAcc CIFAR-10 model) for the RTL co-simulation
// tests: the model requantized onto a method's grid (as `potacc quantize
// --method M` does) and the first CIFAR-10 test image as its input.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "potacc/io/preprocess.h"
#include "potacc/model.h"
#include "potacc/quant/requantize.h"
#include "potacc/tflite/reader.h"
#include "support/data_dir.h"

namespace potacc::hw::testing_support {

inline constexpr const char* kResnet20 = "models/potacc/potaccAPoT_res20_4bit.tflite";
inline constexpr const char* kCifarImages = "cifar10/test_first1000_u8_nhwc.bin";

// The shared model, requantized with `method` ("int8": unmodified).
inline Model Resnet20(const std::string& method) {
  Model model = LoadModel(::potacc::testing::DataPath(kResnet20).string());
  if (method == "int8") return model;
  quant::RequantizeOptions options;
  options.method = &quant::MethodByName(method);
  return quant::RequantizeModel(model, options).model;
}

// CIFAR-10 test image `index` as the model's input tensor bytes (the
// reference evaluation's mean/std normalisation).
inline std::vector<uint8_t> CifarInput(const Model& model, int index) {
  constexpr size_t kImage = 32 * 32 * 3;
  std::ifstream in(::potacc::testing::DataPath(kCifarImages), std::ios::binary);
  std::vector<uint8_t> pixels(kImage);
  in.seekg(static_cast<std::streamoff>(index * kImage));
  in.read(reinterpret_cast<char*>(pixels.data()), static_cast<std::streamsize>(kImage));
  io::Preprocess pre;
  pre.mode = io::Preprocess::Mode::kMeanStd;
  pre.mean = {0.4914f, 0.4822f, 0.4465f};
  pre.std = {0.2470f, 0.2435f, 0.2616f};
  const Tensor& input = model.main().tensors.at(model.main().inputs[0]);
  return io::PixelsToInput(input, pixels, pre);
}

}  // namespace potacc::hw::testing_support
