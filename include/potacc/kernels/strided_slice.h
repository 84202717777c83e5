// STRIDED_SLICE (TFLite semantics, without ellipsis / new-axis masks).
//
// Per axis d (begin/end/strides have one entry per input dimension):
//   start: begin[d], or the first element if bit d of begin_mask is set;
//          negative values count from the end; clamped to [0, n] for a
//          positive stride, [-1, n-1] for a negative one.
//   stop:  start + 1 if bit d of shrink_axis_mask is set (the axis is then
//          removed from the output); else end[d] (begin[d] + end[d] with the
//          `offset` option), or past the last element if bit d of end_mask is
//          set; negative values count from the end; clamped like start.
//   elements start, start + stride, ... while before stop.
// A shrunk axis selects the single index begin[d] (negative counts from the
// end; begin_mask: the first index in the stride's direction), which must
// lie inside the axis: an out-of-range begin is an error, not clamped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace potacc::kernels {

struct StridedSliceSpec {
  std::vector<int64_t> begin, end, strides;
  int32_t begin_mask = 0, end_mask = 0, shrink_axis_mask = 0;
  bool offset = false;
};

struct SliceRange {
  int64_t start = 0, stop = 0, stride = 1;
  bool shrink = false;
  int64_t count() const;  // number of selected elements
};

// Throws potacc::Error for mismatched lengths or a zero stride.
std::vector<SliceRange> ResolveStridedSlice(const std::vector<int32_t>& input_shape,
                                            const StridedSliceSpec& spec);

// Output shape: one entry per non-shrunk axis.
std::vector<int32_t> StridedSliceShape(const std::vector<SliceRange>& ranges);

void StridedSliceBytes(const std::vector<int32_t>& input_shape,
                       const std::vector<SliceRange>& ranges, size_t element_size,
                       const void* input, void* output);

}  // namespace potacc::kernels
