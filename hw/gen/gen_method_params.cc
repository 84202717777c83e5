// Build-time generator: writes potacc_methods.vh (the RTL's method
// parameters) from the C++ method descriptions. Usage: gen_method_params DIR
#include <cstdio>
#include <exception>

#include "potacc/hw/verilog_params.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    potacc::hw::WriteMethodParams(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gen_method_params: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
