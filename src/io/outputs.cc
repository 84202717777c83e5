#include "potacc/io/outputs.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>

#include "potacc/error.h"
#include "potacc/util/file.h"

namespace potacc::io {

std::vector<float> Dequantize(const Tensor& tensor, std::span<const uint8_t> bytes) {
  const size_t n = static_cast<size_t>(tensor.num_elements());
  std::vector<float> out(n);
  const float scale = tensor.quant.empty() ? 1.0f : tensor.quant.scale[0];
  const auto zp = static_cast<int32_t>(tensor.quant.zero_point.empty() ? 0 : tensor.quant.zero_point[0]);
  Check(bytes.size() >= n * DataTypeSize(tensor.type), "output buffer too small");
  switch (tensor.type) {
    case DataType::kFloat32:
      std::memcpy(out.data(), bytes.data(), n * 4);
      break;
    case DataType::kInt8:
      for (size_t i = 0; i < n; ++i) out[i] = scale * (static_cast<int8_t>(bytes[i]) - zp);
      break;
    case DataType::kUInt8:
      for (size_t i = 0; i < n; ++i) out[i] = scale * (bytes[i] - zp);
      break;
    case DataType::kInt32:
      for (size_t i = 0; i < n; ++i) {
        int32_t v;
        std::memcpy(&v, &bytes[i * 4], 4);
        out[i] = scale * static_cast<float>(v - zp);
      }
      break;
    default:
      throw UnsupportedError(std::string("output type ") + DataTypeName(tensor.type) +
                             " cannot be read as scores");
  }
  return out;
}

std::vector<std::pair<int, float>> TopK(std::span<const float> scores, int k) {
  std::vector<int> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min<int>(k, static_cast<int>(idx.size()));
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  });
  std::vector<std::pair<int, float>> top;
  for (int i = 0; i < k; ++i) top.emplace_back(idx[i], scores[idx[i]]);
  return top;
}

std::vector<std::string> LoadLabelNames(const std::string& path) {
  RequireReadableFile(path);
  std::ifstream f(path);
  if (!f) throw Error("cannot open labels file " + path);
  std::vector<std::string> names;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream ls(line);
    std::string first;
    ls >> first;
    const bool numbered = !first.empty() && std::all_of(first.begin(), first.end(), [](unsigned char c) {
      return std::isdigit(c);
    });
    if (!numbered) {
      names.push_back(line);
      continue;
    }
    std::string rest;
    std::getline(ls >> std::ws, rest);
    // "idx wnid name": drop the WordNet id too.
    if (rest.size() > 10 && rest[0] == 'n' && std::isdigit(static_cast<unsigned char>(rest[1])) &&
        rest.find(' ') == 9)
      rest = rest.substr(10);
    names.push_back(rest);
  }
  return names;
}

}  // namespace potacc::io
