#include "potacc/util/source_tree.h"

#include <system_error>

namespace potacc {
namespace {

namespace fs = std::filesystem;

// The folder of the running executable (Linux), empty if unknown.
fs::path ExecutableDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::optional<fs::path> FindSourceTreeAbove(const fs::path& start) {
  constexpr int kMaxLevels = 8;
  fs::path dir = start;
  for (int level = 0; level <= kMaxLevels && !dir.empty(); ++level) {
    std::error_code ec;
    if (fs::is_regular_file(dir / "include" / "potacc" / "util" / "source_tree.h", ec)) return dir;
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

const fs::path& SourceTreeDir() {
  static const fs::path dir = [] {
    const fs::path exe_dir = ExecutableDir();
    if (auto found = exe_dir.empty() ? std::nullopt : FindSourceTreeAbove(exe_dir)) return *found;
    return fs::path(POTACC_SOURCE_DIR);
  }();
  return dir;
}

const fs::path& DefaultDataDir() {
  static const fs::path dir = [] {
    const fs::path configured = POTACC_DEFAULT_DATA_DIR;
    if (!configured.empty()) return configured;
    return (SourceTreeDir() / ".." / "shared" / "data").lexically_normal();
  }();
  return dir;
}

}  // namespace potacc
