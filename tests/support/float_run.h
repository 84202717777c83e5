// One inference of a float-input, float-output model on potacc's interpreter
// (the generated transformer tests compare its logits with other runs).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "potacc/model.h"
#include "potacc/runtime/interpreter.h"

namespace potacc::testing {

inline std::vector<float> RunFloatModel(const Model& m, const std::vector<float>& input) {
  Interpreter interp(m);
  interp.Prepare();
  interp.SetInput(0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(input.data()), input.size() * 4));
  interp.Invoke();
  const auto out = interp.Output(0);
  std::vector<float> v(out.size() / 4);
  std::memcpy(v.data(), out.data(), out.size());
  return v;
}

}  // namespace potacc::testing
