// Runs Yosys on the RTL in hw/rtl (fork/exec with a timeout) and collects the
// figures of every PE and GEMM unit, with and without DSP inference, and of
// the whole accelerator per board and method (hw/synth/synth_accel.ys).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "potacc/accel/config.h"
#include "potacc/hw/synth_results.h"

namespace potacc::hw {

struct SynthJob {
  SynthSection section;
  std::string method;  // quant method name
};

struct YosysOptions {
  std::string yosys = "yosys";           // program name or path
  std::filesystem::path rtl_dir;         // default: HwDir()/rtl (hw_dir.h)
  std::filesystem::path script;          // default: HwDir()/synth/synth.ys (template)
  std::filesystem::path accel_script;    // default: HwDir()/synth/synth_accel.ys (template)
  std::filesystem::path work_dir;        // scratch; default: a fresh temp folder
  int timeout_seconds = 7200;            // per Yosys run (a whole KV260 design takes tens of minutes)
  int jobs = 1;                          // concurrent Yosys processes
  bool keep_work_dir = false;
  // Reuse the jobs an earlier run in work_dir finished (their logs and stat
  // files) from the same inputs: each finished job records Yosys' version and
  // the hashes of the RTL sources, method parameters and scripts in
  // <job>.inputs, and a whole accelerator also needs the same generated top
  // module; any other job runs again. Reused `seconds` are the CPU seconds
  // Yosys logged.
  bool resume = false;
};

// Full path of the Yosys program (PATH lookup), or nullopt.
std::optional<std::string> FindYosys(const std::string& program = "yosys");
// "yosys 0.23" from `yosys -V`; throws potacc::Error when it cannot run.
std::string YosysVersion(const std::string& yosys);

// Every (section, method) pair: 4 sections x all methods, then the whole
// accelerator for every shipped board x method (potacc-v12-<board>-<method>).
std::vector<SynthJob> AllSynthJobs();

// The accelerator configuration a kAccel job synthesizes.
accel::AcceleratorConfig AccelJobConfig(const SynthJob& job);

// The Yosys script of one job: the template with @TOP@, @METHOD@ (RTL index),
// @DSP_FLAG@, @RTL_DIR@, @GEN_DIR@, @RTL_FILES@, @STAT_JSON@ filled in; for a
// kAccel job also @TOP_FILE@ (gen_dir/potacc_accel_top.v), @FAMILY@ and
// @URAM_FLAG@ (from the board's device, fpga_target.h).
std::string SynthScript(const std::string& script_template, const SynthJob& job,
                        const std::filesystem::path& rtl_dir, const std::filesystem::path& gen_dir,
                        const std::filesystem::path& stat_json);

// What RunSynthesis reports to its progress callback: after each finished
// job (finished != nullptr) and, between those, about 20 times a second
// (finished == nullptr) so a progress bar can show the running modules and
// the elapsed time during runs of a minute or more.
struct SynthStatus {
  int done = 0;
  int total = 0;
  std::vector<SynthJob> running;        // jobs in Yosys right now
  const SynthJob* finished = nullptr;   // the job that just finished, if any
};
using SynthProgress = std::function<void(const SynthStatus& status)>;

// "pe_nodsp/apot" (section key / method).
std::string SynthJobName(const SynthJob& job);

// Yosys seconds per job when no earlier figure is known (a GEMM unit takes
// 10-30 s, a PE a few seconds, on a laptop core).
inline constexpr double kDefaultSynthSeconds = 15;
// A whole accelerator takes minutes: 2-3 min CPU per PYNQ-Z2 design and 4-9
// min per KV260 design on this project's AMD EPYC (Yosys 0.23), more when
// the cores are shared.
inline constexpr double kDefaultAccelSynthSeconds = 360;
// Expected wall time of running `jobs` in order with `parallel` Yosys
// processes: each job takes its seconds in `previous` (an earlier run's
// figures, e.g. the cached file; may be null), else kDefaultSynthSeconds, and
// starts on the first free process, as RunSynthesis schedules them.
double EstimateSynthesisSeconds(const std::vector<SynthJob>& jobs, const SynthResults* previous, int parallel);

// Runs the jobs (up to options.jobs at once) and returns their figures.
// Throws potacc::Error naming the job on a Yosys failure or timeout.
SynthResults RunSynthesis(const std::vector<SynthJob>& jobs, const YosysOptions& options,
                          const SynthProgress& progress = {});

}  // namespace potacc::hw
