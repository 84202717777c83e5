#include "potacc/quant/calibrate.h"

#include <algorithm>

#include "potacc/error.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::quant {

std::map<int, InputStats> CollectInputStats(const Model& model, const io::Dataset& data,
                                            const io::Preprocess& preprocess, size_t first, size_t count,
                                            const ProgressCallback& progress) {
  Check(first < data.size(), "calibration: data set has " + std::to_string(data.size()) + " images, first = " +
                                 std::to_string(first));
  const size_t n = std::min(count, data.size() - first);
  Check(n > 0, "calibration: no images");
  const Subgraph& g = model.main();
  // Nodes to observe: input tensor and channel count (weights' last dimension).
  struct Probe {
    int node, input, channels;
  };
  std::vector<Probe> probes;
  for (size_t i = 0; i < g.operators.size(); ++i) {
    const Operator& op = g.operators[i];
    if (op.op() != BuiltinOp::kConv2D && op.op() != BuiltinOp::kFullyConnected) continue;
    if (op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0) continue;
    const Tensor& in = g.tensors.at(op.inputs[0]);
    const Tensor& w = g.tensors.at(op.inputs[1]);
    if (in.type != DataType::kInt8 || in.quant.empty() || w.shape.empty() || w.shape.back() <= 0) continue;
    probes.push_back({static_cast<int>(i), op.inputs[0], w.shape.back()});
  }
  std::map<int, InputStats> stats;
  std::map<int, int64_t> counts;
  for (const Probe& p : probes) {
    stats[p.node].mean.assign(p.channels, 0.0);
    stats[p.node].mean_square.assign(p.channels, 0.0);
  }

  Interpreter interp(model);
  interp.Prepare();
  const Tensor& in = interp.tensor(interp.input_tensor(0));
  for (size_t k = 0; k < n; ++k) {
    const io::Sample s = data.Get(first + k);
    interp.SetInput(0, io::PixelsToInput(in, s.pixels, preprocess));
    interp.Invoke();  // every activation tensor keeps its own buffer
    for (const Probe& p : probes) {
      const Tensor& t = interp.tensor(p.input);
      const auto bytes = interp.tensor_bytes(p.input);
      const double scale = t.quant.scale[0];
      const double zp = static_cast<double>(t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0]);
      InputStats& st = stats[p.node];
      for (size_t i = 0; i < bytes.size(); ++i) {
        const double x = (static_cast<int8_t>(bytes[i]) - zp) * scale;
        st.mean[i % p.channels] += x;
        st.mean_square[i % p.channels] += x * x;
      }
      counts[p.node] += static_cast<int64_t>(bytes.size() / p.channels);
    }
    ReportProgress(progress, "calibrate", static_cast<int64_t>(k + 1), static_cast<int64_t>(n));
  }
  for (auto& [node, st] : stats) {
    const double d = static_cast<double>(std::max<int64_t>(1, counts[node]));
    for (double& v : st.mean) v /= d;
    for (double& v : st.mean_square) v /= d;
  }
  return stats;
}

}  // namespace potacc::quant
