// Every PE exhaustively against the C++ method model: all 256 activations x
// all codes (16 for the 4-bit methods, 256 for int8).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "Vpe_apot.h"
#include "Vpe_booth_int8.h"
#include "Vpe_booth_uniform4.h"
#include "Vpe_int8.h"
#include "Vpe_msq.h"
#include "Vpe_qkeras.h"
#include "Vpe_uniform4.h"
#include "potacc/hw/verilog_params.h"
#include "potacc/quant/method.h"
#include "verilator_util.h"

namespace potacc::hw {
namespace {

struct PeSweep {
  int checked = 0;
  int mismatches = 0;
  std::string first_mismatch;
};

template <class Model>
PeSweep SweepPe(const quant::Method& method) {
  sim::Harness<Model> h;
  PeSweep sweep;
  for (int code = 0; code < method.num_codes(); ++code) {
    for (int x = -128; x <= 127; ++x) {
      h.model->x = static_cast<uint8_t>(x);
      h.model->code = static_cast<uint8_t>(code);
      h.model->eval();
      const int prod = static_cast<int16_t>(h.model->prod);
      const int mag = static_cast<int16_t>(h.model->mag);
      const bool neg = h.model->neg != 0;
      const int expected = method.PeProduct(static_cast<int8_t>(x), static_cast<uint32_t>(code));
      // Two independent references: the PE recipe and x * decoded weight.
      const bool ok = prod == expected && prod == x * method.Decode(static_cast<uint32_t>(code)) &&
                      (neg ? -mag : mag) == prod && (neg == (method.sign_magnitude && (code & 8)));
      ++sweep.checked;
      if (!ok) {
        if (sweep.mismatches++ == 0) {
          std::ostringstream os;
          os << "x=" << x << " code=" << code << ": rtl prod=" << prod << " mag=" << mag
             << " neg=" << neg << ", model=" << expected;
          sweep.first_mismatch = os.str();
        }
      }
    }
  }
  return sweep;
}

template <class Model>
void ExpectExhaustive(const char* name) {
  const quant::Method& method = quant::MethodByName(name);
  const PeSweep sweep = SweepPe<Model>(method);
  EXPECT_EQ(sweep.checked, 256 * method.num_codes());
  EXPECT_EQ(sweep.mismatches, 0) << name << ": first mismatch " << sweep.first_mismatch;
}

TEST(RtlPe, QKerasExhaustive) { ExpectExhaustive<Vpe_qkeras>("qkeras"); }
TEST(RtlPe, ApotExhaustive) { ExpectExhaustive<Vpe_apot>("apot"); }
TEST(RtlPe, MsqExhaustive) { ExpectExhaustive<Vpe_msq>("msq"); }
TEST(RtlPe, Uniform4Exhaustive) { ExpectExhaustive<Vpe_uniform4>("uniform4"); }
TEST(RtlPe, Int8Exhaustive) { ExpectExhaustive<Vpe_int8>("int8"); }
// The radix-4 Booth LUT multiplier the accelerator's PEs use (MUL_STYLE 1).
TEST(RtlPe, BoothUniform4Exhaustive) { ExpectExhaustive<Vpe_booth_uniform4>("uniform4"); }
TEST(RtlPe, BoothInt8Exhaustive) { ExpectExhaustive<Vpe_booth_int8>("int8"); }

// Hand-checked products (reference §1.2 tables), independent of the C++ model.
TEST(RtlPe, HandCheckedProducts) {
  sim::Harness<Vpe_apot> apot;
  auto apot_prod = [&](int x, int code) {
    apot.model->x = static_cast<uint8_t>(x);
    apot.model->code = static_cast<uint8_t>(code);
    apot.model->eval();
    return static_cast<int16_t>(apot.model->prod);
  };
  EXPECT_EQ(apot_prod(7, 0b0111), 70);     // m=7 -> 10 (T1 = 8x, T2 = 2x)
  EXPECT_EQ(apot_prod(7, 0b1001), -21);    // m=1 -> 3, negative
  EXPECT_EQ(apot_prod(-128, 0b0010), 0);   // m=2 -> 0
  sim::Harness<Vpe_msq> msq;
  msq.model->x = static_cast<uint8_t>(-3);
  msq.model->code = 0b1001;  // -5
  msq.model->eval();
  EXPECT_EQ(static_cast<int16_t>(msq.model->prod), 15);
  sim::Harness<Vpe_qkeras> qk;
  qk.model->x = static_cast<uint8_t>(-128);
  qk.model->code = 0b1111;  // -128
  qk.model->eval();
  EXPECT_EQ(static_cast<int16_t>(qk.model->prod), 16384);
}

// The RTL METHOD index used for each verilated model (hw/CMakeLists.txt)
// must be the method's index in the generated parameter file.
TEST(RtlPe, ModelMethodIndicesMatchGeneratedParameters) {
  std::istringstream order(POTACC_HW_METHOD_ORDER);
  std::string name;
  int index = 0;
  while (std::getline(order, name, ',')) EXPECT_EQ(MethodIndex(name), index++) << name;
  EXPECT_EQ(index, static_cast<int>(quant::AllMethods().size()));
}

}  // namespace
}  // namespace potacc::hw
