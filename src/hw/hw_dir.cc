#include "potacc/hw/hw_dir.h"
#include "potacc/util/source_tree.h"

#include <cstdlib>

namespace potacc::hw {

std::filesystem::path HwDir() {
  if (const char* env = std::getenv(kHwDirEnv); env && *env) return env;
  return SourceTreeDir() / "hw";
}

std::string HwDirHint() {
  const char* env = std::getenv(kHwDirEnv);
  const std::string origin = env && *env ? std::string("from ") + kHwDirEnv : "source tree";
  return "hw folder " + HwDir().string() + " (" + origin + "); set " + kHwDirEnv +
         " to a copy of hw/ holding rtl/ and synth/";
}

}  // namespace potacc::hw
