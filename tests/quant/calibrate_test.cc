// Calibration statistics, bias correction and the activation-aware search.
#include "potacc/quant/calibrate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "potacc/quant/requantize.h"
#include "potacc/tflite/model_builder.h"

namespace potacc::quant {
namespace {

// input(1x6x6x3) -> conv3x3(5) -> mean -> fc(4)
Model Net(uint64_t seed) {
  ModelBuilder b(seed);
  int x = b.Input({1, 6, 6, 3}, 1.0f / 32, -10);
  x = b.Conv2D(x, {.out_channels = 5, .kernel = 3, .activation = Activation::kRelu});
  x = b.Mean(x, {1, 2});
  b.Output(b.FullyConnected(x, {.out_features = 4}));
  return b.Build();
}

class RandomImages : public io::Dataset {
 public:
  explicit RandomImages(size_t n) : n_(n) {}
  size_t size() const override { return n_; }
  io::Sample Get(size_t index) const override {
    std::mt19937 rng(static_cast<uint32_t>(index) + 1);
    io::Sample s;
    s.pixels.resize(6 * 6 * 3);
    for (auto& p : s.pixels) p = static_cast<uint8_t>(rng() % 256);
    s.label = 0;
    return s;
  }
  std::string Describe() const override { return "random"; }

 private:
  size_t n_;
};

std::vector<int32_t> Bias(const Model& m, int node) {
  const Tensor& t = m.main().tensors[m.main().operators[node].inputs[2]];
  const auto* d = ConstantData(m, t);
  std::vector<int32_t> v(d->size() / 4);
  std::memcpy(v.data(), d->data(), d->size());
  return v;
}

TEST(CalibrateTest, FirstLayerStatisticsMatchTheQuantizedInput) {
  const Model m = Net(1);
  const RandomImages data(5);
  const io::Preprocess pre;  // raw pixels
  const auto stats = CollectInputStats(m, data, pre, 1, 3);  // images 1..3
  ASSERT_EQ(stats.count(0), 1u);
  ASSERT_EQ(stats.count(2), 1u);  // the FC
  const Tensor& in = m.main().tensors[m.main().inputs[0]];
  std::vector<double> mean(3, 0), ms(3, 0);
  for (size_t i = 1; i <= 3; ++i) {
    const auto bytes = io::PixelsToInput(in, data.Get(i).pixels, pre);
    for (size_t k = 0; k < bytes.size(); ++k) {
      const double x = (static_cast<int8_t>(bytes[k]) - in.quant.zero_point[0]) * in.quant.scale[0];
      mean[k % 3] += x / (36 * 3);
      ms[k % 3] += x * x / (36 * 3);
    }
  }
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(stats.at(0).mean[c], mean[c], 1e-9);
    EXPECT_NEAR(stats.at(0).mean_square[c], ms[c], 1e-9);
  }
  EXPECT_EQ(stats.at(2).mean.size(), 5u);  // FC input features = conv channels
  for (double v : stats.at(2).mean_square) EXPECT_GE(v, 0.0);
}

TEST(CalibrateTest, BiasCorrectionCancelsTheMeanOutputShift) {
  const Model src = Net(3);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kQKeras);
  opt.layers = {"0"};
  InputStats st;
  st.mean = {0.7, -0.2, 1.3};
  st.mean_square = {1, 1, 1};
  opt.input_stats[0] = st;
  opt.activation_aware_search = false;
  const RequantizeResult corrected = RequantizeModel(src, opt);
  opt.bias_correction = false;
  const RequantizeResult plain = RequantizeModel(src, opt);
  EXPECT_TRUE(corrected.layers[0].bias_corrected);
  // Same weights and scales; only the bias differs, by -sum_k e_k mean_k.
  const Operator& op = src.main().operators[0];
  const Tensor& ws = src.main().tensors[op.inputs[1]];
  const Tensor& wd = corrected.model.main().tensors[op.inputs[1]];
  const Tensor& bd = corrected.model.main().tensors[op.inputs[2]];
  EXPECT_EQ(*ConstantData(corrected.model, wd), *ConstantData(plain.model, plain.model.main().tensors[op.inputs[1]]));
  const auto* q0 = reinterpret_cast<const int8_t*>(ConstantData(src, ws)->data());
  const auto* q1 = reinterpret_cast<const int8_t*>(ConstantData(corrected.model, wd)->data());
  const auto b_plain = Bias(plain.model, 0), b_corr = Bias(corrected.model, 0);
  const int k = 3 * 3 * 3;
  for (int c = 0; c < 5; ++c) {
    double shift = 0;  // real output shift caused by the weight change
    for (int i = 0; i < k; ++i)
      shift += (q1[c * k + i] * double(wd.quant.scale[c]) - q0[c * k + i] * double(ws.quant.scale[c])) * st.mean[i % 3];
    const double lsb = bd.quant.scale[c];
    EXPECT_NEAR((b_corr[c] - b_plain[c]) * lsb, -shift, lsb * 1.01) << "channel " << c;
  }
}

TEST(CalibrateTest, ActivationAwareSearchFavoursTheBusyInput) {
  const Model src = Net(5);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kApot);
  opt.layers = {"0"};
  opt.bias_correction = false;
  InputStats st;
  st.mean = {0, 0, 0};
  st.mean_square = {1000, 0.001, 0.001};  // input channel 0 dominates the output
  opt.input_stats[0] = st;
  const RequantizeResult aware = RequantizeModel(src, opt);
  opt.input_stats.clear();
  const RequantizeResult plain = RequantizeModel(src, opt);
  EXPECT_TRUE(aware.layers[0].activation_aware);
  const Operator& op = src.main().operators[0];
  const Tensor& ws = src.main().tensors[op.inputs[1]];
  const auto* q0 = reinterpret_cast<const int8_t*>(ConstantData(src, ws)->data());
  // Output-error proxy sum_k ms_k e_k^2, per model.
  auto weighted_error = [&](const Model& m) {
    const Tensor& wd = m.main().tensors[op.inputs[1]];
    const auto* q1 = reinterpret_cast<const int8_t*>(ConstantData(m, wd)->data());
    double e2 = 0;
    for (int i = 0; i < 5 * 27; ++i) {
      const int c = i / 27;
      const double e = q1[i] * double(wd.quant.scale[c]) - q0[i] * double(ws.quant.scale[c]);
      e2 += st.mean_square[i % 3] * e * e;
    }
    return e2;
  };
  EXPECT_LT(weighted_error(aware.model), weighted_error(plain.model));
  // Reports still show the plain weight error: no better than the weight-MSE plan.
  EXPECT_LE(aware.layers[0].sqnr_db, plain.layers[0].sqnr_db + 1e-9);
}

}  // namespace
}  // namespace potacc::quant
