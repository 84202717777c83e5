// GATHER (TFLite Micro reference semantics): slices of `params` along `axis`
// picked by int32/int64 indices, with batch_dims leading dimensions shared by
// params and indices. Output shape: params[:axis] + indices[batch_dims:] +
// params[axis+1:]. Pure data movement (any element type; int8 keeps its
// quantization). An index outside [0, params.shape[axis]) is an error (TFLite
// Micro only debug-checks it; TFLite refuses it).
#pragma once

#include <cstdint>
#include <vector>

namespace potacc::kernels {

struct GatherShape {
  int64_t batch = 1;       // product of params[:batch_dims]
  int64_t outer = 1;       // product of params[batch_dims:axis]
  int64_t axis_size = 1;   // params[axis]
  int64_t inner = 1;       // product of params[axis+1:]
  int64_t coords = 1;      // indices per batch (product of indices[batch_dims:])
  std::vector<int32_t> output_shape;
};

// Throws potacc::Error naming the problem (axis / batch_dims / shapes).
GatherShape MakeGatherShape(const std::vector<int32_t>& params, const std::vector<int32_t>& indices, int axis,
                            int batch_dims);

// indices already widened to int64; throws potacc::Error on an index out of range.
void Gather(const GatherShape& s, int element_size, const uint8_t* params, const std::vector<int64_t>& indices,
            uint8_t* output);

}  // namespace potacc::kernels
