// Runs a verified Model node by node on the CPU kernels, with per-node
// overrides (the accelerator delegate replaces conv/FC nodes).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "potacc/model.h"
#include "potacc/runtime/op_kernel.h"

namespace potacc {

class Interpreter {
 public:
  // The model must outlive the interpreter.
  explicit Interpreter(const Model& model);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Replace the kernel of one node (before Prepare). Used by delegation.
  void SetNodeKernel(int node, std::unique_ptr<OpKernel> kernel);

  // The instruction set of the kernels (before Prepare: weights are packed
  // for it); default BestIsa().
  void SetIsa(kernels::Isa isa);
  // Threads that share each large operator of one inference (the caller +
  // threads - 1 workers, started here; throws Error if they cannot start).
  // Outputs are identical for any count. Default 1.
  void SetThreads(int threads);
  int threads() const;

  // Allocates every tensor and prepares every node. Throws UnsupportedError
  // naming the operator and node index if any node has no kernel.
  void Prepare();

  using NodeCallback = std::function<void(int node, double seconds)>;
  // Runs all nodes in order; after_node (if set) is called after each one.
  void Invoke(const NodeCallback& after_node = {});

  const Model& model() const { return model_; }
  int num_inputs() const;
  int num_outputs() const;
  int input_tensor(int i) const;
  int output_tensor(int i) const;
  const Tensor& tensor(int index) const;

  // Raw bytes of a tensor (activations are writable; constants read-only).
  std::span<uint8_t> tensor_bytes(int index);
  std::span<const uint8_t> tensor_bytes(int index) const;
  template <class T>
  std::span<T> tensor_data(int index) {
    auto b = tensor_bytes(index);
    return {reinterpret_cast<T*>(b.data()), b.size() / sizeof(T)};
  }

  // Copies data into input i; size must equal the tensor's byte size.
  void SetInput(int i, std::span<const uint8_t> data);
  std::span<const uint8_t> Output(int i) const;

  // Seconds spent in each node during the last Invoke.
  const std::vector<double>& node_seconds() const { return node_seconds_; }

 private:
  const Model& model_;
  std::unique_ptr<ThreadPool> pool_;
  ExecSettings exec_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;
  std::vector<TensorSlot> slots_;
  std::vector<std::vector<uint8_t>> arena_;  // one allocation per activation tensor
  std::vector<double> node_seconds_;
  bool prepared_ = false;
};

}  // namespace potacc
