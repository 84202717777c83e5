// Where the checkout potacc runs from is, and the default shared-data folder
// beside it. Both are resolved at run time, relative to the running
// executable (a build folder inside the checkout: build/potacc,
// build/tests/...), so a checkout that moves, build folder included, keeps
// working. The paths compiled in at build time are the fallback for a binary
// outside its checkout. Only src/util/source_tree.cc sees those absolute
// paths (object files do not depend on where the checkout lives, so compiler
// caches are shared between checkouts).
#pragma once

#include <filesystem>
#include <optional>

namespace potacc {

// The potacc checkout the running binary belongs to: the nearest folder at or
// above the executable's folder that holds a potacc source tree, else the
// checkout it was built from.
const std::filesystem::path& SourceTreeDir();

// Default of POTACC_DATA: the folder configured at build time
// (-DPOTACC_DATA_DIR=...), else ../shared/data beside SourceTreeDir().
const std::filesystem::path& DefaultDataDir();

// The nearest folder at or above `start` (at most 8 levels up) that holds a
// potacc source tree (recognised by include/potacc/util/source_tree.h).
std::optional<std::filesystem::path> FindSourceTreeAbove(const std::filesystem::path& start);

}  // namespace potacc
