#include "potacc/hw/hw_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "potacc/error.h"
#include "potacc/quant/method.h"

namespace potacc::hw {
namespace {

// Column-aligned text table (first column left-aligned, the rest right).
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const {
    std::vector<size_t> width;
    for (const auto& row : rows_) {
      width.resize(std::max(width.size(), row.size()), 0);
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    std::ostringstream os;
    for (size_t r = 0; r < rows_.size(); ++r) {
      std::string line;
      for (size_t c = 0; c < rows_[r].size(); ++c) {
        const std::string& cell = rows_[r][c];
        const std::string pad(width[c] - cell.size(), ' ');
        line += (c == 0 ? "" : "  ") + (c == 0 ? cell + pad : pad + cell);
      }
      os << "  " << line << "\n";
      if (r == 0) {
        size_t total = 0;
        for (size_t w : width) total += w + 2;
        os << "  " << std::string(total - 2, '-') << "\n";
      }
    }
    return os.str();
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
std::string Percent(double fraction) { return (fraction >= 0 ? "+" : "") + Fixed(100 * fraction, 0) + " %"; }
std::string Int(int v) { return std::to_string(v); }
std::string Thousands(double v) { return Fixed(v / 1000.0, 1) + "k"; }

std::string LutSizes(const SynthFigures& f) {
  std::string s;
  for (const char* size : {"LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6"}) {
    auto it = f.lut_by_size.find(size);
    int n = it == f.lut_by_size.end() ? 0 : it->second;
    if (std::string(size) == "LUT1") {
      auto inv = f.lut_by_size.find("INV");
      if (inv != f.lut_by_size.end()) n += inv->second;
    }
    s += (s.empty() ? "" : "/") + std::to_string(n);
  }
  return s;
}

std::vector<std::string> Methods(const SynthResults& results) {
  std::vector<std::string> names;
  for (const quant::Method* m : quant::AllMethods()) {
    const std::string name(m->name);
    if (results.Has({SynthTarget::kPe, false}, name) || results.Has({SynthTarget::kGemmUnit, false}, name))
      names.push_back(name);
  }
  return names;
}

std::string FiguresTable(const SynthResults& results, SynthTarget target) {
  TextTable t({"method", "LUT", "LUT1/2/3/4/5/6", "CARRY4", "MUXF", "FF", "DSP", "depth", "|", "LUT -nodsp",
               "CARRY4", "FF", "depth", "vs int8 (LUT, -nodsp)"});
  for (const std::string& m : Methods(results)) {
    const SynthSection with{target, true}, without{target, false};
    if (!results.Has(with, m) || !results.Has(without, m)) continue;
    const SynthFigures& a = results.Get(with, m);
    const SynthFigures& b = results.Get(without, m);
    t.Add({m, Int(a.lut), LutSizes(a), Int(a.carry), Int(a.muxf), Int(a.ff), Int(a.dsp), Int(a.depth), "|",
           Int(b.lut), Int(b.carry), Int(b.ff), Int(b.depth),
           results.Has(without, kBaselineMethod) ? Fixed(LutRatioToMultiplier(results, without, m), 2) + "x"
                                                 : "-"});
  }
  return t.Render();
}

}  // namespace

const std::vector<ReferenceBoard>& ReferenceBoards() {
  // reference-accelerator.md §7, "ip" scope (accelerator hierarchy only).
  static const std::vector<ReferenceBoard> boards = {
      {"PYNQ-Z2", 4, {{"qkeras", 25734}, {"msq", 26795}, {"apot", 28508}, {"int8", 37133}}},
      {"KV260", 8, {{"qkeras", 52449}, {"msq", 55102}, {"apot", 57073}, {"int8", 78628}}},
  };
  return boards;
}

double LutRatioToMultiplier(const SynthResults& results, SynthSection section, const std::string& method) {
  const int base = results.Get({section.target, false}, kBaselineMethod).lut;
  Check(base > 0, "int8 baseline has zero LUTs");
  return static_cast<double>(results.Get(section, method).lut) / base;
}

std::string FormatHwReport(const SynthResults& results, const std::string& origin) {
  std::ostringstream os;
  os << "Hardware cost of the PEs and GEMM units (" << results.tool << ", synth_xilinx -family " << results.family
     << ", flattened, out of context)\n"
     << "Figures: " << origin << "\n"
     << "LUT = LUT1..LUT6 + INV; depth = cells on the longest combinational path (Yosys ltp);\n"
     << "left: DSP inference allowed, right: -nodsp (every multiplier in LUTs, like the reference INT8 design).\n\n";

  os << "Processing elements (one int8 activation x one weight code -> signed product, sign add/subtract "
        "included; combinational)\n"
     << FiguresTable(results, SynthTarget::kPe) << "\n";
  os << "GEMM units (64 PEs = 4 rows x 4 cols x 4 lanes, product registers, 64 x 32-bit lane accumulators,\n"
        "lane sum + bias, control; one depth step per clock)\n"
     << FiguresTable(results, SynthTarget::kGemmUnit) << "\n";

  const SynthSection unit{SynthTarget::kGemmUnit, false};
  if (results.Has(unit, kBaselineMethod)) {
    os << "Whole PE arrays (units x GEMM unit, -nodsp) beside the reference design's Vivado figures\n"
          "(accelerator IP after place & route, reference-accelerator.md §7). Our count is the PE array and\n"
          "its accumulators only: it excludes buffers (BRAM/URAM control), scheduler, post-processing unit\n"
          "(requantization), FIFOs, DMA and AXI interfaces, which are about the same for every method.\n";
    for (const ReferenceBoard& board : ReferenceBoards()) {
      const double base_ours = board.units * static_cast<double>(results.Get(unit, kBaselineMethod).lut);
      const double base_ref = board.vivado_ip_luts.at(kBaselineMethod);
      TextTable t({"method", "our array LUT", "vs int8", "saved LUT", "|", "Vivado ip LUT", "vs int8",
                   "saved LUT", "our saving / Vivado's"});
      for (const std::string& m : Methods(results)) {
        if (!results.Has(unit, m)) continue;
        const double ours = board.units * static_cast<double>(results.Get(unit, m).lut);
        std::vector<std::string> row = {m, Thousands(ours), Percent(ours / base_ours - 1),
                                        m == kBaselineMethod ? "-" : Thousands(base_ours - ours), "|"};
        auto ref = board.vivado_ip_luts.find(m);
        if (ref == board.vivado_ip_luts.end()) {
          row.insert(row.end(), {"(no design)", "-", "-", "-"});
        } else {
          const double saved_ref = base_ref - ref->second;
          row.insert(row.end(), {Thousands(ref->second), Percent(ref->second / base_ref - 1),
                                 m == kBaselineMethod ? "-" : Thousands(saved_ref),
                                 m == kBaselineMethod ? "-" : Fixed((base_ours - ours) / saved_ref, 2)});
        }
        t.Add(row);
      }
      os << "\n" << board.name << " (" << board.units << " GEMM units)\n" << t.Render();
    }
  }
  return os.str();
}

}  // namespace potacc::hw
