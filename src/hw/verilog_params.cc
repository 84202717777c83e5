#include "potacc/hw/verilog_params.h"

#include <fstream>
#include <sstream>

#include "potacc/error.h"
#include "potacc/hw/accel_rtl_params.h"
#include "potacc/quant/method.h"

namespace potacc::hw {
namespace {

using quant::AllMethods;
using quant::Method;
using quant::PeKind;

int KindValue(PeKind kind) {
  switch (kind) {
    case PeKind::kBarrelShift: return 0;
    case PeKind::kTwoTermShiftAdd: return 1;
    case PeKind::kMultiplier: return 2;
  }
  return -1;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

// One constant function `name(method)` returning value(method) per case.
template <typename F>
void EmitFunction(std::ostringstream& os, const char* name, const char* comment, F value) {
  os << "// " << comment << "\n";
  os << "function integer " << name << "(input integer method);\n  case (method)\n";
  int index = 0;
  for (const Method* m : AllMethods()) {
    os << "    " << index++ << ": " << name << " = " << value(*m) << ";  // " << m->name << "\n";
  }
  os << "    default: " << name << " = -1;\n  endcase\nendfunction\n\n";
}

}  // namespace

std::string MethodParamsVerilog() {
  std::ostringstream os;
  os << "// potacc_methods.vh: GENERATED from potacc::quant::AllMethods() (src/quant/method.cc)\n"
        "// by potacc::hw::MethodParamsVerilog(). Do not edit; change the method description.\n"
        "// Included at module scope by pe.v and gemm_unit.v.\n\n";
  os << "localparam integer PE_KIND_BARREL_SHIFT = 0;  // |P| = x << m\n"
        "localparam integer PE_KIND_SHIFT_ADD = 1;     // |P| = T1[b2b1] + (b0 ? x << T2 : 0)\n"
        "localparam integer PE_KIND_MULTIPLIER = 2;    // P = x * two's-complement weight\n\n";
  int index = 0;
  for (const Method* m : AllMethods()) {
    os << "localparam integer METHOD_" << Upper(m->name) << " = " << index++ << ";\n";
  }
  os << "localparam integer NUM_METHODS = " << index << ";\n\n";
  EmitFunction(os, "method_pe_kind", "PE structure", [](const Method& m) {
    return KindValue(m.recipe.kind);
  });
  EmitFunction(os, "method_code_bits", "weight code width", [](const Method& m) { return m.code_bits; });
  EmitFunction(os, "method_sign_magnitude", "1: code bit 3 is a sign (accumulator subtracts)",
               [](const Method& m) { return m.sign_magnitude ? 1 : 0; });
  EmitFunction(os, "method_product_bits", "signed width of the unsigned-magnitude product P",
               [](const Method& m) { return m.product_bits; });
  for (int sel = 0; sel < 4; ++sel) {
    const std::string name = "method_t1_shift" + std::to_string(sel);
    const std::string comment = "shift-add T1 for b2b1 = " + std::to_string(sel) + ": x << s, -1 = zero term";
    EmitFunction(os, name.c_str(), comment.c_str(),
                 [sel](const Method& m) { return static_cast<int>(m.recipe.t1_shift[static_cast<size_t>(sel)]); });
  }
  EmitFunction(os, "method_t2_shift", "shift-add T2 when b0 = 1: x << s",
               [](const Method& m) { return static_cast<int>(m.recipe.t2_shift); });
  return os.str();
}

void WriteMethodParams(const std::filesystem::path& dir) {
  WriteFileIfChanged(dir / kMethodHeaderName, MethodParamsVerilog());
}

int MethodIndex(const std::string& name) {
  const Method& wanted = quant::MethodByName(name);
  int index = 0;
  for (const Method* m : AllMethods()) {
    if (m == &wanted) return index;
    ++index;
  }
  throw Error("method '" + name + "' has no RTL index");
}

}  // namespace potacc::hw
