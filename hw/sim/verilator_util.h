// Small helpers for driving verilated models from GoogleTest benches.
#pragma once

#include <verilated.h>

#include <cstdint>
#include <memory>

namespace potacc::hw::sim {

// A model with its own simulation context (several models live in one test
// executable).
template <class Model>
struct Harness {
  std::unique_ptr<VerilatedContext> context = std::make_unique<VerilatedContext>();
  std::unique_ptr<Model> model = std::make_unique<Model>(context.get());
  ~Harness() { model->final(); }
};

// Writes `width` (<= 32, not crossing a 32-bit word) bits of `value` at bit
// `lsb` of a port, for every Verilator port representation.
inline void PutBits(uint64_t& port, int lsb, int width, uint32_t value) {
  const uint64_t mask = ((uint64_t{1} << width) - 1) << lsb;
  port = (port & ~mask) | ((uint64_t{value} << lsb) & mask);
}
template <std::size_t N>
void PutBits(VlWide<N>& port, int lsb, int width, uint32_t value) {
  const int word = lsb / 32;
  const int shift = lsb % 32;
  const uint64_t mask = (width == 32 ? 0xffffffffull : ((uint64_t{1} << width) - 1)) << shift;
  uint32_t& w = port[static_cast<std::size_t>(word)];
  w = static_cast<uint32_t>((w & ~mask) | ((uint64_t{value} << shift) & mask));
}
template <std::size_t N>
uint32_t GetWord(const VlWide<N>& port, int word) {
  return port[static_cast<std::size_t>(word)];
}

}  // namespace potacc::hw::sim
