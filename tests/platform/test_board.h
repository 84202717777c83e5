// A board with round numbers for hand-computed timeline tests.
#pragma once

#include <nlohmann/json.hpp>

#include "potacc/error.h"
#include "potacc/platform/board.h"

namespace potacc::platform::boards_for_tests {

inline nlohmann::json N(double v) { return {{"value", v}, {"source", "test"}}; }
// An assumption with its plausible range.
inline nlohmann::json R(double v, double low, double high) {
  return {{"value", v}, {"assumption", "test"}, {"range", {low, high}}, {"range_reason", "test"}};
}

inline nlohmann::json TestBoardJson() {
  using nlohmann::json;
  json cpu = {{"name", "test cpu"},
              {"cores", N(2)},
              {"clock_hz", N(1e9)},
              {"thread_efficiency", N(0.5)},
              {"op_overhead_cycles", N(1000)},
              {"conv_macs_per_cycle", N(4)},
              {"depthwise_macs_per_cycle", N(1)},
              {"fc_macs_per_cycle", N(2)},
              {"matmul_macs_per_cycle", N(4)},
              {"elementwise_bytes_per_cycle", N(0.5)},
              {"nonlinear_bytes_per_cycle", N(0.25)},
              {"data_movement_bytes_per_cycle", N(2)}};
  json host = {{"im2col_bytes_per_cycle", N(1)},
               {"dma_buffer_write_bytes_per_cycle", N(0.5)},
               {"dma_buffer_read_bytes_per_cycle", N(0.25)},
               {"per_command_cycles", N(100)}};
  json memory = {{"ddr_bandwidth_bytes_per_s", N(4e9)}, {"ddr_energy_pj_per_byte", N(100)}};
  json dma = {{"setup_us", N(1)}, {"stream_bandwidth_bytes_per_s", N(4e9)}};
  json fpga = {{"device", "test"}, {"clock_hz", N(100e6)}, {"accel_units", N(4)}, {"accel_board", "pynq-z2"}};
  json power = {{"ps_idle_w", N(1.0)},
                {"core_active_w", N(0.5)},
                {"pl_static_w", N(0.1)},
                {"cpu_only_pl_loaded", {{"value", true}, {"source", "test"}}},
                {"dma_active_w", N(0.1)},
                {"lut_pj_per_toggle", N(1)},
                {"ff_pj_per_toggle", N(0.5)},
                {"ff_clock_pj_per_cycle", N(0.1)},
                {"dsp_pj_per_op", N(10)},
                {"bram_pj_per_access", N(20)},
                {"uram_pj_per_access", N(40)},
                {"logic_toggle_rate", N(0.25)},
                {"memory_access_rate", N(0.5)},
                {"published_resources",
                 {{"source", "test"},
                  {"int8", {{"lut", 1000}, {"ff", 2000}, {"dsp", 10}, {"bram", 5}, {"uram", 1}}},
                  {"qkeras", {{"lut", 600}, {"ff", 1800}, {"dsp", 8}, {"bram", 5}, {"uram", 1}}}}}};
  return {{"name", "test-board"}, {"cpu", cpu},   {"host_driver", host}, {"memory", memory},
          {"dma", dma},           {"fpga", fpga}, {"power", power}};
}

inline Board TestBoard() { return BoardFromJson(TestBoardJson(), "test-board"); }

// The loader's error for a board document ("" if it loads).
inline std::string BoardErrorOf(const nlohmann::json& doc) {
  try {
    BoardFromJson(doc, "b.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace potacc::testing
