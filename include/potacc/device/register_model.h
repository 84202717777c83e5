// A register-level model of the reference block design, for running the
// device backend where no board exists: the four AXI DMAs with PG021's
// register semantics (Run/Stop, soft reset, write-1-to-clear status bits,
// LENGTH writes that start transfers, S2MM_LENGTH reporting the bytes
// received, halting on errors), a sparse file standing in for the board's
// physical memory (mapped by the backend exactly as it maps /dev/mem), and
// the accelerator's input handler (accel/stream_decoder.h) feeding any
// Backend: the simulator by default, the RTL model when built.
//
// The DMA engines run in the model's own thread, like hardware: the backend
// only sees registers change, so its polling, timeouts and error paths are
// the ones a board exercises. Faults can be injected (ModelFault).
//
// Registered as the backend "device-model": `potacc run M --accel apot
// --backend device-model` runs the real device code path end to end.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "potacc/accel/backend.h"
#include "potacc/device/device_backend.h"
#include "potacc/platform/board.h"

namespace potacc::device {

inline constexpr const char* kDeviceFaultEnv = "POTACC_DEVICE_FAULT";                  // ModelFault::Parse
inline constexpr const char* kDeviceModelBackendEnv = "POTACC_DEVICE_MODEL_BACKEND";  // default "sim"

// A fault the model injects into its n-th transfer of one direction
// (counted over all four DMAs, from 1).
struct ModelFault {
  enum class Kind {
    kNone,
    kAbsent,       // no DMA answers (registers read 0): the bitstream is not loaded
    kMm2sError,    // MM2S transfer n ends with DMASlvErr + halt
    kS2mmError,    // S2MM transfer n ends with DMAIntErr + halt
    kMm2sStall,    // MM2S transfer n never completes
    kS2mmStall,    // S2MM transfer n never completes
    kShortOutput,  // S2MM transfer n: the accelerator ends the packet (TLAST) halfway
  };
  Kind kind = Kind::kNone;
  int64_t at = 1;

  // "none", "absent", "mm2s-error", "s2mm-error", "mm2s-stall", "s2mm-stall",
  // "short-output", each optionally "@N" (default 1). Throws potacc::Error.
  static ModelFault Parse(const std::string& spec);
};

class RegisterLevelModel {
 public:
  struct Options {
    std::string backend = "sim";  // what executes the decoded commands
    ModelFault fault;
  };

  // Creates the memory file (removed from the file system at once; both
  // sides keep it open) and starts the DMA engine thread.
  RegisterLevelModel(const accel::AcceleratorConfig& config, const platform::DeviceAddressMap& map, Options options);
  ~RegisterLevelModel();
  RegisterLevelModel(const RegisterLevelModel&) = delete;
  RegisterLevelModel& operator=(const RegisterLevelModel&) = delete;

  // Register windows into the model and the memory, for DeviceBackend. The
  // model must outlive them (pass it as the backend's keep_alive).
  DeviceIo Io();

  // Options from the environment (kDeviceFaultEnv, kDeviceModelBackendEnv).
  static Options OptionsFromEnv();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// A DeviceBackend on a fresh RegisterLevelModel (what "device-model" creates).
std::unique_ptr<accel::Backend> MakeModelledDevice(const accel::AcceleratorConfig& config,
                                                   const platform::DeviceAddressMap& map,
                                                   RegisterLevelModel::Options model_options,
                                                   DeviceOptions device_options);

}  // namespace potacc::device
