// Validators shared by the subcommands: a flag given an empty value, a
// non-finite number or a negative count is a one-line error, not a silent
// default.
#pragma once

#include <CLI/CLI.hpp>

namespace potacc::cli {

// The value is not empty ("--json ''" is refused, not taken as "no --json").
const CLI::Validator& NonEmpty();
// The value parses as a finite number (no nan, inf).
const CLI::Validator& FiniteNumber();
// The value is a whole number >= 0 (checked before it reaches an unsigned type).
const CLI::Validator& NonNegativeInteger();
// The value is a whole number >= 1.
const CLI::Validator& PositiveInteger();

}  // namespace potacc::cli
