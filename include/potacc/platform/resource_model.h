// Resources of an accelerator design point (LUT, FF, block RAM, DSP, URAM)
// as a function of its configuration - units, buffer sizes, PE method and the
// potacc-x modes - and whether it fits the board's FPGA (`potacc explore`).
//
//   LUT  = shell(V) + V * alpha * U_lut(method) [+ V * modes]
//   FF   = shell_ff(V) + V * U_ff(method)       [+ V * modes]
//   shell(V) = I * (f + (1 - f) * V / V0)
//   BRAM/URAM = every buffer mapped onto the device's block RAM aspect ratios
//               (URAM for the unit buffers where the device has it) + misc
//   DSP  = 7 per unit (PPU) + 4 (+16 for INT8), fitted to the two boards' designs
//
// U(method) is the synthesized GEMM unit (hw/synth/results.json, Yosys,
// multipliers in LUTs); alpha (Vivado LUTs per Yosys LUT of the array) and the
// shell intercept I are least-squares fits over the published Vivado 'ip'
// figures of the four methods at the board's own V0 (reference §7, board file
// power.published_resources); f (the fixed part of the shell) and the modes'
// per-unit costs come from configs/devices.json; misc BRAM = published minus
// the geometry of the reference buffers. When hw/synth/results.json gains the
// whole accelerator (issue 9) it replaces the shell fit: see
// docs/explore.md "Resource model". The DMA/interconnect platform around the
// IP (reference full - ip) is added for the fit check.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "potacc/accel/config.h"
#include "potacc/platform/accel_power.h"
#include "potacc/platform/board.h"

namespace potacc::platform {

struct Device {
  std::string name;         // "xc7z020"
  std::string description;
  bool uram_buffers = false;  // unit weight/input buffers in URAM (UltraScale+)
  Resources capacity;
  Resources platform;       // DMAs + interconnect of the reference block design
};

// configs/devices.json ($POTACC_CONFIG_DIR/devices.json when set).
std::string DevicesFilePath();

// The device of a board (its fpga.device, e.g. "xc7z020-1" -> "xc7z020").
// Throws potacc::Error naming the board and the known devices.
Device DeviceOfBoard(const Board& board);

// One resource split into the parts the model adds up.
struct ResourceEstimate {
  Resources ip;          // the accelerator IP (what the reference reports as 'ip')
  Resources total;       // ip + platform (what must fit the device)
  std::map<std::string, Resources> parts;  // "pe_array", "shell", "buffers", "depthwise", "psum", "platform"
  std::string device;
  std::string source;    // how the figures were derived (one line)
};

// The calibration of one board (fits of its published designs).
struct ResourceCalibration {
  std::string board;
  int v0 = 4;                  // units of the published designs
  double alpha_lut = 0;        // Vivado LUT per Yosys LUT of the PE array
  double shell_lut = 0;        // LUT intercept at V0
  double shell_ff = 0;         // FF intercept at V0 (alpha_ff = 1)
  double misc_bram = 0;        // published BRAM minus the geometry of the reference buffers
  double fixed_fraction = 0;   // f
  // Published vs modelled LUTs per method (the fit's residuals, for docs/tests).
  std::map<std::string, std::pair<double, double>> lut_check;
};

// Fits the board's published figures (throws potacc::Error when the board
// has no published figures for int8 and at least one shift method, or the
// synthesis results lack a method).
ResourceCalibration CalibrateResources(const Board& board, const HwSynthResults& synth);

// RAMB36 tiles (RAMB18 = 0.5) for a width x depth memory on 7-series /
// UltraScale block RAM, and URAM288 blocks (4K x 72).
double BlockRamTiles(int64_t width_bits, int64_t depth);
double UramBlocks(int64_t width_bits, int64_t depth);

// The design point's resources. `calibration` from CalibrateResources(board).
ResourceEstimate EstimateResources(const accel::AcceleratorConfig& config, const Board& board,
                                   const HwSynthResults& synth, const ResourceCalibration& calibration);

struct FitCheck {
  bool fits = false;
  double worst = 0;          // highest utilization (0..)
  std::string limit;         // resource with the highest utilization ("lut", "bram", ...)
  std::map<std::string, double> utilization;  // resource -> total / capacity
};
FitCheck CheckFit(const ResourceEstimate& estimate, const Device& device);

}  // namespace potacc::platform
