// Transformer variants potacc does not implement are refused at Prepare with
// the operator and the reason (never run wrongly): int16 activations (the
// 16x8 quantization mode) on every transformer operator, and attention
// layouts outside TFLite's BATCH_MATMUL / TRANSPOSE / SOFTMAX contracts.
#include <gtest/gtest.h>

#include <string>

#include "potacc/error.h"
#include "single_op_model.h"

namespace potacc::testing {
namespace {

// Build() must throw an Error whose message names the operator and contains `reason`.
void ExpectRefused(SingleOpModel& m, const std::string& op, const std::string& reason) {
  try {
    m.Build();
    ADD_FAILURE() << op << ": accepted, expected a refusal mentioning '" << reason << "'";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(op + " (node 0)"), std::string::npos) << what;
    EXPECT_NE(what.find(reason), std::string::npos) << what;
  }
}

TEST(TransformerRefusals, Int16ActivationsOnEveryTransformerOperator) {
  const QuantParams q = Quant(1.0f / 4096, 0);
  for (BuiltinOp op : {BuiltinOp::kSoftmax, BuiltinOp::kGelu, BuiltinOp::kRsqrt, BuiltinOp::kTanh}) {
    SingleOpModel m(op);
    m.AddInput(DataType::kInt16, {1, 4, 8}, q);
    m.AddOutput(DataType::kInt16, {1, 4, 8}, q);
    if (op == BuiltinOp::kSoftmax) m.options().beta = 1.0f;
    ExpectRefused(m, BuiltinOpName(static_cast<int32_t>(op)), "int16");
  }
  for (BuiltinOp op : {BuiltinOp::kSub, BuiltinOp::kSquaredDifference, BuiltinOp::kMul, BuiltinOp::kAdd}) {
    SingleOpModel m(op);
    m.AddInput(DataType::kInt16, {1, 4, 8}, q);
    m.AddInput(DataType::kInt16, {1, 4, 8}, q);
    m.AddOutput(DataType::kInt16, {1, 4, 8}, q);
    ExpectRefused(m, BuiltinOpName(static_cast<int32_t>(op)), "int16");
  }
  {
    SingleOpModel m(BuiltinOp::kBatchMatMul);
    m.AddInput(DataType::kInt16, {1, 4, 8}, q);
    m.AddInput(DataType::kInt16, {1, 8, 4}, q);
    m.AddOutput(DataType::kInt16, {1, 4, 4}, q);
    ExpectRefused(m, "BATCH_MATMUL", "int16");
  }
  {
    SingleOpModel m(BuiltinOp::kMean);
    m.AddInput(DataType::kInt16, {1, 4, 8}, q);
    m.AddConstInput<int32_t>(DataType::kInt32, {1}, {2});
    m.AddOutput(DataType::kInt16, {1, 4, 1}, q);
    m.options().keep_dims = true;
    ExpectRefused(m, "MEAN", "int16");
  }
  {  // 16x8 FULLY_CONNECTED: int16 activations, int8 weights, int64 bias
    SingleOpModel m(BuiltinOp::kFullyConnected);
    m.AddInput(DataType::kInt16, {1, 4, 8}, q);
    m.AddConstInput<int8_t>(DataType::kInt8, {3, 8}, std::vector<int8_t>(24, 1), Quant(0.01f, 0));
    m.AddOutput(DataType::kInt16, {1, 4, 3}, q);
    m.options().keep_num_dims = true;
    ExpectRefused(m, "FULLY_CONNECTED", "int16");
  }
}

TEST(TransformerRefusals, AttentionLayoutsOutsideTfliteContracts) {
  const QuantParams q = Quant(0.05f, 0);
  {  // rank 6 (TFLite's BATCH_MATMUL takes ranks 2..5)
    SingleOpModel m(BuiltinOp::kBatchMatMul);
    m.AddInput(DataType::kInt8, {1, 1, 1, 2, 4, 8}, q);
    m.AddInput(DataType::kInt8, {1, 1, 1, 2, 8, 4}, q);
    m.AddOutput(DataType::kInt8, {1, 1, 1, 2, 4, 4}, q);
    ExpectRefused(m, "BATCH_MATMUL", "rank 2..5");
  }
  {  // heads that do not broadcast (3 vs 2)
    SingleOpModel m(BuiltinOp::kBatchMatMul);
    m.AddInput(DataType::kInt8, {1, 3, 4, 8}, q);
    m.AddInput(DataType::kInt8, {1, 2, 8, 4}, q);
    m.AddOutput(DataType::kInt8, {1, 3, 4, 4}, q);
    ExpectRefused(m, "BATCH_MATMUL", "do not broadcast");
  }
  {  // keys laid out [K, N] but flagged adj_y: contracted dimensions differ
    SingleOpModel m(BuiltinOp::kBatchMatMul);
    m.AddInput(DataType::kInt8, {1, 4, 8}, q);
    m.AddInput(DataType::kInt8, {1, 8, 5}, q);
    m.AddOutput(DataType::kInt8, {1, 4, 8}, q);
    m.options().adj_y = true;
    ExpectRefused(m, "BATCH_MATMUL", "contracted dimensions differ");
  }
  {  // a head permutation computed at run time
    SingleOpModel m(BuiltinOp::kTranspose);
    m.AddInput(DataType::kInt8, {1, 4, 3, 8}, q);
    m.AddInput(DataType::kInt32, {4});
    m.AddOutput(DataType::kInt8, {1, 3, 4, 8}, q);
    ExpectRefused(m, "TRANSPOSE", "constant");
  }
}

}  // namespace
}  // namespace potacc::testing
