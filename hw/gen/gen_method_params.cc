// Build-time generator of the RTL's parameter files, from the C++ descriptions:
//   gen_method_params DIR                 potacc_methods.vh (the PE methods)
//   gen_method_params --accel CONFIG DIR  potacc_accel_top.v + rtl_key.inc for one
//                                         accelerator configuration (name or .json)
// Files are rewritten only when their content changes.
#include <cstdio>
#include <cstring>
#include <exception>

#include "potacc/accel/config.h"
#include "potacc/hw/accel_rtl_params.h"
#include "potacc/hw/verilog_params.h"

int main(int argc, char** argv) {
  try {
    if (argc == 2) {
      potacc::hw::WriteMethodParams(argv[1]);
      return 0;
    }
    if (argc == 4 && std::strcmp(argv[1], "--accel") == 0) {
      potacc::hw::WriteAccelTop(potacc::accel::ResolveAcceleratorConfig(argv[2]), argv[3]);
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gen_method_params: error: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: %s DIR | %s --accel CONFIG DIR\n", argv[0], argv[0]);
  return 2;
}
