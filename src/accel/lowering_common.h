// Checks and fills shared by the lowering of every accelerated operator
// (lowering.cc: CONV_2D / FULLY_CONNECTED, depthwise.cc: DEPTHWISE_CONV_2D).
#pragma once

#include <string>

#include "potacc/accel/lowering.h"
#include "potacc/model.h"

namespace potacc::accel::detail {

// The tensors of a weighted int8 node.
struct NodeTensors {
  const Tensor* in = nullptr;
  const Tensor* weights = nullptr;
  const Tensor* out = nullptr;
  const Tensor* bias = nullptr;
  const std::vector<uint8_t>* weight_data = nullptr;
  const std::vector<uint8_t>* bias_data = nullptr;
};

// Types, constant weights/bias, per-tensor activations, symmetric weights,
// clamp-only activation. Returns "" or the reason the node cannot run.
std::string CheckNode(const Model& model, const Operator& op, NodeTensors* t);

// The per-channel scale count, buffer sizes, and LayerWeights / activation
// bounds of g (g.n, g.k set). `weights` = the n x k weights (row-major).
std::string FillLayer(const NodeTensors& t, const Operator& op, const int8_t* weights, GemmLowering& g);

// The per-tensor zero point (0 when the tensor has none).
int32_t ZeroPoint(const Tensor& t);


}  // namespace potacc::accel::detail
