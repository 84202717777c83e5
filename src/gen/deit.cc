// DeiT (Touvron et al. 2021, "Training data-efficient image transformers"),
// the transformer of the extended PoTAcc evaluation: `potacc gen deit-tiny`
// and `potacc gen deit-small`.
//
// The float graph is written the way TFLite's converter lowers the Keras /
// HuggingFace TF DeiT: patch embedding as a 16x16/16 CONV_2D, RESHAPE to
// tokens, CONCATENATION with the class token, ADD of the position embedding,
// pre-norm encoder blocks (layer norm as MEAN, SQUARED_DIFFERENCE, MEAN, ADD
// epsilon, RSQRT, MUL gamma, MUL, MUL, SUB, ADD - the tf.nn.batch_normalization
// form of keras LayerNormalization), multi-head self-attention with separate
// query/key/value FULLY_CONNECTED layers on 3-D inputs (keep_num_dims),
// RESHAPE + TRANSPOSE into heads, BATCH_MATMUL (adj_y) for the scores, MUL by
// 1/sqrt(head dim), SOFTMAX over the last axis, BATCH_MATMUL with the values,
// TRANSPOSE + RESHAPE back, the output projection and the residual ADD; the
// MLP as FULLY_CONNECTED, GELU (by default its tanh form in MUL/ADD/TANH, which
// TFLite Micro runs; --gelu exact|tanh: the GELU op), FULLY_CONNECTED; a final layer norm, GATHER of
// the class token and the classifier FULLY_CONNECTED (logits, no softmax).
//
// Weights are deterministic pseudo-random (latency does not depend on them)
// with per-output-channel spread, and the graph is quantized the way the
// converter does post-training full-integer quantization (tflite/ptq.h):
// calibrated per-tensor int8 activations, per-channel int8 weights.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "potacc/error.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/model_builder.h"
#include "potacc/tflite/ptq.h"

namespace potacc {
namespace {

enum class GeluForm { kExact, kTanh, kTanhOps };

struct DeitConfig {
  std::string name;       // "deit-tiny"
  int embed_dim = 192;
  int depth = 12;
  int heads = 3;
  int mlp_ratio = 4;
  int patch = 16;
  int resolution = 224;
  int classes = 1000;
  GeluForm gelu = GeluForm::kTanhOps;  // TFLite Micro has no GELU kernel
  int calibration_images = 2;
  uint64_t seed = 1;
};

// Builds the float32 graph with ModelBuilder's low-level API.
class DeitGraph {
 public:
  DeitGraph(const DeitConfig& c) : c_(c), b_(c.seed) {}

  Model Build() {
    const int grid = c_.resolution / c_.patch;
    const int tokens = grid * grid + 1;
    const int d = c_.embed_dim;
    int x = b_.RawInput("input", DataType::kFloat32, {1, c_.resolution, c_.resolution, 3});
    OpOptions conv;
    conv.padding = Padding::kValid;
    conv.stride_w = conv.stride_h = c_.patch;
    const int fan_in = c_.patch * c_.patch * 3;
    x = Op(BuiltinOp::kConv2D,
           {x, Weights("patch_embed/weights", {d, c_.patch, c_.patch, 3}, fan_in),
            Constant("patch_embed/bias", {d}, Normal(d, 0.02))},
           {1, grid, grid, d}, conv, "patch_embed");
    x = Reshape(x, {1, grid * grid, d});
    OpOptions concat;
    concat.axis = 1;
    x = Op(BuiltinOp::kConcatenation, {Constant("cls_token", {1, 1, d}, Normal(d, 0.5)), x}, {1, tokens, d}, concat,
           "tokens");
    x = Op(BuiltinOp::kAdd, {x, Constant("pos_embed", {1, tokens, d}, Normal(tokens * d, 0.5))}, {1, tokens, d}, {},
           "pos_add");
    for (int i = 0; i < c_.depth; ++i) x = Block(x, tokens, "block" + std::to_string(i));
    x = LayerNorm(x, tokens, "norm");
    OpOptions gather;
    gather.axis = 1;
    x = Op(BuiltinOp::kGather, {x, b_.ConstantInt32("cls_index", {}, {0})}, {1, d}, gather, "cls");
    x = Dense(x, d, c_.classes, false, "head");
    b_.Output(x);
    b_.SetDescription("potacc gen " + c_.name + ": DeiT (" + std::to_string(c_.resolution) + "x" +
                      std::to_string(c_.resolution) + ", dim " + std::to_string(d) + ", depth " +
                      std::to_string(c_.depth) + ", " + std::to_string(c_.heads) +
                      " heads), deterministic random weights");
    return b_.Build();
  }

 private:
  // Deterministic normal(0, std) values (sum of four uniforms).
  std::vector<float> Normal(int64_t n, double std) {
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) {
      double s = 0;
      for (int k = 0; k < 4; ++k) s += static_cast<double>(b_.NextRandom() >> 11) * 0x1.0p-52 - 1.0;
      x = static_cast<float>(s * std * std::sqrt(3.0) / 2.0);
    }
    return v;
  }

  double Uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(b_.NextRandom() >> 11) * 0x1.0p-53;
  }

  int Constant(const std::string& name, const std::vector<int32_t>& shape, const std::vector<float>& values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return b_.AddTensor(b_.UniqueName(name), DataType::kFloat32, shape, {}, std::move(bytes));
  }

  // Output-channel-major weights with std factor/sqrt(fan_in) per channel
  // (factor in [0.5, 1.5]: trained layers' per-channel ranges differ).
  int Weights(const std::string& name, const std::vector<int32_t>& shape, int fan_in) {
    const int channels = shape[0];
    int64_t per_channel = 1;
    for (size_t i = 1; i < shape.size(); ++i) per_channel *= shape[i];
    std::vector<float> w;
    w.reserve(static_cast<size_t>(channels * per_channel));
    for (int c = 0; c < channels; ++c) {
      const auto row = Normal(per_channel, Uniform(0.5, 1.5) / std::sqrt(static_cast<double>(fan_in)));
      w.insert(w.end(), row.begin(), row.end());
    }
    return Constant(name, shape, w);
  }

  int Op(BuiltinOp op, const std::vector<int32_t>& inputs, const std::vector<int32_t>& shape, OpOptions options,
         const std::string& name) {
    const int y = b_.AddTensor(b_.UniqueName(name), DataType::kFloat32, shape);
    b_.AddOperator(op, inputs, {y}, std::move(options));
    return y;
  }

  int Scalar(const std::string& name, float value) { return Constant(name, {}, {value}); }

  int Reshape(int x, const std::vector<int32_t>& shape) {
    OpOptions o;
    o.new_shape = shape;
    return Op(BuiltinOp::kReshape, {x, b_.ConstantInt32("reshape/shape", {static_cast<int32_t>(shape.size())}, shape)},
              shape, o, "reshape");
  }

  int Transpose(int x, const std::vector<int32_t>& perm, const std::vector<int32_t>& out_shape) {
    return Op(BuiltinOp::kTranspose, {x, b_.ConstantInt32("transpose/perm", {static_cast<int32_t>(perm.size())}, perm)},
              out_shape, {}, "transpose");
  }

  // FULLY_CONNECTED over the last axis (keep_num_dims on 3-D inputs).
  int Dense(int x, int in, int out, bool keep_num_dims, const std::string& name) {
    std::vector<int32_t> shape = b_.shape(x);
    shape.back() = out;
    OpOptions o;
    o.keep_num_dims = keep_num_dims;
    if (!keep_num_dims) shape = {shape[0], out};
    return Op(BuiltinOp::kFullyConnected,
              {x, Weights(name + "/weights", {out, in}, in), Constant(name + "/bias", {out}, Normal(out, 0.02))}, shape,
              o, name);
  }

  // keras LayerNormalization as tf.nn.batch_normalization lowers it.
  int LayerNorm(int x, int tokens, const std::string& name) {
    const int d = c_.embed_dim;
    OpOptions keep;
    keep.keep_dims = true;
    const int axis = b_.ConstantInt32(name + "/axis", {1}, {2});
    const int mean = Op(BuiltinOp::kMean, {x, axis}, {1, tokens, 1}, keep, name + "/mean");
    const int sq = Op(BuiltinOp::kSquaredDifference, {x, mean}, {1, tokens, d}, {}, name + "/squared_difference");
    const int var = Op(BuiltinOp::kMean, {sq, axis}, {1, tokens, 1}, keep, name + "/variance");
    const int var_eps = Op(BuiltinOp::kAdd, {var, Scalar(name + "/epsilon", 1e-6f)}, {1, tokens, 1}, {}, name + "/add");
    const int inv = Op(BuiltinOp::kRsqrt, {var_eps}, {1, tokens, 1}, {}, name + "/rsqrt");
    std::vector<float> gamma = Normal(d, 0.1);
    for (float& g : gamma) g += 1.0f;
    const int inv_gamma =
        Op(BuiltinOp::kMul, {inv, Constant(name + "/gamma", {d}, gamma)}, {1, tokens, d}, {}, name + "/mul");
    const int scaled = Op(BuiltinOp::kMul, {x, inv_gamma}, {1, tokens, d}, {}, name + "/mul_1");
    const int mean_scaled = Op(BuiltinOp::kMul, {mean, inv_gamma}, {1, tokens, d}, {}, name + "/mul_2");
    const int shift = Op(BuiltinOp::kSub, {Constant(name + "/beta", {d}, Normal(d, 0.1)), mean_scaled}, {1, tokens, d},
                         {}, name + "/sub");
    return Op(BuiltinOp::kAdd, {scaled, shift}, {1, tokens, d}, {}, name + "/add_1");
  }

  int Attention(int x, int tokens, const std::string& name) {
    const int d = c_.embed_dim, h = c_.heads, dh = d / h;
    auto heads = [&](int t) {
      t = Reshape(t, {1, tokens, h, dh});
      return Transpose(t, {0, 2, 1, 3}, {1, h, tokens, dh});
    };
    const int q = heads(Dense(x, d, d, true, name + "/query"));
    const int k = heads(Dense(x, d, d, true, name + "/key"));
    const int v = heads(Dense(x, d, d, true, name + "/value"));
    OpOptions adj_y;
    adj_y.adj_y = true;
    int s = Op(BuiltinOp::kBatchMatMul, {q, k}, {1, h, tokens, tokens}, adj_y, name + "/scores");
    s = Op(BuiltinOp::kMul, {s, Scalar(name + "/scale", 1.0f / std::sqrt(static_cast<float>(dh)))},
           {1, h, tokens, tokens}, {}, name + "/scaled_scores");
    OpOptions softmax;
    softmax.beta = 1.0f;
    const int p = Op(BuiltinOp::kSoftmax, {s}, {1, h, tokens, tokens}, softmax, name + "/probs");
    int o = Op(BuiltinOp::kBatchMatMul, {p, v}, {1, h, tokens, dh}, {}, name + "/context");
    o = Transpose(o, {0, 2, 1, 3}, {1, tokens, h, dh});
    o = Reshape(o, {1, tokens, d});
    return Dense(o, d, d, true, name + "/output");
  }

  int Gelu(int x, const std::string& name) {
    const std::vector<int32_t> shape = b_.shape(x);
    if (c_.gelu != GeluForm::kTanhOps) {
      OpOptions o;
      o.approximate = c_.gelu == GeluForm::kTanh;
      return Op(BuiltinOp::kGelu, {x}, shape, o, name);
    }
    // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))) in elementwise ops.
    const int x2 = Op(BuiltinOp::kMul, {x, x}, shape, {}, name + "/square");
    const int x3 = Op(BuiltinOp::kMul, {x2, x}, shape, {}, name + "/cube");
    const int t = Op(BuiltinOp::kMul, {x3, Scalar(name + "/c", 0.044715f)}, shape, {}, name + "/mul");
    const int u = Op(BuiltinOp::kAdd, {x, t}, shape, {}, name + "/add");
    const int v = Op(BuiltinOp::kMul, {u, Scalar(name + "/sqrt_2_over_pi", 0.7978845608f)}, shape, {}, name + "/mul_1");
    const int w = Op(BuiltinOp::kTanh, {v}, shape, {}, name + "/tanh");
    const int z = Op(BuiltinOp::kAdd, {w, Scalar(name + "/one", 1.0f)}, shape, {}, name + "/add_1");
    const int hx = Op(BuiltinOp::kMul, {x, z}, shape, {}, name + "/mul_2");
    return Op(BuiltinOp::kMul, {hx, Scalar(name + "/half", 0.5f)}, shape, {}, name + "/mul_3");
  }

  int Block(int x, int tokens, const std::string& name) {
    const int d = c_.embed_dim, hidden = c_.embed_dim * c_.mlp_ratio;
    const std::vector<int32_t> shape = {1, tokens, d};
    int y = Attention(LayerNorm(x, tokens, name + "/norm1"), tokens, name + "/attention");
    x = Op(BuiltinOp::kAdd, {x, y}, shape, {}, name + "/residual");
    y = Dense(LayerNorm(x, tokens, name + "/norm2"), d, hidden, true, name + "/mlp/fc1");
    y = Gelu(y, name + "/mlp/gelu");
    y = Dense(y, hidden, d, true, name + "/mlp/fc2");
    return Op(BuiltinOp::kAdd, {x, y}, shape, {}, name + "/residual_1");
  }

  const DeitConfig& c_;
  ModelBuilder b_;
};

// Normalised-image-like calibration inputs: ImageNet mean/std normalisation
// maps [0, 1] pixels to about [-2.12, 2.64].
std::vector<std::vector<float>> CalibrationImages(const DeitConfig& c) {
  std::vector<std::vector<float>> images;
  uint64_t state = c.seed * 0x2545F4914F6CDD1Dull + 7;
  for (int i = 0; i < c.calibration_images; ++i) {
    std::vector<float> img(static_cast<size_t>(c.resolution) * c.resolution * 3);
    for (auto& v : img) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const double u = static_cast<double>(state >> 11) * 0x1.0p-53;
      v = static_cast<float>(-2.1179 + u * (2.6400 + 2.1179));
    }
    images.push_back(std::move(img));
  }
  return images;
}

int IntParam(const GenOptions& o, const std::string& name, int lo, int hi) {
  const int64_t v = o.Int(name);
  if (v < lo || v > hi)
    throw Error("--" + name + ": expected a value in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                std::to_string(v));
  return static_cast<int>(v);
}

DeitConfig ConfigFrom(const GenOptions& o, const std::string& name, int embed_dim, int heads) {
  DeitConfig c;
  c.name = name;
  c.embed_dim = embed_dim;
  c.heads = heads;
  c.depth = IntParam(o, "depth", 1, 48);
  c.resolution = IntParam(o, "resolution", 16, 1024);
  if (c.resolution % c.patch != 0) throw Error("--resolution: must be a multiple of the patch size 16");
  c.classes = IntParam(o, "classes", 1, 100000);
  c.calibration_images = IntParam(o, "calibration", 1, 64);
  const std::string& g = o.Str("gelu");
  if (g == "exact") c.gelu = GeluForm::kExact;
  else if (g == "tanh") c.gelu = GeluForm::kTanh;
  else if (g == "tanh-ops") c.gelu = GeluForm::kTanhOps;
  else throw Error("--gelu: expected exact, tanh or tanh-ops, got '" + g + "'");
  c.seed = o.seed;
  return c;
}

Model MakeDeit(const GenOptions& o, const std::string& name, int embed_dim, int heads) {
  const DeitConfig c = ConfigFrom(o, name, embed_dim, heads);
  const Model float_model = DeitGraph(c).Build();
  if (o.Bool("float")) return float_model;
  Model m = QuantizeFullInteger(float_model, CalibrationImages(c));
  m.description = float_model.description + ", int8 post-training quantized";
  return m;
}

std::vector<GenParam> DeitParams() {
  return {{"resolution", "224", "input height and width (multiple of 16)"},
          {"classes", "1000", "classifier outputs"},
          {"depth", "12", "encoder blocks"},
          {"gelu", "tanh-ops",
           "GELU form: tanh-ops (the tanh approximation as MUL/ADD/TANH; the default, because TFLite Micro has "
           "no GELU kernel), exact (the GELU op as today's converter writes it) or tanh (GELU approximate=true)"},
          {"calibration", "2", "calibration images of the post-training quantization"},
          {"float", "false", "write the float32 model instead (same weights, before quantization)"}};
}

POTACC_REGISTER_GENERATOR("deit-tiny", "DeiT-tiny (dim 192, 3 heads, 12 blocks; 224x224), int8 full-integer",
                          DeitParams(), [](const GenOptions& o) { return MakeDeit(o, "deit-tiny", 192, 3); });

POTACC_REGISTER_GENERATOR("deit-small", "DeiT-small (dim 384, 6 heads, 12 blocks; 224x224), int8 full-integer",
                          DeitParams(), [](const GenOptions& o) { return MakeDeit(o, "deit-small", 384, 6); });

}  // namespace
}  // namespace potacc
