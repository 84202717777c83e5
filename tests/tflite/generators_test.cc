// The generator registry and `potacc gen` / `potacc info` end to end.
#include "potacc/tflite/generators.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "potacc/error.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/model_info.h"
#include "potacc/tflite/reader.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

TEST(Generators, BasicGeneratorsAreRegistered) {
  for (const char* name : {"fc", "conv", "gemm", "cnn"}) EXPECT_NE(FindGenerator(name), nullptr) << name;
  EXPECT_EQ(FindGenerator("no-such"), nullptr);
}

TEST(Generators, ParametersReachTheModel) {
  const Model m = Generate("conv", 1, {{"h", "10"}, {"w", "12"}, {"cin", "5"}, {"cout", "7"}, {"kernel", "3"},
                                       {"stride", "2"}, {"padding", "valid"}});
  const Tensor& out = m.main().tensors[static_cast<size_t>(m.main().outputs[0])];
  EXPECT_EQ(out.shape, (std::vector<int32_t>{1, 4, 5, 7}));  // (10-3)/2+1, (12-3)/2+1
  const Model g = Generate("gemm", 1, {{"m", "9"}, {"n", "4"}, {"k", "6"}});
  EXPECT_EQ(g.main().tensors[static_cast<size_t>(g.main().inputs[0])].shape, (std::vector<int32_t>{1, 9, 1, 6}));
  EXPECT_EQ(g.main().tensors[static_cast<size_t>(g.main().outputs[0])].shape, (std::vector<int32_t>{1, 9, 1, 4}));
  const Model f = Generate("fc", 1, {{"in", "20"}, {"out", "3"}, {"batch", "2"}});
  EXPECT_EQ(f.main().tensors[static_cast<size_t>(f.main().outputs[0])].shape, (std::vector<int32_t>{2, 3}));
}

// The generated classifiers end in a 1000-way int8 SOFTMAX that TFLite
// Micro's reference kernel can compute: its sum of exponentials (relative to
// the row's maximum) must stay below 2^9, or the kernel aborts (reference
// softmax.h: exponent <= 31). Checked on real runs with a margin of 2x, and
// the probabilities must not vanish (potacc writes zeros for such rows).
TEST(Generators, ClassifierSoftmaxStaysWithinTfliteMicrosRange) {
  for (const char* name : {"mobilenetv2", "resnet18", "inceptionv1", "resnet20"}) {
    const Model m = Generate(name, 1, {});
    Interpreter interp(m);
    interp.Prepare();
    for (int trial = 0; trial < 2; ++trial) {
      auto in = interp.tensor_data<float>(interp.input_tensor(0));
      uint64_t state = 99 + static_cast<uint64_t>(trial);
      for (float& v : in) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        v = trial == 0 ? static_cast<float>(state >> 40) * 0x1.0p-24f : 0.5f;
      }
      double sum_exp = -1;
      interp.Invoke([&](int node, double) {
        const Operator& op = m.main().operators[static_cast<size_t>(node)];
        if (op.op() != BuiltinOp::kSoftmax) return;
        const Tensor& logits = interp.tensor(op.inputs[0]);
        const auto codes = interp.tensor_bytes(op.inputs[0]);
        int max_code = -128;
        for (uint8_t b : codes) max_code = std::max(max_code, static_cast<int>(static_cast<int8_t>(b)));
        sum_exp = 0;
        for (uint8_t b : codes)
          sum_exp += std::exp((static_cast<int8_t>(b) - max_code) * static_cast<double>(logits.quant.scale.at(0)) *
                              op.options.beta);
        const Tensor& probs = interp.tensor(op.outputs[0]);
        double total = 0;
        for (uint8_t b : interp.tensor_bytes(op.outputs[0]))
          total += (static_cast<int8_t>(b) - probs.quant.zero_point.at(0)) * static_cast<double>(probs.quant.scale.at(0));
        // 1000 probabilities in steps of 1/256: the small ones round to 0.
        EXPECT_GT(total, 0.5) << name;
        EXPECT_LT(total, 1.1) << name;
      });
      EXPECT_GE(sum_exp, 1.0) << name << ": no SOFTMAX ran";
      EXPECT_LT(sum_exp, 256.0) << name << " trial " << trial;
    }
  }
}

TEST(Generators, BadParametersAreClearErrors) {
  auto message = [](const std::string& gen, std::map<std::string, std::string> values) {
    try {
      Generate(gen, 1, values);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("conv", {{"bogus", "1"}}).find("no option --bogus"), std::string::npos);
  EXPECT_NE(message("conv", {{"h", "x"}}).find("--h: expected an integer"), std::string::npos);
  EXPECT_NE(message("conv", {{"h", "0"}}).find("--h: expected a value in"), std::string::npos);
  EXPECT_NE(message("conv", {{"padding", "full"}}).find("--padding"), std::string::npos);
  EXPECT_NE(message("nope", {}).find("unknown generator 'nope'"), std::string::npos);
}

TEST(Generators, CustomRegistrationHook) {
  RegisterGenerator("test_only_fc", "test", {{"out", "2", "outputs"}}, [](const GenOptions& o) {
    return Generate("fc", o.seed, {{"out", std::to_string(o.Int("out"))}});
  });
  const Model m = Generate("test_only_fc", 4, {{"out", "5"}});
  EXPECT_EQ(m.main().tensors[static_cast<size_t>(m.main().outputs[0])].shape, (std::vector<int32_t>{1, 5}));
}

int RunCli(const std::string& args, std::string* output = nullptr) {
  const auto out_file = testing::TempDir("tflite_cli_out") / "out.txt";
  const std::string cmd = testing::CliPath() + " " + args + " > " + out_file.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  if (output) {
    std::ifstream in(out_file);
    output->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(Cli, GenThenInfo) {
  const auto dir = testing::TempDir("tflite_cli");
  const std::string model = (dir / "conv.tflite").string();
  std::string out;
  ASSERT_EQ(RunCli("gen conv --h 8 --w 8 --cin 4 --cout 6 --seed 3 -o " + model, &out), 0) << out;
  const Model m = LoadModel(model);
  EXPECT_EQ(m.main().tensors[static_cast<size_t>(m.main().outputs[0])].shape, (std::vector<int32_t>{1, 8, 8, 6}));
  const std::string json = (dir / "info.json").string();
  ASSERT_EQ(RunCli("info " + model + " --json " + json, &out), 0) << out;
  EXPECT_NE(out.find("CONV_2D"), std::string::npos);
  EXPECT_NE(out.find("13,824"), std::string::npos) << out;  // 8*8*6 outputs x 3*3*4 MACs
  std::ifstream j(json);
  const auto parsed = nlohmann::json::parse(j);
  EXPECT_EQ(parsed["total_macs"].get<int64_t>(), 8 * 8 * 6 * 9 * 4);
}

TEST(Cli, ErrorsAreOneLine) {
  std::string out;
  EXPECT_EQ(RunCli("info /nonexistent/x.tflite", &out), 1);
  EXPECT_NE(out.find("potacc: error: /nonexistent/x.tflite: no such file"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(RunCli("gen conv --nope 1 -o /tmp/x.tflite", &out), 1);
  EXPECT_NE(out.find("no option --nope"), std::string::npos) << out;
  const auto dir = testing::TempDir("tflite_cli_bad");
  const std::string bad = (dir / "bad.tflite").string();
  std::ofstream(bad) << "this is not a model, just some text padding";
  EXPECT_EQ(RunCli("info " + bad, &out), 1);
  EXPECT_NE(out.find("not a TFLite model"), std::string::npos) << out;
}

}  // namespace
}  // namespace potacc
