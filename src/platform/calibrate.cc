#include "potacc/platform/calibrate.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "potacc/error.h"
#include "potacc/platform/timeline.h"
#include "potacc/platform/workload.h"

namespace potacc::platform {
namespace {

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> SplitComma(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(Trim(cell));
  return out;
}

int NodeFromName(const std::string& name) {
  const auto colon = name.rfind(':');
  if (colon == std::string::npos || colon + 1 >= name.size()) return -1;
  int v = 0;
  for (size_t i = colon + 1; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
    v = v * 10 + (name[i] - '0');
    if (v > 10'000'000) return -1;
  }
  return v;
}

struct Section {
  std::string title;
  std::vector<ProfileRow> rows;
};

// Field names of the cost model per class.
const char* RateField(OpClass c) {
  switch (c) {
    case OpClass::kConv: return "conv_macs_per_cycle";
    case OpClass::kDepthwise: return "depthwise_macs_per_cycle";
    case OpClass::kFullyConnected: return "fc_macs_per_cycle";
    case OpClass::kMatMul: return "matmul_macs_per_cycle";
    case OpClass::kElementwise: return "elementwise_bytes_per_cycle";
    case OpClass::kNonlinear: return "nonlinear_bytes_per_cycle";
    case OpClass::kDataMovement: return "data_movement_bytes_per_cycle";
  }
  return "";
}

double Work(const NodeWork& n) {
  switch (n.op_class) {
    case OpClass::kConv:
    case OpClass::kDepthwise:
    case OpClass::kFullyConnected:
    case OpClass::kMatMul: return static_cast<double>(n.macs);
    default: return static_cast<double>(n.bytes);
  }
}

void SetRate(CpuCostModel& cpu, OpClass c, double v) {
  switch (c) {
    case OpClass::kConv: cpu.conv_macs_per_cycle = v; break;
    case OpClass::kDepthwise: cpu.depthwise_macs_per_cycle = v; break;
    case OpClass::kFullyConnected: cpu.fc_macs_per_cycle = v; break;
    case OpClass::kMatMul: cpu.matmul_macs_per_cycle = v; break;
    case OpClass::kElementwise: cpu.elementwise_bytes_per_cycle = v; break;
    case OpClass::kNonlinear: cpu.nonlinear_bytes_per_cycle = v; break;
    case OpClass::kDataMovement: cpu.data_movement_bytes_per_cycle = v; break;
  }
}

std::string ModelName(const ProfiledModel& p) { return p.model_name.empty() ? "the model" : p.model_name; }

// The model node of each profile row (-1: the row does not fit the model).
// A row whose name carries a node index must name that node's operator; rows
// without an index take the next node of their operator type. Throws when the
// profile clearly belongs to another model (a fit would give absurd rates).
std::vector<int> MatchRows(const ProfiledModel& p, const Workload& w, std::vector<std::string>& notes) {
  const int nodes = static_cast<int>(w.nodes.size());
  std::vector<int> node_of_row(p.rows.size(), -1);
  std::vector<int> row_of_node(nodes, -1);
  std::map<std::string, int> next_of_type;  // order matching when names carry no index
  int mismatched = 0;
  std::string first_mismatch;
  for (size_t r = 0; r < p.rows.size(); ++r) {
    const ProfileRow& row = p.rows[r];
    // Rows are numbered from 1 as a reader counts them in the per-operator table.
    const std::string where = "row " + std::to_string(r + 1) + " (" + row.name + "): ";
    std::string problem;
    int node = -1;
    if (row.node >= 0) {
      if (row.node >= nodes)
        problem = where + row.node_type + " at node " + std::to_string(row.node) + " in the profile, but " +
                  ModelName(p) + " has only " + std::to_string(nodes) + " nodes";
      else if (w.nodes[row.node].op != row.node_type)
        problem = where + row.node_type + " in the profile, " + w.nodes[row.node].op + " at node " +
                  std::to_string(row.node) + " of " + ModelName(p);
      else
        node = row.node;
    } else {
      int& start = next_of_type[row.node_type];
      for (int i = start; i < nodes; ++i)
        if (w.nodes[i].op == row.node_type && row_of_node[i] < 0) {
          node = i;
          start = i + 1;
          break;
        }
      if (node < 0) problem = where + row.node_type + " in the profile, no unmatched " + row.node_type +
                              " node left in " + ModelName(p);
    }
    if (node >= 0 && row_of_node[node] >= 0) {
      problem = where + "node " + std::to_string(node) + " was already matched by row " +
                std::to_string(row_of_node[node] + 1);
      node = -1;
    }
    if (node < 0) {
      ++mismatched;
      if (first_mismatch.empty()) first_mismatch = problem;
      notes.push_back(p.name + ": skipped " + problem);
      continue;
    }
    node_of_row[r] = node;
    row_of_node[node] = static_cast<int>(r);
  }
  const int rows = static_cast<int>(p.rows.size());
  const int unmatched_nodes = static_cast<int>(std::count(row_of_node.begin(), row_of_node.end(), -1));
  const bool too_many_bad_rows = mismatched > kMaxMismatchedRowShare * rows;
  const bool too_many_missing_nodes = unmatched_nodes > kMaxUnmatchedNodeShare * nodes;
  if (too_many_bad_rows || too_many_missing_nodes) {
    std::string msg = "calibrate: profile " + p.name + " does not fit " + ModelName(p) + ": " +
                      std::to_string(mismatched) + " of " + std::to_string(rows) +
                      " rows do not match the model's nodes, " + std::to_string(unmatched_nodes) + " of " +
                      std::to_string(nodes) + " model nodes have no row";
    if (!first_mismatch.empty()) msg += "; first mismatch: " + first_mismatch;
    msg += " (profile the same .tflite given to --model, without delegates: --use_xnnpack=false)";
    throw Error(msg);
  }
  return node_of_row;
}

// Refuses fitted values no real CPU has: they mean the profile does not
// describe the model/threads given (or its times are corrupt).
void CheckPlausible(const std::string& field, double value, double lo, double hi, const std::string& sources) {
  if (std::isfinite(value) && value >= lo && value <= hi) return;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s = %.6g is outside the plausible range [%g, %g]", field.c_str(), value, lo,
                hi);
  throw Error("calibrate: the fit of" + sources + " gives " + buf +
              "; check that each --profile was measured on its --model with the given --threads");
}

}  // namespace

std::vector<ProfileRow> ParseBenchmarkProfile(const std::string& text, const std::string& where) {
  std::vector<Section> sections;
  std::string title;
  bool in_table = false;
  int col_type = -1, col_avg = -1, col_name = -1, col_device = -1;
  std::stringstream ss(text);
  std::string raw;
  while (std::getline(ss, raw)) {
    const std::string line = Trim(raw);
    if (line.rfind("====", 0) == 0) {
      title = Trim(line.substr(0, line.size()));
      const auto a = title.find_first_not_of("= ");
      const auto b = title.find_last_not_of("= ");
      title = a == std::string::npos ? "" : title.substr(a, b - a + 1);
      in_table = false;
      continue;
    }
    if (line.empty()) {
      in_table = false;
      continue;
    }
    const auto cells = SplitComma(line);
    if (!cells.empty() && cells[0] == "node type") {
      col_type = 0;
      col_avg = col_name = col_device = -1;
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "device") col_device = static_cast<int>(i);
        if (cells[i] == "avg_ms" || cells[i] == "avg ms") col_avg = static_cast<int>(i);
        if (cells[i] == "name" || cells[i] == "Name") col_name = static_cast<int>(i);
      }
      in_table = col_avg >= 0 && col_name >= 0;  // per-node tables only (not "Summary by node type")
      if (in_table) sections.push_back({title, {}});
      continue;
    }
    if (!in_table) continue;
    if (static_cast<int>(cells.size()) <= std::max(col_avg, col_type)) continue;
    ProfileRow r;
    r.node_type = cells[col_type];
    try {
      r.avg_ms = std::stod(cells[col_avg]);
    } catch (const std::exception&) {
      throw Error(where + ": bad avg_ms value \"" + cells[col_avg] + "\" in line: " + line);
    }
    // The name is the last column; TFLite replaced commas inside it by tabs.
    std::string name;
    for (size_t i = col_name; i < cells.size(); ++i) name += (i > static_cast<size_t>(col_name) ? "," : "") + cells[i];
    r.name = name;
    r.node = NodeFromName(name);
    if (col_device >= 0 && col_device < col_name) r.device = cells[col_device];
    sections.back().rows.push_back(std::move(r));
  }
  // Prefer the last "Run Order" section (the regular runs follow the init phase).
  const Section* best = nullptr;
  for (const auto& s : sections)
    if (s.title.find("Run Order") != std::string::npos && !s.rows.empty()) best = &s;
  if (!best)
    for (const auto& s : sections)
      if (!s.rows.empty()) {
        best = &s;
        break;
      }
  if (!best)
    throw Error(where + ": no per-operator rows found (expected benchmark_model --enable_op_profiling=true "
                        "--op_profiling_output_mode=csv output with a \"node type, ..., avg_ms, ..., name\" header)");
  return best->rows;
}

CalibrationResult Calibrate(const Board& board, const std::vector<ProfiledModel>& profiles) {
  Check(!profiles.empty(), "calibrate: no profile given");
  CalibrationResult result;
  result.board = board;
  struct Point {
    OpClass cls;
    double work;     // MACs or bytes
    double speedup;  // thread speed-up applied to the work term
    double seconds;
    size_t sample;
  };
  std::vector<Point> points;
  int accel_rows = 0;
  double accel_ms = 0;
  for (const ProfiledModel& p : profiles) {
    Check(p.model != nullptr, "calibrate: profile " + p.name + " has no model");
    const Workload w = CpuWorkload(*p.model, p.name);
    const std::vector<int> node_of_row = MatchRows(p, w, result.notes);
    for (size_t r = 0; r < p.rows.size(); ++r) {
      const ProfileRow& row = p.rows[r];
      const int node = node_of_row[r];
      if (node < 0) continue;
      if (row.accelerated()) {  // an accelerator call, not CPU work
        ++accel_rows;
        accel_ms += row.avg_ms;
        continue;
      }
      const NodeWork& n = w.nodes[node];
      CalibrationSample s;
      s.model = p.name;
      s.node = node;
      s.op = n.op;
      s.op_class = OpClassName(n.op_class);
      s.measured_ms = row.avg_ms;
      s.work = Work(n);
      s.predicted_before_ms = CpuNodeSeconds(board.cpu, n, p.threads) * 1e3;
      result.samples.push_back(s);
      points.push_back({n.op_class, s.work,
                        IsMultithreaded(n.op_class) ? ThreadSpeedup(board.cpu, p.threads) : 1.0,
                        row.avg_ms * 1e-3, result.samples.size() - 1});
    }
  }
  Check(!points.empty(), accel_rows > 0 ? "calibrate: every matched row is an accelerator call: no CPU operator to fit"
                                         : "calibrate: no profile row matched a node of the model(s)");
  if (accel_rows > 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "%d accelerator calls (%.3f ms in total) matched their nodes; the CPU fit uses the %zu CPU "
                  "operator rows (host_driver and dma fields are kept)",
                  accel_rows, accel_ms, points.size());
    result.notes.push_back(buf);
  }

  // Alternating least squares: t = o + w / (s * r_c * f). a_c = 1 / (r_c * f) per class, o shared.
  const double f = board.cpu.clock_hz;
  std::map<OpClass, double> a;
  double o = 0;
  for (int iter = 0; iter < 100; ++iter) {
    std::map<OpClass, std::pair<double, double>> acc;  // sum x*y, sum x*x
    for (const auto& pt : points) {
      const double x = pt.work / pt.speedup;
      acc[pt.cls].first += x * (pt.seconds - o);
      acc[pt.cls].second += x * x;
    }
    for (const auto& [cls, s] : acc)
      if (s.second > 0) a[cls] = std::max(s.first / s.second, 1e-18);
    double sum = 0;
    for (const auto& pt : points) sum += pt.seconds - a[pt.cls] * pt.work / pt.speedup;
    o = std::max(0.0, sum / points.size());
  }
  // A class whose operators all run within the per-operator overhead carries
  // no information about its rate (the fit pins it to the floor): keep the
  // board's value rather than report an absurd one.
  std::set<OpClass> unidentified;
  for (auto it = a.begin(); it != a.end();) {
    if (it->second > 1e-17) {
      ++it;
      continue;
    }
    result.notes.push_back(std::string("the ") + OpClassName(it->first) +
                           " operators' times lie within the per-operator overhead: cpu." + RateField(it->first) +
                           " kept (profile larger ones to fit it)");
    unidentified.insert(it->first);
    it = a.erase(it);
  }
  CpuCostModel& cpu = result.board.cpu;
  std::string source = "calibrated by potacc calibrate from";
  for (const auto& p : profiles) source += " " + p.name + " (" + std::to_string(p.threads) + " threads)";
  std::string sources;
  for (const auto& p : profiles) sources += " " + p.name + " (" + ModelName(p) + ")";
  CheckPlausible("cpu.op_overhead_cycles", o * f, 0, kMaxPlausibleOverheadCycles, sources);
  for (const auto& [cls, inv] : a)
    CheckPlausible(std::string("cpu.") + RateField(cls), 1.0 / (inv * f), kMinPlausibleRate, kMaxPlausibleRate,
                   sources);
  cpu.op_overhead_cycles = o * f;
  result.fitted["cpu.op_overhead_cycles"] = cpu.op_overhead_cycles;
  SetBoardValue(result.board.json, "cpu.op_overhead_cycles", cpu.op_overhead_cycles, source);
  for (OpClass cls : {OpClass::kConv, OpClass::kDepthwise, OpClass::kFullyConnected, OpClass::kMatMul,
                      OpClass::kElementwise, OpClass::kNonlinear, OpClass::kDataMovement}) {
    auto it = a.find(cls);
    if (it == a.end()) {
      if (unidentified.count(cls)) continue;  // already noted above
      result.notes.push_back(std::string("no samples for ") + OpClassName(cls) + ": cpu." + RateField(cls) +
                             " kept");
      continue;
    }
    const double rate = 1.0 / (it->second * f);
    SetRate(cpu, cls, rate);
    result.fitted[std::string("cpu.") + RateField(cls)] = rate;
    SetBoardValue(result.board.json, std::string("cpu.") + RateField(cls), rate, source);
  }
  // Errors of the whole-model CPU time, before and after.
  std::map<std::string, std::array<double, 3>> totals;  // measured, before, after
  std::map<std::string, std::pair<const ProfiledModel*, Workload>> workloads;  // computed once per model
  for (const auto& q : profiles) workloads.insert_or_assign(q.name, std::make_pair(&q, CpuWorkload(*q.model, q.name)));
  for (CalibrationSample& s : result.samples) {
    const auto& [p, work] = workloads.at(s.model);
    const NodeWork& n = work.nodes[s.node];
    s.predicted_after_ms = CpuNodeSeconds(cpu, n, p->threads) * 1e3;
    auto& t = totals[s.model];
    t[0] += s.measured_ms;
    t[1] += s.predicted_before_ms;
    t[2] += s.predicted_after_ms;
  }
  for (const auto& [name, t] : totals) {
    result.mean_abs_error_before += std::fabs(t[1] - t[0]) / t[0] / totals.size();
    result.mean_abs_error_after += std::fabs(t[2] - t[0]) / t[0] / totals.size();
  }
  result.board.json["name"] = board.name + "-calibrated";
  result.board.name = board.name + "-calibrated";
  return result;
}

std::string FormatProfileCsv(const std::vector<ProfileCsvRow>& rows) {
  double total = 0;
  bool devices = false;
  for (const auto& r : rows) {
    total += r.avg_ms;
    devices |= !r.device.empty();
  }
  std::string out = "Operator-wise Profiling Info for Regular Benchmark Runs:\n";
  out += "============================== Run Order ==============================\n";
  out += std::string("node type, first, avg_ms, %, cdf%, mem KB, times called, ") + (devices ? "device, " : "") +
         "name\n";
  double cdf = 0;
  char buf[512];
  for (const auto& r : rows) {
    cdf += r.avg_ms;
    const double share = total > 0 ? 100 * r.avg_ms / total : 0, cum = total > 0 ? 100 * cdf / total : 0;
    std::snprintf(buf, sizeof buf, "%s, %.3f, %.3f, %.3f%%, %.3f%%, 0.000, %d, %s%s%s\n", r.node_type.c_str(),
                  r.first_ms, r.avg_ms, share, cum, r.times_called, devices ? r.device.c_str() : "",
                  devices ? ", " : "", r.name.c_str());
    out += buf;
  }
  out += "\n============================== Summary by node type ==============================\n";
  out += "node type, count, avg_ms, avg %, cdf %, mem KB, times called\n";
  return out;
}

std::string FormatBenchmarkProfile(const Board& board, const Model& model, int threads) {
  const Workload w = CpuWorkload(model, "model");
  std::vector<ProfileCsvRow> rows;
  for (size_t i = 0; i < w.nodes.size(); ++i) {
    const double ms = CpuNodeSeconds(board.cpu, w.nodes[i], threads) * 1e3;
    const Tensor& t = model.main().tensors.at(model.main().operators[i].outputs.at(0));
    rows.push_back({w.nodes[i].op, ms, ms, 1, "", "[" + t.name + "]:" + std::to_string(i)});
  }
  return FormatProfileCsv(rows);
}

}  // namespace potacc::platform
