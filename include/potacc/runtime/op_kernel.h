// The kernel interface (TFLite Micro style): each operator lives in its own
// file under src/kernels/, validates and precomputes in Prepare, computes in
// Eval, and registers itself with POTACC_REGISTER_KERNEL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "potacc/error.h"
#include "potacc/kernels/gemm.h"  // Isa
#include "potacc/model.h"

namespace potacc {

// Runtime storage of one tensor: constants point into the model's buffers,
// activations into interpreter-owned memory.
struct TensorSlot {
  uint8_t* data = nullptr;
  size_t bytes = 0;
  bool constant = false;
};

// How the optimized kernels run: which instruction set, and a pool to split
// one operator over (null: the calling thread only).
struct ExecSettings {
  kernels::Isa isa = kernels::BestIsa();
  ThreadPool* pool = nullptr;
};

class OpContext {
 public:
  OpContext(const Model& model, const Operator& op, int node, std::vector<TensorSlot>& slots,
            const ExecSettings& exec = {})
      : model_(model), op_(op), node_(node), slots_(slots), exec_(exec) {}

  const Model& model() const { return model_; }
  const Subgraph& graph() const { return model_.main(); }
  const Operator& op() const { return op_; }
  const OpOptions& options() const { return op_.options; }
  int node() const { return node_; }

  int num_inputs() const { return static_cast<int>(op_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(op_.outputs.size()); }
  bool has_input(int i) const { return i < num_inputs() && op_.inputs[i] >= 0; }
  const Tensor& input(int i) const { return graph().tensors.at(op_.inputs.at(i)); }
  const Tensor& output(int i) const { return graph().tensors.at(op_.outputs.at(i)); }
  const TensorSlot& input_slot(int i) const { return slots_.at(op_.inputs.at(i)); }
  const TensorSlot& output_slot(int i) const { return slots_.at(op_.outputs.at(i)); }
  bool input_is_constant(int i) const { return input_slot(i).constant; }
  kernels::Isa isa() const { return exec_.isa; }
  ThreadPool* pool() const { return exec_.pool; }

  template <class T>
  const T* input_data(int i) const {
    return reinterpret_cast<const T*>(input_slot(i).data);
  }
  template <class T>
  T* output_data(int i) const {
    return reinterpret_cast<T*>(output_slot(i).data);
  }

  // "CONV_2D (node 3)": used as the prefix of every kernel error.
  std::string where() const { return BuiltinOpName(op_.builtin) + " (node " + std::to_string(node_) + ")"; }
  [[noreturn]] void Unsupported(const std::string& what) const { throw UnsupportedError(where() + ": " + what); }
  void Require(bool cond, const std::string& what) const {
    if (!cond) throw InvalidModelError(where() + ": " + what);
  }

 private:
  const Model& model_;
  const Operator& op_;
  int node_;
  std::vector<TensorSlot>& slots_;
  ExecSettings exec_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // Validates types/shapes/options and precomputes (multipliers, ...). Called once.
  virtual void Prepare(OpContext& ctx) { (void)ctx; }
  virtual void Eval(OpContext& ctx) = 0;
};

using KernelFactory = std::unique_ptr<OpKernel> (*)();

// Registry of builtin kernels (one per operator).
void RegisterKernel(BuiltinOp op, KernelFactory factory);
KernelFactory FindKernel(int32_t builtin);
std::vector<int32_t> RegisteredOps();

struct KernelRegistrar {
  KernelRegistrar(BuiltinOp op, KernelFactory factory) { RegisterKernel(op, factory); }
};

#define POTACC_CONCAT_INNER(a, b) a##b
#define POTACC_CONCAT(a, b) POTACC_CONCAT_INNER(a, b)
// POTACC_REGISTER_KERNEL(kConv2D, ConvKernel) in the operator's .cc file.
#define POTACC_REGISTER_KERNEL(OP, CLASS)                                              \
  static const ::potacc::KernelRegistrar POTACC_CONCAT(potacc_kernel_registrar_, __COUNTER__)( \
      ::potacc::BuiltinOp::OP, []() -> std::unique_ptr<::potacc::OpKernel> {           \
        return std::make_unique<CLASS>();                                              \
      })

}  // namespace potacc
