#include "potacc/runtime/interpreter.h"

#include <chrono>
#include <cstring>
#include <string>

#include "potacc/error.h"
#include "potacc/util/thread_pool.h"

namespace potacc {

Interpreter::Interpreter(const Model& model) : model_(model) {
  Check(!model.subgraphs.empty(), "model has no subgraph");
  kernels_.resize(model.main().operators.size());
}

Interpreter::~Interpreter() = default;

void Interpreter::SetNodeKernel(int node, std::unique_ptr<OpKernel> kernel) {
  Check(!prepared_, "SetNodeKernel after Prepare");
  kernels_.at(node) = std::move(kernel);
}

void Interpreter::SetIsa(kernels::Isa isa) {
  Check(!prepared_, "SetIsa after Prepare");
  Check(kernels::IsaSupported(isa), std::string("this CPU cannot run ") + kernels::IsaName(isa));
  exec_.isa = isa;
}

void Interpreter::SetThreads(int threads) {
  Check(threads >= 1, "threads must be at least 1, got " + std::to_string(threads));
  exec_.pool = nullptr;
  pool_.reset();
  if (threads > 1) {
    pool_ = std::make_unique<ThreadPool>(threads);
    exec_.pool = pool_.get();
  }
}

int Interpreter::threads() const { return pool_ ? pool_->size() : 1; }

void Interpreter::Prepare() {
  const Subgraph& g = model_.main();
  slots_.assign(g.tensors.size(), {});
  arena_.assign(g.tensors.size(), {});
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const Tensor& tensor = g.tensors[t];
    const int64_t elems = tensor.num_elements();
    const int esize = DataTypeSize(tensor.type);
    if (const auto* constant = ConstantData(model_, tensor)) {
      slots_[t] = {const_cast<uint8_t*>(constant->data()), constant->size(), true};
      continue;
    }
    if (esize == 0) throw UnsupportedError("tensor " + std::to_string(t) + " '" + tensor.name +
                                           "' has unsupported type " + DataTypeName(tensor.type));
    Check(elems >= 0 && elems < (int64_t{1} << 31), "tensor " + std::to_string(t) + " is too large");
    // 64 spare bytes let vectorised kernels read a little past the end.
    arena_[t].assign(static_cast<size_t>(elems) * esize + 64, 0);
    slots_[t] = {arena_[t].data(), static_cast<size_t>(elems) * esize, false};
  }
  for (size_t n = 0; n < g.operators.size(); ++n) {
    const Operator& op = g.operators[n];
    if (!kernels_[n]) {
      KernelFactory factory = FindKernel(op.builtin);
      if (!factory) {
        const auto& code = model_.operator_codes.at(op.opcode_index);
        const std::string name = code.custom_code.empty() ? BuiltinOpName(op.builtin)
                                                          : "CUSTOM '" + code.custom_code + "'";
        throw UnsupportedError("unsupported operator " + name + " at node " + std::to_string(n));
      }
      kernels_[n] = factory();
    }
    OpContext ctx(model_, op, static_cast<int>(n), slots_, exec_);
    kernels_[n]->Prepare(ctx);
  }
  node_seconds_.assign(g.operators.size(), 0.0);
  prepared_ = true;
}

void Interpreter::Invoke(const NodeCallback& after_node) {
  Check(prepared_, "Invoke before Prepare");
  const Subgraph& g = model_.main();
  for (size_t n = 0; n < g.operators.size(); ++n) {
    OpContext ctx(model_, g.operators[n], static_cast<int>(n), slots_, exec_);
    const auto start = std::chrono::steady_clock::now();
    kernels_[n]->Eval(ctx);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    node_seconds_[n] = s;
    if (after_node) after_node(static_cast<int>(n), s);
  }
}

int Interpreter::num_inputs() const { return static_cast<int>(model_.main().inputs.size()); }
int Interpreter::num_outputs() const { return static_cast<int>(model_.main().outputs.size()); }
int Interpreter::input_tensor(int i) const { return model_.main().inputs.at(i); }
int Interpreter::output_tensor(int i) const { return model_.main().outputs.at(i); }
const Tensor& Interpreter::tensor(int index) const { return model_.main().tensors.at(index); }

std::span<uint8_t> Interpreter::tensor_bytes(int index) {
  const TensorSlot& s = slots_.at(index);
  return {s.data, s.bytes};
}
std::span<const uint8_t> Interpreter::tensor_bytes(int index) const {
  const TensorSlot& s = slots_.at(index);
  return {s.data, s.bytes};
}

void Interpreter::SetInput(int i, std::span<const uint8_t> data) {
  Check(prepared_, "SetInput before Prepare");
  const int t = input_tensor(i);
  TensorSlot& s = slots_.at(t);
  Check(data.size() == s.bytes, "input " + std::to_string(i) + " expects " +
                                    std::to_string(s.bytes) + " bytes (" +
                                    DataTypeName(tensor(t).type) + "), got " +
                                    std::to_string(data.size()));
  std::memcpy(s.data, data.data(), data.size());
}

std::span<const uint8_t> Interpreter::Output(int i) const { return tensor_bytes(output_tensor(i)); }

}  // namespace potacc
