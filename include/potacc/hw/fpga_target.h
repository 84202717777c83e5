// The FPGA an accelerator configuration is built for, from its board's device
// (configs/boards/<board>.json, "fpga.device"): which Yosys family synthesizes
// it and whether the large unit buffers go to UltraRAM (reference §2.2: Kria
// puts the weight and local input buffers in URAM, PYNQ-Z2 in block RAM).
#pragma once

#include <string>

#include "potacc/accel/config.h"

namespace potacc::hw {

struct FpgaTarget {
  std::string board;    // accelerator config's board
  std::string device;   // "xc7z020-1", "xck26-sfvc784-2LV", or "unknown"
  std::string family;   // Yosys synth_xilinx -family: "xc7" or "xcup"
  bool uram = false;    // UltraRAM available (and used for the unit buffers)
  // Device capacity (0 = unknown): the "fits" check of the synthesis report.
  int luts = 0, bram36 = 0, dsps = 0, urams = 0;
};

// Family of a Xilinx part name: "xc7..." -> xc7, "xck26" / "xczu" / "xcu..p" -> xcup.
// Throws potacc::Error for a part Yosys cannot target here.
std::string YosysFamilyOf(const std::string& device);

// The target of `config`: the shipped board named config.board, else a
// 7-series device with block RAM only.
FpgaTarget FpgaTargetOf(const accel::AcceleratorConfig& config);

}  // namespace potacc::hw
