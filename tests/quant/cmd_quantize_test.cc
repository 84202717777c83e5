// `potacc quantize` end to end through the built CLI: output file, report,
// metadata, and one-line errors.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "potacc/quant/method.h"
#include "potacc/quant/requantize.h"
#include "potacc/tflite/model_builder.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"
#include "support/data_dir.h"

namespace potacc {
namespace {

struct RunResult {
  int status = -1;
  std::string output;  // stdout + stderr
};

RunResult RunCli(const std::string& args) {
  RunResult r;
  const std::string cmd = testing::CliPath() + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string WriteNet(const std::filesystem::path& dir) {
  ModelBuilder b(41);
  int x = b.Input({1, 6, 6, 3});
  x = b.Conv2D(x, {.out_channels = 4, .kernel = 3});
  x = b.Conv2D(x, {.out_channels = 5, .kernel = 1});
  x = b.Mean(x, {1, 2});
  b.Output(b.FullyConnected(x, {.out_features = 3}));
  const std::string path = (dir / "net.tflite").string();
  SaveModel(b.Build(), path);
  return path;
}

TEST(CmdQuantizeTest, WritesModelReportAndMetadata) {
  const auto dir = testing::TempDir("cmd_quantize");
  const std::string in = WriteNet(dir);
  const std::string out = (dir / "out.tflite").string(), rep = (dir / "r.json").string();
  const RunResult r = RunCli("quantize " + in + " --method msq --skip-first-conv -o " + out + " --report " + rep);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("2 of 3 conv/FC layers quantized (msq)"), std::string::npos) << r.output;
  const Model m = LoadModel(out);
  ASSERT_EQ(m.metadata.count(quant::kQuantMetadataName), 1u);
  const auto& meta = m.metadata.at(quant::kQuantMetadataName);
  EXPECT_EQ(nlohmann::json::parse(std::string(meta.begin(), meta.end()))["method"], "msq");
  std::ifstream f(rep);
  const auto j = nlohmann::json::parse(f);
  EXPECT_EQ(j["summary"]["quantized_layers"], 2);
  EXPECT_FALSE(j["layers"][0]["quantized"].get<bool>());
  // Every quantized weight is an MSQ level.
  const quant::Method& msq = quant::GetMethod(quant::MethodId::kMsq);
  for (int node : {1, 3}) {
    const Tensor& w = m.main().tensors[m.main().operators[node].inputs[1]];
    for (uint8_t byte : *ConstantData(m, w)) EXPECT_TRUE(msq.OnGrid(static_cast<int8_t>(byte)));
  }
}

// `--method apot` follows APoT's convention (first CONV_2D and last
// FULLY_CONNECTED stay int8, byte for byte); --all-layers quantizes them too;
// methods without that convention quantize every layer by default.
TEST(CmdQuantizeTest, ApotKeepsFirstConvAndLastFcByDefault) {
  const auto dir = testing::TempDir("cmd_quantize_convention");
  const std::string in = WriteNet(dir);
  const Model source = LoadModel(in);
  const std::string out = (dir / "apot.tflite").string();
  RunResult r = RunCli("quantize " + in + " --method apot -o " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("1 of 3 conv/FC layers quantized (apot)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("first CONV_2D kept int8 (apot convention; --all-layers quantizes it)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("last FULLY_CONNECTED kept int8 (apot convention"), std::string::npos) << r.output;
  const Model apot = LoadModel(out);
  for (int node : {0, 3}) {  // untouched: same weights, same scales
    const Tensor& a = apot.main().tensors[apot.main().operators[node].inputs[1]];
    const Tensor& b = source.main().tensors[source.main().operators[node].inputs[1]];
    EXPECT_EQ(*ConstantData(apot, a), *ConstantData(source, b)) << node;
    EXPECT_EQ(a.quant, b.quant) << node;
  }
  r = RunCli("quantize " + in + " --method apot --all-layers -o " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("3 of 3 conv/FC layers quantized (apot)"), std::string::npos) << r.output;
  r = RunCli("quantize " + in + " --method msq -o " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("3 of 3 conv/FC layers quantized (msq)"), std::string::npos) << r.output;
  r = RunCli("quantize " + in + " --method apot --all-layers --skip-first-conv -o " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--all-layers cannot be combined"), std::string::npos) << r.output;
}

TEST(CmdQuantizeTest, OneLineErrors) {
  const auto dir = testing::TempDir("cmd_quantize_err");
  const std::string in = WriteNet(dir);
  const std::string out = (dir / "out.tflite").string();
  RunResult r = RunCli("quantize " + in + " --method apot8 -o " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("unknown quantization method 'apot8'"), std::string::npos) << r.output;
  r = RunCli("quantize " + in + " --method apot --layers 99 -o " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--layers: '99'"), std::string::npos) << r.output;
  r = RunCli("quantize " + in + " --method apot --top-level sideways -o " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--top-level"), std::string::npos) << r.output;
  r = RunCli("quantize " + (dir / "missing.tflite").string() + " --method apot -o " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace potacc
