// potacc hw: synthesis figures of the RTL PEs / GEMM units (Yosys) and the
// RTL parameter file generated from the method descriptions.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "command.h"
#include "potacc/error.h"
#include "potacc/hw/hw_report.h"
#include "potacc/hw/synth_results.h"
#include "potacc/hw/verilog_params.h"
#include "potacc/hw/yosys_runner.h"
#include "potacc/util/progress.h"

namespace potacc::cli {
namespace {

struct HwReportFlags {
  std::string json_out;
  std::string cache = hw::CachedResultsPath().string();
  bool run_yosys = false;
  bool cached = false;
  std::string yosys = "yosys";
  // One Yosys per core: the 20 runs take minutes one at a time.
  int jobs = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u));
  int timeout = 1200;
  std::string work_dir;
};

void RunHwReport(const HwReportFlags& flags) {
  Check(!(flags.run_yosys && flags.cached), "--run-yosys and --cached exclude each other");
  const auto yosys = hw::FindYosys(flags.yosys);
  hw::SynthResults results;
  std::string origin;
  if (flags.cached || (!flags.run_yosys && !yosys)) {
    if (!flags.cached) std::fprintf(stderr, "potacc: yosys not found; showing the cached figures from %s\n", flags.cache.c_str());
    results = hw::LoadResults(flags.cache);
    origin = "cached file " + flags.cache + " (from a real " + results.tool + " run)";
  } else {
    Check(yosys.has_value(), "yosys not found ('" + flags.yosys + "'; apt-get install yosys)");
    hw::YosysOptions options;
    options.yosys = *yosys;
    options.jobs = flags.jobs;
    options.timeout_seconds = flags.timeout;
    if (!flags.work_dir.empty()) {
      options.work_dir = flags.work_dir;
      options.keep_work_dir = true;
    }
    const auto jobs = hw::AllSynthJobs();
    // The estimate uses the Yosys times recorded in the cached file, if readable.
    std::optional<hw::SynthResults> previous;
    try {
      previous = hw::LoadResults(flags.cache);
    } catch (const Error&) {
    }
    const double secs = hw::EstimateSynthesisSeconds(jobs, previous ? &*previous : nullptr, flags.jobs);
    const int minutes = std::max(1, static_cast<int>(std::lround(secs / 60)));
    std::fprintf(stderr, "running yosys: %zu syntheses (-j %d), about %d minute%s; --cached reads %s instead\n",
                 jobs.size(), flags.jobs, minutes, minutes == 1 ? "" : "s", flags.cache.c_str());
    ProgressBar bar("yosys", static_cast<int64_t>(jobs.size()));
    results = hw::RunSynthesis(jobs, options, [&](const hw::SynthStatus& status) {
      std::string running;
      for (const auto& job : status.running) running += (running.empty() ? "" : ", ") + hw::SynthJobName(job);
      bar.Update(status.done, running);
    });
    bar.Finish();
    origin = "this run of " + *yosys;
  }
  if (!flags.json_out.empty()) {
    hw::SaveResults(results, flags.json_out);
    origin += "; written to " + flags.json_out;
  }
  std::cout << hw::FormatHwReport(results, origin);
}

POTACC_REGISTER_COMMAND(80, [](CLI::App& app) {
  auto* hw_cmd = app.add_subcommand("hw", "RTL processing elements: synthesis figures and generated parameters");
  hw_cmd->require_subcommand(1);

  auto flags = std::make_shared<HwReportFlags>();
  auto* report = hw_cmd->add_subcommand(
      "report", "Synthesize every PE and GEMM unit with Yosys (xc7, with/without DSPs) and print the LUT/FF/"
                "CARRY/DSP/depth table and the comparison with the reference design; uses the cached figures "
                "when yosys is absent");
  report->add_option("--json", flags->json_out, "Write the figures to this JSON file (the board model reads it)");
  report->add_flag("--run-yosys", flags->run_yosys, "Run Yosys (fail if it is not installed)");
  report->add_flag("--cached", flags->cached, "Do not run Yosys; read the cached figures");
  report->add_option("--cache-file", flags->cache, "Cached figures to read")->capture_default_str();
  report->add_option("--yosys", flags->yosys, "Yosys program")->capture_default_str();
  report->add_option("--jobs,-j", flags->jobs, "Concurrent Yosys processes (default: one per core)")->capture_default_str()->check(CLI::Range(1, 64));
  report->add_option("--timeout", flags->timeout, "Seconds allowed per Yosys run")->capture_default_str()->check(CLI::Range(1, 86400));
  report->add_option("--work-dir", flags->work_dir, "Keep the Yosys scripts and logs in this folder");
  report->callback([flags] { RunHwReport(*flags); });

  auto out_dir = std::make_shared<std::string>();
  auto* params = hw_cmd->add_subcommand(
      "params", "Print (or write to --out DIR) potacc_methods.vh, the RTL's method parameters generated from "
                "the C++ method descriptions");
  params->add_option("--out,-o", *out_dir, "Folder to write potacc_methods.vh into");
  params->callback([out_dir] {
    if (out_dir->empty()) {
      std::cout << hw::MethodParamsVerilog();
    } else {
      hw::WriteMethodParams(*out_dir);
      std::cout << "wrote " << (std::filesystem::path(*out_dir) / hw::kMethodHeaderName).string() << "\n";
    }
  });
});

}  // namespace
}  // namespace potacc::cli
