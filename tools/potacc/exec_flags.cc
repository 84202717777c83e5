#include "exec_flags.h"

#include <cstdio>

#include "potacc/util/thread_pool.h"

namespace potacc::cli {

// More than any machine potacc runs on; larger values are refused outright.
constexpr int kMaxThreadsFlag = 4096;

void ExecFlags::Add(CLI::App* cmd, const std::string& threads_help, bool with_isa) {
  cmd->add_option("--threads", threads, threads_help)->check(CLI::Range(1, kMaxThreadsFlag));
  if (!with_isa) return;
  std::string names;
  for (kernels::Isa i : kernels::kAllIsas) names += (names.empty() ? "" : ", ") + std::string(kernels::IsaName(i));
  cmd->add_option("--isa", isa,
                  "CPU kernel variant: " + names + " (default: " + kernels::kIsaEnv +
                      " if set, else the best this CPU runs)");
}

int ExecFlags::Threads(int fallback) const {
  const int wanted = threads > 0 ? threads : fallback;
  const int cores = HardwareThreads();
  if (wanted <= cores) return wanted;
  if (threads > 0) {
    std::fprintf(stderr, "note: --threads %d capped to the %d processor(s) of this machine\n", threads, cores);
  }
  return cores;
}

kernels::Isa ExecFlags::Isa() const { return isa.empty() ? kernels::BestIsa() : kernels::ParseIsa(isa); }

}  // namespace potacc::cli
