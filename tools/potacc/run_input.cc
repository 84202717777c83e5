#include "run_input.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "potacc/error.h"
#include "potacc/io/image.h"
#include "potacc/kernels/op_checks.h"
#include "potacc/tflite/reader.h"
#include "potacc/util/text.h"

namespace potacc::cli {
namespace {

bool LooksLikeImage(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

// Float inputs must be numbers: NaN or infinity reach the QUANTIZE of the
// model's input as an undefined float-to-int conversion.
void RequireFiniteFloats(const Tensor& input, std::span<const uint8_t> bytes, const std::string& name) {
  if (input.type != DataType::kFloat32) return;
  for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
    float v;
    std::memcpy(&v, bytes.data() + i, 4);
    if (!std::isfinite(v))
      throw Error(name + ": float32 input element " + std::to_string(i / 4) + " is " +
                  (std::isnan(v) ? "NaN" : "infinite") + "; inputs must be finite numbers");
  }
}

}  // namespace

std::vector<NamedInput> InputSource::Collect(const Tensor& input,
                                             const std::vector<std::string>& paths) const {
  std::vector<NamedInput> out;
  Check(input.num_elements() > 0, "model input '" + input.name + "' " + FormatShape(input.shape) +
                                      " has no elements; there is nothing to run");
  const size_t tensor_bytes = static_cast<size_t>(input.num_elements()) * DataTypeSize(input.type);
  if (paths.empty()) {
    // Deterministic input for smoke runs: pixels from a fixed seed.
    std::mt19937 rng(1234);
    const bool image_like = input.shape.size() == 4 && input.shape[3] == 3;
    NamedInput n{"random(seed=1234)", {}};
    if (image_like) {
      std::vector<uint8_t> px(static_cast<size_t>(input.num_elements()));
      for (auto& p : px) p = static_cast<uint8_t>(rng() & 0xff);
      n.bytes = io::PixelsToInput(input, px, preprocess);
    } else {
      Check(input.type != DataType::kFloat32, "give --input for non-image float models");
      n.bytes.resize(tensor_bytes);
      for (auto& b : n.bytes) b = static_cast<uint8_t>(rng() & 0xff);
    }
    out.push_back(std::move(n));
    return out;
  }
  for (const std::string& path : paths) {
    if (LooksLikeImage(path)) {
      const io::InputGeometry g = io::ImageInputGeometry(input);
      const io::Image img = io::ResizeAndCenterCrop(io::LoadImage(path), g.height, g.width, crop_fraction);
      out.push_back({path, io::PixelsToInput(input, img.pixels, preprocess)});
      continue;
    }
    const std::vector<uint8_t> data = ReadFileBytes(path);
    const size_t unit = pixels ? static_cast<size_t>(input.num_elements()) : tensor_bytes;
    const std::string what = pixels ? "uint8 pixel image" : std::string(DataTypeName(input.type)) + " input tensor";
    Check(!data.empty() && data.size() % unit == 0 && (batch_file || data.size() == unit),
          path + " has " + std::to_string(data.size()) + " bytes; one " + what + " " +
              "is " + std::to_string(unit) + " bytes" +
              (batch_file ? "" : " (use --batch-file for several inputs in one file)"));
    const size_t count = data.size() / unit;
    for (size_t i = 0; i < count; ++i) {
      std::span<const uint8_t> chunk(data.data() + i * unit, unit);
      NamedInput n{count > 1 ? path + "#" + std::to_string(i) : path, {}};
      if (!pixels) RequireFiniteFloats(input, chunk, n.name);
      n.bytes = pixels ? io::PixelsToInput(input, chunk, preprocess)
                       : std::vector<uint8_t>(chunk.begin(), chunk.end());
      out.push_back(std::move(n));
    }
  }
  return out;
}

std::vector<NamedInputs> InputSource::CollectAll(const std::vector<const Tensor*>& inputs,
                                                 const std::vector<std::string>& paths) const {
  std::vector<NamedInputs> out;
  Check(!inputs.empty(), "the model has no inputs");
  if (inputs.size() == 1) {
    for (NamedInput& n : Collect(*inputs[0], paths)) out.push_back({std::move(n.name), {std::move(n.bytes)}});
    return out;
  }
  const size_t k = inputs.size();
  const std::string models_inputs = "the model has " + std::to_string(k) + " inputs";
  Check(!paths.empty() && paths.size() % k == 0,
        models_inputs + ": give one raw --input file per input, in order (got " + std::to_string(paths.size()) +
            " files)");
  Check(!pixels && !batch_file, models_inputs + ": --pixels and --batch-file take single-input models only");
  for (size_t first = 0; first < paths.size(); first += k) {
    NamedInputs group;
    for (size_t i = 0; i < k; ++i) {
      const std::string& path = paths[first + i];
      const Tensor& t = *inputs[i];
      Check(!LooksLikeImage(path), models_inputs + ": " + path + " is an image; give raw tensor files");
      const size_t tensor_bytes = static_cast<size_t>(std::max<int64_t>(t.num_elements(), 0)) * DataTypeSize(t.type);
      std::vector<uint8_t> data = ReadFileBytes(path);
      Check(data.size() == tensor_bytes, path + " has " + std::to_string(data.size()) + " bytes; input " +
                                             std::to_string(i) + " ('" + t.name + "', " + DataTypeName(t.type) +
                                             " " + FormatShape(t.shape) + ") is " + std::to_string(tensor_bytes) +
                                             " bytes");
      RequireFiniteFloats(t, data, path);
      group.name += (i ? "+" : "") + path;
      group.tensors.push_back(std::move(data));
    }
    out.push_back(std::move(group));
  }
  return out;
}

}  // namespace potacc::cli
