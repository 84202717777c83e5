// Quantization methods as values. One Method describes everything the
// quantizer, the accelerator driver (weight encoding), the simulator (PE
// arithmetic), the RTL tests and the hardware report need to know about a
// weight format: its level set, its codes, and the PE's shift/add recipe.
//
// 4-bit methods use the reference design's sign-magnitude code (bit 3 = sign,
// bits 2..0 = magnitude code m; see ../shared/docs/reference-accelerator.md §1.1-1.3).
// The magnitude tables are the released v12 PE tables exactly.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace potacc::quant {

enum class MethodId : uint8_t { kQKeras, kApot, kMsq, kUniform4, kInt8 };

// How a PE turns (activation x, weight code) into a product.
enum class PeKind : uint8_t {
  kBarrelShift,     // |P| = x << m                                   (qkeras)
  kTwoTermShiftAdd, // |P| = T1[b2b1] + (b0 ? x << t2 : 0)            (apot, msq)
  kMultiplier,      // P = x * two's-complement weight                (uniform4, int8)
};

struct PeRecipe {
  PeKind kind = PeKind::kMultiplier;
  // kTwoTermShiftAdd: T1 for (b2 b1) = 0..3 is x << t1_shift[i], or 0 if t1_shift[i] < 0.
  std::array<int8_t, 4> t1_shift{};
  // kTwoTermShiftAdd: T2 = x << t2_shift when b0 = 1.
  int8_t t2_shift = -1;
};

struct Method {
  MethodId id;
  std::string_view name;         // "qkeras", "apot", "msq", "uniform4", "int8"
  std::string_view description;  // one line for --help / reports
  int code_bits;                 // 4 or 8
  bool sign_magnitude;           // sign bit + magnitude code (shift PEs)
  std::array<int16_t, 8> magnitude;  // sign-magnitude only: m -> |value| (v12 tables)
  PeRecipe recipe;
  int product_bits;              // width of the PE's signed product
  // The method's published convention keeps the network's first CONV_2D and
  // last FULLY_CONNECTED at int8 (APoT, Li et al. ICLR 2020; the reference
  // design's APoT delegate leaves the first conv on the CPU, §5.1).
  bool int8_first_and_last = false;

  int num_codes() const { return 1 << code_bits; }
  // Integer weight value the PE multiplies for a code.
  int Decode(uint32_t code) const;
  // Sorted distinct representable integer weight values (the grid).
  const std::vector<int>& levels() const;
  int max_level() const;  // largest |level|
  bool has_zero() const;
  bool OnGrid(int value) const;
  // Code for an integer value on the grid; throws potacc::Error otherwise.
  uint32_t Encode(int value) const;
  // Nearest grid level to a real value. Ties go to the smaller magnitude, and
  // between +l and -l (qkeras at 0) to +l, as the v12 host encodes 0 as +1.
  int Nearest(double value) const;
  // Grid levels an int8 weight tensor can hold exactly (|level| <= 127, since
  // TFLite int8 weights are symmetric). Equals levels() except for qkeras,
  // whose top level 2^7 = 128 does not fit (see docs/quantization.md).
  const std::vector<int>& storable_levels() const;
  int max_storable_level() const;  // largest |storable level|
  // Nearest storable level (same tie rule as Nearest).
  int NearestStorable(double value) const;
  // The level set normalised to max |level| = 1 (real-valued grid, e.g. APoT
  // {0, .1, .2, .3, .4, .6, .8, 1}).
  std::vector<double> normalized_levels() const;
  // The PE product computed the way the hardware does (shifts/adds +
  // sign-bit add/subtract, or a multiply). Equals x * Decode(code); the
  // exhaustive tests prove it.
  int32_t PeProduct(int8_t x, uint32_t code) const;
};

const Method& GetMethod(MethodId id);
// nullptr if unknown.
const Method* FindMethod(std::string_view name);
// Throws potacc::Error listing the valid names.
const Method& MethodByName(std::string_view name);
std::span<const Method* const> AllMethods();

// Histogram of the codes a weight tensor (integer grid values) encodes to:
// result[code] = count, num_codes() entries. Throws for off-grid values,
// naming the first one.
std::vector<int64_t> CodeHistogram(const Method& method, std::span<const int8_t> values);

}  // namespace potacc::quant
