#include "potacc/hw/fpga_target.h"

#include <algorithm>
#include <cctype>

#include "potacc/error.h"
#include "potacc/platform/board.h"
#include "potacc/platform/resource_model.h"

namespace potacc::hw {
namespace {


}  // namespace

std::string YosysFamilyOf(const std::string& device) {
  std::string d = device;
  std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (d.starts_with("xc7")) return "xc7";
  if (d.starts_with("xck26") || d.starts_with("xck24") || d.starts_with("xczu") || d.starts_with("xcau") ||
      d.starts_with("xcku") || d.starts_with("xcvu"))
    return "xcup";
  throw Error("FPGA device '" + device + "': no Yosys family known for it (xc7*, xczu*/xck26* UltraScale+)");
}

FpgaTarget FpgaTargetOf(const accel::AcceleratorConfig& config) {
  FpgaTarget t;
  t.board = config.board;
  t.device = "unknown";
  t.family = "xc7";
  const std::vector<std::string> boards = platform::ShippedBoards();
  if (std::find(boards.begin(), boards.end(), config.board) == boards.end()) return t;
  const platform::Board board = platform::LoadBoard(config.board);
  if (board.fpga_device.empty()) return t;
  t.device = board.fpga_device;
  t.family = YosysFamilyOf(board.fpga_device);
  // Capacities live once, in configs/devices.json (the resource model's file).
  const platform::Resources cap = platform::DeviceOfBoard(board).capacity;
  t.luts = static_cast<int>(cap.lut);
  t.bram36 = static_cast<int>(cap.bram);
  t.dsps = static_cast<int>(cap.dsp);
  t.urams = static_cast<int>(cap.uram);
  t.uram = t.family == "xcup" && t.urams > 0;
  return t;
}

}  // namespace potacc::hw
