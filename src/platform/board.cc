#include "potacc/platform/board.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "potacc/accel/config.h"
#include "potacc/error.h"
#include "potacc/util/source_tree.h"

namespace potacc::platform {
namespace {

using nlohmann::json;

// Reads documented numbers: {"value": X, "source"|"assumption": "..."}.
class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}

  const json& Section(const json& doc, const std::string& key) const {
    if (!doc.contains(key) || !doc.at(key).is_object())
      throw Error(where_ + ": missing section \"" + key + "\"");
    return doc.at(key);
  }

  double Number(const json& section, const std::string& path, const std::string& key,
                double min_exclusive = -1e300) const {
    const std::string field = path + "." + key;
    const json& item = Item(section, path, key);
    const json& v = item.at("value");
    double value = 0;
    if (v.is_boolean()) {
      value = v.get<bool>() ? 1.0 : 0.0;
    } else if (v.is_number()) {
      value = v.get<double>();
    } else {
      throw Error(where_ + ": field \"" + field + "\": value must be a number");
    }
    if (!(value > min_exclusive))
      throw Error(where_ + ": field \"" + field + "\" = " + std::to_string(value) +
                  " is out of range");
    return value;
  }

  // {"value": ..., "source"|"assumption": "..."} of `key`, with its note checked.
  const json& Item(const json& section, const std::string& path, const std::string& key) const {
    const std::string field = path + "." + key;
    if (!section.contains(key)) throw Error(where_ + ": missing field \"" + field + "\"");
    const json& item = section.at(key);
    if (!item.is_object() || !item.contains("value"))
      throw Error(where_ + ": field \"" + field +
                  "\" must be {\"value\": ..., \"source\"|\"assumption\": \"...\"}");
    const bool has_note = (item.contains("source") && item.at("source").is_string()) ||
                          (item.contains("assumption") && item.at("assumption").is_string());
    if (!has_note)
      throw Error(where_ + ": field \"" + field +
                  "\" has no \"source\" or \"assumption\" note (every board number must say where it comes from)");
    return item;
  }

  double Positive(const json& s, const std::string& path, const std::string& key) const {
    return Number(s, path, key, 0.0);
  }
  double NonNegative(const json& s, const std::string& path, const std::string& key) const {
    const double v = Number(s, path, key);
    if (v < 0) throw Error(where_ + ": field \"" + path + "." + key + "\" must not be negative");
    return v;
  }

  // An address or size: a whole number, or text "0x..." (hex) or decimal.
  uint64_t Address(const json& section, const std::string& path, const std::string& key) const {
    const std::string field = path + "." + key;
    const json& v = Item(section, path, key).at("value");
    if (!v.is_string()) {
      const double d = NonNegative(section, path, key);
      if (d != static_cast<double>(static_cast<uint64_t>(d)))
        throw Error(where_ + ": field \"" + field + "\" must be a whole number");
      return static_cast<uint64_t>(d);
    }
    const std::string text = v.get<std::string>();
    size_t used = 0;
    uint64_t value = 0;
    try {
      value = std::stoull(text, &used, 0);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size() || text[0] == '-')
      throw Error(where_ + ": field \"" + field + "\": \"" + text + "\" is not an address (e.g. \"0x40400000\")");
    return value;
  }

  std::string Text(const json& section, const std::string& path, const std::string& key) const {
    if (!section.contains(key) || !section.at(key).is_string())
      throw Error(where_ + ": missing text field \"" + path + "." + key + "\"");
    return section.at(key).get<std::string>();
  }

 private:
  std::string where_;
};

Resources ParseResources(const json& item, const std::string& where, const std::string& name) {
  return ResourcesFrom([&](const char* key) -> double {
    if (!item.contains(key)) return 0.0;
    if (!item.at(key).is_number() || item.at(key).get<double>() < 0)
      throw Error(where + ": power.published_resources." + name + "." + key +
                  " must be a non-negative number");
    return item.at(key).get<double>();
  });
}

DeviceAddressMap ParseAddressMap(const Reader& rd, const json& m, const std::string& where) {
  const std::string p = "address_map";
  DeviceAddressMap a;
  a.present = true;
  a.accel_ctrl = rd.Address(m, p, "accel_ctrl");
  a.accel_ctrl_bytes = rd.Address(m, p, "accel_ctrl_bytes");
  a.dma_base = rd.Address(m, p, "dma_base");
  a.dma_stride = rd.Address(m, p, "dma_stride");
  a.dma_length_bits = static_cast<int>(rd.Address(m, p, "dma_length_bits"));
  a.buffer_base = rd.Address(m, p, "buffer_base");
  a.buffer_stride = rd.Address(m, p, "buffer_stride");
  a.output_buffer_bytes = rd.Address(m, p, "output_buffer_bytes");
  a.input_buffer_bytes = rd.Address(m, p, "input_buffer_bytes");
  a.scratch_bytes = rd.Address(m, p, "scratch_bytes");
  if (a.dma_length_bits < 8 || a.dma_length_bits > 26)
    throw Error(where + ": address_map.dma_length_bits must be in [8, 26] (AXI DMA buffer length register width)");
  if (a.output_buffer_bytes + a.input_buffer_bytes > a.buffer_stride)
    throw Error(where + ": address_map: a channel's output + input buffers exceed buffer_stride");
  if (a.scratch_bytes == 0 || a.scratch_bytes > a.input_buffer_bytes)
    throw Error(where + ": address_map.scratch_bytes must be in (0, input_buffer_bytes]");
  return a;
}

}  // namespace

Board BoardFromJson(const json& doc, const std::string& where) {
  if (!doc.is_object()) throw Error(where + ": a board file must be a JSON object");
  Reader rd(where);
  Board b;
  b.json = doc;
  b.name = rd.Text(doc, "board", "name");
  b.description = doc.value("description", "");

  const json& cpu = rd.Section(doc, "cpu");
  b.cpu.name = cpu.value("name", "cpu");
  b.cpu.cores = static_cast<int>(rd.Positive(cpu, "cpu", "cores"));
  b.cpu.clock_hz = rd.Positive(cpu, "cpu", "clock_hz");
  b.cpu.thread_efficiency = rd.NonNegative(cpu, "cpu", "thread_efficiency");
  b.cpu.op_overhead_cycles = rd.NonNegative(cpu, "cpu", "op_overhead_cycles");
  b.cpu.conv_macs_per_cycle = rd.Positive(cpu, "cpu", "conv_macs_per_cycle");
  b.cpu.depthwise_macs_per_cycle = rd.Positive(cpu, "cpu", "depthwise_macs_per_cycle");
  b.cpu.fc_macs_per_cycle = rd.Positive(cpu, "cpu", "fc_macs_per_cycle");
  b.cpu.elementwise_bytes_per_cycle = rd.Positive(cpu, "cpu", "elementwise_bytes_per_cycle");
  b.cpu.data_movement_bytes_per_cycle = rd.Positive(cpu, "cpu", "data_movement_bytes_per_cycle");
  if (b.cpu.thread_efficiency > 1.0)
    throw Error(where + ": field \"cpu.thread_efficiency\" must be in [0, 1]");

  const json& host = rd.Section(doc, "host_driver");
  b.host.im2col_bytes_per_cycle = rd.Positive(host, "host_driver", "im2col_bytes_per_cycle");
  b.host.dma_buffer_write_bytes_per_cycle =
      rd.Positive(host, "host_driver", "dma_buffer_write_bytes_per_cycle");
  b.host.dma_buffer_read_bytes_per_cycle =
      rd.Positive(host, "host_driver", "dma_buffer_read_bytes_per_cycle");
  b.host.per_command_cycles = rd.NonNegative(host, "host_driver", "per_command_cycles");

  const json& mem = rd.Section(doc, "memory");
  b.memory.ddr_bandwidth_bytes_per_s = rd.Positive(mem, "memory", "ddr_bandwidth_bytes_per_s");
  b.memory.ddr_energy_j_per_byte = rd.NonNegative(mem, "memory", "ddr_energy_pj_per_byte") * 1e-12;

  const json& dma = rd.Section(doc, "dma");
  b.dma.channels = static_cast<int>(rd.Positive(dma, "dma", "channels"));
  b.dma.setup_seconds = rd.NonNegative(dma, "dma", "setup_us") * 1e-6;
  b.dma.stream_bandwidth_bytes_per_s = rd.Positive(dma, "dma", "stream_bandwidth_bytes_per_s");

  const json& fpga = rd.Section(doc, "fpga");
  b.fpga_clock_hz = rd.Positive(fpga, "fpga", "clock_hz");
  b.accel_units = static_cast<int>(rd.Positive(fpga, "fpga", "accel_units"));
  b.accel_board = rd.Text(fpga, "fpga", "accel_board");

  const json& pw = rd.Section(doc, "power");
  b.power.ps_idle_w = rd.NonNegative(pw, "power", "ps_idle_w");
  b.power.core_active_w = rd.NonNegative(pw, "power", "core_active_w");
  b.power.pl_static_w = rd.NonNegative(pw, "power", "pl_static_w");
  b.power.cpu_only_pl_loaded = rd.Number(pw, "power", "cpu_only_pl_loaded") != 0.0;
  b.power.dma_active_w = rd.NonNegative(pw, "power", "dma_active_w");
  b.power.lut_j_per_toggle = rd.NonNegative(pw, "power", "lut_pj_per_toggle") * 1e-12;
  b.power.ff_j_per_toggle = rd.NonNegative(pw, "power", "ff_pj_per_toggle") * 1e-12;
  b.power.ff_clock_j_per_cycle = rd.NonNegative(pw, "power", "ff_clock_pj_per_cycle") * 1e-12;
  b.power.dsp_j_per_op = rd.NonNegative(pw, "power", "dsp_pj_per_op") * 1e-12;
  b.power.bram_j_per_access = rd.NonNegative(pw, "power", "bram_pj_per_access") * 1e-12;
  b.power.uram_j_per_access = rd.NonNegative(pw, "power", "uram_pj_per_access") * 1e-12;
  b.power.logic_toggle_rate = rd.NonNegative(pw, "power", "logic_toggle_rate");
  b.power.memory_access_rate = rd.NonNegative(pw, "power", "memory_access_rate");
  if (b.power.logic_toggle_rate > 1 || b.power.memory_access_rate > 1)
    throw Error(where + ": power.logic_toggle_rate and power.memory_access_rate must be in [0, 1]");
  const json& res = rd.Section(pw, "published_resources");
  for (const auto& [key, item] : res.items()) {
    if (key == "source" || key == "assumption") continue;
    if (!item.is_object())
      throw Error(where + ": power.published_resources." + key + " must be an object");
    b.power.published_resources[key] = ParseResources(item, where, key);
  }
  if (!res.contains("source") && !res.contains("assumption"))
    throw Error(where + ": power.published_resources has no \"source\" or \"assumption\" note");
  if (doc.contains("address_map")) b.address = ParseAddressMap(rd, rd.Section(doc, "address_map"), where);
  return b;
}

std::filesystem::path BoardsDir() {
  if (const char* env = std::getenv(kBoardsEnv); env && *env) return env;
  if (const char* env = std::getenv(accel::kConfigDirEnv); env && *env) return std::filesystem::path(env) / "boards";
  return std::filesystem::path(CompiledSourceDir()) / "configs" / "boards";
}

namespace {
// Where BoardsDir() came from and how to change it, for "not found" messages.
std::string BoardsDirHint() {
  std::string origin = "compiled-in source tree";
  if (const char* env = std::getenv(kBoardsEnv); env && *env)
    origin = std::string("from ") + kBoardsEnv;
  else if (const char* env = std::getenv(accel::kConfigDirEnv); env && *env)
    origin = std::string("from ") + accel::kConfigDirEnv;
  return "board folder " + BoardsDir().string() + " (" + origin + "); set " + kBoardsEnv +
         " to a folder of board files, or " + accel::kConfigDirEnv + " to a folder holding boards/";
}
}  // namespace

std::vector<std::string> ShippedBoards() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(BoardsDir(), ec)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Board LoadBoard(const std::string& name_or_path) {
  std::filesystem::path path(name_or_path);
  const bool looks_like_path =
      path.has_parent_path() || path.extension() == ".json" || std::filesystem::exists(path);
  if (!looks_like_path) path = BoardsDir() / (name_or_path + ".json");
  if (!std::filesystem::exists(path)) {
    std::string known;
    for (const auto& n : ShippedBoards()) known += (known.empty() ? "" : ", ") + n;
    throw Error("board \"" + name_or_path + "\" not found (" + path.string() +
                "); shipped boards: " + (known.empty() ? "none" : known) +
                (looks_like_path ? std::string() : "; " + BoardsDirHint()));
  }
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open board file");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(path.string() + ": not valid JSON: " + e.what());
  }
  Board b = BoardFromJson(doc, path.string());
  b.file = path;
  return b;
}

void CheckAcceleratorFitsBoard(const accel::AcceleratorConfig& config, const Board& board) {
  if (config.clock_hz != board.fpga_clock_hz || config.units != board.accel_units)
    throw Error("accelerator " + config.name + " (" + std::to_string(config.units) + " units @ " +
                std::to_string(config.clock_hz / 1e6) + " MHz) does not match board " + board.name + " (fpga: " +
                std::to_string(board.accel_units) + " units @ " + std::to_string(board.fpga_clock_hz / 1e6) +
                " MHz); compose the configuration for the board instead");
}

void SetBoardValue(json& doc, const std::string& dotted_path, double value,
                   const std::string& source) {
  json* node = &doc;
  std::stringstream ss(dotted_path);
  std::string part;
  std::vector<std::string> parts;
  while (std::getline(ss, part, '.')) parts.push_back(part);
  Check(!parts.empty(), "empty board field path");
  for (size_t i = 0; i + 1 < parts.size(); ++i) node = &(*node)[parts[i]];
  (*node)[parts.back()] = json{{"value", value}, {"source", source}};
}

}  // namespace potacc::platform
