// Where the hardware sources live: hw/rtl (Verilog), hw/synth/synth.ys (the
// Yosys script template) and hw/synth/results.json (cached figures). The
// binary finds them in its source tree (util/source_tree.h: the checkout
// around the executable, else the one it was built from); the
// POTACC_HW_DIR environment variable points it at another copy of hw/
// (e.g. an installed binary).
#pragma once

#include <filesystem>
#include <string>

namespace potacc::hw {

inline constexpr const char* kHwDirEnv = "POTACC_HW_DIR";

// $POTACC_HW_DIR when set and non-empty, else <source>/hw.
std::filesystem::path HwDir();

// For "not found" messages about a file under HwDir() (which name the file):
// "hw folder <dir> (source tree|from POTACC_HW_DIR); set POTACC_HW_DIR
// to a copy of hw/ holding rtl/ and synth/".
std::string HwDirHint();

}  // namespace potacc::hw
