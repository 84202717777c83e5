// The whole-accelerator RTL's parameters, generated from an AcceleratorConfig
// (never retyped): hw/rtl/potacc_accel.v is parameterised by them, and the
// generated top module potacc_accel_top.v (one per configuration) sets them
// for Verilator, Yosys and Vivado.
//
// Timing parameters become cycle counts of the RTL's state machines: the
// scheduler / unit / PPU waits are the clock-by-clock model's
// (src/accel/timing_cycle.cc), and the command overheads are the configured
// cycles minus what the RTL's command path takes by construction (kRtl*
// below). A configuration the RTL cannot realise (e.g. a PPU faster than its
// 16-output pipeline) is refused with the reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "potacc/accel/config.h"

namespace potacc::hw {

struct RtlParam {
  std::string name;     // Verilog parameter of potacc_accel
  int64_t value = 0;
  std::string meaning;  // one line, printed beside it in the generated file
  bool extension = false;  // a potacc-x parameter: the RTL must be read with kExtensionsDefine
};

// The preprocessor symbol under which hw/rtl declares the potacc-x extensions
// (`ifdef POTACC_X). Without it the sources are exactly the reference
// design's, which is what hw/synth/results.json was synthesized from
// (RtlSourcesHash strips those regions).
inline constexpr const char* kExtensionsDefine = "POTACC_X";

// True when one of `params` is a potacc-x extension parameter.
bool NeedsExtensions(const std::vector<RtlParam>& params);

// Cycles the RTL's command path takes by construction (hw/rtl/input_handler.v,
// opcode accepted by the input skid buffer in cycle 0, no stalls): the
// configured overheads must be at least these; the difference becomes wait
// states.
inline constexpr int kRtlConfigCycles = 4;         // opcode, rK, zp + 1
inline constexpr int kRtlLoadInputOverhead = 4;    // LOAD_INP = NB + 4 (3 header words + 1)
inline constexpr int kRtlLoadWeightOverhead = 7;   // LOAD_WGT = beats + 3 nblk + 7 (6 header words + 1)
inline constexpr int kRtlEpilogueCyclesPerBlock = 3;  // B, Mq (4 streams), S (stream 0)
inline constexpr int kRtlNopCycles = 2;            // opcode + 1
inline constexpr int kRtlComputeOverhead = 6;      // opcode, rows, cols, go, output register
// PPU: the output beat exists 16 + 5 (requant.v) cycles after the hand-off is noticed.
inline constexpr int kRtlPpuMinOutputLatency = 23;
// Unit: the PE array's result exists d + 4 cycles after its start (registered buffer reads).
inline constexpr int kRtlMinPeExtra = 3;

// The parameters of potacc_accel for `config`, in declaration order. Throws
// potacc::Error naming the configuration and the reason when the RTL cannot
// realise it.
std::vector<RtlParam> AccelRtlParams(const accel::AcceleratorConfig& config);

// "METHOD=1,SIGN_QUIRK=0,..." - identifies a Verilated model: two
// configurations with the same key run on the same model.
std::string RtlParamsKey(const std::vector<RtlParam>& params);

// Text of potacc_accel_top.v for `config`: module potacc_accel_top with one
// AXI4-Stream port group per stream (s0_axis_* .. s3_axis_*, m0_axis_* ..
// m3_axis_*), active-low reset, the status read port, and potacc_accel with
// AccelRtlParams(config).
std::string AccelTopVerilog(const accel::AcceleratorConfig& config);

// File name of the generated top module and of the key file beside it (a C++
// string literal, read by the RTL backend's model registry).
inline constexpr const char* kAccelTopFileName = "potacc_accel_top.v";
inline constexpr const char* kAccelKeyFileName = "rtl_key.inc";
// Verilator arguments the design needs (-DPOTACC_X for potacc-x designs; read with -f).
inline constexpr const char* kAccelArgsFileName = "verilator.f";

// Writes potacc_accel_top.v, rtl_key.inc and verilator.f into `dir` (created), each only if
// its content changed, so a rebuild does not re-verilate an unchanged design.
void WriteAccelTop(const accel::AcceleratorConfig& config, const std::filesystem::path& dir);

// Writes `text` to `path` unless the file already holds exactly that text
// (temp file + rename). Returns true if it wrote.
bool WriteFileIfChanged(const std::filesystem::path& path, const std::string& text);

}  // namespace potacc::hw
