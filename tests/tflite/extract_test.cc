// ExtractNode: every node of a small DeiT (both GELU forms) and of a CNN, cut
// out alone and fed the tensors the full-graph run gave its inputs, produces
// exactly the bytes the full-graph run gave its output (the full graph is the
// reference); the single-op model keeps the node's tensors, options, version
// and constants, and survives the writer round trip unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "potacc/error.h"
#include "potacc/runtime/interpreter.h"
#include "potacc/tflite/extract.h"
#include "potacc/tflite/generators.h"
#include "potacc/tflite/reader.h"
#include "potacc/tflite/writer.h"

namespace potacc {
namespace {

// Deterministic bytes for the model's (single) input; float inputs get values in [-2, 2].
std::vector<uint8_t> ExtractTestInput(const Tensor& t, uint32_t seed) {
  std::vector<uint8_t> bytes(static_cast<size_t>(t.num_elements()) * DataTypeSize(t.type));
  if (t.type == DataType::kFloat32) {
    for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
      seed = seed * 1664525u + 1013904223u;
      const float v = -2.0f + 4.0f * static_cast<float>(seed >> 8) / static_cast<float>(1 << 24);
      std::memcpy(bytes.data() + i, &v, 4);
    }
  } else {
    for (auto& b : bytes) b = static_cast<uint8_t>((seed = seed * 1664525u + 1013904223u) >> 24);
  }
  return bytes;
}

// Runs the full graph once, then each node alone; returns the number of nodes checked.
int ExpectEveryNodeAloneEqualsTheFullRun(const Model& model) {
  Interpreter full(model);
  full.Prepare();
  full.SetInput(0, ExtractTestInput(full.tensor(full.input_tensor(0)), 7));
  full.Invoke();
  const Subgraph& g = model.main();
  for (size_t n = 0; n < g.operators.size(); ++n) {
    const Operator& op = g.operators[n];
    const std::string where = "node " + std::to_string(n) + " " + BuiltinOpName(op.builtin);
    const Model single = ExtractNode(model, static_cast<int>(n));
    // The writer round trip keeps it unchanged, and the reader's checks accept it.
    const Model back = ReadModel(WriteModel(single), where);
    EXPECT_EQ(back, single) << where;

    const Subgraph& s = single.main();
    EXPECT_EQ(s.operators.size(), 1u) << where;
    const Operator& sop = s.operators.front();
    EXPECT_EQ(sop.options, op.options) << where;
    EXPECT_EQ(single.operator_codes.at(sop.opcode_index), model.operator_codes.at(op.opcode_index)) << where;
    // Same tensors (everything but the buffer index), same constant data; the
    // graph inputs are the activation inputs, each once, in order.
    std::vector<int> activation_inputs;
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      if (op.inputs[i] < 0) {
        EXPECT_EQ(sop.inputs[i], -1) << where;
        continue;
      }
      Tensor a = g.tensors[static_cast<size_t>(op.inputs[i])];
      Tensor b = s.tensors[static_cast<size_t>(sop.inputs[i])];
      const auto* ca = ConstantData(model, a);
      const auto* cb = ConstantData(single, b);
      EXPECT_EQ(ca != nullptr, cb != nullptr) << where << " input " << i;
      if (ca && cb) {
        EXPECT_EQ(*ca, *cb) << where << " input " << i;
      }
      if (!ca && std::find(activation_inputs.begin(), activation_inputs.end(), sop.inputs[i]) == activation_inputs.end())
        activation_inputs.push_back(sop.inputs[i]);
      a.buffer = b.buffer = 0;
      EXPECT_EQ(a, b) << where << " input " << i;
    }
    EXPECT_EQ(s.inputs, activation_inputs) << where;
    EXPECT_EQ(s.outputs, sop.outputs) << where;

    Interpreter alone(back);
    alone.Prepare();
    for (int i = 0; i < alone.num_inputs(); ++i) {
      const int original = op.inputs[static_cast<size_t>(
          std::find(sop.inputs.begin(), sop.inputs.end(), s.inputs[static_cast<size_t>(i)]) - sop.inputs.begin())];
      alone.SetInput(i, full.tensor_bytes(original));
    }
    alone.Invoke();
    for (size_t o = 0; o < op.outputs.size(); ++o) {
      const auto want = full.tensor_bytes(op.outputs[o]);
      const auto got = alone.Output(static_cast<int>(o));
      EXPECT_TRUE(got.size() == want.size() && std::equal(got.begin(), got.end(), want.begin()))
          << where << ": output differs from the full run";
    }
  }
  return static_cast<int>(g.operators.size());
}

TEST(ExtractNode, EveryDeitNodeAloneGivesTheFullRunsBytes) {
  for (const char* gelu : {"tanh-ops", "exact"}) {
    SCOPED_TRACE(gelu);
    const Model m = Generate("deit-tiny", 1, {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}, {"gelu", gelu}});
    std::set<std::string> ops;
    for (const Operator& op : m.main().operators) ops.insert(BuiltinOpName(op.builtin));
    EXPECT_GE(ops.size(), 15u);  // every DeiT operator type is covered
    EXPECT_EQ(ExpectEveryNodeAloneEqualsTheFullRun(m), static_cast<int>(m.main().operators.size()));
  }
}

TEST(ExtractNode, EveryCnnNodeAloneGivesTheFullRunsBytes) {
  const Model m = Generate("cnn", 1);
  EXPECT_GT(ExpectEveryNodeAloneEqualsTheFullRun(m), 3);
}

TEST(ExtractNode, ATensorReadTwiceIsOneGraphInput) {
  // x * x in the tanh form of GELU (x^3 = x * x * x).
  const Model m = Generate("deit-tiny", 1, {{"depth", "1"}, {"resolution", "32"}, {"classes", "10"}});
  int found = 0;
  for (size_t n = 0; n < m.main().operators.size(); ++n) {
    const Operator& op = m.main().operators[n];
    if (op.inputs.size() != 2 || op.inputs[0] != op.inputs[1]) continue;
    const Model single = ExtractNode(m, static_cast<int>(n));
    EXPECT_EQ(single.main().inputs.size(), 1u);
    EXPECT_EQ(single.main().operators[0].inputs[0], single.main().operators[0].inputs[1]);
    ++found;
  }
  EXPECT_GT(found, 0);
}

TEST(ExtractNode, RefusesNodesThatDoNotExist) {
  const Model m = Generate("cnn", 1);
  const int n = static_cast<int>(m.main().operators.size());
  for (int bad : {-1, n, n + 1000}) {
    try {
      ExtractNode(m, bad);
      ADD_FAILURE() << "node " << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("node " + std::to_string(bad) + " does not exist"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace potacc
