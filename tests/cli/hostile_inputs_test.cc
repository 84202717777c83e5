// Regression tests for the hostile inputs of ../shared/docs/hostile-inputs.md
// (files in ../shared/data/hostile/, "H" below), one test per entry potacc's
// CLI owns: each one ends in a one-line "potacc: error: ..." and a non-zero
// exit (never a crash, a hang or a silent answer), and leaves no output file
// behind. Entries owned elsewhere: #3 (eval --threads), #6/#17/#18 for --accel
// files, #10 (board plausibility), #20/#24/#25 (SOFTMAX/MEAN kernels).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "support/cli_runner.h"
#include "support/data_dir.h"

namespace potacc::testing {
namespace {

namespace fs = std::filesystem;

// A clean refusal: non-zero exit without a signal, exactly one stderr line
// "potacc: error: ..." holding `fragment`.
void ExpectCleanError(const CliResult& r, const std::string& fragment, const std::string& what) {
  EXPECT_NE(r.exit_code, 0) << what;
  EXPECT_LT(r.exit_code, 128) << what << ": killed by a signal";
  EXPECT_EQ(Lines(r.err), 1u) << what << ": " << r.err;
  EXPECT_EQ(r.err.rfind("potacc: error: ", 0), 0u) << what << ": " << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << what << ": expected '" << fragment << "' in: " << r.err;
}

std::string H(const std::string& name) { return DataPath("hostile/" + name).string(); }

// Every run is bounded: a hang (a FIFO read, an unbounded loop) fails the test
// instead of blocking the suite.
CliResult Potacc(const std::string& args) { return RunCli(args, 60); }

void WriteBytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    POTACC_REQUIRE_DATA("hostile/cnn.tflite");
    dir_ = TempDir(std::string("hostile_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  fs::path dir_;
};

// #1: a model input with 0 elements (modulo by zero in the raw-input reader).
TEST_F(Hostile, ZeroElementInput) {
  for (const std::string& args : {"run " + H("fc_batch0.tflite") + " -i " + H("8bytes.raw"),
                                  "run " + H("fc_batch0.tflite") + " -i " + H("8bytes.raw") + " --pixels",
                                  "diff " + H("fc_batch0.tflite") + " --accel int8 -i " + H("8bytes.raw"),
                                  "run " + H("fc_batch0.tflite")})
    ExpectCleanError(Potacc(args), "has no elements", args);
}

// #2: STRIDED_SLICE begin = size on a shrunk axis: refused at prepare.
TEST_F(Hostile, StridedSliceShrinkOutOfRange) {
  ExpectCleanError(Potacc("run " + H("strided_slice_shrink_oob_16M.tflite")), "outside its size", "16M");
  ExpectCleanError(Potacc("run " + H("strided_slice_shrink_oob_small.tflite") + " -i " + H("in48.raw")),
                   "outside its size", "small");
}

// #4: absurd aspect ratios would be resized to billions of pixels.
TEST_F(Hostile, AbsurdAspectRatios) {
  for (const char* image : {"wide_1000000x1.png", "tall_1x1000000.png", "zeros_4000000x1.png"}) {
    const auto t0 = std::chrono::steady_clock::now();
    ExpectCleanError(Potacc("run " + H("cnn.tflite") + " -i " + H(image)), "aspect ratio", image);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20)) << image;
  }
}

// #5: tiny files declaring 16384x16384 pixels, and formats other than PNG/JPEG/BMP.
TEST_F(Hostile, ImageBombs) {
  const std::pair<const char*, const char*> cases[] = {
      {"bmp_16384x16384_54bytes.bmp", "unsupported size"},   {"psd_16384sq_40bytes.png", "not a PNG, JPEG or BMP"},
      {"tga_16384sq_18bytes.bmp", "not a PNG, JPEG or BMP"}, {"pnm_16384sq_29bytes.png", "not a PNG, JPEG or BMP"},
      {"jpeg_sof_patched_16384sq.jpg", "unsupported size"}};
  for (const auto& [image, why] : cases) ExpectCleanError(Potacc("run " + H("cnn.tflite") + " -i " + H(image)), why, image);
  ExpectCleanError(Potacc("eval " + H("cnn.tflite") + " --data " + H("eval_bmpbomb_folder")), "unsupported size",
                   "eval folder");
  // A BMP whose header declares more rows than the file holds (stb would
  // decode the missing rows as black).
  std::vector<uint8_t> bmp(54 + 4 * 3, 0);
  const auto put32 = [&](size_t at, uint32_t v) { std::memcpy(&bmp[at], &v, 4); };
  bmp[0] = 'B', bmp[1] = 'M';
  put32(2, static_cast<uint32_t>(bmp.size()));
  put32(10, 54);
  put32(14, 40);
  put32(18, 1000);  // width
  put32(22, 1000);  // height: 1000 rows of 3000 bytes, the file has 12
  bmp[26] = 1, bmp[28] = 24;
  WriteBytes(dir_ / "short.bmp", bmp);
  ExpectCleanError(Potacc("run " + H("cnn.tflite") + " -i " + (dir_ / "short.bmp").string()), "fewer than",
                   "truncated bmp");
}

// #6 (--board, calibrate --profile, hw report --cache-file): devices and FIFOs
// are "not a regular file", never read or waited on.
TEST_F(Hostile, SpecialFilesAsInputs) {
  const std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& special : {std::string("/dev/zero"), std::string("/dev/urandom"), fifo}) {
    ExpectCleanError(Potacc("compare " + H("cnn.tflite") + " --board " + special), "not a regular file", special);
    ExpectCleanError(Potacc("calibrate --board pynq-z2 --model cnn --profile " + special + " -o " +
                         (dir_ / "b.json").string()),
                     "not a regular file", special);
    ExpectCleanError(Potacc("hw report --cached --cache-file " + special), "not a regular file", special);
    ExpectCleanError(Potacc("run " + special), "not a regular file", special);
  }
  EXPECT_FALSE(fs::exists(dir_ / "b.json"));
}

// #7: weight scales that overflow (1e38 x factor) or are 0.
TEST_F(Hostile, QuantizeRefusesNonFiniteScales) {
  for (const char* model : {"fc_wscale_1e38.tflite", "fc_wscale_0.tflite"}) {
    for (const char* method : {"apot", "msq", "uniform4", "auto"}) {
      const fs::path out = dir_ / "q.tflite";
      const auto r = Potacc(std::string("quantize ") + H(model) + " -m " + method + " --all-layers -o " + out.string());
      ExpectCleanError(r, "scale", std::string(model) + " " + method);
      EXPECT_FALSE(fs::exists(out)) << model << " " << method;
    }
  }
}

// #8: options potacc does not model are not dropped silently: refused.
TEST_F(Hostile, QuantizeKeepsOrRefusesUnknownOptions) {
  const fs::path out = dir_ / "q.tflite";
  ExpectCleanError(Potacc("quantize " + H("fc_leakyrelu_custom.tflite") + " -m apot --all-layers -o " + out.string()),
                   "LeakyReluOptions", "leaky relu");
  EXPECT_FALSE(fs::exists(out));
}

// #9: non-finite and absurd normalisation values.
TEST_F(Hostile, NonFiniteNormalisation) {
  const std::string base = "eval " + DataPath("models/potacc/potaccAPoT_res20_4bit.tflite").string() + " --data " +
                           DataPath("cifar10").string() + " --limit 2 ";
  POTACC_REQUIRE_DATA("models/potacc/potaccAPoT_res20_4bit.tflite");
  ExpectCleanError(Potacc(base + "--mean nan,0,0 --std 1,1,1"), "not a finite number", "mean nan");
  ExpectCleanError(Potacc(base + "--mean 0,0,0 --std inf,1,1"), "not a finite number", "std inf");
  ExpectCleanError(Potacc(base + "--mean 0,0,0 --std 1e-45,1,1"), "--std values must be between", "std 1e-45");
  ExpectCleanError(Potacc(base + "--mean 0,0,0 --std 0,1,1"), "--std values must be between", "std 0");
  ExpectCleanError(Potacc(base + "--mean 1e30,0,0 --std 1,1,1"), "--mean values must be between", "mean 1e30");
}

// #11: data of another image size, broken folder entries, fractional and
// duplicate labels.
TEST_F(Hostile, DatasetsThatDoNotFit) {
  const std::string model = (dir_ / "conv16.tflite").string();
  ASSERT_EQ(Potacc("gen conv --h 16 --w 16 --cin 3 --cout 10 --kernel 16 --padding valid -o " + model).exit_code, 0);
  // One 32x32 image (3072 bytes, 1 label) read by a 16x16 model "is" 4 images.
  fs::create_directories(dir_ / "raw");
  WriteBytes(dir_ / "raw" / "x_u8_nhwc.bin", std::vector<uint8_t>(32 * 32 * 3, 7));
  WriteBytes(dir_ / "raw" / "x_labels_u8.bin", {3});
  ExpectCleanError(Potacc("eval " + model + " --data " + (dir_ / "raw").string()), "another image size", "raw 32 on 16");

  // An image folder holding an image name that is a broken link.
  const fs::path folder = dir_ / "images";
  fs::create_directories(folder);
  WriteBytes(folder / "0_a.bmp", ReadBytes(DataPath("hostile/bmp_16384x16384_54bytes.bmp")));  // content irrelevant
  fs::create_symlink(dir_ / "nowhere.png", folder / "1_b.png");
  ExpectCleanError(Potacc("eval " + model + " --data " + folder.string()), "not a regular file", "broken entry");
  fs::remove(folder / "1_b.png");

  const fs::path labels = dir_ / "labels.txt";
  std::ofstream(labels) << "0_a.bmp 1.5\n";
  ExpectCleanError(Potacc("eval " + model + " --data " + folder.string() + " --labels-file " + labels.string()),
                   "is not a class index", "label 1.5");
  std::ofstream(labels) << "0_a.bmp 1\n0_a.bmp 2\n";
  ExpectCleanError(Potacc("eval " + model + " --data " + folder.string() + " --labels-file " + labels.string()),
                   "already listed on line 1", "duplicate label line");
}

// #12: float raw input holding NaN.
TEST_F(Hostile, NanFloatInput) {
  POTACC_REQUIRE_DATA("models/potacc/potaccAPoT_res20_4bit.tflite");
  std::vector<float> values(32 * 32 * 3, 0.5f);
  values[100] = std::nanf("");
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  WriteBytes(dir_ / "nan.raw", bytes);
  ExpectCleanError(Potacc("run " + DataPath("models/potacc/potaccAPoT_res20_4bit.tflite").string() + " -i " +
                       (dir_ / "nan.raw").string()),
                   "element 100 is NaN", "nan input");
}

// #13: every write is checked (a full device, a missing folder).
TEST_F(Hostile, WritesToAFullDeviceFail) {
  const std::string cnn = H("cnn.tflite");
  const std::string cases[] = {
      "run " + cnn + " --json /dev/full",
      "run " + cnn + " --save-output /dev/full",
      "info " + cnn + " --json /dev/full",
      "compare cnn --board pynq-z2 --no-check --methods apot --csv /dev/full",
      "calibrate --board pynq-z2 --model cnn --write-profile /dev/full",
      "calibrate --board pynq-z2 --model cnn --write-profile /nonexistent/dir/p.csv",
      "quantize " + cnn + " -m apot -o " + (dir_ / "q.tflite").string() + " --report /dev/full",
      "gen fc -o /dev/full",
  };
  for (const std::string& args : cases) {
    const auto r = Potacc(args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.err.find("potacc: error: "), std::string::npos) << args << ": " << r.err;
    EXPECT_EQ(r.out.find("wrote"), std::string::npos) << args << ": " << r.out;
  }
  EXPECT_FALSE(fs::exists(dir_ / "q.tflite"));  // quantize writes its outputs together or not at all
  // Standard output on a full device.
  const std::string err = (dir_ / "err.txt").string();
  const int status = std::system((CliPath() + " info " + cnn + " --json - >/dev/full 2>" + err).c_str());
  EXPECT_NE(status, 0);
  std::ifstream e(err);
  const std::string text((std::istreambuf_iterator<char>(e)), {});
  EXPECT_NE(text.find("potacc: error: writing to standard output failed"), std::string::npos) << text;
}

// #14: a failing command leaves no output file behind.
TEST_F(Hostile, FailuresLeaveNoPartialOutput) {
  const fs::path q = dir_ / "q.tflite";
  ExpectCleanError(Potacc("quantize " + H("cnn.tflite") + " -m apot -o " + q.string() + " --report /nonexistent/r.json"),
                   "/nonexistent/r.json", "report in a missing folder");
  EXPECT_FALSE(fs::exists(q));
  ExpectCleanError(Potacc("quantize " + H("cnn.tflite") + " -m apot -o " + q.string() + " --eval " +
                       (dir_ / "no_such_data").string()),
                   "dataset not found", "bad --eval");
  EXPECT_FALSE(fs::exists(q));
  const fs::path demo = dir_ / "d";
  ExpectCleanError(Potacc("demo --quick --board bogus --out " + demo.string()), "bogus", "demo bad board");
  EXPECT_FALSE(fs::exists(demo / "cnn.tflite"));
  // No temporary file is left beside the outputs either.
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
}

// #15: an output naming an input is refused, and the input is unchanged.
TEST_F(Hostile, OutputEqualToAnInputIsRefused) {
  const fs::path m = dir_ / "m.tflite";
  fs::copy_file(H("cnn.tflite"), m);
  const auto before = ReadBytes(m);
  const fs::path in = dir_ / "in.raw";
  WriteBytes(in, std::vector<uint8_t>(32 * 32 * 3, 1));
  fs::create_symlink(m, dir_ / "link.tflite");
  const std::string cases[] = {
      "quantize " + m.string() + " -m apot -o " + m.string(),
      "quantize " + m.string() + " -m apot -o " + (dir_ / "link.tflite").string(),
      "quantize " + m.string() + " -m apot -o " + (dir_ / "." / "m.tflite").string(),
      "quantize " + m.string() + " -m apot -o " + (dir_ / "q.tflite").string() + " --report " + m.string(),
      "info " + m.string() + " --json " + m.string(),
      "run " + m.string() + " --json " + m.string(),
      "run " + m.string() + " -i " + in.string() + " --save-output " + in.string(),
  };
  for (const std::string& args : cases) ExpectCleanError(Potacc(args), "is also an input", args);
  EXPECT_EQ(ReadBytes(m), before);
  EXPECT_EQ(ReadBytes(in), std::vector<uint8_t>(32 * 32 * 3, 1));
  EXPECT_FALSE(fs::exists(dir_ / "q.tflite"));
}

// #16: models without outputs or inputs are refused at load.
TEST_F(Hostile, ModelsWithoutInputsOrOutputs) {
  for (const char* cmd : {"run", "info", "diff --accel int8", "quantize -m apot -o /dev/null"}) {
    ExpectCleanError(Potacc(std::string(cmd) + " " + H("fc_no_outputs.tflite")), "model has no outputs", cmd);
    ExpectCleanError(Potacc(std::string(cmd) + " " + H("fc_no_inputs.tflite")), "model has no inputs", cmd);
  }
}

// #18 (models): a symbolic link loop says so.
TEST_F(Hostile, SymlinkLoopAsModel) {
  fs::create_symlink(dir_ / "b.tflite", dir_ / "a.tflite");
  fs::create_symlink(dir_ / "a.tflite", dir_ / "b.tflite");
  ExpectCleanError(Potacc("run " + (dir_ / "a.tflite").string()), "too many levels of symbolic links", "loop");
  ExpectCleanError(Potacc("info " + (dir_ / "nowhere.tflite").string()), "no such file", "missing");
}

// #19: flag values that used to be accepted or ignored.
TEST_F(Hostile, BadFlagValues) {
  const std::string cnn = H("cnn.tflite");
  const std::string data = (dir_ / "nodata").string();
  const std::pair<std::string, std::string> cases[] = {
      {"eval " + cnn + " --data " + data + " --limit -1", "--limit"},
      {"eval " + cnn + " --data " + data + " --limit 0", "--limit"},
      {"run " + cnn + " --crop-fraction nan", "--crop-fraction"},
      {"run " + cnn + " --accel ''", "--accel"},
      {"run " + cnn + " --json ''", "--json"},
      {"run " + cnn + " --save-output ''", "--save-output"},
      {"quantize " + cnn + " -m apot -o " + (dir_ / "q.tflite").string() + " --layers ''", "--layers"},
      {"quantize " + cnn + " -m apot -o " + (dir_ / "q.tflite").string() + " --layers 1,,2", "--layers"},
      {"quantize " + cnn + " -m auto -o " + (dir_ / "q.tflite").string() + " --auto-min-sqnr nan", "--auto-min-sqnr"},
      {"quantize " + cnn + " -m auto -o " + (dir_ / "q.tflite").string() + " --auto-max-int8-layers -5",
       "--auto-max-int8-layers"},
      {"compare cnn --methods ''", "--methods"},
      {"compare cnn --methods apot,,msq", "--methods"},
      {"calibrate --board pynq-z2 --model cnn --threads 0 --write-profile " + (dir_ / "p.csv").string(), "--threads"},
      {"calibrate --board pynq-z2 --model cnn --threads -3 --write-profile " + (dir_ / "p.csv").string(), "--threads"},
      {"calibrate --board pynq-z2 --model cnn --threads 100000 --write-profile " + (dir_ / "p.csv").string(),
       "--threads"},
      {"run " + cnn + " --pixels", "--input"},
      {"run " + cnn + " --batch-file", "--input"},
  };
  for (const auto& [args, fragment] : cases) ExpectCleanError(Potacc(args), fragment, args);
  EXPECT_FALSE(fs::exists(dir_ / "q.tflite"));
  EXPECT_FALSE(fs::exists(dir_ / "p.csv"));
}

}  // namespace
}  // namespace potacc::testing
