// The generated RTL parameter file must carry exactly the C++ method recipes.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "potacc/error.h"
#include "potacc/hw/verilog_params.h"
#include "potacc/quant/method.h"

namespace potacc::hw {
namespace {

// Reads back "function integer NAME ... N: NAME = V;" case items.
std::map<int, int> CaseValues(const std::string& text, const std::string& function) {
  const size_t begin = text.find("function integer " + function + "(");
  const size_t end = text.find("endfunction", begin);
  EXPECT_NE(begin, std::string::npos) << function;
  const std::string body = text.substr(begin, end - begin);
  std::map<int, int> values;
  std::istringstream lines(body);
  std::string line;
  const std::string assign = ": " + function + " = ";
  while (std::getline(lines, line)) {
    const size_t at = line.find(assign);
    if (at == std::string::npos || line.find("default") != std::string::npos) continue;
    values[std::stoi(line.substr(0, at))] = std::stoi(line.substr(at + assign.size()));
  }
  return values;
}

TEST(VerilogParams, EveryMethodRecipeIsInTheGeneratedFile) {
  const std::string text = MethodParamsVerilog();
  const auto kind = CaseValues(text, "method_pe_kind");
  const auto code_bits = CaseValues(text, "method_code_bits");
  const auto sign = CaseValues(text, "method_sign_magnitude");
  const auto product_bits = CaseValues(text, "method_product_bits");
  const auto t2 = CaseValues(text, "method_t2_shift");
  int index = 0;
  for (const quant::Method* m : quant::AllMethods()) {
    SCOPED_TRACE(std::string(m->name));
    EXPECT_EQ(MethodIndex(std::string(m->name)), index);
    EXPECT_EQ(kind.at(index), static_cast<int>(m->recipe.kind));
    EXPECT_EQ(code_bits.at(index), m->code_bits);
    EXPECT_EQ(sign.at(index), m->sign_magnitude ? 1 : 0);
    EXPECT_EQ(product_bits.at(index), m->product_bits);
    EXPECT_EQ(t2.at(index), m->recipe.t2_shift);
    for (int sel = 0; sel < 4; ++sel)
      EXPECT_EQ(CaseValues(text, "method_t1_shift" + std::to_string(sel)).at(index),
                m->recipe.t1_shift[static_cast<size_t>(sel)]);
    std::string upper(m->name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NE(text.find("localparam integer METHOD_" + upper + " = " + std::to_string(index) + ";"),
              std::string::npos);
    ++index;
  }
}

// The hand-computed v12 recipes (reference §1.2): APoT T1 = {x, 0, 4x, 8x},
// T2 = 2x; MSQ T1 = {x, 2x, 4x, 0}, T2 = 4x.
TEST(VerilogParams, ShiftAddRecipesMatchTheReferenceTables) {
  const std::string text = MethodParamsVerilog();
  const int apot = MethodIndex("apot"), msq = MethodIndex("msq");
  const int apot_t1[4] = {0, -1, 2, 3}, msq_t1[4] = {0, 1, 2, -1};
  for (int sel = 0; sel < 4; ++sel) {
    const auto t1 = CaseValues(text, "method_t1_shift" + std::to_string(sel));
    EXPECT_EQ(t1.at(apot), apot_t1[sel]);
    EXPECT_EQ(t1.at(msq), msq_t1[sel]);
  }
  EXPECT_EQ(CaseValues(text, "method_t2_shift").at(apot), 1);
  EXPECT_EQ(CaseValues(text, "method_t2_shift").at(msq), 2);
}

TEST(VerilogParams, UnknownMethodIsAnError) { EXPECT_THROW(MethodIndex("fp32"), Error); }

}  // namespace
}  // namespace potacc::hw
