#include "potacc/platform/workload.h"

#include "potacc/error.h"
#include "potacc/tflite/model_info.h"

namespace potacc::platform {

const char* OpClassName(OpClass c) {
  switch (c) {
    case OpClass::kConv: return "conv";
    case OpClass::kDepthwise: return "depthwise";
    case OpClass::kFullyConnected: return "fully_connected";
    case OpClass::kMatMul: return "matmul";
    case OpClass::kElementwise: return "elementwise";
    case OpClass::kNonlinear: return "nonlinear";
    case OpClass::kDataMovement: return "data_movement";
  }
  return "?";
}

OpClass ClassifyOp(int32_t builtin) {
  switch (static_cast<BuiltinOp>(builtin)) {
    case BuiltinOp::kConv2D: return OpClass::kConv;
    case BuiltinOp::kDepthwiseConv2D: return OpClass::kDepthwise;
    case BuiltinOp::kFullyConnected: return OpClass::kFullyConnected;
    case BuiltinOp::kBatchMatMul: return OpClass::kMatMul;
    case BuiltinOp::kSoftmax:
    case BuiltinOp::kRsqrt:
      return OpClass::kNonlinear;
    case BuiltinOp::kTranspose:
    case BuiltinOp::kGather:
    case BuiltinOp::kReshape:
    case BuiltinOp::kSqueeze:
    case BuiltinOp::kPad:
    case BuiltinOp::kConcatenation:
    case BuiltinOp::kStridedSlice:
    case BuiltinOp::kPack:
    case BuiltinOp::kShape:
      return OpClass::kDataMovement;
    default:
      return OpClass::kElementwise;
  }
}

OpClass ClassifyOp(const Model& model, const Operator& op) {
  const OpClass c = ClassifyOp(op.builtin);
  if (c != OpClass::kFullyConnected || op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0) return c;
  const Tensor& in = model.main().tensors.at(op.inputs[0]);
  const Tensor& w = model.main().tensors.at(op.inputs[1]);
  const int64_t depth = w.shape.empty() ? 0 : w.shape.back();
  return depth > 0 && in.num_elements() / depth > 1 ? OpClass::kMatMul : c;
}

bool IsMultithreaded(OpClass c) {
  return c == OpClass::kConv || c == OpClass::kDepthwise || c == OpClass::kFullyConnected ||
         c == OpClass::kMatMul;
}

int64_t Workload::total_macs() const {
  int64_t total = 0;
  for (const auto& n : nodes) total += n.macs;
  return total;
}

namespace {

int64_t TensorByteCount(const Tensor& t) {
  return t.num_elements() * std::max(1, DataTypeSize(t.type));
}

}  // namespace

Workload CpuWorkload(const Model& model, const std::string& name) {
  Check(!model.subgraphs.empty(), name + ": model has no subgraph");
  const Subgraph& g = model.main();
  Workload w;
  w.name = name;
  for (size_t i = 0; i < g.operators.size(); ++i) {
    const Operator& op = g.operators[i];
    NodeWork nw;
    nw.node = static_cast<int>(i);
    nw.op = BuiltinOpName(op.builtin);
    nw.op_class = ClassifyOp(model, op);
    auto tensor = [&](int idx) -> const Tensor* {
      if (idx < 0 || idx >= static_cast<int>(g.tensors.size())) return nullptr;
      return &g.tensors[idx];
    };
    const Tensor* out = op.outputs.empty() ? nullptr : tensor(op.outputs[0]);
    const int64_t out_elems = out ? out->num_elements() : 0;
    int64_t activation_bytes = 0;
    for (int idx : op.inputs) {
      const Tensor* t = tensor(idx);
      if (t) nw.ddr_bytes += TensorByteCount(*t);
      if (t && ConstantData(model, *t) == nullptr) activation_bytes += TensorByteCount(*t);
    }
    for (int idx : op.outputs) {
      const Tensor* t = tensor(idx);
      if (t) {
        nw.ddr_bytes += TensorByteCount(*t);
        activation_bytes += TensorByteCount(*t);
      }
    }
    nw.macs = OperatorMacs(model, op);
    switch (nw.op_class) {
      case OpClass::kConv:
      case OpClass::kDepthwise:
      case OpClass::kFullyConnected:
      case OpClass::kMatMul:
        break;
      case OpClass::kNonlinear:
        nw.bytes = activation_bytes;
        break;
      case OpClass::kElementwise:
        if ((op.op() == BuiltinOp::kAveragePool2D || op.op() == BuiltinOp::kMaxPool2D) && out) {
          // Every output reads its window.
          nw.bytes = out_elems * op.options.filter_w * op.options.filter_h + TensorByteCount(*out);
        } else {
          nw.bytes = activation_bytes;
        }
        break;
      case OpClass::kDataMovement:
        nw.bytes = out ? TensorByteCount(*out) : activation_bytes;
        break;
    }
    w.nodes.push_back(std::move(nw));
  }
  return w;
}

}  // namespace potacc::platform
