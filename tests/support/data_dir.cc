#include "support/data_dir.h"
#include "potacc/util/source_tree.h"

#include <unistd.h>

#include <cstdlib>

namespace potacc::testing {

std::filesystem::path DataDir() {
  if (const char* env = std::getenv("POTACC_DATA"); env && *env) return env;
  return DefaultDataDir();
}

std::filesystem::path DataPath(const std::string& relative) { return DataDir() / relative; }

std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("potacc_test_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && (std::string(ci) == "true" || std::string(ci) == "1");
}

std::string CliPath() {
#ifdef POTACC_CLI_PATH
  return POTACC_CLI_PATH;
#else
  return "potacc";
#endif
}

}  // namespace potacc::testing
