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
#include "potacc/accel/config.h"
#include "potacc/hw/accel_rtl_params.h"
#include "potacc/hw/hw_report.h"
#include "potacc/hw/synth_results.h"
#include "potacc/hw/verilog_params.h"
#include "potacc/hw/yosys_runner.h"
#include "potacc/util/file.h"
#include "cli_checks.h"
#include "progress_bar.h"

namespace potacc::cli {
namespace {

struct HwReportFlags {
  std::string json_out;
  std::string cache = hw::CachedResultsPath().string();
  bool run_yosys = false;
  bool cached = false;
  bool markdown = false;
  std::string yosys = "yosys";
  // One Yosys per core: the 20 runs take minutes one at a time.
  int jobs = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u));
  int timeout = 7200;
  std::string work_dir;
  bool resume = false;
  std::vector<std::string> only;  // pe, gemm_unit, accel (empty = all)
  std::vector<std::string> boards;  // whole-accelerator boards (empty = all shipped)
};

// The jobs selected by --only / --board.
std::vector<hw::SynthJob> SelectedJobs(const HwReportFlags& flags) {
  std::vector<hw::SynthJob> jobs;
  for (const hw::SynthJob& job : hw::AllSynthJobs()) {
    const std::string kind = job.section.target == hw::SynthTarget::kAccel ? "accel" : hw::TopModule(job.section.target);
    if (!flags.only.empty() && std::find(flags.only.begin(), flags.only.end(), kind) == flags.only.end()) continue;
    if (job.section.target == hw::SynthTarget::kAccel && !flags.boards.empty() &&
        std::find(flags.boards.begin(), flags.boards.end(), job.section.board) == flags.boards.end())
      continue;
    jobs.push_back(job);
  }
  Check(!jobs.empty(), "--only/--board select no synthesis job");
  return jobs;
}

void RunHwReport(const HwReportFlags& flags) {
  Check(!(flags.run_yosys && flags.cached), "--run-yosys and --cached exclude each other");
  Check(!flags.resume || !flags.work_dir.empty(), "--resume needs the --work-dir of the earlier run");
  Check(!(flags.resume && flags.cached), "--resume and --cached exclude each other");
  Check(!(flags.markdown && !flags.json_out.empty()), "--markdown prints the README table only; drop --json");
  RequireDistinctFiles(flags.json_out, {flags.cache}, "--json");
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
      options.resume = flags.resume;
    }
    const auto jobs = SelectedJobs(flags);
    const bool subset = jobs.size() != hw::AllSynthJobs().size();
    // The estimate uses the Yosys times recorded in the cached file, if readable.
    std::optional<hw::SynthResults> previous;
    try {
      previous = hw::LoadResults(flags.cache);
    } catch (const Error&) {
      Check(!subset, "--only/--board need the cached figures of the other syntheses (" + flags.cache + ")");
    }
    const double secs = hw::EstimateSynthesisSeconds(jobs, previous ? &*previous : nullptr, flags.jobs);
    const int minutes = std::max(1, static_cast<int>(std::lround(secs / 60)));
    std::fprintf(stderr, "running yosys: %zu syntheses (-j %d), about %d minute%s%s; --cached reads %s instead\n",
                 jobs.size(), flags.jobs, minutes, minutes == 1 ? "" : "s",
                 flags.resume ? " less those finished in --work-dir" : "", flags.cache.c_str());
    ProgressBar bar;
    results = hw::RunSynthesis(jobs, options, [&](const hw::SynthStatus& status) {
      std::string running;
      for (const auto& job : status.running) running += (running.empty() ? "" : ", ") + hw::SynthJobName(job);
      bar.Draw({"yosys", status.done, static_cast<int64_t>(jobs.size()), running});
    });
    bar.Clear();
    origin = "this run of " + *yosys;
    if (subset) {
      // A partial run completes the cached figures; the RTL hash stays only
      // if the rest was synthesized from the same sources.
      const std::string fresh_hash = results.rtl_hash;
      hw::SynthResults merged = *previous;
      merged.Merge(results);
      if (previous->rtl_hash != fresh_hash) {
        merged.rtl_hash.clear();
        std::fprintf(stderr, "potacc: warning: the cached figures of the other syntheses come from other RTL sources; "
                             "run without --only/--board to make the file consistent\n");
      }
      results = std::move(merged);
      origin += " (" + std::to_string(jobs.size()) + " syntheses) + cached file " + flags.cache;
    }
  }
  if (flags.markdown) {
    std::cout << hw::FormatHwReadmeTable(results);
    return;
  }
  if (!flags.json_out.empty()) {
    hw::SaveResults(results, flags.json_out);
    origin += "; written to " + flags.json_out;
  }
  std::cout << hw::FormatHwReport(results, origin);
}

POTACC_REGISTER_COMMAND(80, [](CLI::App& app) {
  auto* hw_cmd = app.add_subcommand("hw", "RTL: synthesis figures and generated parameter files");
  hw_cmd->require_subcommand(1);

  auto flags = std::make_shared<HwReportFlags>();
  auto* report = hw_cmd->add_subcommand(
      "report", "Synthesize every PE and GEMM unit (xc7, with/without DSPs) and the whole accelerator per board and "
                "method with Yosys; print LUT/FF/BRAM/URAM/DSP/depth beside the reference design's Vivado figures; "
                "uses the cached figures when yosys is absent");
  report->add_option("--json", flags->json_out, "Write the figures to this JSON file (the board model reads it)")
      ->check(NonEmpty());
  report->add_flag("--markdown", flags->markdown,
                   "Print only the README's hardware table (Markdown; scripts/reproduce.sh uses it)");
  report->add_flag("--run-yosys", flags->run_yosys, "Run Yosys (fail if it is not installed)");
  report->add_flag("--cached", flags->cached, "Do not run Yosys; read the cached figures");
  report->add_option("--cache-file", flags->cache, "Cached figures to read")->capture_default_str()->check(NonEmpty());
  report->add_option("--yosys", flags->yosys, "Yosys program")->capture_default_str();
  report->add_option("--jobs,-j", flags->jobs, "Concurrent Yosys processes (default: one per core)")->capture_default_str()->check(CLI::Range(1, 64));
  report->add_option("--timeout", flags->timeout, "Seconds allowed per Yosys run")->capture_default_str()->check(CLI::Range(1, 86400));
  report->add_option("--work-dir", flags->work_dir, "Keep the Yosys scripts and logs in this folder");
  report->add_flag("--resume", flags->resume,
                   "Reuse the syntheses an earlier run in --work-dir finished (same RTL, method parameters and "
                   "scripts; a whole accelerator also needs the same generated top module)");
  report->add_option("--only", flags->only, "Run only these syntheses (pe, gemm_unit, accel); the rest comes from the cache")
      ->check(CLI::IsMember({"pe", "gemm_unit", "accel"}));
  report->add_option("--board", flags->boards, "Whole-accelerator syntheses only for these boards (pynq-z2, kv260)");
  report->callback([flags] { RunHwReport(*flags); });

  auto out_dir = std::make_shared<std::string>();
  auto accel_spec = std::make_shared<std::string>();
  auto* params = hw_cmd->add_subcommand(
      "params", "Print (or write to --out DIR) potacc_methods.vh, the RTL's method parameters generated from "
                "the C++ method descriptions; with --accel CONFIG the accelerator's top module potacc_accel_top.v "
                "generated from that configuration (what Vivado and Yosys build)");
  params->add_option("--out,-o", *out_dir, "Folder to write the file(s) into");
  params->add_option("--accel", *accel_spec, "Accelerator configuration (method, shipped name or .json)");
  params->callback([out_dir, accel_spec] {
    if (accel_spec->empty()) {
      if (out_dir->empty()) {
        std::cout << hw::MethodParamsVerilog();
      } else {
        hw::WriteMethodParams(*out_dir);
        std::cout << "wrote " << (std::filesystem::path(*out_dir) / hw::kMethodHeaderName).string() << "\n";
      }
      return;
    }
    const accel::AcceleratorConfig config = accel::ResolveAcceleratorConfig(*accel_spec);
    if (out_dir->empty()) {
      std::cout << hw::AccelTopVerilog(config);
    } else {
      hw::WriteMethodParams(*out_dir);
      hw::WriteAccelTop(config, *out_dir);
      const std::filesystem::path dir(*out_dir);
      std::cout << "wrote " << (dir / hw::kMethodHeaderName).string() << " and " << (dir / hw::kAccelTopFileName).string()
                << " (with hw/rtl/*.v: the whole accelerator for " << config.name << ")\n";
      if (hw::NeedsExtensions(hw::AccelRtlParams(config)))
        std::cout << "  " << config.name << " uses the potacc-x extensions: read hw/rtl/*.v with -D"
                  << hw::kExtensionsDefine << " (Verilator: -f " << (dir / hw::kAccelArgsFileName).string()
                  << "; Yosys: read_verilog -D" << hw::kExtensionsDefine << ")\n";
    }
  });
});

}  // namespace
}  // namespace potacc::cli
