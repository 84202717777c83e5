#include "potacc/hw/hw_report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <sstream>

#include "potacc/error.h"
#include "potacc/accel/config.h"
#include "potacc/hw/fpga_target.h"
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
// 15013 -> "15,013"
std::string Grouped(int v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

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

std::string Thousands(int v) { return Thousands(static_cast<double>(v)); }

// "yes", or what overflows the device.
std::string Fits(const SynthFigures& f, const FpgaTarget& t) {
  std::string over;
  auto check = [&](double used, int cap, const char* what) {
    if (cap > 0 && used > cap) over += (over.empty() ? "" : ", ") + std::string(what);
  };
  check(f.lut + f.lutram, t.luts, "LUT");
  check(f.bram_tiles(), t.bram36, "BRAM");
  check(f.dsp, t.dsps, "DSP");
  check(f.uram, t.urams, "URAM");
  return over.empty() ? (t.luts > 0 ? "yes" : "?") : "NO: " + over;
}

std::string AccelTable(const SynthResults& results, const ReferenceBoard& board) {
  const SynthSection section{SynthTarget::kAccel, true, board.board};
  const accel::AcceleratorConfig any = accel::ResolveAcceleratorConfig(kBaselineMethod, board.board);
  const FpgaTarget target = FpgaTargetOf(any);
  std::ostringstream os;
  os << board.name << " (" << board.units << " GEMM units; " << target.device << ", yosys -family " << target.family
     << (target.uram ? " -uram" : "") << "; device: " << target.luts << " LUT, " << target.bram36 << " BRAM36, "
     << target.dsps << " DSP" << (target.urams ? ", " + std::to_string(target.urams) + " URAM" : std::string()) << ")\n";
  TextTable t({"method", "LUT", "logic", "LUTRAM", "FF", "BRAM (36/18)", "URAM", "DSP", "depth", "fits", "|",
               "Vivado LUT", "FF", "BRAM", "URAM", "DSP", "|", "LUT vs int8: ours", "Vivado"});
  const bool have_base = results.Has(section, kBaselineMethod);
  const auto ref_base = board.vivado_ip.find(kBaselineMethod);
  for (const quant::Method* method : quant::AllMethods()) {
    const std::string m(method->name);
    if (!results.Has(section, m)) continue;
    const SynthFigures& f = results.Get(section, m);
    std::vector<std::string> row = {m, Thousands(f.lut + f.lutram), Thousands(f.lut), Int(f.lutram), Thousands(f.ff),
                                    Fixed(f.bram_tiles(), 1) + " (" + Int(f.bram36) + "/" + Int(f.bram18) + ")",
                                    Int(f.uram), Int(f.dsp), Int(f.depth), Fits(f, target), "|"};
    const auto ref = board.vivado_ip.find(m);
    if (ref == board.vivado_ip.end()) {
      row.insert(row.end(), {"(no design)", "-", "-", "-", "-"});
    } else {
      const platform::Resources& r = ref->second;
      row.insert(row.end(), {Thousands(r.lut), Thousands(r.ff), Fixed(r.bram, 0), Fixed(r.uram, 0), Fixed(r.dsp, 0)});
    }
    row.push_back("|");
    if (have_base && m != kBaselineMethod) {
      const SynthFigures& b = results.Get(section, kBaselineMethod);
      row.push_back(Percent(static_cast<double>(f.lut + f.lutram) / (b.lut + b.lutram) - 1));
    } else {
      row.push_back("-");
    }
    row.push_back(ref != board.vivado_ip.end() && ref_base != board.vivado_ip.end() && m != kBaselineMethod
                      ? Percent(ref->second.lut / ref_base->second.lut - 1)
                      : "-");
    t.Add(row);
  }
  os << t.Render();
  return os.str();
}

}  // namespace

double AccelLutSaving(const SynthResults& results, const std::string& board, const std::string& method) {
  const SynthSection section{SynthTarget::kAccel, true, board};
  const SynthFigures& f = results.Get(section, method);
  const SynthFigures& b = results.Get(section, kBaselineMethod);
  Check(b.lut + b.lutram > 0, "int8 whole accelerator has zero LUTs");
  return 1.0 - static_cast<double>(f.lut + f.lutram) / (b.lut + b.lutram);
}

const std::vector<ReferenceBoard>& ReferenceBoards() {
  static const std::vector<ReferenceBoard> boards = [] {
    std::vector<ReferenceBoard> v;
    for (const std::string& name : platform::ShippedBoards()) {
      const platform::Board b = platform::LoadBoard(name);
      ReferenceBoard r;
      r.board = b.name;
      r.name = b.name;
      for (char& c : r.name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      r.units = b.accel_units;
      r.vivado_ip = b.power.published_resources;
      for (const auto& [method, res] : r.vivado_ip) r.vivado_ip_luts[method] = static_cast<int>(res.lut);
      v.push_back(std::move(r));
    }
    std::stable_sort(v.begin(), v.end(), [](const ReferenceBoard& a, const ReferenceBoard& b) { return a.units < b.units; });
    return v;
  }();
  return boards;
}

double LutRatioToMultiplier(const SynthResults& results, const SynthSection& section, const std::string& method) {
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
  if (!results.AccelBoards().empty()) {
    os << "\nWhole accelerator (hw/rtl/potacc_accel.v: AXI4-Stream ports, command handler, global input buffer,\n"
          "unit buffers, scheduler, PE arrays, PPUs, arranger, status) per board, configuration potacc-v12-<board>-<method>;\n"
          "PE products in LUTs, DSPs only for the PPUs' requantization multipliers (as the reference INT8 design);\n"
          "LUT = logic + LUTRAM/SRL. Beside it the Vivado place-and-route figures of the reference accelerator IP (§7).\n";
    for (const ReferenceBoard& board : ReferenceBoards())
      if (results.sections.count(SectionKey({SynthTarget::kAccel, true, board.board})) != 0)
        os << "\n" << AccelTable(results, board);
  }
  return os.str();
}

std::string FormatHwReadmeTable(const SynthResults& results) {
  const std::vector<std::string> methods = Methods(results);
  const SynthSection pe{SynthTarget::kPe, false}, unit{SynthTarget::kGemmUnit, false};
  const ReferenceBoard& board = ReferenceBoards().front();
  const auto row = [&](const std::string& title, const std::function<std::string(const std::string&)>& cell) {
    std::string line = "| " + title + " |";
    for (const std::string& m : methods) line += " " + cell(m) + " |";
    return line + "\n";
  };
  const auto luts = [&](SynthSection s) {
    return [&results, s](const std::string& m) { return results.Has(s, m) ? Grouped(results.Get(s, m).lut) : "–"; };
  };
  const auto ratio = [&](SynthSection s) {
    return [&results, s](const std::string& m) {
      return results.Has(s, m) && results.Has(s, kBaselineMethod) ? Fixed(LutRatioToMultiplier(results, s, m), 2) + "x"
                                                                  : "–";
    };
  };
  std::string md = row("", [](const std::string& m) { return m; });
  md += "|---|" + [&] {
    std::string s;
    for (size_t i = 0; i < methods.size(); ++i) s += "---|";
    return s;
  }() + "\n";
  md += row("PE LUTs (no DSP)", luts(pe));
  md += row("PE LUT ratio vs int8", ratio(pe));
  md += row("GEMM unit LUTs (no DSP)", luts(unit));
  md += row("GEMM unit ratio vs int8", ratio(unit));
  md += row(std::to_string(board.units) + "-unit array (" + board.name + "), ours", [&](const std::string& m) {
    return results.Has(unit, m) ? Thousands(board.units * static_cast<double>(results.Get(unit, m).lut)) : "–";
  });
  md += row("Vivado accelerator IP (reference §7)", [&](const std::string& m) {
    const auto it = board.vivado_ip_luts.find(m);
    return it == board.vivado_ip_luts.end() ? std::string("–") : Thousands(it->second);
  });
  return md;
}

}  // namespace potacc::hw
