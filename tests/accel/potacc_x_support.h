// Helpers shared by the potacc-x mode tests (depthwise mode, depth
// splitting, data-free timing): design points derived from a shipped
// configuration, and generated models quantized onto a method's grid.
#pragma once

#include <map>
#include <string>

#include "potacc/accel/config.h"
#include "potacc/model.h"
#include "potacc/quant/requantize.h"
#include "potacc/tflite/generators.h"

namespace potacc::accel::xmodes {

// The reference design of `board` with the potacc-x modes switched on.
inline AcceleratorConfig WithModes(const std::string& method, const std::string& board, bool depthwise,
                                   bool depth_split, int64_t psum_entries = 256) {
  AcceleratorConfig c = ResolveAcceleratorConfig(method, board);
  c.name = "test-x-" + board + "-" + method;
  c.first_conv_on_cpu = false;
  if (depthwise) c.accepted_ops.push_back(BuiltinOp::kDepthwiseConv2D);
  c.modes[kModeDepthSplit] = depth_split ? 1 : 0;
  c.buffers.psum_entries = depth_split ? psum_entries : 0;
  return c;
}

// Generator values of a one-layer DEPTHWISE_CONV_2D model (generator "conv").
inline std::map<std::string, std::string> DwShape(int h, int w, int c, int kernel, int stride, int dilation, bool same,
                                           const char* act = "none") {
  return {{"h", std::to_string(h)},         {"w", std::to_string(w)},
          {"cin", std::to_string(c)},       {"cout", std::to_string(c)},
          {"kernel", std::to_string(kernel)}, {"stride", std::to_string(stride)},
          {"dilation", std::to_string(dilation)}, {"padding", same ? "same" : "valid"},
          {"activation", act},              {"depthwise", "true"}};
}

// A generated model with every conv/FC/depthwise weight on the method's grid.
inline Model QuantizedFor(const Model& model, const std::string& method) {
  if (method == "int8") return model;
  quant::RequantizeOptions ro;
  ro.method = &quant::MethodByName(method);
  ro.include_depthwise = true;
  ro.channel.top_level = quant::TopLevelPolicy::kMergeBottom;
  return quant::RequantizeModel(model, ro).model;
}

inline Model Generated(const std::string& name, uint64_t seed, const std::map<std::string, std::string>& values,
                       const std::string& method) {
  return QuantizedFor(Generate(name, seed, values), method);
}

}  // namespace potacc::accel::xmodes
