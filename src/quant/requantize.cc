#include "potacc/quant/requantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "potacc/error.h"

namespace potacc::quant {
namespace {

bool IsWeightOp(BuiltinOp op) {
  return op == BuiltinOp::kConv2D || op == BuiltinOp::kDepthwiseConv2D || op == BuiltinOp::kFullyConnected;
}

// Channel layout of a weight tensor: element i belongs to channel (i / inner) % channels.
struct Layout {
  int channels = 1;
  int64_t inner = 1;
  bool per_channel = false;
};

int ChannelOf(const Layout& l, int64_t i) {
  return l.per_channel ? static_cast<int>((i / l.inner) % l.channels) : 0;
}

// A selected layer, planned but not yet written.
struct LayerWork {
  LayerReport report;
  int weight_tensor = -1;
  int bias_tensor = -1;
  Layout layout;
  std::vector<ChannelPlan> plans;            // one per channel (per tensor: one)
  std::vector<const Method*> plan_methods;   // method of each plan
  bool reuse_weights = false;                // weight tensor shared with an earlier layer
};

// Plans one layer with one method; returns the error in real units.
struct LayerError {
  double sse = 0, signal = 0;
};

LayerError ErrorOf(const std::vector<ChannelPlan>& plans, const std::vector<float>& scales) {
  LayerError e;
  for (size_t c = 0; c < plans.size(); ++c) {
    const double s = scales.size() > 1 ? scales[c] : scales.at(0);
    e.sse += s * s * plans[c].sse;
    e.signal += s * s * plans[c].signal;
  }
  return e;
}

double SqnrDb(double signal, double sse) {
  if (sse <= 0) return std::numeric_limits<double>::infinity();
  if (signal <= 0) return 0;
  return 10 * std::log10(signal / sse);
}

std::vector<ChannelPlan> PlanAll(const Method& m, const std::vector<ChannelHistogram>& hists,
                                 const ChannelPlanOptions& opt) {
  std::vector<ChannelPlan> plans;
  plans.reserve(hists.size());
  for (const auto& h : hists) plans.push_back(PlanChannel(m, h, opt));
  return plans;
}

// Makes buffer b exclusively owned by tensor t (copying it if shared).
void OwnBuffer(Model& model, Tensor& t, const std::vector<int>& refcount) {
  if (refcount.at(t.buffer) > 1) {
    model.buffers.push_back(model.buffers[t.buffer]);
    t.buffer = static_cast<uint32_t>(model.buffers.size() - 1);
  }
}

bool MatchesFilter(const std::vector<std::string>& filter, int node, const Subgraph& g, const Operator& op,
                   std::set<std::string>* matched) {
  if (filter.empty()) return true;
  bool hit = false;
  for (const std::string& f : filter) {
    bool this_hit = f == std::to_string(node);
    for (int t : {op.inputs.size() > 1 ? op.inputs[1] : -1, op.outputs.empty() ? -1 : op.outputs[0]}) {
      if (t >= 0 && t < static_cast<int>(g.tensors.size()) && g.tensors[t].name == f) this_hit = true;
    }
    if (this_hit) {
      matched->insert(f);
      hit = true;
    }
  }
  return hit;
}

std::string FormatDb(double db) {
  if (std::isinf(db)) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", db);
  return buf;
}

}  // namespace

int RequantizeResult::quantized_layers() const {
  int n = 0;
  for (const auto& l : layers) n += l.quantized;
  return n;
}

nlohmann::json RequantizeResult::ToJson() const {
  nlohmann::json j;
  j["method"] = method;
  int channels = 0, on_grid = 0, kept = 0;
  auto& arr = j["layers"] = nlohmann::json::array();
  for (const LayerReport& l : layers) {
    nlohmann::json e;
    e["node"] = l.node;
    e["op"] = l.op;
    e["weights"] = l.weights;
    e["shape"] = l.shape;
    e["quantized"] = l.quantized;
    if (!l.quantized) {
      e["skip_reason"] = l.skip_reason;
    } else {
      channels += l.channels;
      on_grid += l.on_grid;
      kept += l.kept_top_level;
      e["method"] = l.method;
      e["channels"] = l.channels;
      e["on_grid"] = l.on_grid;
      e["halved"] = l.halved;
      e["kept_top_level"] = l.kept_top_level;
      e["merged_bottom"] = l.merged_bottom;
      e["searched"] = l.searched;
      e["bias_saturated"] = l.bias_saturated;
      e["mse"] = l.mse;
      e["mse_lsb"] = l.mse_lsb;
      e["max_abs_error_lsb"] = l.max_abs_error_lsb;
      e["sqnr_db"] = std::isinf(l.sqnr_db) ? nlohmann::json(nullptr) : nlohmann::json(l.sqnr_db);
      nlohmann::json lv = nlohmann::json::object();
      for (auto [v, n] : l.levels) lv[std::to_string(v)] = n;
      e["levels"] = lv;
      if (!l.codes.empty()) e["codes"] = l.codes;
      if (!l.channel_methods.empty()) e["channel_methods"] = l.channel_methods;
      e["activation_aware"] = l.activation_aware;
      e["bias_corrected"] = l.bias_corrected;
    }
    if (!l.candidate_sqnr_db.empty()) {
      nlohmann::json c = nlohmann::json::object();
      for (auto& [m, db] : l.candidate_sqnr_db) c[m] = std::isinf(db) ? nlohmann::json(nullptr) : nlohmann::json(db);
      e["candidate_sqnr_db"] = c;
    }
    arr.push_back(e);
  }
  j["summary"] = {{"quantized_layers", quantized_layers()},
                  {"channels", channels},
                  {"on_grid_channels", on_grid},
                  {"kept_top_level_channels", kept}};
  return j;
}

namespace {

// ---- The steps of RequantizeModel, in order -------------------------------

// Users of each buffer (a shared buffer is copied before it is rewritten).
std::vector<int> BufferUsers(const Model& model) {
  std::vector<int> users(model.buffers.size(), 0);
  for (const Subgraph& sg : model.subgraphs)
    for (const Tensor& t : sg.tensors)
      if (t.buffer < users.size()) ++users[t.buffer];
  return users;
}

// The layers a method's convention keeps at int8.
struct ConventionNodes {
  int first_conv = -1;
  int last_fc = -1;
};

ConventionNodes FindConventionNodes(const Subgraph& g) {
  ConventionNodes c;
  for (size_t n = 0; n < g.operators.size(); ++n) {
    if (g.operators[n].op() == BuiltinOp::kConv2D && c.first_conv < 0) c.first_conv = static_cast<int>(n);
    if (g.operators[n].op() == BuiltinOp::kFullyConnected) c.last_fc = static_cast<int>(n);
  }
  return c;
}

// What selection saw, for the "nothing to quantize" errors.
struct SelectionCounts {
  int weight_ops = 0, float_weight_ops = 0, int8_weight_ops = 0;
  std::set<std::string> matched_filters;  // --layers entries that named a node
};

std::string ConventionSkip(const RequantizeOptions& opt, const char* what, const char* flag) {
  if (opt.method_convention && opt.method && opt.method->int8_first_and_last)
    return std::string(what) + " kept int8 (" + std::string(opt.method->name) +
           " convention; --all-layers quantizes it)";
  return std::string(what) + " kept int8 (" + flag + ")";
}

// Step 1. Why node `node` is not requantized, or "" when it is: then
// w->weight_tensor, bias_tensor and layout are set.
std::string SelectLayer(const Model& model, int node, const RequantizeOptions& opt, const ConventionNodes& conv,
                        SelectionCounts* counts, LayerWork* w) {
  const Subgraph& g = model.main();
  const Operator& op = g.operators[static_cast<size_t>(node)];
  const int wt = op.inputs.size() > 1 ? op.inputs[1] : -1;
  if (wt < 0 || wt >= static_cast<int>(g.tensors.size())) return "no weight tensor";
  const Tensor& weights = g.tensors[wt];
  w->report.weights = weights.name;
  w->report.shape = weights.shape;
  const bool selected = MatchesFilter(opt.layers, node, g, op, &counts->matched_filters);
  if (weights.type != DataType::kInt8) {
    if (weights.type == DataType::kFloat32 || weights.type == DataType::kFloat16) ++counts->float_weight_ops;
    return std::string("weights are ") + DataTypeName(weights.type) + ", not int8";
  }
  const std::vector<uint8_t>* wdata = ConstantData(model, weights);
  if (!wdata || wdata->empty()) return "weights are not constant";
  if (weights.quant.empty()) return "weights have no quantization parameters";
  ++counts->int8_weight_ops;
  if (op.op() == BuiltinOp::kDepthwiseConv2D && !opt.include_depthwise)
    return "depthwise (not selected; use --depthwise)";
  const bool convention = opt.method_convention && opt.method && opt.method->int8_first_and_last;
  if ((opt.skip_first_conv || convention) && node == conv.first_conv)
    return ConventionSkip(opt, "first CONV_2D", "--skip-first-conv");
  if ((opt.skip_last_fc || convention) && node == conv.last_fc)
    return ConventionSkip(opt, "last FULLY_CONNECTED", "--skip-last-fc");
  if (!selected) return "not in --layers";
  if (std::any_of(weights.quant.zero_point.begin(), weights.quant.zero_point.end(),
                  [](int64_t z) { return z != 0; }))
    return "weights have a non-zero zero point (asymmetric)";
  w->weight_tensor = wt;
  w->bias_tensor = op.inputs.size() > 2 ? op.inputs[2] : -1;
  if (w->bias_tensor >= 0) {
    const Tensor& b = g.tensors.at(w->bias_tensor);
    const auto* bdata = ConstantData(model, b);
    if (b.type != DataType::kInt32 || !bdata || bdata->empty()) return "bias is not a constant int32 tensor";
  }
  Layout& lay = w->layout;
  if (weights.quant.per_channel()) {
    const int qd = weights.quant.quantized_dimension;
    if (qd < 0 || qd >= static_cast<int>(weights.shape.size()) ||
        weights.shape[qd] != static_cast<int>(weights.quant.scale.size()))
      return "per-channel scales do not match the quantized dimension";
    lay.per_channel = true;
    lay.channels = weights.shape[qd];
    for (size_t d = qd + 1; d < weights.shape.size(); ++d) lay.inner *= weights.shape[d];
  }
  if (w->bias_tensor >= 0 && lay.per_channel && g.tensors[w->bias_tensor].num_elements() != lay.channels)
    return "bias length does not match the output channels";
  // A scale that is not a positive finite number cannot be requantized (and
  // a runtime refuses the layer); say so instead of writing NaN scales.
  for (size_t c = 0; c < weights.quant.scale.size(); ++c) {
    const float s = weights.quant.scale[c];
    if (!(std::isfinite(s) && s > 0.0f))
      throw Error("node " + std::to_string(node) + " (" + BuiltinOpName(op.builtin) + "): weight scale " +
                  std::to_string(s) + " of channel " + std::to_string(c) + " of " + weights.name +
                  " is not a positive number; cannot requantize this layer (exclude it with --layers)");
  }
  return "";
}

// Step 2a. Histogram of each channel's stored int8 values; with calibration
// statistics, also the activation-weighted histograms the search uses (each
// weight weighted by the normalised mean square of its input channel, with a
// floor keeping every present value present, so on-grid detection is
// unaffected). `weighted` stays empty without usable statistics.
void ChannelHistograms(const Model& model, const LayerWork& w, const RequantizeOptions& opt,
                       std::vector<ChannelHistogram>* hists, std::vector<ChannelHistogram>* weighted) {
  const Subgraph& g = model.main();
  const Tensor& weights = g.tensors[w.weight_tensor];
  const std::vector<uint8_t>& wdata = *ConstantData(model, weights);
  const auto* q = reinterpret_cast<const int8_t*>(wdata.data());
  const auto count = static_cast<int64_t>(wdata.size());
  hists->assign(static_cast<size_t>(w.layout.channels), {});
  for (int64_t i = 0; i < count; ++i) (*hists)[ChannelOf(w.layout, i)].Add(q[i]);
  const auto it = opt.input_stats.find(w.report.node);
  if (!opt.activation_aware_search || it == opt.input_stats.end() ||
      g.operators[static_cast<size_t>(w.report.node)].op() == BuiltinOp::kDepthwiseConv2D || weights.shape.empty() ||
      static_cast<int>(it->second.mean_square.size()) != weights.shape.back())
    return;
  std::vector<double> importance = it->second.mean_square;
  double mean = 0;
  for (double v : importance) mean += v;
  mean /= static_cast<double>(importance.size());
  if (mean <= 0) return;
  for (double& v : importance) v = std::max(v / mean, 1e-6);
  weighted->assign(static_cast<size_t>(w.layout.channels), {});
  const auto k = static_cast<int64_t>(importance.size());
  for (int64_t i = 0; i < count; ++i) (*weighted)[ChannelOf(w.layout, i)].Add(q[i], importance[i % k]);
}

// Step 2b. One plan per channel: with the chosen method, or for auto the
// candidate with the lowest error per layer (or per channel). Plans carry
// the plain weight error (reports) even when chosen on weighted histograms.
void PlanLayer(const std::vector<ChannelHistogram>& hists, const std::vector<ChannelHistogram>& weighted,
               const std::vector<float>& scales, const RequantizeOptions& opt, LayerWork* w) {
  const std::vector<ChannelHistogram>& plan_hists = weighted.empty() ? hists : weighted;
  const auto plan_all = [&](const Method& m) {
    std::vector<ChannelPlan> plans = PlanAll(m, plan_hists, opt.channel);
    if (!weighted.empty())
      for (size_t c = 0; c < plans.size(); ++c) ComputePlanStats(hists[c], &plans[c]);
    return plans;
  };
  if (opt.method) {
    w->plans = plan_all(*opt.method);
    w->plan_methods.assign(w->plans.size(), opt.method);
    return;
  }
  Check(!opt.auto_options.candidates.empty(), "--method auto needs at least one candidate method");
  std::vector<std::vector<ChannelPlan>> cand;
  for (MethodId id : opt.auto_options.candidates) {
    cand.push_back(plan_all(GetMethod(id)));
    const LayerError e = ErrorOf(cand.back(), scales);
    w->report.candidate_sqnr_db[std::string(GetMethod(id).name)] = SqnrDb(e.signal, e.sse);
  }
  if (opt.auto_options.per_channel) {
    for (size_t c = 0; c < hists.size(); ++c) {
      size_t best = 0;
      for (size_t k = 1; k < cand.size(); ++k)
        if (cand[k][c].sse < cand[best][c].sse) best = k;
      w->plans.push_back(cand[best][c]);
      w->plan_methods.push_back(&GetMethod(opt.auto_options.candidates[best]));
    }
    return;
  }
  size_t best = 0;
  double best_sse = ErrorOf(cand[0], scales).sse;
  for (size_t k = 1; k < cand.size(); ++k) {
    const double sse = ErrorOf(cand[k], scales).sse;
    if (sse < best_sse) {
      best = k;
      best_sse = sse;
    }
  }
  w->plans = cand[best];
  w->plan_methods.assign(w->plans.size(), &GetMethod(opt.auto_options.candidates[best]));
}

// Step 2c. The layer's report: errors, channel kinds, executed levels, codes.
void SummarizeLayer(const std::vector<ChannelHistogram>& hists, const std::vector<float>& scales, int64_t count,
                    const RequantizeOptions& opt, LayerWork* w) {
  LayerReport& r = w->report;
  const LayerError e = ErrorOf(w->plans, scales);
  r.mse = e.sse / static_cast<double>(count);
  double sse_lsb = 0;
  std::set<std::string> used;
  for (size_t c = 0; c < w->plans.size(); ++c) {
    const ChannelPlan& p = w->plans[c];
    sse_lsb += p.sse;
    r.max_abs_error_lsb = std::max(r.max_abs_error_lsb, p.max_abs_error);
    r.on_grid += p.on_grid();
    r.halved += p.kind == ChannelKind::kOnGridHalved;
    r.kept_top_level += p.kind == ChannelKind::kKeptTopLevel;
    r.merged_bottom += p.kind == ChannelKind::kMergedBottom;
    r.searched += p.kind == ChannelKind::kSearched;
    used.insert(std::string(w->plan_methods[c]->name));
    ++r.channel_methods[std::string(w->plan_methods[c]->name)];
    for (int i = 0; i < 256; ++i)
      if (hists[c].count[i] > 0) r.levels[p.executed[i]] += static_cast<int64_t>(hists[c].count[i]);
  }
  r.mse_lsb = sse_lsb / static_cast<double>(count);
  r.sqnr_db = SqnrDb(e.signal, e.sse);
  r.method = used.size() == 1 ? *used.begin() : "mixed";
  if (used.size() == 1) {
    const Method& m = *w->plan_methods[0];
    r.codes.assign(m.num_codes(), 0);
    for (auto [level, n] : r.levels) r.codes[m.Encode(level)] += n;
  }
  if (!(opt.method == nullptr && opt.auto_options.per_channel)) r.channel_methods.clear();
}

// Step 3. Errors when the options selected nothing, or named nothing.
void CheckSelection(const SelectionCounts& counts, const RequantizeOptions& opt) {
  for (const std::string& f : opt.layers)
    if (!counts.matched_filters.count(f))
      throw Error("--layers: '" + f +
                  "' names no CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED node (index or tensor name)");
  if (counts.weight_ops == 0)
    throw Error("model has no CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED layer to quantize");
  if (counts.int8_weight_ops == 0) {
    if (counts.float_weight_ops > 0)
      throw Error("float-only model: all " + std::to_string(counts.float_weight_ops) +
                  " conv/FC layers have float weights; potacc quantize requantizes int8 TFLite models "
                  "(convert with full-integer post-training quantization first)");
    throw Error("model has no int8 CONV_2D / FULLY_CONNECTED weights to quantize");
  }
}

// Step 4. Auto budget: the worst layers (by best 4-bit SQNR) below
// min_sqnr_db stay int8; layers sharing their weights follow them.
void ApplyAutoBudget(const AutoOptions& budget, const std::map<int, size_t>& planned_weights,
                     std::vector<LayerWork>* work) {
  std::vector<size_t> low;
  for (size_t k = 0; k < work->size(); ++k)
    if (!(*work)[k].reuse_weights && (*work)[k].report.sqnr_db < budget.min_sqnr_db) low.push_back(k);
  std::sort(low.begin(), low.end(),
            [&](size_t a, size_t b) { return (*work)[a].report.sqnr_db < (*work)[b].report.sqnr_db; });
  low.resize(std::min(low.size(), static_cast<size_t>(budget.max_int8_layers)));
  for (size_t k : low) {
    LayerReport& r = (*work)[k].report;
    r.skip_reason = "auto: kept int8 (best 4-bit SQNR " + FormatDb(r.sqnr_db) + " dB < budget " +
                    FormatDb(budget.min_sqnr_db) + " dB)";
    (*work)[k].plans.clear();
  }
  for (auto& w : *work)
    if (w.reuse_weights && (*work)[planned_weights.at(w.weight_tensor)].plans.empty()) w.plans.clear();
}

// Step 5a. Bias correction: the real mean-output shift of each channel,
// sum_k e_k mean(x_k), from the planned weights (empty when not applicable).
std::vector<double> BiasCorrectionShift(const Model& model, const LayerWork& w, const RequantizeOptions& opt) {
  const Subgraph& g = model.main();
  const Tensor& wt = g.tensors[w.weight_tensor];
  const auto it = opt.input_stats.find(w.report.node);
  if (!opt.bias_correction || it == opt.input_stats.end() || w.bias_tensor < 0 || w.reuse_weights ||
      g.tensors[w.bias_tensor].quant.scale.empty() ||
      g.operators[static_cast<size_t>(w.report.node)].op() == BuiltinOp::kDepthwiseConv2D ||
      static_cast<int>(it->second.mean.size()) != wt.shape.back())
    return {};
  std::vector<double> shift(w.plans.size(), 0.0);
  const auto& mean = it->second.mean;
  const auto& data = model.buffers[wt.buffer].data;
  const auto* q = reinterpret_cast<const int8_t*>(data.data());
  const auto k = static_cast<int64_t>(mean.size());
  for (int64_t i = 0; i < static_cast<int64_t>(data.size()); ++i) {
    const int c = ChannelOf(w.layout, i);
    const ChannelPlan& p = w.plans[c];
    const double s = wt.quant.scale[c];
    const double e = (p.stored[q[i] + 128] * static_cast<double>(static_cast<float>(s * p.factor)) - q[i] * s);
    shift[c] += e * mean[i % k];
  }
  return shift;
}

// Step 5b. Writes the planned integers and the new filter scales; returns the
// factor s'/s each channel's float32 scale actually realises.
std::vector<double> WriteWeights(Model& model, const LayerWork& w, const std::vector<int>& users) {
  Tensor& wt = model.main().tensors[w.weight_tensor];
  std::vector<float> old_scales = wt.quant.scale;
  if (!w.reuse_weights) {
    OwnBuffer(model, wt, users);
    auto& data = model.buffers[wt.buffer].data;
    auto* q = reinterpret_cast<int8_t*>(data.data());
    for (int64_t i = 0; i < static_cast<int64_t>(data.size()); ++i)
      q[i] = w.plans[ChannelOf(w.layout, i)].stored[q[i] + 128];
    for (size_t c = 0; c < w.plans.size(); ++c)
      wt.quant.scale[c] = static_cast<float>(static_cast<double>(old_scales[c]) * w.plans[c].factor);
  } else {
    // Scales already rewritten by the first user; recover the originals.
    for (size_t c = 0; c < w.plans.size(); ++c)
      old_scales[c] = static_cast<float>(wt.quant.scale[c] / w.plans[c].factor);
  }
  std::vector<double> ratio(w.plans.size());
  for (size_t c = 0; c < w.plans.size(); ++c) {
    const float s = wt.quant.scale[c];
    if (!(std::isfinite(s) && s > 0.0f))
      throw Error("node " + std::to_string(w.report.node) + " (" + w.report.op + "): the requantized scale of " +
                  "channel " + std::to_string(c) + " of " + wt.name + " is " + std::to_string(s) +
                  " (source scale " + std::to_string(old_scales[c]) + " times factor " +
                  std::to_string(w.plans[c].factor) + " leaves float32's range); refusing to write it");
    ratio[c] = static_cast<double>(s) / static_cast<double>(old_scales[c]);
  }
  return ratio;
}

// Step 5c. bias' = round(bias / ratio) (minus the correction shift, in bias
// LSBs), saturated to int32; the bias scale follows the filter scale.
void RescaleBias(Model& model, const std::vector<int>& users, const std::vector<double>& ratio,
                 const std::vector<double>& shift, LayerWork* w) {
  Tensor& bt = model.main().tensors[w->bias_tensor];
  OwnBuffer(model, bt, users);
  auto& data = model.buffers[bt.buffer].data;
  const int64_t nb = static_cast<int64_t>(data.size() / 4);
  for (int64_t i = 0; i < nb; ++i) {
    int32_t b;
    std::memcpy(&b, data.data() + 4 * i, 4);
    const size_t c = w->layout.per_channel ? static_cast<size_t>(i) : 0;
    const double r_i = ratio[c];
    double nbv = static_cast<double>(b) / r_i;
    if (!shift.empty()) {
      // bias LSB (real) = input scale * new filter scale = old bias scale * ratio
      const double old_bias_scale = bt.quant.scale.at(bt.quant.scale.size() > 1 ? c : 0);
      nbv -= shift[c] / (old_bias_scale * r_i);
    }
    nbv = std::round(nbv);
    if (nbv > std::numeric_limits<int32_t>::max() || nbv < std::numeric_limits<int32_t>::min()) {
      ++w->report.bias_saturated;
      nbv = std::clamp(nbv, double(std::numeric_limits<int32_t>::min()), double(std::numeric_limits<int32_t>::max()));
    }
    b = static_cast<int32_t>(nbv);
    std::memcpy(data.data() + 4 * i, &b, 4);
  }
  for (size_t c = 0; c < bt.quant.scale.size(); ++c) {
    bt.quant.scale[c] = static_cast<float>(bt.quant.scale[c] * ratio[std::min(c, ratio.size() - 1)]);
    if (!std::isfinite(bt.quant.scale[c]))
      throw Error("node " + std::to_string(w->report.node) + " (" + w->report.op + "): the rescaled bias scale of " +
                  bt.name + " is not finite; refusing to write it");
  }
}

// Step 6. The metadata entry: method + per-layer summary (what the
// accelerator driver needs).
std::vector<uint8_t> QuantMetadata(const std::string& method, const RequantizeOptions& opt,
                                   const std::vector<LayerWork>& work) {
  nlohmann::json meta;
  meta["format"] = "potacc_quant/1";
  meta["method"] = method;
  meta["top_level"] = opt.channel.top_level == TopLevelPolicy::kKeep          ? "keep"
                      : opt.channel.top_level == TopLevelPolicy::kMergeBottom ? "merge-bottom"
                                                                              : "search";
  auto& ml = meta["layers"] = nlohmann::json::array();
  for (const LayerWork& w : work) {
    if (w.plans.empty()) continue;
    nlohmann::json e = {{"node", w.report.node},
                        {"weights", w.report.weights},
                        {"method", w.report.method},
                        {"channels", w.report.channels},
                        {"on_grid", w.report.on_grid},
                        {"searched", w.report.searched}};
    std::vector<int> kept;
    for (size_t c = 0; c < w.plans.size(); ++c)
      if (w.plans[c].kind == ChannelKind::kKeptTopLevel) kept.push_back(static_cast<int>(c));
    if (!kept.empty()) e["kept_top_level_channels"] = kept;  // stored 127 means 2^7 = 128
    if (w.report.method == "mixed") {
      std::vector<std::string> cm;
      for (const Method* m : w.plan_methods) cm.emplace_back(m->name);
      e["channel_methods"] = cm;
    }
    ml.push_back(e);
  }
  const std::string text = meta.dump();
  return std::vector<uint8_t>(text.begin(), text.end());
}

}  // namespace

RequantizeResult RequantizeModel(const Model& in, const RequantizeOptions& opt) {
  Check(!in.subgraphs.empty(), "model has no subgraph");
  RequantizeResult result;
  result.model = in;
  result.method = opt.method ? std::string(opt.method->name) : "auto";
  Model& model = result.model;
  const Subgraph& g = model.main();
  const std::vector<int> users = BufferUsers(model);
  const ConventionNodes conv = FindConventionNodes(g);

  // Pass 1: select and plan every weight layer.
  std::vector<LayerWork> work;
  SelectionCounts counts;
  std::map<int, size_t> planned_weights;  // weight tensor -> index in work
  const auto total = static_cast<int64_t>(g.operators.size());
  for (size_t n = 0; n < g.operators.size(); ++n) {
    ReportProgress(opt.progress, "quantize", static_cast<int64_t>(n), total);
    const Operator& op = g.operators[n];
    if (!IsWeightOp(op.op())) continue;
    ++counts.weight_ops;
    LayerWork w;
    w.report.node = static_cast<int>(n);
    w.report.op = BuiltinOpName(op.builtin);
    if (std::string why = SelectLayer(model, static_cast<int>(n), opt, conv, &counts, &w); !why.empty()) {
      w.report.skip_reason = std::move(why);
      result.layers.push_back(w.report);
      continue;
    }
    if (auto it = planned_weights.find(w.weight_tensor); it != planned_weights.end()) {
      // Weight tensor shared with an earlier layer: same plans, rescale this bias only.
      const LayerWork& prev = work[it->second];
      w.plans = prev.plans;
      w.plan_methods = prev.plan_methods;
      w.reuse_weights = true;
      w.report = prev.report;
      w.report.node = static_cast<int>(n);
      w.report.op = BuiltinOpName(op.builtin);
      work.push_back(std::move(w));
      continue;
    }
    const Tensor& weights = g.tensors[w.weight_tensor];
    w.report.channels = w.layout.channels;
    std::vector<ChannelHistogram> hists, weighted;
    ChannelHistograms(model, w, opt, &hists, &weighted);
    w.report.activation_aware = !weighted.empty();
    PlanLayer(hists, weighted, weights.quant.scale, opt, &w);
    SummarizeLayer(hists, weights.quant.scale, static_cast<int64_t>(ConstantData(model, weights)->size()), opt, &w);
    planned_weights[w.weight_tensor] = work.size();
    work.push_back(std::move(w));
  }
  ReportProgress(opt.progress, "quantize", total, total);
  CheckSelection(counts, opt);
  if (!opt.method && opt.auto_options.max_int8_layers > 0) ApplyAutoBudget(opt.auto_options, planned_weights, &work);

  // Pass 2: write weights, scales and biases.
  for (LayerWork& w : work) {
    LayerReport& r = w.report;
    if (w.plans.empty()) {
      if (r.skip_reason.empty()) r.skip_reason = "auto: kept int8";
      r.quantized = false;
      result.layers.push_back(r);
      continue;
    }
    r.quantized = true;
    const std::vector<double> shift = BiasCorrectionShift(model, w, opt);
    r.bias_corrected = !shift.empty();
    const std::vector<double> ratio = WriteWeights(model, w, users);
    if (w.bias_tensor >= 0) RescaleBias(model, users, ratio, shift, &w);
    result.layers.push_back(r);
  }
  std::sort(result.layers.begin(), result.layers.end(),
            [](const LayerReport& a, const LayerReport& b) { return a.node < b.node; });
  if (result.quantized_layers() == 0)
    throw Error("no quantizable layer selected: the model has " + std::to_string(counts.int8_weight_ops) +
                " int8 conv/FC layer(s), all excluded by the options (" +
                (result.layers.empty() ? std::string("?") : result.layers.front().skip_reason) + ", ...)");
  model.metadata[kQuantMetadataName] = QuantMetadata(result.method, opt, work);
  return result;
}

}  // namespace potacc::quant
