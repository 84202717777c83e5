#include "potacc/platform/published.h"

#include <algorithm>
#include <fstream>
#include <set>

#include "potacc/accel/config.h"
#include "potacc/error.h"
#include "potacc/report/table.h"

namespace potacc::platform {
namespace {

using nlohmann::json;

std::vector<std::string> Strings(const json& j, const std::string& where) {
  if (!j.is_array()) throw Error(where + " must be an array of texts");
  std::vector<std::string> out;
  for (const auto& s : j) {
    if (!s.is_string()) throw Error(where + " must be an array of texts");
    out.push_back(s.get<std::string>());
  }
  return out;
}

PublishedFigure ParseFigure(const json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + " must be an object");
  auto text = [&](const char* key, bool required) {
    if (!j.contains(key)) {
      if (required) throw Error(where + ": missing \"" + key + "\"");
      return std::string();
    }
    if (!j.at(key).is_string()) throw Error(where + "." + key + " must be a text");
    return j.at(key).get<std::string>();
  };
  PublishedFigure f;
  f.id = text("id", true);
  f.paper = text("paper", true);
  f.source = text("source", true);
  f.statistic = text("statistic", true);
  f.config = text("config", false);
  f.metric = text("metric", true);
  f.text = text("text", true);
  f.accounting = text("accounting", false);
  f.accounting_note = text("accounting_note", false);
  f.boards = Strings(j.value("boards", json::array()), where + ".boards");
  f.families = Strings(j.value("families", json::array()), where + ".families");
  f.models = Strings(j.value("models", json::array()), where + ".models");
  if (!j.contains("value") || !j.at("value").is_number() || !(j.at("value").get<double>() > 0))
    throw Error(where + ".value must be a positive number");
  f.value = j.at("value").get<double>();
  static const std::set<std::string> kMetrics = {"speedup_vs_cpu", "speedup_vs_int8", "energy_reduction_vs_cpu",
                                                 "energy_reduction_vs_int8"};
  if (!kMetrics.count(f.metric)) throw Error(where + ".metric \"" + f.metric + "\" is not a compared ratio");
  if (f.statistic != "mean" && f.statistic != "max") throw Error(where + ".statistic must be \"mean\" or \"max\"");
  if (f.statistic == "mean" && f.config.empty()) throw Error(where + ": a mean names its \"config\"");
  const bool energy = f.metric.rfind("energy", 0) == 0;
  if (energy != !f.accounting.empty())
    throw Error(where + ": energy figures (only) name their \"accounting\"");
  if (energy && f.accounting != "whole_board" && f.accounting != "above_idle" && f.accounting != "unknown")
    throw Error(where + ".accounting must be whole_board, above_idle or unknown");
  return f;
}

bool Has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Figure name of a ratio under an accounting ("energy_reduction_vs_cpu" ->
// "energy_above_idle_reduction_vs_cpu" for above_idle).
std::string MetricName(const std::string& metric, const std::string& accounting) {
  if (accounting != "above_idle") return metric;
  return "energy_above_idle_" + metric.substr(std::string("energy_").size());
}

bool ModelsMatch(const PublishedFigure& f, const CompareReport& report) {
  if (f.models.empty()) return true;
  std::set<std::string> ours;
  for (const auto& m : report.models) ours.insert(m.name);
  return ours == std::set<std::string>(f.models.begin(), f.models.end());
}

std::string AccountingLabel(const std::string& a) {
  if (a == "whole_board") return "whole board";
  if (a == "above_idle") return "above idle";
  return "-";
}

}  // namespace

std::filesystem::path PublishedFiguresPath() {
  return std::filesystem::path(accel::ShippedConfigDir()).parent_path() / "published.json";
}

std::vector<PublishedFigure> LoadPublishedFigures(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read published figures " + path.string());
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(path.string() + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("figures") || !doc.at("figures").is_array())
    throw Error(path.string() + ": expected {\"figures\": [...]}");
  std::vector<PublishedFigure> out;
  for (size_t i = 0; i < doc.at("figures").size(); ++i)
    out.push_back(ParseFigure(doc.at("figures")[i], path.string() + ": figures[" + std::to_string(i) + "]"));
  return out;
}

std::vector<PublishedCheck> CheckPublished(const CompareReport& report, const std::vector<PublishedFigure>& figures,
                                           const UncertaintyResult* uncertainty) {
  const Figures central = ReportFigures(report);
  std::vector<PublishedCheck> out;
  for (const PublishedFigure& f : figures) {
    if (!Has(f.boards, report.board) || !Has(f.families, report.accel_family) || !ModelsMatch(f, report)) continue;
    std::vector<std::string> accountings = {f.accounting};
    if (f.accounting == "unknown") accountings = {"whole_board", "above_idle"};
    for (const std::string& a : accountings) {
      PublishedCheck c;
      c.figure = &f;
      c.accounting = a;
      const std::string metric = MetricName(f.metric, a);
      c.predicted = f.statistic == "max" ? "max/" + metric : "mean/" + f.config + "/" + metric;
      auto it = central.find(c.predicted);
      if (it == central.end()) continue;  // e.g. the configuration was not compared
      c.interval = {it->second, it->second, it->second};
      if (uncertainty) {
        auto u = uncertainty->figures.find(c.predicted);
        if (u != uncertainty->figures.end()) {
          c.interval = u->second;
          c.has_interval = true;
        }
      }
      out.push_back(c);
    }
  }
  return out;
}

std::string PublishedToText(const std::vector<PublishedCheck>& checks) {
  if (checks.empty()) return "";
  std::string out = "\npublished vs predicted (the published figures are the check, never an input)\n";
  report::Table t({"paper", "figure", "published", "accounting", "potacc", "interval", "verdict"});
  std::set<std::string> notes;
  for (const PublishedCheck& c : checks) {
    const PublishedFigure& f = *c.figure;
    std::string name = f.metric;
    if (f.statistic == "mean") name = "mean " + f.config + " " + name;
    else name = "max " + name;
    const std::string verdict = !c.has_interval ? "-" : c.within() ? "within"
                                : f.value > c.interval.high ? "misses (published higher)"
                                                            : "misses (published lower)";
    std::string accounting = AccountingLabel(c.accounting);
    if (f.accounting == "unknown") accounting += " (unknown)";
    t.AddRow({f.paper, name, f.text, accounting, report::Ratio(c.interval.central),
              c.has_interval ? "[" + report::Fixed(c.interval.low, 2) + ", " + report::Fixed(c.interval.high, 2) + "]"
                             : "-",
              verdict});
    if (!f.accounting_note.empty()) notes.insert(f.paper + ", " + f.metric + ": " + f.accounting_note);
  }
  out += t.Render();
  for (const std::string& n : notes) out += "  accounting of " + n + "\n";
  return out;
}

nlohmann::json PublishedToJson(const std::vector<PublishedCheck>& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const PublishedCheck& c : checks) {
    const PublishedFigure& f = *c.figure;
    nlohmann::json j = {{"id", f.id},         {"paper", f.paper},       {"statistic", f.statistic},
                        {"metric", f.metric}, {"published", f.value},   {"text", f.text},
                        {"accounting", c.accounting.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.accounting)},
                        {"accounting_known", f.accounting != "unknown"},
                        {"predicted_figure", c.predicted}, {"central", c.interval.central}};
    if (c.has_interval) {
      j["interval"] = {c.interval.low, c.interval.high};
      j["within"] = c.within();
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace potacc::platform
