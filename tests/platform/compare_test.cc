// compare on small generated models with a stub accelerator executor: the
// JSON/CSV/SVG outputs, the summary arithmetic and the output check.
#include "potacc/platform/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <mutex>
#include <set>

#include "../report/mini_xml.h"
#include "potacc/error.h"
#include "potacc/quant/method.h"
#include "potacc/tflite/generators.h"

namespace potacc::platform {
namespace {

// Every CONV_2D "runs" on the accelerator with cycles proportional to its
// MACs divided by a per-method speed; outputs come from the CPU reference,
// optionally corrupted.
struct StubExecutor {
  std::map<std::string, double> macs_per_cycle = {{"int8", 100}, {"qkeras", 150}, {"apot", 140}, {"msq", 145}};
  bool corrupt = false;
  std::vector<std::string>* seen_methods = nullptr;
  std::vector<bool>* weights_on_grid = nullptr;
  std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();

  AccelExecution operator()(const Model& model, const accel::AcceleratorConfig& cfg, const TensorBytes& inputs,
                            bool functional) const {
    AccelExecution ex;
    ex.run.config_name = cfg.name;
    ex.run.pe_method = std::string(cfg.method->name);
    ex.run.clock_hz = cfg.clock_hz;
    ex.run.units = cfg.units;
    const Workload w = CpuWorkload(model, "stub");
    bool on_grid = true;
    for (size_t i = 0; i < w.nodes.size(); ++i) {
      accel::LayerStats l;
      l.node = static_cast<int>(i);
      l.op = w.nodes[i].op;
      l.device = w.nodes[i].op == "CONV_2D" ? "accel" : "cpu";
      if (l.device == "accel") {
        l.m = l.n = l.k = 1;
        l.cycles.compute = static_cast<int64_t>(w.nodes[i].macs / macs_per_cycle.at(ex.run.pe_method));
        l.cycles.load_input = 100;
        l.units.assign(cfg.units, accel::UnitActivity{.pe_busy = l.cycles.compute / 2});
        l.host.input_pack_bytes = 1000;
        l.host.commands = 4;
        l.host.dma_transfers = 8;
        l.row_tiles = l.col_tiles = 1;
        const Tensor& wt = model.main().tensors[model.main().operators[i].inputs[1]];
        const auto* data = ConstantData(model, wt);
        for (uint8_t b : *data) on_grid = on_grid && cfg.method->OnGrid(static_cast<int8_t>(b));
      }
      ex.run.layers.push_back(l);
    }
    {
      // compare runs the configurations of a model concurrently.
      std::lock_guard<std::mutex> lock(*mu);
      if (seen_methods) seen_methods->push_back(ex.run.pe_method);
      if (weights_on_grid) weights_on_grid->push_back(on_grid);
    }
    if (functional) {
      ex.outputs = RunCpuReference(model, inputs);
      if (corrupt && ex.run.pe_method == "apot") ex.outputs[0][0] ^= 1;
    }
    return ex;
  }
};

CompareOptions Options(StubExecutor stub) {
  CompareOptions o;
  o.board = LoadBoard("pynq-z2");
  o.executor = stub;
  o.use_synth_resources = false;
  return o;
}

std::vector<NamedModel> TwoModels() { return {{"cnn", Generate("cnn", 1)}, {"resnet20", Generate("resnet20", 1)}}; }

TEST(Compare, RunsEveryConfigurationOnRequantizedWeights) {
  std::vector<std::string> seen;
  std::vector<bool> on_grid;
  StubExecutor stub;
  stub.seen_methods = &seen;
  stub.weights_on_grid = &on_grid;
  const CompareReport r = RunCompare(TwoModels(), Options(stub));
  ASSERT_EQ(r.models.size(), 2u);
  std::multiset<std::string> seen_set(seen.begin(), seen.end());
  EXPECT_EQ(seen_set, (std::multiset<std::string>{"int8", "qkeras", "apot", "msq", "int8", "qkeras", "apot", "msq"}));
  // Shift accelerators get weights on their grid (RequantizeModel ran).
  for (size_t i = 0; i < on_grid.size(); ++i) {
    if (seen[i] != "int8") {
      EXPECT_TRUE(on_grid[i]) << seen[i];
    }
  }
  for (const auto& m : r.models) {
    std::vector<std::string> names;
    for (const auto& c : m.configs) names.push_back(c.name);
    EXPECT_EQ(names, (std::vector<std::string>{"cpu", "int8", "qkeras", "apot", "msq"}));
    for (const auto& c : m.configs) {
      EXPECT_GT(c.latency_ms, 0);
      EXPECT_GT(c.energy_mj, c.energy_above_idle_mj);
      ASSERT_TRUE(c.outputs_match_cpu.has_value());
      EXPECT_TRUE(*c.outputs_match_cpu) << m.name << " " << c.name;
    }
    EXPECT_EQ(m.Find("cpu")->accel_layers, 0);
    EXPECT_GT(m.Find("qkeras")->accel_layers, 0);
  }
}

TEST(Compare, SummaryIsTheArithmeticMeanOfPerModelRatios) {
  const CompareReport r = RunCompare(TwoModels(), Options(StubExecutor{}));
  for (const auto& s : r.summary) {
    double sc = 0, si = 0, ec = 0, ei = 0, geo = 1;
    for (const auto& m : r.models) {
      const double ratio = m.Find("cpu")->latency_ms / m.Find(s.method)->latency_ms;
      sc += ratio / 2;
      geo *= ratio;
      si += m.Find("int8")->latency_ms / m.Find(s.method)->latency_ms / 2;
      ec += m.Find("cpu")->energy_mj / m.Find(s.method)->energy_mj / 2;
      ei += m.Find("int8")->energy_mj / m.Find(s.method)->energy_mj / 2;
    }
    EXPECT_NEAR(s.speedup_vs_cpu, sc, 1e-12);
    EXPECT_NEAR(s.speedup_vs_int8, si, 1e-12);
    EXPECT_NEAR(s.energy_reduction_vs_cpu, ec, 1e-12);
    EXPECT_NEAR(s.energy_reduction_vs_int8, ei, 1e-12);
    EXPECT_NEAR(s.geo_speedup_vs_cpu, std::sqrt(geo), 1e-12);
    // The stub's shift designs compute faster than its INT8 design.
    EXPECT_GT(s.speedup_vs_int8, 1.0);
  }
}

TEST(Compare, MismatchingOutputsAreReported) {
  StubExecutor stub;
  stub.corrupt = true;
  const CompareReport r = RunCompare({{"cnn", Generate("cnn", 1)}}, Options(stub));
  EXPECT_FALSE(*r.models[0].Find("apot")->outputs_match_cpu);
  EXPECT_EQ(r.models[0].Find("apot")->mismatched_bytes, 1);
  EXPECT_TRUE(*r.models[0].Find("qkeras")->outputs_match_cpu);
  const std::string text = CompareToText(r);
  EXPECT_NE(text.find("1 bytes differ"), std::string::npos);
}

TEST(Compare, JsonHasTheDocumentedSchema) {
  const CompareReport r = RunCompare(TwoModels(), Options(StubExecutor{}));
  const nlohmann::json j = nlohmann::json::parse(CompareToJson(r).dump());
  ASSERT_TRUE(j["models"].is_array());
  ASSERT_EQ(j["models"].size(), 2u);
  for (const auto& m : j["models"]) {
    ASSERT_TRUE(m["name"].is_string());
    std::set<std::string> names;
    for (const auto& c : m["configs"]) {
      names.insert(c["name"].get<std::string>());
      EXPECT_TRUE(c["latency_ms"].is_number());
      EXPECT_TRUE(c["energy_mj"].is_number());
      EXPECT_TRUE(c["outputs_match_cpu"].is_boolean());
      // The CPU nodes' time by operator: CONV_2D only where the CPU runs it,
      // and the whole CPU phase accounted for (no overlap in this run).
      double cpu_ms = 0;
      for (const auto& [op, ms] : c["cpu_ms_by_op"].items()) cpu_ms += ms.get<double>();
      EXPECT_NEAR(cpu_ms, c["phases_ms"]["cpu"].get<double>(), 1e-9);
      EXPECT_EQ(c["cpu_ms_by_op"].contains("CONV_2D"), c["name"] == "cpu") << c["name"];
    }
    EXPECT_EQ(names, (std::set<std::string>{"cpu", "int8", "qkeras", "apot", "msq"}));
  }
  for (const char* method : {"qkeras", "apot", "msq"}) {
    const auto& s = j["summary"][method];
    for (const char* key : {"speedup_vs_cpu", "speedup_vs_int8", "energy_reduction_vs_cpu", "energy_reduction_vs_int8"})
      EXPECT_TRUE(s[key].is_number()) << method << "." << key;
  }
  EXPECT_DOUBLE_EQ(j["summary"]["qkeras"]["speedup_vs_cpu"].get<double>(), r.summary[0].speedup_vs_cpu);
}

TEST(Compare, CsvHasOneRowPerModelAndConfig) {
  const CompareReport r = RunCompare(TwoModels(), Options(StubExecutor{}));
  const std::string csv = CompareToCsv(r);
  size_t lines = 0;
  for (char c : csv) lines += c == '\n';
  EXPECT_EQ(lines, 1u + 2 * 5);
  EXPECT_EQ(csv.rfind("model,config,accel_config,latency_ms,energy_mj", 0), 0u);
}

TEST(Compare, ChartHasOneGroupPerModel) {
  const CompareReport r = RunCompare(TwoModels(), Options(StubExecutor{}));
  auto root = potacc::testing::MiniXml::Parse(report::RenderSvg(CompareChart(r)));
  std::vector<const potacc::testing::XmlNode*> gs;
  root->FindAll("g", gs);
  std::vector<std::string> labels;
  for (auto* g : gs)
    if (g->attrs.count("class") && g->attrs.at("class") == "group") labels.push_back(g->attrs.at("data-label"));
  EXPECT_EQ(labels, (std::vector<std::string>{"cnn", "resnet20"}));
}

TEST(Compare, UnknownMethodIsAnError) {
  CompareOptions o = Options(StubExecutor{});
  o.methods = {"qkeras", "bogus"};
  EXPECT_THROW(RunCompare(TwoModels(), o), Error);
}

}  // namespace
}  // namespace potacc::platform
