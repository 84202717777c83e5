#include "potacc/runtime/interpreter.h"

#include <gtest/gtest.h>

namespace potacc {
namespace {

TEST(InterpreterTest, UnknownOperatorNamesOpAndNode) {
  Model m;
  m.buffers.resize(1);
  m.operator_codes.push_back({/*builtin=*/47, "", 1});  // TFLite EXP, which potacc does not implement
  Subgraph g;
  g.tensors.push_back({"in", DataType::kInt8, {1, 4}, {}, 0, {}, false});
  g.tensors.push_back({"out", DataType::kInt8, {1, 4}, {}, 0, {}, false});
  g.inputs = {0};
  g.outputs = {1};
  Operator op;
  op.builtin = 47;
  op.inputs = {0};
  op.outputs = {1};
  g.operators.push_back(op);
  m.subgraphs.push_back(g);
  Interpreter interp(m);
  try {
    interp.Prepare();
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported operator EXP"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("node 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace potacc
