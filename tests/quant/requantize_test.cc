// Model-level requantization: grid values, scale/bias consistency, options,
// errors, metadata, and the PoT-trained models of ../shared/data.
#include "potacc/quant/requantize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include "potacc/error.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/model_builder.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "support/data_dir.h"

namespace potacc::quant {
namespace {

// APoT's int8 levels as a QAT model stores them (reference doc §1.6 T8).
const std::vector<int> kApotInt8 = {-127, -102, -76, -51, -38, -25, -13, 0, 13, 25, 38, 51, 76, 102, 127};

// input -> conv3x3(8) -> depthwise3x3 -> conv1x1(6) -> mean -> fc(5)
Model SmallNet(uint64_t seed, const std::vector<int>& levels = {}) {
  ModelBuilder b(seed);
  int x = b.Input({1, 8, 8, 4}, 1.0f / 64, 3);
  x = b.Conv2D(x, {.out_channels = 8, .kernel = 3, .activation = Activation::kRelu, .weights = {levels}});
  x = b.DepthwiseConv2D(x, {.kernel = 3, .weights = {levels}});
  x = b.Conv2D(x, {.out_channels = 6, .kernel = 1, .weights = {levels}});
  x = b.Mean(x, {1, 2});
  x = b.FullyConnected(x, {.out_features = 5, .weights = {levels}});
  b.Output(x);
  return b.Build();
}

std::vector<int8_t> Int8Data(const Model& m, const Tensor& t) {
  const auto* d = ConstantData(m, t);
  return {reinterpret_cast<const int8_t*>(d->data()), reinterpret_cast<const int8_t*>(d->data()) + d->size()};
}

std::vector<int32_t> Int32Data(const Model& m, const Tensor& t) {
  const auto* d = ConstantData(m, t);
  std::vector<int32_t> v(d->size() / 4);
  std::memcpy(v.data(), d->data(), d->size());
  return v;
}

int ChannelOfElement(const Tensor& t, size_t i) {
  if (!t.quant.per_channel()) return 0;
  int64_t inner = 1;
  for (size_t d = t.quant.quantized_dimension + 1; d < t.shape.size(); ++d) inner *= t.shape[d];
  return static_cast<int>((static_cast<int64_t>(i) / inner) % t.shape[t.quant.quantized_dimension]);
}

// Checks one requantized layer against its source: grid values, scales,
// bias consistency, and (on-grid layers) per-weight losslessness.
void CheckLayer(const Model& src, const Model& dst, const LayerReport& r, const Method& m, bool expect_lossless) {
  const Operator& op = src.main().operators[r.node];
  const Tensor& ws = src.main().tensors[op.inputs[1]];
  const Tensor& wd = dst.main().tensors[op.inputs[1]];
  const auto qs = Int8Data(src, ws), qd = Int8Data(dst, wd);
  ASSERT_EQ(qs.size(), qd.size());
  ASSERT_EQ(ws.quant.scale.size(), wd.quant.scale.size());
  for (size_t i = 0; i < qd.size(); ++i) {
    const int c = ChannelOfElement(ws, i);
    const bool kept_127 = m.id == MethodId::kQKeras && std::abs(qd[i]) == 127;
    if (!kept_127) {
      ASSERT_TRUE(m.OnGrid(qd[i])) << "node " << r.node << " value " << int(qd[i]);
    }
    if (expect_lossless) {
      // The requantized weight, seen at the source scale, rounds (and clamps)
      // to the source value: only the int8 conversion's own rounding differs.
      // (Ties x.5 may tip either way through the float32 scales.)
      const double x = qd[i] * static_cast<double>(wd.quant.scale[c]) / ws.quant.scale[c];
      ASSERT_LE(std::abs(std::clamp(x, -127.0, 127.0) - qs[i]), 0.5 + 1e-5)
          << "node " << r.node << " element " << i << " x=" << x;
    }
  }
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
    const Tensor& bs = src.main().tensors[op.inputs[2]];
    const Tensor& bd = dst.main().tensors[op.inputs[2]];
    const auto b0 = Int32Data(src, bs), b1 = Int32Data(dst, bd);
    for (size_t c = 0; c < b0.size(); ++c) {
      const size_t k = ws.quant.per_channel() ? c : 0;
      // Bias real value kept to half a (new) bias LSB; bias scale follows the filter scale.
      const double s_old = bs.quant.scale[bs.quant.scale.size() > 1 ? c : 0];
      const double s_new = bd.quant.scale[bd.quant.scale.size() > 1 ? c : 0];
      EXPECT_NEAR(s_new / s_old, double(wd.quant.scale[k]) / ws.quant.scale[k], 1e-6 * s_new / s_old);
      // (plus float32 rounding of the bias scale, relative 1e-7 of the bias)
      EXPECT_LE(std::abs(b1[c] * s_new - b0[c] * s_old), 0.5 * s_new * (1 + 1e-6) + 1e-6 * std::abs(b0[c] * s_old))
          << "node " << r.node;
    }
  }
}

TEST(RequantizeTest, WritesGridValuesAndConsistentScalesAndBiases) {
  const Model src = SmallNet(3);
  for (const Method* m : AllMethods()) {
    RequantizeOptions opt;
    opt.method = m;
    opt.include_depthwise = true;
    const RequantizeResult r = RequantizeModel(src, opt);
    EXPECT_EQ(r.quantized_layers(), 4) << m->name;
    for (const LayerReport& l : r.layers) {
      ASSERT_TRUE(l.quantized) << l.skip_reason;
      EXPECT_EQ(l.method, m->name);
      EXPECT_EQ(l.on_grid + l.searched + l.merged_bottom, l.channels);
      int64_t total = 0;
      for (auto [v, n] : l.levels) total += n;
      int64_t elements = 1;
      for (int d : l.shape) elements *= d;
      EXPECT_EQ(total, elements);
      CheckLayer(src, r.model, l, *m, m->id == MethodId::kInt8);
    }
  }
}

TEST(RequantizeTest, Int8MethodIsTheIdentity) {
  const Model src = SmallNet(5);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kInt8);
  opt.include_depthwise = true;
  RequantizeResult r = RequantizeModel(src, opt);
  EXPECT_EQ(r.model.metadata.count(kQuantMetadataName), 1u);
  r.model.metadata.erase(kQuantMetadataName);
  EXPECT_EQ(r.model, src);
}

// Runs the model on a deterministic input and returns the int8 output.
std::vector<int8_t> RunOnce(const Model& m, uint32_t seed) {
  Interpreter it(m);
  it.Prepare();
  std::mt19937 rng(seed);
  std::vector<uint8_t> in(it.tensor_bytes(it.input_tensor(0)).size());
  for (auto& v : in) v = static_cast<uint8_t>(rng());
  it.SetInput(0, in);
  it.Invoke();
  const auto out = it.Output(0);
  return {reinterpret_cast<const int8_t*>(out.data()), reinterpret_cast<const int8_t*>(out.data()) + out.size()};
}

TEST(RequantizeTest, OnGridModelIsRemappedLosslesslyAndRunsTheSame) {
  const Model src = SmallNet(9, kApotInt8);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kApot);
  opt.include_depthwise = true;
  const RequantizeResult r = RequantizeModel(src, opt);
  for (const LayerReport& l : r.layers) {
    ASSERT_TRUE(l.quantized);
    EXPECT_EQ(l.on_grid, l.channels) << "node " << l.node;
    EXPECT_LE(l.max_abs_error_lsb, 0.5 + 1e-9);
    CheckLayer(src, r.model, l, GetMethod(MethodId::kApot), true);
    for (auto [v, n] : l.levels) EXPECT_LE(std::abs(v), 10);
  }
  // The dequantized network is (almost) unchanged: outputs within 2 LSB.
  for (uint32_t seed : {1u, 2u, 3u}) {
    const auto a = RunOnce(src, seed), b = RunOnce(r.model, seed);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_LE(std::abs(a[i] - b[i]), 2) << "output " << i;
  }
}

TEST(RequantizeTest, OffGridLayerOutputStaysClose) {
  // Random int8 weights through 4-bit APoT: the real-valued layer output moves
  // by about the weight SQNR, and the layer's output scale is unchanged.
  const Model src = SmallNet(13);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kApot);
  opt.layers = {"0"};
  const RequantizeResult r = RequantizeModel(src, opt);
  const LayerReport& l = r.layers[0];
  ASSERT_TRUE(l.quantized);
  EXPECT_EQ(l.searched, l.channels);
  EXPECT_GT(l.sqnr_db, 15.0);
  const Operator& op = src.main().operators[0];
  const Tensor& ws = src.main().tensors[op.inputs[1]];
  const Tensor& wd = r.model.main().tensors[op.inputs[1]];
  const auto qs = Int8Data(src, ws), qd = Int8Data(r.model, wd);
  const auto b0 = Int32Data(src, src.main().tensors[op.inputs[2]]);
  const auto b1 = Int32Data(r.model, r.model.main().tensors[op.inputs[2]]);
  const float s_in = src.main().tensors[op.inputs[0]].quant.scale[0];
  // y_c = s_in * (s_w[c] * sum x q + s_w[c] * b_c) for one random receptive field per channel.
  std::mt19937 rng(4);
  const int channels = ws.shape[0];
  const size_t k = qs.size() / channels;
  double err2 = 0, sig2 = 0;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<int> x(k);
    for (auto& v : x) v = static_cast<int>(rng() % 256) - 128;
    for (int c = 0; c < channels; ++c) {
      double y0 = b0[c], y1 = b1[c];
      double acc0 = 0, acc1 = 0;
      for (size_t i = 0; i < k; ++i) {
        acc0 += x[i] * qs[c * k + i];
        acc1 += x[i] * qd[c * k + i];
      }
      y0 = s_in * ws.quant.scale[c] * (acc0 + y0);
      y1 = s_in * wd.quant.scale[c] * (acc1 + y1);
      err2 += (y1 - y0) * (y1 - y0);
      sig2 += y0 * y0;
    }
  }
  EXPECT_GT(10 * std::log10(sig2 / err2), 12.0);  // 4-bit weights: output SQNR well above 10 dB
  // Untouched layers keep their bytes.
  EXPECT_EQ(r.model.main().tensors[src.main().operators[2].inputs[1]].quant,
            src.main().tensors[src.main().operators[2].inputs[1]].quant);
}

TEST(RequantizeTest, LayerSelectionOptions) {
  const Model src = SmallNet(17);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kMsq);
  RequantizeResult r = RequantizeModel(src, opt);
  // Default: depthwise excluded.
  ASSERT_EQ(r.layers.size(), 4u);
  EXPECT_TRUE(r.layers[0].quantized);
  EXPECT_FALSE(r.layers[1].quantized);
  EXPECT_NE(r.layers[1].skip_reason.find("depthwise"), std::string::npos);
  EXPECT_TRUE(r.layers[3].quantized);

  opt.skip_first_conv = true;
  opt.skip_last_fc = true;
  r = RequantizeModel(src, opt);
  EXPECT_FALSE(r.layers[0].quantized);
  EXPECT_TRUE(r.layers[2].quantized);
  EXPECT_FALSE(r.layers[3].quantized);
  EXPECT_EQ(r.quantized_layers(), 1);

  RequantizeOptions by_name;
  by_name.method = &GetMethod(MethodId::kMsq);
  by_name.layers = {src.main().tensors[src.main().operators[4].inputs[1]].name};  // FC weights
  r = RequantizeModel(src, by_name);
  EXPECT_EQ(r.quantized_layers(), 1);
  EXPECT_TRUE(r.layers[3].quantized);

  by_name.layers = {"no_such_tensor"};
  EXPECT_THROW(RequantizeModel(src, by_name), Error);
}

TEST(RequantizeTest, ClearErrors) {
  const Model src = SmallNet(19);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kApot);
  opt.layers = {"1"};  // the depthwise node, not selected without include_depthwise
  try {
    RequantizeModel(src, opt);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no quantizable layer"), std::string::npos) << e.what();
  }
  // Float-only: every conv/FC weight tensor float32.
  Model fl = src;
  for (const Operator& op : fl.main().operators) {
    if (op.inputs.size() < 2) continue;
    Tensor& t = fl.main().tensors[op.inputs[1]];
    if (t.type != DataType::kInt8) continue;
    t.type = DataType::kFloat32;
    t.quant = {};
    fl.buffers[t.buffer].data.resize(t.num_elements() * 4, 0);
  }
  opt.layers.clear();
  try {
    RequantizeModel(fl, opt);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("float-only"), std::string::npos) << e.what();
  }
  // No conv/FC at all.
  ModelBuilder b(1);
  int x = b.Input({1, 4, 4, 2});
  b.Output(b.Relu(x));
  try {
    RequantizeModel(b.Build(), opt);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no CONV_2D"), std::string::npos) << e.what();
  }
}

TEST(RequantizeTest, MethodConventionKeepsApotFirstAndLastAtInt8) {
  const Model src = SmallNet(29);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kApot);
  opt.method_convention = true;
  RequantizeResult r = RequantizeModel(src, opt);
  EXPECT_FALSE(r.layers[0].quantized);  // first CONV_2D
  EXPECT_NE(r.layers[0].skip_reason.find("apot convention"), std::string::npos) << r.layers[0].skip_reason;
  EXPECT_TRUE(r.layers[2].quantized);
  EXPECT_FALSE(r.layers[3].quantized);  // last FULLY_CONNECTED
  EXPECT_EQ(r.quantized_layers(), 1);
  // Only APoT has this convention.
  for (const Method* m : AllMethods()) EXPECT_EQ(m->int8_first_and_last, m->id == MethodId::kApot) << m->name;
  opt.method = &GetMethod(MethodId::kMsq);
  EXPECT_EQ(RequantizeModel(src, opt).quantized_layers(), 3);  // conv, conv 1x1, FC
  opt.method = &GetMethod(MethodId::kApot);
  opt.method_convention = false;
  EXPECT_EQ(RequantizeModel(src, opt).quantized_layers(), 3);
}

// Hostile input #7: scales that are 0, or overflow float32 once multiplied by
// the requantization factor, are refused instead of written as inf / NaN.
TEST(RequantizeTest, RefusesScalesThatAreNotPositiveFiniteNumbers) {
  for (const float bad : {0.0f, 3e38f}) {
    Model src = SmallNet(31);
    Tensor& w = src.main().tensors[src.main().operators[4].inputs[1]];  // the FC weights
    for (float& s : w.quant.scale) s = bad;
    RequantizeOptions opt;
    opt.method = &GetMethod(MethodId::kUniform4);
    try {
      const RequantizeResult r = RequantizeModel(src, opt);
      // A factor <= 1 keeps 3e38 finite: then every written scale must be a positive finite number.
      for (const Tensor& t : r.model.main().tensors)
        for (float s : t.quant.scale) EXPECT_TRUE(std::isfinite(s) && s > 0) << t.name << " " << s;
      EXPECT_NE(bad, 0.0f) << "a zero weight scale was requantized";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("scale"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("node 4"), std::string::npos) << e.what();
    }
  }
}

TEST(RequantizeTest, ProgressIsReportedOnTheCallingThread) {
  const Model src = SmallNet(37);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kApot);
  std::vector<int64_t> done;
  const auto caller = std::this_thread::get_id();
  opt.progress = [&](const Progress& p) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    EXPECT_EQ(p.task, "quantize");
    EXPECT_EQ(p.total, static_cast<int64_t>(src.main().operators.size()));
    done.push_back(p.done);
  };
  RequantizeModel(src, opt);
  ASSERT_FALSE(done.empty());
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
  EXPECT_EQ(done.back(), static_cast<int64_t>(src.main().operators.size()));
}

// Hostile inputs #8, #21, #22: what potacc does not change (signatures,
// has_rank, custom options, recorded ranges) is written back unchanged.
TEST(RequantizeTest, KeepsEveryFieldItDoesNotChange) {
  Model src = SmallNet(41);
  const auto last = static_cast<uint32_t>(src.main().tensors.size() - 1);
  src.signature_defs.push_back({{{"image", 0}}, {{"scores", last}}, "serving_default", "", 0});
  src.main().tensors[0].has_rank = true;
  src.main().tensors[0].quant_min = {-1.5f};
  src.main().tensors[0].quant_max = {2.5f};
  src.main().operators[2].intermediates = {3};
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kApot);
  const Model back = ReadModel(WriteModel(RequantizeModel(src, opt).model), "requantized");
  EXPECT_EQ(back.signature_defs, src.signature_defs);
  EXPECT_TRUE(back.main().tensors[0].has_rank);
  EXPECT_EQ(back.main().tensors[0].quant_min, std::vector<float>{-1.5f});
  EXPECT_EQ(back.main().tensors[0].quant_max, std::vector<float>{2.5f});
  EXPECT_EQ(back.main().operators[2].intermediates, std::vector<int32_t>{3});
}

TEST(RequantizeTest, MetadataAndReportAndRoundTrip) {
  const Model src = SmallNet(23);
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kQKeras);
  const RequantizeResult r = RequantizeModel(src, opt);
  const auto& bytes = r.model.metadata.at(kQuantMetadataName);
  const auto meta = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
  EXPECT_EQ(meta["method"], "qkeras");
  EXPECT_EQ(meta["layers"].size(), 3u);
  const auto report = r.ToJson();
  EXPECT_EQ(report["summary"]["quantized_layers"], 3);
  EXPECT_EQ(report["layers"][0]["codes"].size(), 16u);
  // A valid TFLite file that reads back identically.
  const Model back = ReadModel(WriteModel(r.model), "requantized");
  EXPECT_EQ(back, r.model);
}

TEST(RequantizeTest, AutoPicksTheLowestErrorAndHonoursTheBudget) {
  const Model src = SmallNet(29);
  RequantizeOptions opt;  // method = nullptr: auto
  opt.include_depthwise = true;
  RequantizeResult r = RequantizeModel(src, opt);
  EXPECT_EQ(r.method, "auto");
  for (const LayerReport& l : r.layers) {
    ASSERT_TRUE(l.quantized);
    ASSERT_EQ(l.candidate_sqnr_db.size(), 4u);
    for (auto& [name, db] : l.candidate_sqnr_db) EXPECT_GE(l.sqnr_db, db - 1e-9) << name;
    EXPECT_EQ(l.sqnr_db, l.candidate_sqnr_db.at(l.method));
  }
  // Per channel: at least as good as the best single method of each layer.
  opt.auto_options.per_channel = true;
  const RequantizeResult pc = RequantizeModel(src, opt);
  for (size_t i = 0; i < pc.layers.size(); ++i) EXPECT_GE(pc.layers[i].sqnr_db, r.layers[i].sqnr_db - 1e-9);
  // Budget: one layer may stay int8 -> the one with the worst best SQNR.
  opt.auto_options.per_channel = false;
  opt.auto_options.min_sqnr_db = 1000;
  opt.auto_options.max_int8_layers = 1;
  const RequantizeResult b = RequantizeModel(src, opt);
  EXPECT_EQ(b.quantized_layers(), 3);
  size_t worst = 0;
  for (size_t i = 1; i < r.layers.size(); ++i)
    if (r.layers[i].sqnr_db < r.layers[worst].sqnr_db) worst = i;
  EXPECT_FALSE(b.layers[worst].quantized);
  EXPECT_NE(b.layers[worst].skip_reason.find("budget"), std::string::npos);
}

// --- the PoT-trained models of ../shared/data ("Done when" of issue 3)

void CheckPotModel(const std::string& rel, MethodId id, bool skip_first_conv, int expected_on_grid_layers) {
  const Model src = LoadModel(testing::DataPath(rel).string());
  RequantizeOptions opt;
  opt.method = &GetMethod(id);
  opt.skip_first_conv = skip_first_conv;
  opt.skip_last_fc = true;  // the FC layers are plain int8 by design
  const RequantizeResult r = RequantizeModel(src, opt);
  int layers = 0;
  for (const LayerReport& l : r.layers) {
    if (!l.quantized) continue;
    ++layers;
    EXPECT_EQ(l.on_grid, l.channels) << rel << " node " << l.node;
    EXPECT_EQ(l.searched, 0);
    // Only the int8 conversion's rounding differs: <= 0.5 LSB, and exactly 1 LSB
    // where qkeras' 2^7 = 128 was stored as 127.
    EXPECT_LE(l.max_abs_error_lsb, id == MethodId::kQKeras ? 1.0 : 0.5) << rel << " node " << l.node;
    CheckLayer(src, r.model, l, GetMethod(id), true);
  }
  EXPECT_EQ(layers, expected_on_grid_layers);
  EXPECT_NO_THROW(ReadModel(WriteModel(r.model), rel));
}

TEST(RequantizeDataTest, ApotResNet20IsOnGrid) {
  POTACC_REQUIRE_DATA("models/potacc/potaccAPoT_res20_4bit.tflite");
  CheckPotModel("models/potacc/potaccAPoT_res20_4bit.tflite", MethodId::kApot, true, 20);
}

TEST(RequantizeDataTest, ApotMobileNetV2ImageNetIsOnGrid) {
  POTACC_REQUIRE_DATA("models/potacc/potaccAPoTmobilenet_v2_4bit.tflite");
  CheckPotModel("models/potacc/potaccAPoTmobilenet_v2_4bit.tflite", MethodId::kApot, true, 34);
}

TEST(RequantizeDataTest, QKerasMobileNetV2IsOnGrid) {
  POTACC_REQUIRE_DATA("models/potacc/potaccQK_mbv2_4bit.tflite");
  CheckPotModel("models/potacc/potaccQK_mbv2_4bit.tflite", MethodId::kQKeras, false, 40);
  // The halved channels hold exactly what the v12 accelerator executes for the
  // source (each int8 weight as its power of two, 127 as 128).
  const Model src = LoadModel(testing::DataPath("models/potacc/potaccQK_mbv2_4bit.tflite").string());
  RequantizeOptions opt;
  opt.method = &GetMethod(MethodId::kQKeras);
  opt.skip_last_fc = true;
  const RequantizeResult r = RequantizeModel(src, opt);
  int kept = 0, halved = 0;
  for (const LayerReport& l : r.layers) {
    if (!l.quantized) continue;
    kept += l.kept_top_level;
    halved += l.halved;
    const Operator& op = src.main().operators[l.node];
    const Tensor& ws = src.main().tensors[op.inputs[1]];
    const Tensor& wd = r.model.main().tensors[op.inputs[1]];
    const auto qs = Int8Data(src, ws), qd = Int8Data(r.model, wd);
    for (size_t i = 0; i < qs.size(); ++i) {
      const int c = ChannelOfElement(ws, i);
      const int executed_by_v12 = std::abs(qs[i]) == 127 ? (qs[i] > 0 ? 128 : -128) : qs[i];
      const double ratio = double(wd.quant.scale[c]) / ws.quant.scale[c];
      if (std::abs(ratio - 2.0) < 1e-6) {
        ASSERT_EQ(qd[i] * 2, executed_by_v12) << "node " << l.node;
      } else {
        ASSERT_EQ(qd[i], qs[i]) << "node " << l.node;  // kept: the source values
      }
    }
  }
  EXPECT_GT(halved, 0);
  EXPECT_GT(kept, 0);
  EXPECT_EQ(r.ToJson()["summary"]["kept_top_level_channels"], kept);
}

}  // namespace
}  // namespace potacc::quant
