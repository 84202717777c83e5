#include <algorithm>
#include <map>

#include "potacc/runtime/op_kernel.h"

namespace potacc {
namespace {
std::map<int32_t, KernelFactory>& Registry() {
  static std::map<int32_t, KernelFactory> registry;
  return registry;
}
}  // namespace

void RegisterKernel(BuiltinOp op, KernelFactory factory) {
  Registry()[static_cast<int32_t>(op)] = factory;
}

KernelFactory FindKernel(int32_t builtin) {
  auto it = Registry().find(builtin);
  return it == Registry().end() ? nullptr : it->second;
}

std::vector<int32_t> RegisteredOps() {
  std::vector<int32_t> ops;
  for (const auto& [code, f] : Registry()) ops.push_back(code);
  return ops;
}

}  // namespace potacc
