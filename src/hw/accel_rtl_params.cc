#include "potacc/hw/accel_rtl_params.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "potacc/error.h"
#include "potacc/util/file.h"
#include "potacc/hw/fpga_target.h"
#include "potacc/hw/verilog_params.h"
#include "potacc/quant/method.h"

namespace potacc::hw {
namespace {

using accel::AcceleratorConfig;
using accel::TimingParams;

// Collects parameters and the first reason the RTL cannot realise the configuration.
class ParamList {
 public:
  explicit ParamList(const AcceleratorConfig& c) : config_(c) {}

  void Add(const std::string& name, int64_t value, const std::string& meaning) {
    params_.push_back({name, value, meaning});
  }
  // A parameter of the potacc-x extensions (the RTL declares it under POTACC_X).
  void AddExtension(const std::string& name, int64_t value, const std::string& meaning) {
    params_.push_back({name, value, meaning, true});
  }
  // A requirement of the RTL on the configuration.
  void Require(bool ok, const std::string& why) {
    if (!ok) throw Error("accelerator configuration '" + config_.name + "' cannot be built as RTL: " + why);
  }
  // A configured cycle count minus the RTL's own: the wait states to add.
  int64_t Extra(int configured, int natural, const std::string& field) {
    Require(configured >= natural, field + " = " + std::to_string(configured) + " is below the " +
                                       std::to_string(natural) + " cycles the RTL's command path takes");
    return configured - natural;
  }
  std::vector<RtlParam> Take() { return std::move(params_); }

 private:
  const AcceleratorConfig& config_;
  std::vector<RtlParam> params_;
};

bool PowerOfTwoOrAny(int64_t v) { return v >= 2; }

std::string Comment(const std::string& s) {
  std::string out;
  for (char c : s) out += (c == '\n' ? ' ' : c);
  return out;
}

}  // namespace

std::vector<RtlParam> AccelRtlParams(const AcceleratorConfig& c) {
  Check(c.method != nullptr, "accelerator configuration '" + c.name + "' has no PE method");
  ParamList p(c);
  const TimingParams& T = c.timing;
  const quant::Method& m = *c.method;
  const accel::BufferGeometry& B = c.buffers;

  // ---- datapath
  p.Require(c.streams == 4 && c.stream_bits == 32, "the RTL has 4 streams of 32 bits");
  // The RTL builds the v12 design (and its hls timing) and potacc-x's
  // depthwise mode and depth splitting; the ICECS dialect exists only in the
  // C++ simulator.
  p.Require(c.protocol() == accel::Protocol::kV12 && !c.weights_broadcast(),
            "the RTL speaks the v12 protocol with distributed weight tiles (not the ICECS v2 design)");
  p.Require(c.units >= 1 && c.units <= 16, "the RTL supports 1..16 GEMM units");
  p.Require(m.code_bits == 4 || m.code_bits == 8, "weight codes must be 4 or 8 bits wide");
  p.Add("METHOD", MethodIndex(std::string(m.name)), "PE method " + std::string(m.name) + " (index in quant::AllMethods())");
  const bool quirk = m.id == quant::MethodId::kUniform4 && c.compat.uniform4_sign_magnitude;
  p.Add("SIGN_QUIRK", quirk ? 1 : 0, "uniform4 sign-bit quirk of the released design (compat.uniform4_sign_magnitude)");
  p.Add("ROUNDING", c.ppu_rounding == fixed_point::Rounding::kDouble ? 0 : 1,
        "PPU rounding: 0 TFLite double rounding, 1 single rounding (ppu_rounding)");
  p.Add("UNITS", c.units, "GEMM units (units)");
  p.Require(PowerOfTwoOrAny(B.gib_addresses) && B.gib_addresses <= 65536, "gib_addresses must be 2..65536");
  p.Add("GIB_DEPTH", B.gib_addresses, "global input buffer lines of 4 x 32 bits (buffers.gib_addresses)");
  p.Require(PowerOfTwoOrAny(B.local_input_addresses) && B.local_input_addresses <= 65536,
            "local_input_addresses must be 2..65536");
  p.Add("LI_DEPTH", B.local_input_addresses, "local input buffer lines of 128 bits per unit (buffers.local_input_addresses)");
  // One weight-buffer line is one 128-bit load beat: two 64-bit words of 4-bit
  // codes (two depth steps), or the two 64-bit int8 banks of one depth step.
  if (m.code_bits == 4) {
    p.Require(B.weight_banks == 1 && B.weight_addresses % 2 == 0,
              "4-bit weights need one bank of an even number of 64-bit words");
    p.Add("W_LINES", B.weight_addresses / 2, "weight buffer lines of 128 bits per unit (weight_addresses / 2)");
    p.Add("LINES_SHIFT", 1, "depth steps per weight line = 2");
  } else {
    p.Require(B.weight_banks == 2, "int8 weights need two 64-bit banks (weight_banks = 2)");
    p.Add("W_LINES", B.weight_addresses, "weight buffer lines of 128 bits per unit (2 banks x weight_addresses)");
    p.Add("LINES_SHIFT", 0, "depth steps per weight line = 1");
  }
  p.Require(B.weight_addresses <= 65536, "weight_addresses must be at most 65536");
  p.Require(PowerOfTwoOrAny(B.wsums_entries) && B.wsums_entries <= 65536, "wsums_entries must be 2..65536");
  p.Add("WS_DEPTH", B.wsums_entries, "epilogue entries (B, Mq, S) per unit (buffers.wsums_entries)");
  const FpgaTarget target = FpgaTargetOf(c);
  p.Add("MEM_STYLE", target.uram ? 1 : 0,
        std::string("unit weight / local input buffers: ") + (target.uram ? "UltraRAM" : "block RAM") + " (" +
            target.device + ")");
  p.Require(T.arranger_fifo_depth >= 1 && T.arranger_fifo_depth <= 1024, "arranger_fifo_depth must be 1..1024");
  p.Add("ARR_DEPTH", T.arranger_fifo_depth, "Arranger FIFO depth in unit ids (timing.arranger_fifo_depth)");

  // ---- scheduler waits (timing_cycle.cc: a wait of k <= 0 cycles acts in the next cycle)
  auto at_least_one = [](int v) { return std::max(v, 1); };
  p.Require(T.scheduler_start_cycles >= 1, "scheduler_start_cycles must be >= 1");
  p.Add("START_WAIT", T.scheduler_start_cycles, "COMPUTE seen -> first poll (timing.scheduler_start_cycles)");
  p.Add("POLL_WAIT", at_least_one(T.ready_poll_cycles_per_unit), "cycles per polled unit (timing.ready_poll_cycles_per_unit)");
  p.Require(T.broadcast_setup_cycles >= 1 && T.broadcast_setup_cycles <= 256, "broadcast_setup_cycles must be 1..256");
  p.Add("BCAST_SETUP", T.broadcast_setup_cycles, "broadcast hand-shake (timing.broadcast_setup_cycles)");
  p.Require(T.broadcast_cycles_per_beat >= 1 && T.broadcast_cycles_per_beat <= 256,
            "broadcast_cycles_per_beat must be 1..256");
  p.Add("BCAST_PER_BEAT", T.broadcast_cycles_per_beat, "GIB -> local input cycles per beat (timing.broadcast_cycles_per_beat)");
  p.Add("DDELAY_WAIT", at_least_one(T.dispatch_to_start), "broadcast end -> first dispatch (timing.dispatch_to_start)");
  p.Add("AFTER_LAST_WAIT", at_least_one(T.dispatch_gap - T.dispatch_to_start - 3),
        "last dispatch of a strip -> next poll (dispatch_gap - dispatch_to_start - 3)");
  p.Add("AFTER_NEXT_WAIT", at_least_one(T.dispatch_gap - 3), "dispatch -> next dispatch wait (dispatch_gap - 3)");

  // ---- unit and PPU
  const int pe_extra = T.pe_overhead - T.unit_rearm_cycles - 4;
  p.Require(pe_extra >= kRtlMinPeExtra, "pe_overhead - unit_rearm_cycles - 4 = " + std::to_string(pe_extra) +
                                            " is below the " + std::to_string(kRtlMinPeExtra) +
                                            " cycles the PE array needs after its depth loop");
  p.Add("PE_EXTRA", pe_extra, "PE loop = d + this (pe_overhead - unit_rearm_cycles - 4)");
  p.Add("REARM_WAIT", at_least_one(T.unit_rearm_cycles - 1), "hand-off -> ready (unit_rearm_cycles - 1)");
  p.Require(T.ppu_output_latency >= kRtlPpuMinOutputLatency,
            "ppu_output_latency = " + std::to_string(T.ppu_output_latency) + " is below the " +
                std::to_string(kRtlPpuMinOutputLatency) + " cycles the PPU pipeline needs for 16 outputs");
  // The output beat leaves by the Post thread's loop top (hand-off + occupancy + 2).
  p.Require(T.ppu_output_latency <= T.ppu_occupancy + 2 && T.ppu_occupancy <= 250,
            "ppu_output_latency must be <= ppu_occupancy + 2 and ppu_occupancy <= 250");
  p.Add("PPU_OCCUPANCY", T.ppu_occupancy, "PPU cycles per tile (timing.ppu_occupancy)");
  p.Add("PPU_OUT_LATENCY", T.ppu_output_latency, "hand-off -> output beat (timing.ppu_output_latency)");

  // ---- command overheads
  p.Add("CONFIG_EXTRA", p.Extra(T.config_cycles, kRtlConfigCycles, "config_cycles"), "CONFIG wait cycles");
  p.Add("LOAD_INPUT_EXTRA", p.Extra(T.load_input_overhead, kRtlLoadInputOverhead, "load_input_overhead"),
        "LOAD_INP wait cycles");
  p.Require(T.epilogue_cycles_per_block == kRtlEpilogueCyclesPerBlock,
            "epilogue_cycles_per_block must be 3 (one beat each for B, Mq and S)");
  p.Add("LOAD_WEIGHT_EXTRA",
        p.Extra(T.load_weight_overhead + T.epilogue_overhead, kRtlLoadWeightOverhead,
                "load_weight_overhead + epilogue_overhead"),
        "LOAD_WGT wait cycles");
  p.Add("NOP_EXTRA", p.Extra(T.nop_cycles, kRtlNopCycles, "nop_cycles"), "NOP wait cycles");
  p.Add("COMPUTE_START_WAIT", p.Extra(T.compute_overhead, kRtlComputeOverhead, "compute_overhead"),
        "COMPUTE: cols word -> scheduler start");

  // ---- potacc-x extensions (compiled with POTACC_X; the reference designs never set them)
  if (c.depthwise_mode()) {
    p.Require(T.dw_strip_setup_cycles >= 1 && T.dw_strip_setup_cycles <= 256, "dw_strip_setup_cycles must be 1..256");
    p.AddExtension("DW_MODE", 1, "depthwise mode: window generators (dw_window.v, dw_pixels.v)");
    p.AddExtension("DW_SETUP", T.dw_strip_setup_cycles, "per strip: window generator set-up (timing.dw_strip_setup_cycles)");
  }
  if (c.depth_split()) {
    p.Require(B.psum_entries >= 1 && B.psum_entries <= 65536, "psum_entries must be 1..65536");
    p.AddExtension("PSUM_DEPTH", B.psum_entries, "partial-sum entries of 16 x 32 bits per unit (buffers.psum_entries)");
    p.AddExtension("PSUM_WAIT", T.psum_cycles, "extra PE-state cycles of a partial-sum tile (timing.psum_cycles)");
    const bool lutram = B.psum_entries <= accel::kPsumLutramEntries;
    p.AddExtension("PSUM_STYLE", lutram ? 2 : 0,
                   std::string("partial-sum buffer: ") + (lutram ? "distributed RAM" : "block RAM") +
                       " (kPsumLutramEntries)");
  }
  return p.Take();
}

std::string RtlParamsKey(const std::vector<RtlParam>& params) {
  std::string key;
  for (const RtlParam& p : params) key += (key.empty() ? "" : ",") + p.name + "=" + std::to_string(p.value);
  return key;
}

std::string AccelTopVerilog(const AcceleratorConfig& config) {
  const std::vector<RtlParam> params = AccelRtlParams(config);
  std::ostringstream os;
  os << "// " << kAccelTopFileName << ": GENERATED by potacc (potacc::hw::AccelTopVerilog) from the\n"
     << "// accelerator configuration \"" << config.name << "\". Do not edit; change the configuration.\n"
     << "// RTL key: " << RtlParamsKey(params) << "\n"
     << "//\n"
     << "// Ports: one AXI4-Stream slave per input stream (sQ_axis_*, stream 0 carries the opcodes)\n"
     << "// and one master per output stream (mQ_axis_*), as the reference block design's four\n"
     << "// AXI DMA channels (MM2S -> sQ, mQ -> S2MM); aclk / aresetn; a read-only status port\n"
     << "// (stat_addr -> stat_data, the register map of potacc_accel.v) and `idle`.\n"
     << "module potacc_accel_top (\n"
     << "  input  wire        aclk,\n"
     << "  input  wire        aresetn,\n";
  for (int q = 0; q < 4; ++q) {
    const std::string s = "s" + std::to_string(q) + "_axis_";
    os << "  input  wire [31:0] " << s << "tdata,\n"
       << "  input  wire        " << s << "tvalid,\n"
       << "  output wire        " << s << "tready,\n"
       << "  input  wire        " << s << "tlast,\n";
  }
  for (int q = 0; q < 4; ++q) {
    const std::string s = "m" + std::to_string(q) + "_axis_";
    os << "  output wire [31:0] " << s << "tdata,\n"
       << "  output wire        " << s << "tvalid,\n"
       << "  input  wire        " << s << "tready,\n"
       << "  output wire        " << s << "tlast,\n";
  }
  os << "  input  wire [5:0]  stat_addr,\n"
     << "  output wire [31:0] stat_data,\n"
     << "  output wire        idle\n"
     << ");\n"
     << "  potacc_accel #(\n";
  size_t width = 0;
  for (const RtlParam& p : params) width = std::max(width, p.name.size() + std::to_string(p.value).size());
  for (size_t i = 0; i < params.size(); ++i) {
    const RtlParam& p = params[i];
    std::string item = "." + p.name + "(" + std::to_string(p.value) + ")" + (i + 1 < params.size() ? "," : "");
    item.resize(std::max(item.size(), width + 4), ' ');
    os << "    " << item << "  // " << Comment(p.meaning) << "\n";
  }
  auto bus = [](const char* dir, const char* sig) {
    std::string s = "{";
    for (int q = 3; q >= 0; --q) s += std::string(dir) + std::to_string(q) + "_axis_" + sig + (q ? ", " : "}");
    return s;
  };
  os << "  ) u_accel (\n"
     << "    .clk(aclk), .rst(!aresetn),\n"
     << "    .s_axis_tdata(" << bus("s", "tdata") << "),\n"
     << "    .s_axis_tvalid(" << bus("s", "tvalid") << "),\n"
     << "    .s_axis_tready(" << bus("s", "tready") << "),\n"
     << "    .s_axis_tlast(" << bus("s", "tlast") << "),\n"
     << "    .m_axis_tdata(" << bus("m", "tdata") << "),\n"
     << "    .m_axis_tvalid(" << bus("m", "tvalid") << "),\n"
     << "    .m_axis_tready(" << bus("m", "tready") << "),\n"
     << "    .m_axis_tlast(" << bus("m", "tlast") << "),\n"
     << "    .stat_addr(stat_addr), .stat_data(stat_data), .idle(idle));\n"
     << "endmodule\n";
  return os.str();
}

bool WriteFileIfChanged(const std::filesystem::path& path, const std::string& text) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream old;
      old << in.rdbuf();
      if (old.str() == text) return false;
    }
  }
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  WriteFileAtomic(path.string(), text);  // temp file + rename: whole or not at all
  return true;
}

bool NeedsExtensions(const std::vector<RtlParam>& params) {
  return std::any_of(params.begin(), params.end(), [](const RtlParam& p) { return p.extension; });
}

void WriteAccelTop(const AcceleratorConfig& config, const std::filesystem::path& dir) {
  const std::vector<RtlParam> params = AccelRtlParams(config);
  WriteFileIfChanged(dir / kAccelTopFileName, AccelTopVerilog(config));
  WriteFileIfChanged(dir / kAccelKeyFileName, "\"" + RtlParamsKey(params) + "\"\n");
  WriteFileIfChanged(dir / kAccelArgsFileName,
                     NeedsExtensions(params) ? std::string("-D") + kExtensionsDefine + "\n" : std::string());
}

}  // namespace potacc::hw
