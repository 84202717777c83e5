#include "potacc/tflite/extract.h"

#include <map>

#include "potacc/error.h"

namespace potacc {
namespace {

// Copies tensors of the source graph into the new model on first use; keeps
// the old -> new index map.
class TensorCopier {
 public:
  TensorCopier(const Model& source, Model& target) : source_(source), target_(target) {}

  int Copy(int index) {
    if (index < 0) return index;  // an optional input left out stays left out
    if (const auto it = map_.find(index); it != map_.end()) return it->second;
    const Subgraph& g = source_.main();
    Check(static_cast<size_t>(index) < g.tensors.size(),
          "tensor index " + std::to_string(index) + " is out of range");
    Tensor t = g.tensors[static_cast<size_t>(index)];
    if (const auto* data = ConstantData(source_, t)) {
      target_.buffers.push_back({*data});
      t.buffer = static_cast<uint32_t>(target_.buffers.size() - 1);
    } else {
      t.buffer = 0;
    }
    Subgraph& out = target_.main();
    out.tensors.push_back(std::move(t));
    const int copied = static_cast<int>(out.tensors.size() - 1);
    map_.emplace(index, copied);
    return copied;
  }
  bool IsConstant(int index) const {
    return index >= 0 && ConstantData(source_, source_.main().tensors.at(static_cast<size_t>(index))) != nullptr;
  }

 private:
  const Model& source_;
  Model& target_;
  std::map<int, int> map_;
};

}  // namespace

Model ExtractNode(const Model& model, int node) {
  Check(!model.subgraphs.empty(), "the model has no subgraph");
  const auto& ops = model.main().operators;
  Check(node >= 0 && static_cast<size_t>(node) < ops.size(),
        "node " + std::to_string(node) + " does not exist (the model has " + std::to_string(ops.size()) +
            " nodes: 0.." + std::to_string(static_cast<int64_t>(ops.size()) - 1) + ")");
  const Operator& source_op = ops[static_cast<size_t>(node)];
  Check(!source_op.outputs.empty(), "node " + std::to_string(node) + " has no outputs");

  Model out;
  out.version = model.version;
  out.description = "potacc extract: node " + std::to_string(node) + " (" + BuiltinOpName(source_op.builtin) + ")";
  out.buffers.resize(1);  // buffer 0: TFLite's empty sentinel
  out.operator_codes.push_back(model.operator_codes.at(source_op.opcode_index));
  out.subgraphs.emplace_back();
  out.main().name = model.main().name;

  TensorCopier copier(model, out);
  Operator op = source_op;
  op.opcode_index = 0;
  for (int32_t& t : op.inputs) {
    const bool new_input = t >= 0 && !copier.IsConstant(t);
    const size_t before = out.main().tensors.size();
    t = copier.Copy(t);
    if (new_input && out.main().tensors.size() > before) out.main().inputs.push_back(t);
  }
  for (int32_t& t : op.outputs) {
    Check(t >= 0 && !copier.IsConstant(t),
          "node " + std::to_string(node) + " writes a constant or absent tensor");
    t = copier.Copy(t);
    out.main().outputs.push_back(t);
  }
  for (int32_t& t : op.intermediates) t = copier.Copy(t);
  out.main().operators.push_back(std::move(op));
  return out;
}

}  // namespace potacc
