// The RTL's method parameters, generated from the C++ method descriptions so
// the Verilog PEs and quant::Method can never disagree. The result is a
// Verilog-2005 include file (module-scope constant functions + localparams)
// that hw/rtl/pe.v and hw/rtl/gemm_unit.v `include as "potacc_methods.vh".
#pragma once

#include <filesystem>
#include <string>

namespace potacc::hw {

// File name the RTL includes.
inline constexpr const char* kMethodHeaderName = "potacc_methods.vh";

// Text of potacc_methods.vh for quant::AllMethods(). Method index n in the
// RTL (parameter METHOD) is the position in AllMethods().
std::string MethodParamsVerilog();

// Writes MethodParamsVerilog() to dir/potacc_methods.vh (creating dir).
// Throws potacc::Error.
void WriteMethodParams(const std::filesystem::path& dir);

// RTL index (parameter METHOD) of a method name; throws potacc::Error.
int MethodIndex(const std::string& name);

}  // namespace potacc::hw
