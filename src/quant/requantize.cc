#include "potacc/quant/requantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "potacc/error.h"
#include "potacc/util/progress.h"

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

RequantizeResult RequantizeModel(const Model& in, const RequantizeOptions& opt) {
  Check(!in.subgraphs.empty(), "model has no subgraph");
  RequantizeResult result;
  result.model = in;
  result.method = opt.method ? std::string(opt.method->name) : "auto";
  Model& model = result.model;
  Subgraph& g = model.main();

  std::vector<int> refcount(model.buffers.size(), 0);
  for (const Subgraph& sg : model.subgraphs)
    for (const Tensor& t : sg.tensors)
      if (t.buffer < refcount.size()) ++refcount[t.buffer];

  int first_conv = -1, last_fc = -1;
  for (size_t n = 0; n < g.operators.size(); ++n) {
    if (g.operators[n].op() == BuiltinOp::kConv2D && first_conv < 0) first_conv = static_cast<int>(n);
    if (g.operators[n].op() == BuiltinOp::kFullyConnected) last_fc = static_cast<int>(n);
  }

  // --- pass 1: select and plan
  std::vector<LayerWork> work;
  std::set<std::string> matched;
  int weight_ops = 0, float_weight_ops = 0, int8_weight_ops = 0;
  std::map<int, size_t> planned_weights;  // weight tensor -> index in work
  ProgressBar progress("quantize", static_cast<int64_t>(g.operators.size()));
  for (size_t n = 0; n < g.operators.size(); ++n) {
    progress.Update(static_cast<int64_t>(n));
    const Operator& op = g.operators[n];
    if (!IsWeightOp(op.op())) continue;
    ++weight_ops;
    const int node = static_cast<int>(n);
    LayerWork w;
    LayerReport& r = w.report;
    r.node = node;
    r.op = BuiltinOpName(op.builtin);
    const int wt = op.inputs.size() > 1 ? op.inputs[1] : -1;
    if (wt < 0 || wt >= static_cast<int>(g.tensors.size())) {
      r.skip_reason = "no weight tensor";
      result.layers.push_back(r);
      continue;
    }
    const Tensor& weights = g.tensors[wt];
    r.weights = weights.name;
    r.shape = weights.shape;
    const auto skip = [&](const std::string& why) {
      r.skip_reason = why;
      result.layers.push_back(r);
    };
    const bool selected = MatchesFilter(opt.layers, node, g, op, &matched);
    if (weights.type != DataType::kInt8) {
      if (weights.type == DataType::kFloat32 || weights.type == DataType::kFloat16) ++float_weight_ops;
      skip(std::string("weights are ") + DataTypeName(weights.type) + ", not int8");
      continue;
    }
    const std::vector<uint8_t>* wdata = ConstantData(model, weights);
    if (!wdata || wdata->empty()) {
      skip("weights are not constant");
      continue;
    }
    if (weights.quant.empty()) {
      skip("weights have no quantization parameters");
      continue;
    }
    ++int8_weight_ops;
    if (op.op() == BuiltinOp::kDepthwiseConv2D && !opt.include_depthwise) {
      skip("depthwise (not selected; use --depthwise)");
      continue;
    }
    if (opt.skip_first_conv && node == first_conv) {
      skip("first CONV_2D kept int8 (--skip-first-conv)");
      continue;
    }
    if (opt.skip_last_fc && node == last_fc) {
      skip("last FULLY_CONNECTED kept int8 (--skip-last-fc)");
      continue;
    }
    if (!selected) {
      skip("not in --layers");
      continue;
    }
    if (std::any_of(weights.quant.zero_point.begin(), weights.quant.zero_point.end(),
                    [](int64_t z) { return z != 0; })) {
      skip("weights have a non-zero zero point (asymmetric)");
      continue;
    }
    w.weight_tensor = wt;
    w.bias_tensor = op.inputs.size() > 2 ? op.inputs[2] : -1;
    if (w.bias_tensor >= 0) {
      const Tensor& b = g.tensors.at(w.bias_tensor);
      const auto* bdata = ConstantData(model, b);
      if (b.type != DataType::kInt32 || !bdata || bdata->empty()) {
        skip("bias is not a constant int32 tensor");
        continue;
      }
    }
    // Channel layout.
    Layout& lay = w.layout;
    if (weights.quant.per_channel()) {
      const int qd = weights.quant.quantized_dimension;
      if (qd < 0 || qd >= static_cast<int>(weights.shape.size()) ||
          weights.shape[qd] != static_cast<int>(weights.quant.scale.size())) {
        skip("per-channel scales do not match the quantized dimension");
        continue;
      }
      lay.per_channel = true;
      lay.channels = weights.shape[qd];
      for (size_t d = qd + 1; d < weights.shape.size(); ++d) lay.inner *= weights.shape[d];
    }
    if (w.bias_tensor >= 0) {
      const int64_t nb = g.tensors[w.bias_tensor].num_elements();
      if (lay.per_channel && nb != lay.channels) {
        skip("bias length does not match the output channels");
        continue;
      }
    }
    if (auto it = planned_weights.find(wt); it != planned_weights.end()) {
      // Weight tensor shared with an earlier layer: same plans, rescale this bias only.
      const LayerWork& prev = work[it->second];
      w.plans = prev.plans;
      w.plan_methods = prev.plan_methods;
      w.reuse_weights = true;
      r = prev.report;
      r.node = node;
      r.op = BuiltinOpName(op.builtin);
      work.push_back(std::move(w));
      continue;
    }
    r.channels = lay.channels;
    std::vector<ChannelHistogram> hists(lay.channels);
    const auto* q = reinterpret_cast<const int8_t*>(wdata->data());
    for (int64_t i = 0; i < static_cast<int64_t>(wdata->size()); ++i) hists[ChannelOf(lay, i)].Add(q[i]);
    // Activation-aware: the histograms the search sees weight each weight by
    // the (normalised) mean square of its input channel. A floor keeps every
    // present value present, so on-grid detection is unaffected.
    std::vector<ChannelHistogram> weighted;
    if (auto it = opt.input_stats.find(node);
        opt.activation_aware_search && it != opt.input_stats.end() && op.op() != BuiltinOp::kDepthwiseConv2D &&
        !weights.shape.empty() && static_cast<int>(it->second.mean_square.size()) == weights.shape.back()) {
      std::vector<double> imp = it->second.mean_square;
      double mean = 0;
      for (double v : imp) mean += v;
      mean /= static_cast<double>(imp.size());
      if (mean > 0) {
        for (double& v : imp) v = std::max(v / mean, 1e-6);
        weighted.resize(lay.channels);
        const auto k = static_cast<int64_t>(imp.size());
        for (int64_t i = 0; i < static_cast<int64_t>(wdata->size()); ++i)
          weighted[ChannelOf(lay, i)].Add(q[i], imp[i % k]);
        r.activation_aware = true;
      }
    }
    const std::vector<ChannelHistogram>& plan_hists = weighted.empty() ? hists : weighted;
    // Plans carry the plain weight error (reports); the choice used plan_hists.
    const auto plan_all = [&](const Method& m) {
      std::vector<ChannelPlan> plans = PlanAll(m, plan_hists, opt.channel);
      if (!weighted.empty())
        for (size_t c = 0; c < plans.size(); ++c) ComputePlanStats(hists[c], &plans[c]);
      return plans;
    };

    if (opt.method) {
      w.plans = plan_all(*opt.method);
      w.plan_methods.assign(w.plans.size(), opt.method);
    } else {
      // Auto: every candidate, then per layer or per channel the lowest error.
      Check(!opt.auto_options.candidates.empty(), "--method auto needs at least one candidate method");
      std::vector<std::vector<ChannelPlan>> cand;
      for (MethodId id : opt.auto_options.candidates) {
        cand.push_back(plan_all(GetMethod(id)));
        const LayerError e = ErrorOf(cand.back(), weights.quant.scale);
        r.candidate_sqnr_db[std::string(GetMethod(id).name)] = SqnrDb(e.signal, e.sse);
      }
      if (opt.auto_options.per_channel) {
        for (int c = 0; c < lay.channels; ++c) {
          size_t best = 0;
          for (size_t k = 1; k < cand.size(); ++k)
            if (cand[k][c].sse < cand[best][c].sse) best = k;
          w.plans.push_back(cand[best][c]);
          w.plan_methods.push_back(&GetMethod(opt.auto_options.candidates[best]));
        }
      } else {
        size_t best = 0;
        double best_sse = ErrorOf(cand[0], weights.quant.scale).sse;
        for (size_t k = 1; k < cand.size(); ++k) {
          const double s = ErrorOf(cand[k], weights.quant.scale).sse;
          if (s < best_sse) {
            best = k;
            best_sse = s;
          }
        }
        w.plans = cand[best];
        w.plan_methods.assign(w.plans.size(), &GetMethod(opt.auto_options.candidates[best]));
      }
    }
    // Report.
    const LayerError e = ErrorOf(w.plans, weights.quant.scale);
    const int64_t count = static_cast<int64_t>(wdata->size());
    r.mse = e.sse / count;
    double sse_lsb = 0;
    std::set<std::string> used;
    for (size_t c = 0; c < w.plans.size(); ++c) {
      const ChannelPlan& p = w.plans[c];
      sse_lsb += p.sse;
      r.max_abs_error_lsb = std::max(r.max_abs_error_lsb, p.max_abs_error);
      r.on_grid += p.on_grid();
      r.halved += p.kind == ChannelKind::kOnGridHalved;
      r.kept_top_level += p.kind == ChannelKind::kKeptTopLevel;
      r.merged_bottom += p.kind == ChannelKind::kMergedBottom;
      r.searched += p.kind == ChannelKind::kSearched;
      used.insert(std::string(w.plan_methods[c]->name));
      ++r.channel_methods[std::string(w.plan_methods[c]->name)];
      for (int i = 0; i < 256; ++i)
        if (hists[c].count[i] > 0) r.levels[p.executed[i]] += static_cast<int64_t>(hists[c].count[i]);
    }
    r.mse_lsb = sse_lsb / count;
    r.sqnr_db = SqnrDb(e.signal, e.sse);
    r.method = used.size() == 1 ? *used.begin() : "mixed";
    if (used.size() == 1) {
      const Method& m = *w.plan_methods[0];
      r.codes.assign(m.num_codes(), 0);
      for (auto [level, n] : r.levels) r.codes[m.Encode(level)] += n;
    }
    if (!(opt.method == nullptr && opt.auto_options.per_channel)) r.channel_methods.clear();
    planned_weights[wt] = work.size();
    work.push_back(std::move(w));
  }
  progress.Finish();

  for (const std::string& f : opt.layers)
    if (!matched.count(f))
      throw Error("--layers: '" + f + "' names no CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED node (index or tensor name)");
  if (weight_ops == 0) throw Error("model has no CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED layer to quantize");
  if (int8_weight_ops == 0) {
    if (float_weight_ops > 0)
      throw Error("float-only model: all " + std::to_string(float_weight_ops) +
                  " conv/FC layers have float weights; potacc quantize requantizes int8 TFLite models "
                  "(convert with full-integer post-training quantization first)");
    throw Error("model has no int8 CONV_2D / FULLY_CONNECTED weights to quantize");
  }

  // Auto budget: the worst layers (by best 4-bit SQNR) below min_sqnr_db stay int8.
  if (!opt.method && opt.auto_options.max_int8_layers > 0) {
    std::vector<size_t> low;
    for (size_t k = 0; k < work.size(); ++k)
      if (!work[k].reuse_weights && work[k].report.sqnr_db < opt.auto_options.min_sqnr_db) low.push_back(k);
    std::sort(low.begin(), low.end(), [&](size_t a, size_t b) { return work[a].report.sqnr_db < work[b].report.sqnr_db; });
    low.resize(std::min(low.size(), static_cast<size_t>(opt.auto_options.max_int8_layers)));
    for (size_t k : low) {
      LayerReport& r = work[k].report;
      r.skip_reason = "auto: kept int8 (best 4-bit SQNR " + FormatDb(r.sqnr_db) + " dB < budget " +
                      FormatDb(opt.auto_options.min_sqnr_db) + " dB)";
      work[k].plans.clear();
    }
    // Layers sharing those weights follow them.
    for (auto& w : work)
      if (w.reuse_weights && work[planned_weights[w.weight_tensor]].plans.empty()) w.plans.clear();
  }

  // --- pass 2: write weights, scales and biases
  for (LayerWork& w : work) {
    LayerReport& r = w.report;
    if (w.plans.empty()) {
      if (r.skip_reason.empty()) r.skip_reason = "auto: kept int8";
      r.quantized = false;
      result.layers.push_back(r);
      continue;
    }
    r.quantized = true;
    Tensor& wt = g.tensors[w.weight_tensor];
    // Factors actually realised by the float32 scales.
    std::vector<double> ratio(w.plans.size());  // s' / s
    std::vector<float> old_scales = wt.quant.scale;
    // Bias correction: real mean-output shift of each channel, sum_k e_k mean(x_k).
    std::vector<double> shift(w.plans.size(), 0.0);
    bool correct = false;
    if (auto it = opt.input_stats.find(r.node); opt.bias_correction && it != opt.input_stats.end() &&
                                                w.bias_tensor >= 0 && !w.reuse_weights &&
                                                !g.tensors[w.bias_tensor].quant.scale.empty() &&
                                                g.operators[r.node].op() != BuiltinOp::kDepthwiseConv2D &&
                                                static_cast<int>(it->second.mean.size()) == wt.shape.back()) {
      const auto& mean = it->second.mean;
      const auto& data = model.buffers[wt.buffer].data;
      const auto* q = reinterpret_cast<const int8_t*>(data.data());
      const auto k = static_cast<int64_t>(mean.size());
      for (int64_t i = 0; i < static_cast<int64_t>(data.size()); ++i) {
        const int c = ChannelOf(w.layout, i);
        const ChannelPlan& p = w.plans[c];
        const double s = old_scales[c];
        const double e = (p.stored[q[i] + 128] * static_cast<double>(static_cast<float>(s * p.factor)) - q[i] * s);
        shift[c] += e * mean[i % k];
      }
      correct = true;
      r.bias_corrected = true;
    }
    if (!w.reuse_weights) {
      OwnBuffer(model, wt, refcount);
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
    for (size_t c = 0; c < w.plans.size(); ++c)
      ratio[c] = static_cast<double>(wt.quant.scale[c]) / static_cast<double>(old_scales[c]);
    if (w.bias_tensor >= 0) {
      Tensor& bt = g.tensors[w.bias_tensor];
      OwnBuffer(model, bt, refcount);
      auto& data = model.buffers[bt.buffer].data;
      const int64_t nb = static_cast<int64_t>(data.size() / 4);
      for (int64_t i = 0; i < nb; ++i) {
        int32_t b;
        std::memcpy(&b, data.data() + 4 * i, 4);
        const size_t c = w.layout.per_channel ? static_cast<size_t>(i) : 0;
        const double r_i = ratio[c];
        double nbv = static_cast<double>(b) / r_i;
        if (correct) {
          // bias LSB (real) = input scale * new filter scale = old bias scale * ratio
          const Tensor& bt0 = g.tensors[w.bias_tensor];
          const double old_bias_scale = bt0.quant.scale.at(bt0.quant.scale.size() > 1 ? c : 0);
          nbv -= (w.layout.per_channel ? shift[c] : shift[0]) / (old_bias_scale * r_i);
        }
        nbv = std::round(nbv);
        if (nbv > std::numeric_limits<int32_t>::max() || nbv < std::numeric_limits<int32_t>::min()) {
          ++r.bias_saturated;
          nbv = std::clamp(nbv, double(std::numeric_limits<int32_t>::min()), double(std::numeric_limits<int32_t>::max()));
        }
        b = static_cast<int32_t>(nbv);
        std::memcpy(data.data() + 4 * i, &b, 4);
      }
      for (size_t c = 0; c < bt.quant.scale.size(); ++c)
        bt.quant.scale[c] = static_cast<float>(bt.quant.scale[c] * ratio[std::min(c, ratio.size() - 1)]);
    }
    result.layers.push_back(r);
  }
  std::sort(result.layers.begin(), result.layers.end(),
            [](const LayerReport& a, const LayerReport& b) { return a.node < b.node; });
  if (result.quantized_layers() == 0)
    throw Error("no quantizable layer selected: the model has " + std::to_string(int8_weight_ops) +
                " int8 conv/FC layer(s), all excluded by the options (" +
                (result.layers.empty() ? std::string("?") : result.layers.front().skip_reason) + ", ...)");

  // Metadata: method + per-layer summary (what the accelerator driver needs).
  nlohmann::json meta;
  meta["format"] = "potacc_quant/1";
  meta["method"] = result.method;
  meta["top_level"] = opt.channel.top_level == TopLevelPolicy::kKeep          ? "keep"
                      : opt.channel.top_level == TopLevelPolicy::kMergeBottom ? "merge-bottom"
                                                                              : "search";
  auto& ml = meta["layers"] = nlohmann::json::array();
  for (size_t k = 0; k < work.size(); ++k) {
    const LayerWork& w = work[k];
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
  model.metadata[kQuantMetadataName] = std::vector<uint8_t>(text.begin(), text.end());
  return result;
}

}  // namespace potacc::quant
