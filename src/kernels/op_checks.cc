#include "potacc/kernels/op_checks.h"

#include <cstring>
#include <limits>

namespace potacc::kernels {

void RequireArity(const OpContext& ctx, int min_inputs, int max_inputs, int outputs) {
  const int n = ctx.num_inputs();
  if (n < min_inputs || n > max_inputs) {
    const std::string expected = min_inputs == max_inputs
                                     ? std::to_string(min_inputs)
                                     : std::to_string(min_inputs) + ".." + std::to_string(max_inputs);
    ctx.Require(false, "expects " + expected + " inputs, has " + std::to_string(n));
  }
  for (int i = 0; i < n; ++i) {
    ctx.Require(ctx.has_input(i), "input " + std::to_string(i) + " is missing");
  }
  ctx.Require(ctx.num_outputs() == outputs, "expects " + std::to_string(outputs) +
                                                " output(s), has " +
                                                std::to_string(ctx.num_outputs()));
  for (int i = 0; i < outputs; ++i) {
    ctx.Require(ctx.op().outputs[i] >= 0, "output " + std::to_string(i) + " is missing");
  }
}

void RequireTypeIn(const OpContext& ctx, const Tensor& tensor, const char* role,
                   std::initializer_list<DataType> allowed) {
  for (DataType t : allowed) {
    if (tensor.type == t) return;
  }
  std::string names;
  for (DataType t : allowed) {
    if (!names.empty()) names += "/";
    names += DataTypeName(t);
  }
  ctx.Unsupported(std::string(role) + " type " + DataTypeName(tensor.type) +
                  " is not supported (supported: " + names + ")");
}

void RequireSameType(const OpContext& ctx, const Tensor& a, const char* role_a, const Tensor& b,
                     const char* role_b) {
  if (a.type != b.type) {
    ctx.Unsupported(std::string(role_a) + " type " + DataTypeName(a.type) + " differs from " +
                    role_b + " type " + DataTypeName(b.type));
  }
}

TensorQuant PerTensorQuant(const OpContext& ctx, const Tensor& tensor, const char* role) {
  ctx.Require(!tensor.quant.scale.empty(),
              std::string(role) + " '" + tensor.name + "' has no quantization parameters");
  ctx.Require(tensor.quant.scale.size() == 1,
              std::string(role) + " '" + tensor.name + "' must be quantized per tensor, has " +
                  std::to_string(tensor.quant.scale.size()) + " scales");
  const float scale = tensor.quant.scale[0];
  ctx.Require(scale > 0.0f, std::string(role) + " '" + tensor.name + "' has a non-positive scale");
  const int64_t zp = tensor.quant.zero_point.empty() ? 0 : tensor.quant.zero_point[0];
  const bool in_range = tensor.type == DataType::kInt8
                            ? (zp >= -128 && zp <= 127)
                            : (zp >= std::numeric_limits<int32_t>::min() &&
                               zp <= std::numeric_limits<int32_t>::max());
  ctx.Require(in_range, std::string(role) + " '" + tensor.name + "' has zero point " +
                            std::to_string(zp) + " out of range for " +
                            DataTypeName(tensor.type));
  return {scale, static_cast<int32_t>(zp)};
}

InputOutputQuant PerTensorInputOutputQuant(const OpContext& ctx) {
  const TensorQuant input = PerTensorQuant(ctx, ctx.input(0), "input");
  return {input, PerTensorQuant(ctx, ctx.output(0), "output")};
}

void RequireUnitIntervalInt8Output(const OpContext& ctx, const TensorQuant& output) {
  if (output.zero_point != kUnitIntervalInt8ZeroPoint || output.scale != kUnitIntervalInt8Scale) {
    ctx.Unsupported("int8 output must have zero point -128 and scale 1/256, has zero point " +
                    std::to_string(output.zero_point) + " and scale " +
                    std::to_string(output.scale));
  }
}

void RequireUnaryInt8OrFloat(const OpContext& ctx) {
  RequireArity(ctx, 1, 1, 1);
  const Tensor& in = ctx.input(0);
  RequireTypeIn(ctx, in, "input", {DataType::kInt8, DataType::kFloat32});
  RequireSameType(ctx, in, "input", ctx.output(0), "output");
}

void RequireSameElementCount(const OpContext& ctx) {
  const Tensor& in = ctx.input(0);
  const Tensor& out = ctx.output(0);
  ctx.Require(in.num_elements() == out.num_elements(),
              "input shape " + FormatShape(in.shape) + " differs from output shape " +
                  FormatShape(out.shape));
}

fixed_point::ActivationRange NodeActivationRange(const OpContext& ctx, const TensorQuant& output,
                                                 DataType type) {
  try {
    return ActivationRangeQuantized(ctx.options().activation, output.scale, output.zero_point,
                                    type);
  } catch (const Error& e) {
    ctx.Unsupported(e.what());
  }
}

FloatRange NodeActivationRangeFloat(const OpContext& ctx) {
  try {
    return ActivationRangeFloat(ctx.options().activation);
  } catch (const Error& e) {
    ctx.Unsupported(e.what());
  }
}

int64_t ShapeElements(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

std::vector<int64_t> ReadIndexTensor(const OpContext& ctx, int input, const char* role) {
  const Tensor& t = ctx.input(input);
  RequireTypeIn(ctx, t, role, {DataType::kInt32, DataType::kInt64});
  const int64_t n = t.num_elements();
  const TensorSlot& slot = ctx.input_slot(input);
  const size_t esize = t.type == DataType::kInt32 ? 4 : 8;
  ctx.Require(n >= 0 && slot.data != nullptr && slot.bytes >= static_cast<size_t>(n) * esize,
              std::string(role) + " tensor has no data");
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (t.type == DataType::kInt32) {
      int32_t x;
      std::memcpy(&x, slot.data + i * 4, 4);
      v[i] = x;
    } else {
      int64_t x;
      std::memcpy(&x, slot.data + i * 8, 8);
      v[i] = x;
    }
  }
  return v;
}

}  // namespace potacc::kernels
