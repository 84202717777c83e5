// Requantization of an int8 TFLite model onto a PoT method's grid, per
// output channel of each selected CONV_2D / FULLY_CONNECTED (and optionally
// DEPTHWISE_CONV_2D) weight tensor.
//
// The written int8 weights are the method's integer levels themselves (APoT
// -10..10, MSQ -8..8, QKeras +-1..+-64, uniform4 -8..7), the filter scales
// absorb the per-channel factor (s' = s * a) and the int32 biases are
// rescaled (bias' = round(bias * s / s')), so every layer's output scale is
// unchanged and any TFLite runtime (which recomputes its multipliers from the
// scales) runs the result. Channels that already lie on the grid (models
// trained for the method) are remapped losslessly; others get the scale that
// minimises the weight MSE. See docs/quantization.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "potacc/model.h"
#include "potacc/quant/channel_quantizer.h"
#include "potacc/quant/method.h"
#include "potacc/util/progress.h"

namespace potacc::quant {

// --method auto: per layer (or per channel) the candidate with the lowest
// weight error. Budget: layers whose best 4-bit SQNR stays below
// min_sqnr_db are left at int8, at most max_int8_layers of them (worst first).
struct AutoOptions {
  std::vector<MethodId> candidates = {MethodId::kQKeras, MethodId::kApot, MethodId::kMsq, MethodId::kUniform4};
  bool per_channel = false;  // model-quality study: the accelerator runs one method per configuration
  double min_sqnr_db = 0;
  int max_int8_layers = 0;
};

struct InputStats {
  std::vector<double> mean, mean_square;  // per input channel, real units
};

struct RequantizeOptions {
  const Method* method = nullptr;  // nullptr = auto (see auto_options)
  AutoOptions auto_options;
  bool skip_first_conv = false;    // first CONV_2D stays int8
  bool skip_last_fc = false;       // last FULLY_CONNECTED stays int8
  // Follow the method's convention (Method::int8_first_and_last: APoT keeps
  // the first CONV_2D and the last FULLY_CONNECTED at int8), as
  // `potacc quantize` does unless given --all-layers.
  bool method_convention = false;
  bool include_depthwise = false;  // the v12 accelerator does not run depthwise
  // Layer filter (empty = all). Entries are node indices ("12") or tensor
  // names (weight or output tensor of the node).
  std::vector<std::string> layers;
  ChannelPlanOptions channel;      // compat: top-level policy; search density
  // Calibration statistics (optional, from CollectInputStats): node -> per
  // input channel (last weight dimension: C_in for CONV_2D, input feature for
  // FULLY_CONNECTED) mean and mean square of the real input.
  std::map<int, InputStats> input_stats;
  // With input_stats: weight each weight's squared error by the mean square
  // of the input it multiplies (the search then minimises the layer's output
  // error instead of the weight error; reports still show the weight error).
  bool activation_aware_search = true;
  // With input_stats: bias correction. Weight errors shift the layer's mean
  // output by sum_k e_k * mean(x_k); the bias absorbs that shift.
  bool bias_correction = true;
  ProgressCallback progress;  // one report per node of the first pass
};

struct LayerReport {
  int node = -1;
  std::string op;             // "CONV_2D", ...
  std::string weights;        // weight tensor name
  std::vector<int32_t> shape;
  bool quantized = false;
  std::string skip_reason;    // when !quantized
  std::string method;         // method used ("mixed" for per-channel auto)
  int channels = 0;
  int on_grid = 0;            // channels remapped losslessly (incl. halved / kept)
  int halved = 0;             // on grid, 2^7 stored as 64 with doubled scale
  int kept_top_level = 0;     // on grid, source kept: 127 stands for 2^7 = 128
  int merged_bottom = 0;      // 2^0..2^7 channel halved with 2^0 merged into 2^1 (lossy)
  int searched = 0;           // channels requantized by the MSE search
  int bias_saturated = 0;
  double mse = 0;             // mean squared weight error, real units
  double mse_lsb = 0;         // mean squared error in source int8 LSB^2
  double max_abs_error_lsb = 0;
  double sqnr_db = 0;         // 10 log10(sum w^2 / sum e^2); +inf when exact
  std::map<int, int64_t> levels;            // executed grid level -> count
  std::vector<int64_t> codes;               // code -> count (single-method layers)
  std::map<std::string, int> channel_methods;  // per-channel auto: method -> channels
  std::map<std::string, double> candidate_sqnr_db;  // auto: SQNR of each candidate
  bool activation_aware = false;  // planned with input statistics
  bool bias_corrected = false;
};

struct RequantizeResult {
  Model model;
  std::string method;  // method name or "auto"
  std::vector<LayerReport> layers;  // every CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED

  int quantized_layers() const;
  nlohmann::json ToJson() const;  // the report (also stored, shortened, as metadata)
};

// Name of the metadata entry recording the method and per-layer information.
inline constexpr const char* kQuantMetadataName = "potacc_quant";

// Throws potacc::Error for a float-only model, a model with no selected
// int8 CONV_2D / FULLY_CONNECTED layer, a layer filter naming nothing, or a
// selected layer whose scales are not positive finite numbers before or
// after requantization.
RequantizeResult RequantizeModel(const Model& in, const RequantizeOptions& options);

}  // namespace potacc::quant
