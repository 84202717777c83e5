// The register-level model's PG021 semantics, driven through the same
// RegisterWindow interface the device backend uses, and the AXI DMA driver
// against it.
#include "potacc/device/register_model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "potacc/device/axi_dma.h"
#include "potacc/error.h"
#include "potacc/platform/board.h"

namespace potacc::device {
namespace {

using namespace axi_dma;
using namespace std::chrono_literals;

platform::DeviceAddressMap Z2Map() { return platform::LoadBoard("pynq-z2").address; }

accel::AcceleratorConfig Config() { return accel::ResolveAcceleratorConfig("apot", "pynq-z2"); }

TEST(ModelFault, ParsesKindsAndOrdinals) {
  EXPECT_EQ(ModelFault::Parse("none").kind, ModelFault::Kind::kNone);
  const ModelFault f = ModelFault::Parse("s2mm-stall@3");
  EXPECT_EQ(f.kind, ModelFault::Kind::kS2mmStall);
  EXPECT_EQ(f.at, 3);
  EXPECT_EQ(ModelFault::Parse("short-output").at, 1);
  EXPECT_THROW(ModelFault::Parse("melt"), Error);
  EXPECT_THROW(ModelFault::Parse("mm2s-error@0"), Error);
  EXPECT_THROW(ModelFault::Parse("mm2s-error@x"), Error);
}

TEST(BoardAddressMap, ShippedBoardsCarryReferenceSection43) {
  const auto z2 = Z2Map();
  ASSERT_TRUE(z2.present);
  EXPECT_EQ(z2.accel_ctrl, 0x43C00000u);
  EXPECT_EQ(z2.dma_base, 0x40400000u);
  EXPECT_EQ(z2.dma_stride, 0x10000u);
  EXPECT_EQ(z2.buffer_base, 0x16000000u);
  EXPECT_EQ(z2.output_buffer_bytes, 8u << 20);
  EXPECT_EQ(z2.input_buffer_bytes, 24u << 20);
  const auto kv = platform::LoadBoard("kv260").address;
  EXPECT_EQ(kv.accel_ctrl, 0xA0000000u);
  EXPECT_EQ(kv.dma_base, 0xA0010000u);
  EXPECT_EQ(kv.buffer_base, 0x38000000u);
}

TEST(BoardAddressMap, RejectsBadAddresses) {
  nlohmann::json doc = platform::LoadBoard("pynq-z2").json;
  doc["address_map"]["dma_base"]["value"] = "0x4040zz00";
  EXPECT_THROW(platform::BoardFromJson(doc, "bad.json"), Error);
  doc = platform::LoadBoard("pynq-z2").json;
  doc["address_map"]["dma_base"].erase("source");
  EXPECT_THROW(platform::BoardFromJson(doc, "bad.json"), Error);
  doc = platform::LoadBoard("pynq-z2").json;
  doc["address_map"]["scratch_bytes"]["value"] = "0x2000000";  // larger than the input buffer
  EXPECT_THROW(platform::BoardFromJson(doc, "bad.json"), Error);
}

TEST(RegisterModel, ResetRunStopAndWriteOneToClear) {
  RegisterLevelModel model(Config(), Z2Map(), {});
  DeviceIo io = model.Io();
  RegisterWindow& r = *io.dma[2];
  EXPECT_TRUE(r.Read32(kMm2sDmacr) & kCrReserved1);
  EXPECT_TRUE(r.Read32(kMm2sDmasr) & kSrHalted);
  EXPECT_TRUE(r.Read32(kS2mmDmasr) & kSrHalted);
  // LENGTH has no effect while halted.
  r.Write32(kMm2sLength, 64);
  EXPECT_EQ(r.Read32(kMm2sLength), 0u);
  r.Write32(kMm2sDmacr, kCrRunStop | kCrIocIrqEn);
  EXPECT_FALSE(r.Read32(kMm2sDmasr) & kSrHalted);
  EXPECT_TRUE(r.Read32(kS2mmDmasr) & kSrHalted);  // channels run independently
  // Reset returns both channels to halted.
  r.Write32(kMm2sDmacr, kCrReset);
  EXPECT_FALSE(r.Read32(kMm2sDmacr) & kCrReset);
  EXPECT_TRUE(r.Read32(kMm2sDmasr) & kSrHalted);
}

TEST(RegisterModel, Mm2sTransferCompletesAndIsCleared) {
  const auto map = Z2Map();
  RegisterLevelModel model(Config(), map, {});
  DeviceIo io = model.Io();
  ResetAxiDma(*io.dma[0], "AXI DMA 0", 1000ms);
  AxiDmaChannel mm2s(*io.dma[0], DmaDirection::kMm2s, "AXI DMA 0 MM2S");
  mm2s.Run(1000ms);
  // A NOP opcode word in the scratch area of channel 0's input buffer.
  const uint64_t scratch = map.buffer_base + map.output_buffer_bytes;
  auto mem = io.memory->Map(scratch, 4, "scratch");
  const uint32_t nop = 0;
  std::memcpy(mem->data(), &nop, 4);
  mm2s.Start(scratch, 4);
  EXPECT_EQ(mm2s.Wait(AxiDmaChannel::Clock::now() + 2000ms), 4u);
  EXPECT_FALSE(mm2s.Status() & kSrIocIrq);  // cleared by the driver (write 1 to clear)
  EXPECT_TRUE(mm2s.Status() & kSrIdle);
}

TEST(RegisterModel, TransferOutsideMemoryIsADecodeError) {
  RegisterLevelModel model(Config(), Z2Map(), {});
  DeviceIo io = model.Io();
  ResetAxiDma(*io.dma[1], "AXI DMA 1", 1000ms);
  AxiDmaChannel mm2s(*io.dma[1], DmaDirection::kMm2s, "AXI DMA 1 MM2S");
  mm2s.Run(1000ms);
  mm2s.Start(0x1000, 16);  // not DMA buffer memory
  try {
    mm2s.Wait(AxiDmaChannel::Clock::now() + 2000ms);
    FAIL() << "expected a DMA error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("DMA decode error"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("AXI DMA 1 MM2S"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(mm2s.Status() & kSrHalted);
}

TEST(RegisterModel, AbsentDeviceIsNamed) {
  RegisterLevelModel::Options o;
  o.fault.kind = ModelFault::Kind::kAbsent;
  RegisterLevelModel model(Config(), Z2Map(), o);
  DeviceIo io = model.Io();
  try {
    ResetAxiDma(*io.dma[0], "AXI DMA 0", 200ms);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no AXI DMA answers"), std::string::npos) << e.what();
  }
}

TEST(DescribeStatus, NamesTheBits) {
  EXPECT_EQ(DescribeStatus(kSrHalted | kSrDmaSlvErr | kSrErrIrq),
            "DMASR=0x00004021: halted, DMA slave error, error interrupt");
  EXPECT_EQ(DescribeStatus(0), "DMASR=0x00000000: running, busy");
}

}  // namespace
}  // namespace potacc::device
