#include "potacc/hw/yosys_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "potacc/error.h"
#include "potacc/hw/accel_rtl_params.h"
#include "potacc/hw/fpga_target.h"
#include "potacc/hw/hw_dir.h"
#include "potacc/hw/verilog_params.h"
#include "potacc/platform/board.h"
#include "potacc/quant/method.h"
#include "potacc/util/file.h"

namespace potacc::hw {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  Check(static_cast<bool>(in), "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  Check(static_cast<bool>(out), "cannot write " + path.string());
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}


// Runs argv with stdout/stderr to `output`, in its own process group.
pid_t Spawn(const std::vector<std::string>& argv, const fs::path& output) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  Check(pid >= 0, "fork failed while starting " + argv[0]);
  if (pid == 0) {
    setpgid(0, 0);
    const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    execvp(args[0], args.data());
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

std::string Tail(const std::string& text, size_t lines) {
  size_t pos = text.size();
  for (size_t n = 0; n <= lines && pos != std::string::npos && pos > 0; ++n) pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

// The inputs a synthesis job depends on besides its own generated top module:
// Yosys' version, the RTL sources, the method parameters and both script
// templates. Each finished job in a kept work folder records them in
// <stem>.inputs; --resume reuses a job only when its record equals this.
std::string JobInputs(const std::string& yosys_version, const fs::path& rtl_dir, const std::string& script_template,
                      const std::string& accel_template) {
  return yosys_version + "\nrtl " + RtlSourcesHash(rtl_dir) + "\nmethods " + HashText(MethodParamsVerilog()) +
         "\nscripts " + HashText(script_template + '\0' + accel_template) + "\n";
}

fs::path InputsRecord(const fs::path& log) { return fs::path(log).replace_extension(".inputs"); }

// CPU seconds Yosys reports on the last line of a finished log
// ("End of script. ... CPU: user 125.18s system 2.84s, ..."), or nullopt when
// the run did not finish.
std::optional<double> FinishedCpuSeconds(const std::string& log_text) {
  const size_t end = log_text.rfind("End of script.");
  if (end == std::string::npos) return std::nullopt;
  double user = 0, system = 0;
  int consumed = 0;
  const size_t cpu = log_text.find("CPU: user ", end);
  if (cpu == std::string::npos ||
      std::sscanf(log_text.c_str() + cpu, "CPU: user %lfs system %lf%n", &user, &system, &consumed) != 2 ||
      log_text[cpu + static_cast<size_t>(consumed)] != 's')  // a line cut short is not a finished run
    return std::nullopt;
  return user + system;
}

double RoundTenths(double seconds) { return static_cast<double>(static_cast<int64_t>(seconds * 10 + 0.5)) / 10; }

// The figures of a finished job from its stat JSON and log text (depth: Yosys ltp).
SynthFigures CollectFigures(const SynthJob& job, const std::string& log_text, const fs::path& stat, double seconds) {
  SynthFigures figures = ParseYosysStatJson(ReadFile(stat));
  figures.depth = ParseLtpLength(log_text);
  figures.seconds = RoundTenths(seconds);
  if (job.section.target == SynthTarget::kAccel) {
    const accel::AcceleratorConfig config = AccelJobConfig(job);
    figures.family = FpgaTargetOf(config).family;
    figures.config = config.name;
    figures.top_hash = HashText(AccelTopVerilog(config));
  }
  return figures;
}

// With --resume: the figures of a job an earlier run in this work folder
// finished from the same inputs (its record equals `inputs`; for a whole
// accelerator also the same generated top module), else nullopt: run it.
// Their seconds are the CPU time Yosys logged, not wall time.
std::optional<SynthFigures> EarlierFigures(const SynthJob& job, const fs::path& script, const fs::path& log,
                                           const fs::path& stat, const std::string& inputs) {
  const fs::path record = InputsRecord(log);
  if (!fs::is_regular_file(log) || !fs::is_regular_file(stat) || !fs::is_regular_file(record)) return std::nullopt;
  if (ReadFile(record) != inputs) return std::nullopt;
  const std::string log_text = ReadFile(log);  // megabytes for a whole accelerator: read once
  const std::optional<double> cpu = FinishedCpuSeconds(log_text);
  if (!cpu) return std::nullopt;
  if (job.section.target == SynthTarget::kAccel) {
    const fs::path top = script.parent_path() / script.stem() / kAccelTopFileName;
    if (!fs::is_regular_file(top) || ReadFile(top) != AccelTopVerilog(AccelJobConfig(job))) return std::nullopt;
  }
  return CollectFigures(job, log_text, stat, *cpu);
}

}  // namespace

std::string SynthJobName(const SynthJob& job) { return SectionKey(job.section) + "/" + job.method; }

accel::AcceleratorConfig AccelJobConfig(const SynthJob& job) {
  Check(job.section.target == SynthTarget::kAccel, "not a whole-accelerator job: " + SynthJobName(job));
  return accel::ResolveAcceleratorConfig(job.method, job.section.board);
}

double EstimateSynthesisSeconds(const std::vector<SynthJob>& jobs, const SynthResults* previous, int parallel) {
  std::vector<double> free_at(static_cast<size_t>(std::max(1, parallel)), 0.0);
  for (const SynthJob& job : jobs) {
    double secs = job.section.target == SynthTarget::kAccel ? kDefaultAccelSynthSeconds : kDefaultSynthSeconds;
    if (previous && previous->Has(job.section, job.method)) {
      const double known = previous->Get(job.section, job.method).seconds;
      if (known > 0) secs = known;
    }
    *std::min_element(free_at.begin(), free_at.end()) += secs;
  }
  return *std::max_element(free_at.begin(), free_at.end());
}

std::optional<std::string> FindYosys(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (access(program.c_str(), X_OK) == 0) return program;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

std::string YosysVersion(const std::string& yosys) {
  char tmpl[] = "/tmp/potacc_yosys_version_XXXXXX";
  const int fd = mkstemp(tmpl);
  Check(fd >= 0, "cannot create a temporary file");
  close(fd);
  const fs::path out(tmpl);
  const pid_t pid = Spawn({yosys, "-V"}, out);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string text = ReadFile(out);
  fs::remove(out);
  Check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "cannot run '" + yosys + " -V'");
  // "Yosys 0.23 (git sha1 7ce5011c24b)" -> "yosys 0.23"
  std::istringstream words(text);
  std::string name, version;
  words >> name >> version;
  Check(!version.empty(), "unexpected output of '" + yosys + " -V': " + text);
  return "yosys " + version;
}

std::vector<SynthJob> AllSynthJobs() {
  std::vector<SynthJob> jobs;
  for (SynthTarget target : {SynthTarget::kPe, SynthTarget::kGemmUnit})
    for (bool dsp : {true, false})
      for (const quant::Method* m : quant::AllMethods()) {
        SynthJob job;
        job.section.target = target;
        job.section.dsp = dsp;
        job.method = std::string(m->name);
        jobs.push_back(std::move(job));
      }
  for (const std::string& board : platform::ShippedBoards())
    for (const quant::Method* m : quant::AllMethods())
      jobs.push_back(SynthJob{SynthSection{SynthTarget::kAccel, true, board}, std::string(m->name)});
  return jobs;
}

std::string SynthScript(const std::string& script_template, const SynthJob& job, const fs::path& rtl_dir,
                        const fs::path& gen_dir, const fs::path& stat_json) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(rtl_dir))
    if (entry.path().extension() == ".v") files.push_back(entry.path());
  Check(!files.empty(), "no Verilog files (*.v) in " + rtl_dir.string());
  std::sort(files.begin(), files.end());
  std::string file_list;
  for (const auto& f : files) file_list += (file_list.empty() ? "" : " ") + f.string();
  std::string s = script_template;
  s = ReplaceAll(s, "@RTL_FILES@", file_list);
  s = ReplaceAll(s, "@RTL_DIR@", rtl_dir.string());
  s = ReplaceAll(s, "@GEN_DIR@", gen_dir.string());
  s = ReplaceAll(s, "@TOP@", TopModule(job.section.target));
  s = ReplaceAll(s, "@METHOD@", std::to_string(MethodIndex(job.method)));
  s = ReplaceAll(s, "@DSP_FLAG@", job.section.dsp ? "" : "-nodsp");
  s = ReplaceAll(s, "@STAT_JSON@", stat_json.string());
  if (job.section.target == SynthTarget::kAccel) {
    const FpgaTarget target = FpgaTargetOf(AccelJobConfig(job));
    s = ReplaceAll(s, "@TOP_FILE@", (gen_dir / kAccelTopFileName).string());
    s = ReplaceAll(s, "@FAMILY@", target.family);
    s = ReplaceAll(s, "@URAM_FLAG@", target.uram ? "-uram" : "");
  }
  // Any @NAME@ left is a field this code does not know.
  for (size_t open = s.find('@'); open != std::string::npos; open = s.find('@', open + 1)) {
    size_t end = open + 1;
    while (end < s.size() && ((s[end] >= 'A' && s[end] <= 'Z') || s[end] == '_')) ++end;
    if (end > open + 1 && end < s.size() && s[end] == '@')
      throw Error("synthesis script template has an unknown field " + s.substr(open, end - open + 1));
  }
  return s;
}

SynthResults RunSynthesis(const std::vector<SynthJob>& jobs, const YosysOptions& options,
                          const SynthProgress& progress) {
  const fs::path rtl_dir = options.rtl_dir.empty() ? HwDir() / "rtl" : options.rtl_dir;
  const fs::path script_path = options.script.empty() ? HwDir() / "synth" / "synth.ys" : options.script;
  const fs::path accel_script_path =
      options.accel_script.empty() ? HwDir() / "synth" / "synth_accel.ys" : options.accel_script;
  Check(fs::is_directory(rtl_dir),
        "RTL folder not found: " + rtl_dir.string() + (options.rtl_dir.empty() ? " (" + HwDirHint() + ")" : ""));
  Check(fs::is_regular_file(script_path),
        "synthesis script not found: " + script_path.string() +
            (options.script.empty() ? " (" + HwDirHint() + ")" : ""));
  const std::string script_template = ReadFile(script_path);
  bool any_accel = false;
  for (const SynthJob& job : jobs) any_accel = any_accel || job.section.target == SynthTarget::kAccel;
  // Read even when no job needs it: the resume stamp covers both templates.
  const std::string accel_template =
      any_accel || fs::is_regular_file(accel_script_path) ? ReadFile(accel_script_path) : std::string();
  const auto yosys = FindYosys(options.yosys);
  Check(yosys.has_value(), "yosys not found ('" + options.yosys + "'; apt-get install yosys)");

  fs::path work = options.work_dir;
  if (work.empty()) {
    char tmpl[] = "/tmp/potacc_synth_XXXXXX";
    Check(mkdtemp(tmpl) != nullptr, "cannot create a temporary folder");
    work = tmpl;
  }
  fs::create_directories(work);
  auto remove_work = [&] {
    std::error_code ec;
    if (!options.keep_work_dir && options.work_dir.empty()) fs::remove_all(work, ec);
  };
  SynthResults results;

  struct Running {
    size_t index;
    pid_t pid;
    Clock::time_point started;
  };
  std::vector<Running> running;
  size_t next = 0;
  int done = 0;
  const int max_jobs = std::max(1, options.jobs);
  auto files = [&](size_t i) {
    const std::string stem = ReplaceAll(SectionKey(jobs[i].section), "/", "_") + "_" + jobs[i].method;
    return std::array<fs::path, 3>{work / (stem + ".ys"), work / (stem + ".log"), work / (stem + "_stat.json")};
  };
  auto kill_all = [&] {
    for (const auto& r : running) {
      kill(-r.pid, SIGKILL);
      waitpid(r.pid, nullptr, 0);
    }
  };
  auto finish = [&](const SynthJob& job, const SynthFigures& figures) {
    results.sections[SectionKey(job.section)][job.method] = figures;
    ++done;
    if (progress) {
      SynthStatus status{done, static_cast<int>(jobs.size()), {}, &job};
      for (const auto& r : running) status.running.push_back(jobs[r.index]);
      progress(status);
    }
  };
  try {
    WriteMethodParams(work);  // the RTL's method parameters, from the C++ descriptions
    results.tool = YosysVersion(*yosys);
    results.family = "xc7";
    const std::string inputs = JobInputs(results.tool, rtl_dir, script_template, accel_template);
    results.rtl_hash = RtlSourcesHash(rtl_dir);
    while (next < jobs.size() || !running.empty()) {
      while (next < jobs.size() && static_cast<int>(running.size()) < max_jobs) {
        const auto [script, log, stat] = files(next);
        const SynthJob& job = jobs[next];
        if (options.resume) {
          if (const auto figures = EarlierFigures(job, script, log, stat, inputs)) {
            ++next;
            finish(job, *figures);
            continue;
          }
        }
        fs::remove(InputsRecord(log));  // until this run of the job finishes
        if (job.section.target == SynthTarget::kAccel) {
          // The configuration's generated top module, in a folder of its own.
          const fs::path gen = script.parent_path() / script.stem();
          WriteMethodParams(gen);
          WriteAccelTop(AccelJobConfig(job), gen);
          WriteFile(script, SynthScript(accel_template, job, rtl_dir, gen, stat));
        } else {
          WriteFile(script, SynthScript(script_template, job, rtl_dir, work, stat));
        }
        const pid_t pid = Spawn({*yosys, "-q", "-l", log.string(), "-s", script.string()}, work / "yosys_stdout.txt");
        running.push_back({next, pid, Clock::now()});
        ++next;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (progress) {
        SynthStatus tick{done, static_cast<int>(jobs.size()), {}, nullptr};
        for (const auto& r : running) tick.running.push_back(jobs[r.index]);
        progress(tick);
      }
      for (auto it = running.begin(); it != running.end();) {
        const SynthJob& job = jobs[it->index];
        int status = 0;
        const pid_t r = waitpid(it->pid, &status, WNOHANG);
        const double secs = std::chrono::duration<double>(Clock::now() - it->started).count();
        if (r == 0) {
          if (secs > options.timeout_seconds) {
            kill(-it->pid, SIGKILL);
            waitpid(it->pid, nullptr, 0);
            it = running.erase(it);
            throw Error("yosys timed out after " + std::to_string(options.timeout_seconds) + " s on " +
                        SynthJobName(job) + " (raise --timeout)");
          }
          ++it;
          continue;
        }
        const auto [script, log, stat] = files(it->index);
        it = running.erase(it);
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
          const std::string detail = fs::exists(log) ? Tail(ReadFile(log), 5) : "no log";
          throw Error("yosys failed on " + SynthJobName(job) + " (--work-dir keeps the logs): " + detail);
        }
        finish(job, CollectFigures(job, ReadFile(log), stat, secs));
        WriteFileAtomic(InputsRecord(log).string(), inputs);
      }
    }
  } catch (...) {
    kill_all();
    remove_work();
    throw;
  }
  remove_work();
  return results;
}

}  // namespace potacc::hw
