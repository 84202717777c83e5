#include "potacc/util/source_tree.h"

namespace potacc {

const char* CompiledSourceDir() { return POTACC_SOURCE_DIR; }
const char* CompiledDefaultDataDir() { return POTACC_DEFAULT_DATA_DIR; }

}  // namespace potacc
