// PAD (constant padding, TFLite semantics), for any element type: the output
// is filled with the pad value and the input copied at offset `before`.
// int8 pads with the output zero point (the quantized 0.0); float32 with 0.0;
// an explicit constant_values input (PADV2 style) overrides both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace potacc {
class ThreadPool;
}

namespace potacc::kernels {

struct PadAmount {
  int32_t before = 0;
  int32_t after = 0;
};

// Output shape of padding `input_shape` by `pads` (one entry per dimension).
std::vector<int32_t> PaddedShape(const std::vector<int32_t>& input_shape,
                                 const std::vector<PadAmount>& pads);

// element_size bytes per element; pad_value points at one element. With a
// pool, large paddings are split into spans of rows over its threads.
void PadBytes(const std::vector<int32_t>& input_shape, const std::vector<PadAmount>& pads,
              size_t element_size, const void* input, const void* pad_value, void* output,
              ThreadPool* pool = nullptr);

}  // namespace potacc::kernels
