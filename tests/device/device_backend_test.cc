// The device backend end to end against the register-level model: whole
// models byte-exact with the CPU, and every injected fault ends in a clear
// error within the timeout (never a hang).
#include "potacc/device/device_backend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>

#include "accel/potacc_x_support.h"
#include "potacc/accel/delegate.h"
#include "potacc/accel/diff.h"
#include "potacc/device/register_model.h"
#include "potacc/error.h"
#include "potacc/io/preprocess.h"
#include "potacc/quant/method.h"
#include "potacc/quant/requantize.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/reader.h"
#include "support/data_dir.h"
#include "support/scoped_env.h"

namespace potacc::device {
namespace {

using namespace std::chrono_literals;

Model ApotModel(const Model& m) {
  quant::RequantizeOptions o;
  o.method = &quant::MethodByName("apot");
  return quant::RequantizeModel(m, o).model;
}

std::vector<std::vector<uint8_t>> RandomInputs(const Model& m, int count, unsigned seed) {
  const auto& t = m.main().tensors[m.main().inputs[0]];
  std::mt19937 rng(seed);
  std::vector<std::vector<uint8_t>> v(count, std::vector<uint8_t>(static_cast<size_t>(t.num_elements())));
  for (auto& x : v)
    for (auto& b : x) b = static_cast<uint8_t>(rng());
  return v;
}

// One inference with the accelerated layers on `backend`: the model's
// outputs and the delegate's per-layer record.
struct Ran {
  std::vector<std::vector<uint8_t>> outputs;
  accel::AccelRun run;
};
Ran RunOn(const Model& m, const accel::AcceleratorConfig& c, const std::string& backend,
          const std::vector<uint8_t>& input) {
  accel::AcceleratorDelegate d(m, c, backend);
  Interpreter interp(m);
  d.Install(interp);
  interp.Prepare();
  interp.SetInput(0, input);
  interp.Invoke();
  Ran r;
  for (size_t i = 0; i < m.main().outputs.size(); ++i) {
    const auto out = interp.Output(static_cast<int>(i));
    r.outputs.emplace_back(out.begin(), out.end());
  }
  r.run = d.run();
  return r;
}

TEST(DeviceBackend, GeneratedCnnMatchesTheSimulatorAndTheCpu) {
  const Model m = ApotModel(Generate("cnn", 1));
  const accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("apot", "pynq-z2");
  const accel::DiffReport r = accel::DiffAgainstCpu(m, c, RandomInputs(m, 2, 3), {}, "device-model");
  EXPECT_EQ(r.backend, "device-model");
  EXPECT_GT(r.accel_elements(), 0);
  EXPECT_TRUE(r.bit_exact()) << r.accel_mismatches() << " accelerated, " << r.end_to_end_mismatches() << " end to end";
  const auto input = RandomInputs(m, 1, 9)[0];
  EXPECT_EQ(RunOn(m, c, "device-model", input).outputs, RunOn(m, c, "sim", input).outputs);
}

// Depth splitting: partial-sum COMPUTEs return only their TLAST beat; the
// device backend expects exactly that (a layer three times deeper than the
// buffers, in K-chunks).
TEST(DeviceBackend, DepthSplitLayerMatchesTheCpu) {
  accel::AcceleratorConfig c = accel::xmodes::WithModes("apot", "pynq-z2", false, true, 64);
  c.buffers.weight_addresses = 32;       // depth limit 128
  c.buffers.local_input_addresses = 24;  // chunk <= 96
  const Model m = accel::xmodes::Generated("gemm", 3, {{"m", "9"}, {"n", "22"}, {"k", "250"}}, "apot");
  const accel::DiffReport r = accel::DiffAgainstCpu(m, c, RandomInputs(m, 1, 5), {}, "device-model");
  ASSERT_EQ(r.layers[0].device, "accel") << r.layers[0].reason;
  EXPECT_EQ(r.accel_elements(), 9 * 22);
  EXPECT_TRUE(r.bit_exact()) << r.accel_mismatches();
}

// Depthwise mode (potacc-x): CONFIG_DW, the slab LOAD_INPs and their
// COMPUTEs through the DMAs; strides 1, 2 and 4, several row tiles each (the
// local input buffer shrunk), the same stream words and outputs as the
// simulator, bit-exact with the CPU's DEPTHWISE_CONV_2D.
TEST(DeviceBackend, DepthwiseLayersMatchTheCpuAndTheSimulator) {
  accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("potacc-x-pynq-z2-apot");
  ASSERT_TRUE(c.depthwise_mode());
  c.buffers.local_input_addresses = 64;
  struct Layer {
    int h, w, ch, kernel, stride, dilation;
    bool same;
    const char* act;
  };
  int seed = 0;
  for (const Layer& l : {Layer{40, 17, 13, 3, 1, 1, true, "relu6"}, Layer{24, 21, 9, 3, 2, 1, true, "none"},
                         Layer{29, 26, 6, 5, 4, 1, false, "relu"}, Layer{40, 14, 21, 3, 1, 2, false, "none"}}) {
    SCOPED_TRACE("stride " + std::to_string(l.stride) + " kernel " + std::to_string(l.kernel));
    const Model m = accel::xmodes::Generated(
        "conv", 20 + seed, accel::xmodes::DwShape(l.h, l.w, l.ch, l.kernel, l.stride, l.dilation, l.same, l.act),
        "apot");
    const accel::DiffReport r = accel::DiffAgainstCpu(m, c, RandomInputs(m, 2, 30 + seed), {}, "device-model");
    ASSERT_EQ(r.layers.size(), 1u);
    ASSERT_EQ(r.layers[0].device, "accel") << r.layers[0].reason;
    EXPECT_GT(r.accel_elements(), 0);
    EXPECT_TRUE(r.bit_exact()) << r.accel_mismatches() << " accelerated, " << r.end_to_end_mismatches() << " end to end";
    const auto input = RandomInputs(m, 1, 40 + seed)[0];
    const Ran dev = RunOn(m, c, "device-model", input), sim = RunOn(m, c, "sim", input);
    EXPECT_EQ(dev.outputs, sim.outputs);
    ASSERT_EQ(dev.run.layers.size(), 1u);
    EXPECT_GT(dev.run.layers[0].row_tiles, 2);
    EXPECT_EQ(dev.run.layers[0].bytes_to_accel, sim.run.layers[0].bytes_to_accel);
    EXPECT_EQ(dev.run.layers[0].bytes_from_accel, sim.run.layers[0].bytes_from_accel);
    EXPECT_EQ(dev.run.layers[0].cycles.total(), sim.run.layers[0].cycles.total());
    ++seed;
  }
}

TEST(DeviceBackend, ReportsTheModelsCycleCountsAndStreamWords) {
  const Model m = ApotModel(Generate("cnn", 1));
  const accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("apot", "kv260");
  const auto input = RandomInputs(m, 1, 4)[0];
  const accel::AccelRun dev = RunOn(m, c, "device-model", input).run, sim = RunOn(m, c, "sim", input).run;
  ASSERT_EQ(dev.layers.size(), sim.layers.size());
  int accelerated = 0;
  for (size_t i = 0; i < dev.layers.size(); ++i) {
    if (sim.layers[i].device != "accel") continue;
    ++accelerated;
    EXPECT_EQ(dev.layers[i].bytes_to_accel, sim.layers[i].bytes_to_accel) << i;
    EXPECT_EQ(dev.layers[i].bytes_from_accel, sim.layers[i].bytes_from_accel) << i;
    EXPECT_EQ(dev.layers[i].cycles.compute, sim.layers[i].cycles.compute) << i;
  }
  EXPECT_GT(accelerated, 0);
}

TEST(DeviceBackendData, ResNet20ApotEndToEndWithZeroMismatches) {
  const char* rel = "models/potacc/potaccAPoT_res20_4bit.tflite";
  const char* pixels = "cifar10/test_first1000_u8_nhwc.bin";
  POTACC_REQUIRE_DATA(rel);
  POTACC_REQUIRE_DATA(pixels);
  const Model m = ApotModel(LoadModel(testing::DataPath(rel).string()));
  const Tensor& t = m.main().tensors[m.main().inputs[0]];
  std::ifstream f(testing::DataPath(pixels), std::ios::binary);
  io::Preprocess cifar;  // the model's normalisation (shared/data/README.md)
  cifar.mode = io::Preprocess::Mode::kMeanStd;
  cifar.mean = {0.4914f, 0.4822f, 0.4465f};
  cifar.std = {0.2470f, 0.2435f, 0.2616f};
  std::vector<std::vector<uint8_t>> inputs;
  for (int i = 0; i < 2; ++i) {
    std::vector<uint8_t> image(32 * 32 * 3);
    f.read(reinterpret_cast<char*>(image.data()), static_cast<std::streamsize>(image.size()));
    inputs.push_back(io::PixelsToInput(t, image, cifar));
  }
  const accel::DiffReport r =
      accel::DiffAgainstCpu(m, accel::ResolveAcceleratorConfig("apot", "pynq-z2"), inputs, {}, "device-model");
  EXPECT_GT(r.accel_elements(), 100000);
  EXPECT_EQ(r.accel_mismatches(), 0);
  EXPECT_EQ(r.end_to_end_mismatches(), 0);
}

using testing::ScopedEnv;

struct FaultCase {
  const char* fault;
  const char* expected;  // in the error message
};

// Every fault: potacc::Error with a clear message, well within a bounded
// time (timeouts are 300 ms per wait).
TEST(DeviceBackendFaults, EachInjectedFaultEndsInAClearError) {
  const Model m = ApotModel(Generate("cnn", 1));
  const accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("apot", "pynq-z2");
  const auto input = RandomInputs(m, 1, 1)[0];
  const FaultCase cases[] = {
      {"absent", "no AXI DMA answers"},
      {"mm2s-error", "MM2S: transfer of"},
      {"mm2s-error@7", "DMA slave error"},
      {"s2mm-error@2", "DMA internal error"},
      {"mm2s-stall@5", "bytes did not complete in"},
      {"s2mm-stall", "S2MM: transfer of"},
      {"short-output@3", "short transfer: received"},
  };
  ScopedEnv timeout(kDeviceTimeoutEnv, "300");
  for (const FaultCase& fc : cases) {
    ScopedEnv fault(kDeviceFaultEnv, fc.fault);
    const auto start = std::chrono::steady_clock::now();
    std::string error;
    try {
      RunOn(m, c, "device-model", input);
    } catch (const Error& e) {
      error = e.what();
    }
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_NE(error.find(fc.expected), std::string::npos) << fc.fault << ": \"" << error << "\"";
    EXPECT_EQ(error.find('\n'), std::string::npos) << fc.fault << ": one line";
    EXPECT_LT(took, 20s) << fc.fault;
  }
}

TEST(DeviceBackendFaults, ModelAcceleratorFailureIsReportedWithTheTimeout) {
  // A command the modelled accelerator refuses leaves it hung; the host's
  // wait times out and the message carries the model's reason.
  const accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("apot", "pynq-z2");
  DeviceOptions dev;
  dev.timeout = 200ms;
  auto backend = MakeModelledDevice(c, DeviceAddressMapFor(c), {}, dev);
  backend->Execute(accel::Command::Config(32, 0), nullptr);
  accel::StreamWordsT out;
  try {
    backend->Execute(accel::Command::Compute(4, 4), &out);  // nothing loaded
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("did not complete in"), std::string::npos) << what;
    EXPECT_NE(what.find("device model: accelerator simulator: COMPUTE"), std::string::npos) << what;
  }
}

// A depthwise LOAD_INP whose slab pitch is not the CONFIG_DW's: the modelled
// accelerator's input handler refuses it, the host's next wait times out and
// the one-line message names the reason.
TEST(DeviceBackendFaults, InconsistentDepthwiseLoadIsReportedWithTheTimeout) {
  const accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("potacc-x-pynq-z2-apot");
  DeviceOptions dev;
  dev.timeout = 200ms;
  auto backend = MakeModelledDevice(c, DeviceAddressMapFor(c), {}, dev);
  accel::DepthwiseGeometry g;
  g.filter_h = g.filter_w = 3;
  g.out_w = 4;
  g.slab_w = 8;  // 8 = 4 (mod 4): conflict-free at stride 1
  backend->Execute(accel::Command::ConfigDepthwise(16, 0, g), nullptr);
  auto tile = std::make_shared<accel::InputTile>();
  tile->rows = 4;
  tile->rk = 16;
  tile->slab_blocks = 1;
  tile->slab_rows = 3;
  tile->slab_w = 12;  // not the CONFIG_DW's pitch
  for (auto& q : tile->data) q.assign(static_cast<size_t>(tile->beats()), 0x01010101u);
  backend->Execute(accel::Command::LoadInputs(tile), nullptr);
  accel::StreamWordsT out;
  try {
    backend->Execute(accel::Command::Compute(4, 4), &out);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("did not complete in"), std::string::npos) << what;
    EXPECT_NE(what.find("device model: accelerator input stream: depthwise LOAD_INP pitch 12 differs from CONFIG_DW's 8"),
              std::string::npos)
        << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(DeviceBackendFaults, MissingDeviceFileIsNamed) {
  ScopedEnv mem(kDeviceMemEnv, "/nonexistent/potacc-devmem");
  const accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("apot", "pynq-z2");
  try {
    accel::MakeBackend("device", c);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open /nonexistent/potacc-devmem"), std::string::npos) << e.what();
  }
}

TEST(DeviceBackendFaults, BadOptionsAreRefused) {
  const accel::AcceleratorConfig c = accel::ResolveAcceleratorConfig("apot", "pynq-z2");
  {
    ScopedEnv t(kDeviceTimeoutEnv, "soon");
    EXPECT_THROW(accel::MakeBackend("device-model", c), Error);
  }
  {
    ScopedEnv f(kDeviceFaultEnv, "explode");
    EXPECT_THROW(accel::MakeBackend("device-model", c), Error);
  }
  {
    ScopedEnv b(kDeviceModelBackendEnv, "device-model");
    EXPECT_THROW(accel::MakeBackend("device-model", c), Error);
  }
}

}  // namespace
}  // namespace potacc::device
