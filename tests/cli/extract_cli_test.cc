// `potacc run --dump-tensors`, `potacc extract` and raw --input files for a
// model with several inputs: a node cut out of a small DeiT and run on the
// dumped input tensors reproduces the dumped output tensor byte for byte;
// bad requests are one-line errors that leave no output behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/data_dir.h"

namespace potacc::testing {
namespace {

class ExtractCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(TempDir("extract_cli"));
    const auto gen = RunCli("gen deit-tiny --depth 1 --resolution 32 --classes 10 -o " + Model());
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    const auto info = RunCli("info " + Model() + " --json " + (Dir() / "info.json").string());
    ASSERT_EQ(info.exit_code, 0) << info.err;
    const auto run = RunCli("run " + Model() + " --dump-tensors " + (Dir() / "dump").string() + " --save-output " +
                            (Dir() / "logits.raw").string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(*dir_, ec);
    delete dir_;
    dir_ = nullptr;
  }
  static std::string Model() { return (*dir_ / "deit.tflite").string(); }
  static std::filesystem::path Dir() { return *dir_; }
  static nlohmann::json Info() { return nlohmann::json::parse(Slurp(Dir() / "info.json")); }
  static std::string Dumped(int tensor) { return (Dir() / "dump" / ("tensor_" + std::to_string(tensor) + ".raw")).string(); }
  // The first node of this operator type.
  static nlohmann::json FirstNode(const std::string& op) {
    const auto info = Info();
    for (const auto& n : info["nodes"])
      if (n["op"] == op) return n;
    ADD_FAILURE() << "no " << op;
    return {};
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* ExtractCliTest::dir_ = nullptr;

TEST_F(ExtractCliTest, DumpListsEveryActivationTensorWithItsBytes) {
  const auto list = nlohmann::json::parse(Slurp(Dir() / "dump" / "tensors.json"));
  // Every tensor a node reads or writes that is not a constant.
  std::set<int> activations;
  const auto info = Info();
  for (const auto& n : info["nodes"])
    for (const char* side : {"inputs", "outputs"})
      for (const auto& t : n[side])
        if (!t.is_null() && !t["constant"].get<bool>()) activations.insert(t["index"].get<int>());
  ASSERT_EQ(list.size(), activations.size());
  for (const auto& t : list) {
    size_t elems = 1;
    for (int d : t["shape"]) elems *= static_cast<size_t>(d);
    const size_t esize = t["type"] == "float32" || t["type"] == "int32" ? 4 : 1;
    EXPECT_EQ(std::filesystem::file_size(Dir() / "dump" / t["file"].get<std::string>()), elems * esize) << t;
  }
  // The graph output tensor's dump is what --save-output wrote.
  const int logits = Info()["outputs"][0]["index"];
  EXPECT_EQ(Slurp(Dumped(logits)), Slurp(Dir() / "logits.raw"));
}

TEST_F(ExtractCliTest, ATwoInputNodeAloneReproducesTheFullRun) {
  const auto node = FirstNode("BATCH_MATMUL");  // two activation inputs
  const int index = node["index"];
  const auto single = (Dir() / "bmm.tflite").string();
  const auto r = RunCli("extract " + Model() + " --node " + std::to_string(index) + " -o " + single);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("BATCH_MATMUL, 2 graph input(s)"), std::string::npos) << r.out;
  const auto out = (Dir() / "bmm.out").string();
  const auto run = RunCli("run " + single + " -i " + Dumped(node["inputs"][0]["index"]) + " -i " +
                          Dumped(node["inputs"][1]["index"]) + " --save-output " + out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string want = Slurp(Dumped(node["outputs"][0]["index"]));
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(Slurp(out), want);
  // The inputs swapped are a different computation (the check can fail).
  const auto swapped = RunCli("run " + single + " -i " + Dumped(node["inputs"][1]["index"]) + " -i " +
                              Dumped(node["inputs"][0]["index"]) + " --save-output " + out);
  if (swapped.exit_code == 0) {
    EXPECT_NE(Slurp(out), want);
  }
}

TEST_F(ExtractCliTest, ANodeWithConstantsAloneReproducesTheFullRun) {
  const auto node = FirstNode("FULLY_CONNECTED");  // weights and bias stay in the model
  const auto single = (Dir() / "fc.tflite").string();
  ASSERT_EQ(RunCli("extract " + Model() + " --node " + std::to_string(node["index"].get<int>()) + " -o " + single)
                .exit_code,
            0);
  const auto out = (Dir() / "fc.out").string();
  const auto run = RunCli("run " + single + " -i " + Dumped(node["inputs"][0]["index"]) + " --save-output " + out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(out), Slurp(Dumped(node["outputs"][0]["index"])));
}

TEST_F(ExtractCliTest, BadRequestsAreOneLineErrorsWithoutOutput) {
  const auto out = Dir() / "bad.tflite";
  ExpectOneLineError(RunCli("extract " + Model() + " --node 100000 -o " + out.string()), "does not exist");
  ExpectOneLineError(RunCli("extract " + Model() + " --node -3 -o " + out.string()), "--node");
  ExpectOneLineError(RunCli("extract " + (Dir() / "missing.tflite").string() + " --node 0 -o " + out.string()),
                     "missing.tflite");
  ExpectOneLineError(RunCli("extract " + Model() + " --node 0 -o " + Model()), "input");
  EXPECT_FALSE(std::filesystem::exists(out));

  const auto node = FirstNode("BATCH_MATMUL");
  const auto bmm = (Dir() / "bmm2.tflite").string();
  ASSERT_EQ(RunCli("extract " + Model() + " --node " + std::to_string(node["index"].get<int>()) + " -o " + bmm).exit_code,
            0);
  const std::string a = Dumped(node["inputs"][0]["index"]), b = Dumped(node["inputs"][1]["index"]);
  ExpectOneLineError(RunCli("run " + bmm + " -i " + a), "2 inputs");
  ExpectOneLineError(RunCli("run " + bmm + " -i " + a + " -i " + a + " -i " + b), "2 inputs");
  ExpectOneLineError(RunCli("run " + bmm + " -i " + Dumped(Info()["outputs"][0]["index"]) + " -i " + b), "bytes");
  ExpectOneLineError(RunCli("run " + bmm + " -i " + a + " -i " + b + " -i " + a + " -i " + b + " --dump-tensors " +
                            (Dir() / "dump2").string()),
                     "one inference");
  EXPECT_FALSE(std::filesystem::exists(Dir() / "dump2" / "tensors.json"));
}

}  // namespace
}  // namespace potacc::testing
