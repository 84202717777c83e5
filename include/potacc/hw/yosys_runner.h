// Runs Yosys on the RTL in hw/rtl (fork/exec with a timeout) and collects the
// figures of every PE and GEMM unit, with and without DSP inference.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "potacc/hw/synth_results.h"

namespace potacc::hw {

struct SynthJob {
  SynthSection section;
  std::string method;  // quant method name
};

struct YosysOptions {
  std::string yosys = "yosys";           // program name or path
  std::filesystem::path rtl_dir;         // default: <source>/hw/rtl
  std::filesystem::path script;          // default: <source>/hw/synth/synth.ys (template)
  std::filesystem::path work_dir;        // scratch; default: a fresh temp folder
  int timeout_seconds = 1200;            // per Yosys run
  int jobs = 1;                          // concurrent Yosys processes
  bool keep_work_dir = false;
};

// Full path of the Yosys program (PATH lookup), or nullopt.
std::optional<std::string> FindYosys(const std::string& program = "yosys");
// "yosys 0.23" from `yosys -V`; throws potacc::Error when it cannot run.
std::string YosysVersion(const std::string& yosys);

// Every (section, method) pair: 4 sections x all methods.
std::vector<SynthJob> AllSynthJobs();

// The Yosys script of one job: the template with @TOP@, @METHOD@ (RTL index),
// @DSP_FLAG@, @RTL_DIR@, @GEN_DIR@, @RTL_FILES@, @STAT_JSON@ filled in.
std::string SynthScript(const std::string& script_template, const SynthJob& job,
                        const std::filesystem::path& rtl_dir, const std::filesystem::path& gen_dir,
                        const std::filesystem::path& stat_json);

// Called after each finished job (done, total, job).
using SynthProgress = std::function<void(int done, int total, const SynthJob& job)>;

// Runs the jobs (up to options.jobs at once) and returns their figures.
// Throws potacc::Error naming the job on a Yosys failure or timeout.
SynthResults RunSynthesis(const std::vector<SynthJob>& jobs, const YosysOptions& options,
                          const SynthProgress& progress = {});

}  // namespace potacc::hw
