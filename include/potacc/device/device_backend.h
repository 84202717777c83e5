// The "device" backend (accel/backend.h): runs the driver's §3 command
// stream on the real accelerator of a board through its four AXI DMAs in
// simple mode (axi_dma.h), with the DMA buffers in the reserved physically
// contiguous memory of the board's address map (platform/board.h, from
// reference §4.3), mapped uncached through /dev/mem.
//
// Per command: the words of each stream are written into the channel's
// scratch area (the head of its input buffer), then the four MM2S channels
// send them; a layer's packed weights are copied once into the preload area
// behind the scratch (as the reference driver does) and LOAD_WGT streams
// them from there. COMPUTE arms the four S2MM channels for the exact output
// size first, and checks that each received exactly that many bytes.
// The potacc-x commands take the same paths: CONFIG_DW and a depthwise
// LOAD_INP (slab header + slab beats) are one transfer per stream like CONFIG
// and LOAD_INP, a partial-sum COMPUTE expects only its TLAST beat
// (accel::ComputeOutputBeats).
// Every wait is bounded by a timeout; faults throw potacc::Error naming the
// channel, the decoded DMA status and the accelerator's state registers.
//
// The same class runs against the register-level model (register_model.h):
// only DeviceIo (where the register windows and the memory come from)
// differs.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "potacc/accel/backend.h"
#include "potacc/device/axi_dma.h"
#include "potacc/device/mmio.h"
#include "potacc/platform/board.h"

namespace potacc::device {

// Environment of the device backends (the Backend factory has no other
// channel for options): all optional.
inline constexpr const char* kDeviceMemEnv = "POTACC_DEVICE_MEM";          // default /dev/mem
inline constexpr const char* kDeviceTimeoutEnv = "POTACC_DEVICE_TIMEOUT_MS";  // per wait, default 2000
inline constexpr const char* kDeviceBoardEnv = "POTACC_DEVICE_BOARD";  // board file with the address map
                                                                      // (default: the config's board)

// The accelerator's AXI-Lite status registers (reference §2.7): state codes
// of the Input_Handler and the Scheduler, read for diagnostics only. Offsets
// are an assumption (HLS places the first s_axilite scalar at 0x10, then
// every 8 bytes) to be checked against the board's .hwh (docs/board.md).
inline constexpr uint32_t kAccelInputHandlerState = 0x10;
inline constexpr uint32_t kAccelSchedulerState = 0x18;

// Where the backend's registers and memory come from.
struct DeviceIo {
  std::unique_ptr<RegisterWindow> accel;              // accelerator AXI-Lite
  std::vector<std::unique_ptr<RegisterWindow>> dma;   // one per AXI DMA (4)
  std::shared_ptr<PhysicalMemory> memory;             // reaches the DMA buffers
  std::string description;                            // "/dev/mem", "register-level model (sim)"
  // Optional: cycles counted by whatever executes the commands (a model);
  // a real v12 accelerator has no cycle counters (reference §2.7).
  std::function<accel::SimStats()> read_counters;
  std::function<void()> reset_counters;
  // Optional: extra text for error messages (a model's own failure).
  std::function<std::string()> diagnostics;
};

// Maps the address map's register windows through `memory` (/dev/mem).
DeviceIo OpenDevMem(const platform::DeviceAddressMap& map, std::shared_ptr<PhysicalMemory> memory);

struct DeviceOptions {
  std::chrono::milliseconds timeout{2000};
  bool preload_weights = true;
};
// Options from the environment (kDeviceTimeoutEnv); throws on a bad value.
DeviceOptions DeviceOptionsFromEnv();

// The address map of the config's board (or of $POTACC_DEVICE_BOARD);
// throws when the board file has none.
platform::DeviceAddressMap DeviceAddressMapFor(const accel::AcceleratorConfig& config);

class DeviceBackend final : public accel::Backend {
 public:
  // Resets the four DMAs and starts their channels; throws when they do not
  // answer. `keep_alive` is owned for the backend's lifetime (a model).
  DeviceBackend(const accel::AcceleratorConfig& config, const platform::DeviceAddressMap& map, DeviceIo io,
                DeviceOptions options, std::shared_ptr<void> keep_alive = nullptr);
  ~DeviceBackend() override;

  std::string name() const override { return name_; }
  const accel::AcceleratorConfig& config() const override { return config_; }
  void Execute(const accel::Command& cmd, accel::StreamWordsT* out) override;
  const accel::SimStats& stats() const override;
  void ResetStats() override;

  void set_name(std::string name) { name_ = std::move(name); }

 private:
  struct Channel;
  struct Segment {
    uint64_t address = 0;
    uint32_t bytes = 0;
  };
  using Phase = std::array<Segment, 4>;

  Segment Stage(int q, const uint32_t* words, size_t count);  // copies into the scratch area
  void SendPhase(const Phase& phase);
  void SendLoadWeights(const accel::Command& cmd);
  void Compute(const accel::Command& cmd, accel::StreamWordsT* out);
  // Address of the stream-q words of `w` in the preload area, preloading
  // them on first use; nullopt when the area is full.
  bool Preloaded(const std::shared_ptr<const accel::PackedWeights>& w, std::array<uint64_t, 4>* address);
  std::string AcceleratorState();

  std::shared_ptr<void> keep_alive_;
  accel::AcceleratorConfig config_;
  platform::DeviceAddressMap map_;
  DeviceIo io_;
  DeviceOptions options_;
  std::string name_ = "device";
  std::vector<std::unique_ptr<Channel>> channels_;
  std::array<uint64_t, 4> scratch_used_{};
  std::array<uint64_t, 4> preload_used_{};
  std::map<const accel::PackedWeights*, std::pair<std::shared_ptr<const accel::PackedWeights>, uint64_t>> preloaded_;
  mutable accel::SimStats stats_;
};

}  // namespace potacc::device
