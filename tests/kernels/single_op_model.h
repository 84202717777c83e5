// Builds a one-operator potacc::Model in memory and runs it through the
// Interpreter, so kernel tests exercise registration, Prepare validation and
// Eval exactly as a real model does.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "potacc/fixed_point.h"
#include "potacc/model.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::testing {

// The whole int8 range: no fused activation.
inline constexpr fixed_point::ActivationRange kFull{-128, 127};

inline QuantParams Quant(float scale, int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

class SingleOpModel {
 public:
  explicit SingleOpModel(BuiltinOp op) {
    model_.buffers.resize(1);  // buffer 0: TFLite's empty sentinel
    model_.operator_codes.push_back({static_cast<int32_t>(op), "", 1});
    model_.subgraphs.emplace_back();
    op_.builtin = static_cast<int32_t>(op);
  }

  // A run-time input (fed with SetInput in the order added).
  int AddInput(DataType type, std::vector<int32_t> shape, QuantParams quant = {}) {
    const int t = AddTensor(type, std::move(shape), std::move(quant), 0);
    op_.inputs.push_back(t);
    graph().inputs.push_back(t);
    return t;
  }

  // A constant input holding `values`.
  template <class T>
  int AddConstInput(DataType type, std::vector<int32_t> shape, const std::vector<T>& values,
                    QuantParams quant = {}) {
    Buffer b;
    b.data.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(b.data.data(), values.data(), b.data.size());
    model_.buffers.push_back(std::move(b));
    const int t = AddTensor(type, std::move(shape), std::move(quant),
                            static_cast<uint32_t>(model_.buffers.size() - 1));
    op_.inputs.push_back(t);
    return t;
  }

  int AddOutput(DataType type, std::vector<int32_t> shape, QuantParams quant = {}) {
    const int t = AddTensor(type, std::move(shape), std::move(quant), 0);
    op_.outputs.push_back(t);
    graph().outputs.push_back(t);
    return t;
  }

  OpOptions& options() { return op_.options; }

  // Finalises the model and runs Interpreter::Prepare (which may throw).
  void Build() {
    graph().operators = {op_};
    interpreter_ = std::make_unique<Interpreter>(model_);
    interpreter_->Prepare();
  }

  template <class T>
  void SetInput(int i, const std::vector<T>& values) {
    interpreter_->SetInput(
        i, {reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(T)});
  }

  void Invoke() { interpreter_->Invoke(); }

  template <class T>
  std::vector<T> Output(int i = 0) const {
    const auto bytes = interpreter_->Output(i);
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
    return v;
  }

 private:
  Subgraph& graph() { return model_.subgraphs[0]; }

  int AddTensor(DataType type, std::vector<int32_t> shape, QuantParams quant, uint32_t buffer) {
    Tensor t;
    t.name = "t" + std::to_string(graph().tensors.size());
    t.type = type;
    t.shape = std::move(shape);
    t.buffer = buffer;
    t.quant = std::move(quant);
    graph().tensors.push_back(std::move(t));
    return static_cast<int>(graph().tensors.size() - 1);
  }

  Model model_;
  Operator op_;
  std::unique_ptr<Interpreter> interpreter_;
};

}  // namespace potacc::testing
