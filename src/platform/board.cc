#include "potacc/platform/board.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "potacc/accel/config.h"
#include "potacc/error.h"
#include "potacc/util/file.h"
#include "potacc/util/source_tree.h"

namespace potacc::platform {
namespace {

using nlohmann::json;

enum class Kind : uint8_t { kReal, kInteger, kFlag };

// One numeric field of a board file: where it is, what it may be (hard
// plausibility limits, inclusive; anything outside is a typo or an attack,
// not a board) and where it goes (file units converted by `apply`).
struct FieldSpec {
  const char* section;
  const char* key;
  Kind kind;
  double min, max;
  void (*apply)(Board&, double);
};

// Every numeric field the board model reads, in file order. A field not in
// this table (or the text fields below) is refused: nothing is parsed and ignored.
const std::vector<FieldSpec>& FieldSpecs() {
  constexpr double kRateMin = 1e-3, kRateMax = 1e3;  // per-cycle throughputs
  static const std::vector<FieldSpec> specs = {
      {"cpu", "cores", Kind::kInteger, 1, 256, [](Board& b, double v) { b.cpu.cores = static_cast<int>(v); }},
      {"cpu", "clock_hz", Kind::kReal, 1e6, 1e10, [](Board& b, double v) { b.cpu.clock_hz = v; }},
      {"cpu", "thread_efficiency", Kind::kReal, 0, 1, [](Board& b, double v) { b.cpu.thread_efficiency = v; }},
      {"cpu", "op_overhead_cycles", Kind::kReal, 0, 1e7, [](Board& b, double v) { b.cpu.op_overhead_cycles = v; }},
      {"cpu", "conv_macs_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.cpu.conv_macs_per_cycle = v; }},
      {"cpu", "depthwise_macs_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.cpu.depthwise_macs_per_cycle = v; }},
      {"cpu", "fc_macs_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.cpu.fc_macs_per_cycle = v; }},
      {"cpu", "matmul_macs_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.cpu.matmul_macs_per_cycle = v; }},
      {"cpu", "elementwise_bytes_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.cpu.elementwise_bytes_per_cycle = v; }},
      {"cpu", "nonlinear_bytes_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.cpu.nonlinear_bytes_per_cycle = v; }},
      {"cpu", "data_movement_bytes_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.cpu.data_movement_bytes_per_cycle = v; }},
      {"host_driver", "im2col_bytes_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.host.im2col_bytes_per_cycle = v; }},
      {"host_driver", "dma_buffer_write_bytes_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.host.dma_buffer_write_bytes_per_cycle = v; }},
      {"host_driver", "dma_buffer_read_bytes_per_cycle", Kind::kReal, kRateMin, kRateMax,
       [](Board& b, double v) { b.host.dma_buffer_read_bytes_per_cycle = v; }},
      {"host_driver", "per_command_cycles", Kind::kReal, 0, 1e7,
       [](Board& b, double v) { b.host.per_command_cycles = v; }},
      {"memory", "ddr_bandwidth_bytes_per_s", Kind::kReal, 1e6, 1e13,
       [](Board& b, double v) { b.memory.ddr_bandwidth_bytes_per_s = v; }},
      {"memory", "ddr_energy_pj_per_byte", Kind::kReal, 0, 1e4,
       [](Board& b, double v) { b.memory.ddr_energy_j_per_byte = v * 1e-12; }},
      {"dma", "setup_us", Kind::kReal, 0, 1e4, [](Board& b, double v) { b.dma.setup_seconds = v * 1e-6; }},
      {"dma", "stream_bandwidth_bytes_per_s", Kind::kReal, 1e6, 1e13,
       [](Board& b, double v) { b.dma.stream_bandwidth_bytes_per_s = v; }},
      {"fpga", "clock_hz", Kind::kReal, 1e6, 2e9, [](Board& b, double v) { b.fpga_clock_hz = v; }},
      {"fpga", "accel_units", Kind::kInteger, 1, 64, [](Board& b, double v) { b.accel_units = static_cast<int>(v); }},
      {"power", "ps_idle_w", Kind::kReal, 0, 1000, [](Board& b, double v) { b.power.ps_idle_w = v; }},
      {"power", "core_active_w", Kind::kReal, 0, 100, [](Board& b, double v) { b.power.core_active_w = v; }},
      {"power", "pl_static_w", Kind::kReal, 0, 100, [](Board& b, double v) { b.power.pl_static_w = v; }},
      {"power", "cpu_only_pl_loaded", Kind::kFlag, 0, 1,
       [](Board& b, double v) { b.power.cpu_only_pl_loaded = v != 0; }},
      {"power", "dma_active_w", Kind::kReal, 0, 100, [](Board& b, double v) { b.power.dma_active_w = v; }},
      {"power", "lut_pj_per_toggle", Kind::kReal, 0, 1e4,
       [](Board& b, double v) { b.power.lut_j_per_toggle = v * 1e-12; }},
      {"power", "ff_pj_per_toggle", Kind::kReal, 0, 1e4,
       [](Board& b, double v) { b.power.ff_j_per_toggle = v * 1e-12; }},
      {"power", "ff_clock_pj_per_cycle", Kind::kReal, 0, 1e4,
       [](Board& b, double v) { b.power.ff_clock_j_per_cycle = v * 1e-12; }},
      {"power", "dsp_pj_per_op", Kind::kReal, 0, 1e4, [](Board& b, double v) { b.power.dsp_j_per_op = v * 1e-12; }},
      {"power", "bram_pj_per_access", Kind::kReal, 0, 1e4,
       [](Board& b, double v) { b.power.bram_j_per_access = v * 1e-12; }},
      {"power", "uram_pj_per_access", Kind::kReal, 0, 1e4,
       [](Board& b, double v) { b.power.uram_j_per_access = v * 1e-12; }},
      {"power", "logic_toggle_rate", Kind::kReal, 0, 1, [](Board& b, double v) { b.power.logic_toggle_rate = v; }},
      {"power", "memory_access_rate", Kind::kReal, 0, 1, [](Board& b, double v) { b.power.memory_access_rate = v; }},
  };
  return specs;
}

const char* const kSections[] = {"cpu", "host_driver", "memory", "dma", "fpga", "power"};

// Text fields (and sub-objects) each section may hold besides its numbers.
bool IsTextField(const std::string& section, const std::string& key) {
  return (section == "cpu" && key == "name") || (section == "fpga" && (key == "device" || key == "accel_board")) ||
         (section == "power" && key == "published_resources");
}

// Why a field that older board files carried is no longer read.
std::string RemovedFieldHint(const std::string& path) {
  if (path == "dma.channels")
    return " (the DMA channels are the accelerator's streams: configs/accel sets them; remove the field)";
  return "";
}

std::string PlainNumber(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

bool IsIntegral(double v) { return std::isfinite(v) && std::floor(v) == v; }

// Reads documented numbers: {"value": X, "source"|"assumption": "...", "range": [lo, hi], "range_reason": "..."}.
class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}

  [[noreturn]] void Fail(const std::string& what) const { throw Error(where_ + ": " + what); }

  const json& Section(const json& doc, const std::string& key) const {
    if (!doc.contains(key) || !doc.at(key).is_object()) Fail("missing section \"" + key + "\"");
    return doc.at(key);
  }

  BoardValue Value(const json& section, const FieldSpec& spec) const {
    BoardValue v;
    v.path = std::string(spec.section) + "." + spec.key;
    const std::string field = "field \"" + v.path + "\"";
    if (!section.contains(spec.key)) Fail("missing " + field);
    const json& item = section.at(spec.key);
    if (!item.is_object() || !item.contains("value"))
      Fail(field + " must be {\"value\": ..., \"source\"|\"assumption\": \"...\"}");
    for (const auto& [k, unused] : item.items())
      if (k != "value" && k != "source" && k != "assumption" && k != "range" && k != "range_reason" && k[0] != '_')
        Fail(field + ": \"" + k + "\" is not a known key (value, source, assumption, range, range_reason)");
    v.value = ReadValue(item.at("value"), spec, field);
    ReadNote(item, field, v);
    if (item.contains("range")) ReadRange(item, spec, field, v);
    if (!v.from_source && !v.has_range)
      Fail(field + " is an assumption without a plausible \"range\": [low, high] and its \"range_reason\"");
    return v;
  }

  // An address or size of the optional "address_map" (the device backend's
  // /dev/mem layout): a whole number, or text "0x..." (hex) or decimal, with
  // its source or assumption like every board number.
  uint64_t Address(const json& section, const std::string& path, const std::string& key) const {
    const std::string field = "field \"" + path + "." + key + "\"";
    if (!section.contains(key)) Fail("missing " + field);
    const json& item = section.at(key);
    if (!item.is_object() || !item.contains("value"))
      Fail(field + " must be {\"value\": ..., \"source\"|\"assumption\": \"...\"}");
    BoardValue note;
    ReadNote(item, field, note);
    const json& v = item.at("value");
    if (v.is_number()) {
      const double d = v.get<double>();
      if (!(d >= 0 && d < 1.8e19) || !IsIntegral(d)) Fail(field + " must be a whole number");
      return static_cast<uint64_t>(d);
    }
    if (!v.is_string()) Fail(field + ": value must be a number or text such as \"0x40400000\"");
    const std::string text = v.get<std::string>();
    size_t used = 0;
    uint64_t value = 0;
    try {
      value = std::stoull(text, &used, 0);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size() || text[0] == '-')
      Fail(field + ": \"" + text + "\" is not an address (e.g. \"0x40400000\")");
    return value;
  }

  std::string Text(const json& section, const std::string& path, const std::string& key) const {
    if (!section.contains(key) || !section.at(key).is_string())
      Fail("missing text field \"" + path + "." + key + "\"");
    return section.at(key).get<std::string>();
  }

 private:
  double ReadValue(const json& v, const FieldSpec& spec, const std::string& field) const {
    if (spec.kind == Kind::kFlag) {
      if (!v.is_boolean()) Fail(field + ": value must be true or false");
      return v.get<bool>() ? 1.0 : 0.0;
    }
    if (!v.is_number()) Fail(field + ": value must be a number");
    const double x = v.get<double>();
    CheckLimits(x, spec, field);
    return x;
  }

  void CheckLimits(double x, const FieldSpec& spec, const std::string& field) const {
    if (!(x >= spec.min && x <= spec.max))
      Fail(field + " = " + PlainNumber(x) + " is outside its plausible limits [" + PlainNumber(spec.min) + ", " + PlainNumber(spec.max) + "]");
    if (spec.kind == Kind::kInteger && !IsIntegral(x)) Fail(field + " = " + PlainNumber(x) + " must be an integer");
  }

  void ReadNote(const json& item, const std::string& field, BoardValue& v) const {
    const bool has_source = item.contains("source"), has_assumption = item.contains("assumption");
    if (has_source == has_assumption)
      Fail(field + " needs exactly one \"source\" or \"assumption\" note (every board number must say where it "
                   "comes from)");
    const json& note = item.at(has_source ? "source" : "assumption");
    if (!note.is_string() || note.get<std::string>().empty()) Fail(field + ": the note must be a non-empty text");
    v.from_source = has_source;
    v.note = note.get<std::string>();
  }

  void ReadRange(const json& item, const FieldSpec& spec, const std::string& field, BoardValue& v) const {
    const json& r = item.at("range");
    if (spec.kind == Kind::kFlag) Fail(field + ": a true/false value has no range");
    if (!r.is_array() || r.size() != 2 || !r[0].is_number() || !r[1].is_number())
      Fail(field + ": \"range\" must be [low, high]");
    v.low = r[0].get<double>();
    v.high = r[1].get<double>();
    CheckLimits(v.low, spec, field + " range low");
    CheckLimits(v.high, spec, field + " range high");
    if (!(v.low < v.high)) Fail(field + ": range [" + PlainNumber(v.low) + ", " + PlainNumber(v.high) + "] must have low < high");
    if (v.value < v.low || v.value > v.high)
      Fail(field + " = " + PlainNumber(v.value) + " lies outside its own range [" + PlainNumber(v.low) + ", " + PlainNumber(v.high) + "]");
    if (!item.contains("range_reason") || !item.at("range_reason").is_string() ||
        item.at("range_reason").get<std::string>().empty())
      Fail(field + " has a range but no \"range_reason\" (why the value may lie anywhere in it)");
    v.has_range = true;
    v.range_reason = item.at("range_reason").get<std::string>();
  }

  std::string where_;
};

// Counts of one published design: integers (BRAM in tiles, RAMB18 = 0.5).
Resources ParseResources(const json& item, const Reader& rd, const std::string& name) {
  const std::string path = "power.published_resources." + name;
  if (!item.is_object()) rd.Fail(path + " must be an object");
  for (const auto& [k, unused] : item.items())
    if (k != "lut" && k != "ff" && k != "dsp" && k != "bram" && k != "uram")
      rd.Fail(path + "." + k + " is not a known resource (lut, ff, dsp, bram, uram)");
  return ResourcesFrom([&](const char* key) -> double {
    if (!item.contains(key)) return 0.0;
    const json& v = item.at(key);
    const double x = v.is_number() ? v.get<double>() : -1;
    const double unit = std::string(key) == "bram" ? 0.5 : 1.0;
    if (!(x >= 0 && x <= 1e8) || !IsIntegral(x / unit))
      rd.Fail(path + "." + key + " must be a count in [0, 1e8]" + (unit < 1 ? " (a multiple of 0.5)" : " (an integer)"));
    return x;
  });
}

void ReadPublishedResources(const json& pw, const Reader& rd, Board& b) {
  const json& res = rd.Section(pw, "published_resources");
  for (const auto& [key, item] : res.items()) {
    if (key == "source" || key == "assumption" || key[0] == '_') continue;
    b.power.published_resources[key] = ParseResources(item, rd, key);
  }
  if (!res.contains("source") && !res.contains("assumption"))
    rd.Fail("power.published_resources has no \"source\" or \"assumption\" note");
}

// Every key of the document is read by someone: numbers (FieldSpecs), texts, notes.
void RefuseUnknownFields(const json& doc, const Reader& rd) {
  for (const auto& [key, unused] : doc.items()) {
    const bool known = key == "name" || key == "description" || key == "sources" || key == "address_map" || key[0] == '_' ||
                       std::find(std::begin(kSections), std::end(kSections), key) != std::end(kSections);
    if (!known) rd.Fail("\"" + key + "\" is not a known section");
  }
  for (const char* section : kSections) {
    for (const auto& [key, unused] : doc.at(section).items()) {
      if (key[0] == '_' || IsTextField(section, key)) continue;
      const bool numeric = std::any_of(FieldSpecs().begin(), FieldSpecs().end(), [&](const FieldSpec& s) {
        return section == std::string(s.section) && key == s.key;
      });
      const std::string path = std::string(section) + "." + key;
      if (!numeric) rd.Fail("field \"" + path + "\" is not used by the board model" + RemovedFieldHint(path));
    }
  }
  if (doc.contains("sources")) {
    const json& s = doc.at("sources");
    if (!s.is_object()) rd.Fail("\"sources\" must be an object of citations (id -> text)");
    for (const auto& [id, text] : s.items())
      if (!text.is_string()) rd.Fail("sources." + id + " must be a text");
  }
}

DeviceAddressMap ParseAddressMap(const Reader& rd, const json& m) {
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
    rd.Fail("address_map.dma_length_bits must be in [8, 26] (AXI DMA buffer length register width)");
  if (a.output_buffer_bytes + a.input_buffer_bytes > a.buffer_stride)
    rd.Fail("address_map: a channel's output + input buffers exceed buffer_stride");
  if (a.scratch_bytes == 0 || a.scratch_bytes > a.input_buffer_bytes)
    rd.Fail("address_map.scratch_bytes must be in (0, input_buffer_bytes]");
  return a;
}

}  // namespace

const BoardValue* Board::Find(const std::string& path) const {
  for (const auto& v : values)
    if (v.path == path) return &v;
  return nullptr;
}

Board BoardFromJson(const json& doc, const std::string& where) {
  Reader rd(where);
  if (!doc.is_object()) rd.Fail("a board file must be a JSON object");
  Board b;
  b.json = doc;
  b.name = rd.Text(doc, "board", "name");
  b.description = doc.value("description", "");
  for (const char* section : kSections) rd.Section(doc, section);
  b.cpu.name = doc.at("cpu").value("name", "cpu");
  for (const FieldSpec& spec : FieldSpecs()) {
    BoardValue v = rd.Value(doc.at(spec.section), spec);
    spec.apply(b, v.value);
    b.values.push_back(std::move(v));
  }
  b.accel_board = rd.Text(doc.at("fpga"), "fpga", "accel_board");
  if (doc.at("fpga").contains("device")) b.fpga_device = rd.Text(doc.at("fpga"), "fpga", "device");
  ReadPublishedResources(doc.at("power"), rd, b);
  if (doc.contains("address_map")) b.address = ParseAddressMap(rd, rd.Section(doc, "address_map"));
  RefuseUnknownFields(doc, rd);
  return b;
}

Board BoardWithValues(const Board& board, const std::map<std::string, double>& values) {
  json doc = board.json;
  for (const auto& [path, value] : values) {
    const size_t dot = path.find('.');
    const std::string section = path.substr(0, dot), key = dot == std::string::npos ? "" : path.substr(dot + 1);
    if (!board.Find(path)) throw Error("board " + board.name + ": no documented number \"" + path + "\"");
    json& item = doc[section][key];
    if (item.at("value").is_boolean()) item["value"] = value != 0;
    else item["value"] = value;
    item.erase("range");  // a study point may sit anywhere within (or beyond) the range
    item.erase("range_reason");
    if (item.contains("assumption")) {
      item.erase("assumption");
      item["source"] = "study point";
    }
  }
  Board b = BoardFromJson(doc, board.file.empty() ? board.name : board.file.string());
  b.file = board.file;
  for (auto& v : b.values)
    if (const BoardValue* orig = board.Find(v.path)) {
      const double value = v.value;
      v = *orig;
      v.value = value;
    }
  return b;
}

std::filesystem::path BoardsDir() {
  if (const char* env = std::getenv(kBoardsEnv); env && *env) return env;
  if (const char* env = std::getenv(accel::kConfigDirEnv); env && *env) return std::filesystem::path(env) / "boards";
  return SourceTreeDir() / "configs" / "boards";
}

namespace {
// Where BoardsDir() came from and how to change it, for "not found" messages.
std::string BoardsDirHint() {
  std::string origin = "source tree";
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
  const std::string text = ReadTextFile(path.string());  // refuses directories, devices, FIFOs
  json doc;
  try {
    doc = json::parse(text);
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
