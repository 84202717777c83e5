// TRANSPOSE (TFLite Micro reference semantics): output[i_0, ..., i_{r-1}] =
// input[j] with j[perm[d]] = i_d, i.e. output dimension d is input dimension
// perm[d]. A pure data movement: any element type, bytes copied unchanged (the
// quantization parameters are not looked at, as in TFLite). Ranks 1..6; the
// permutation must be a constant int32/int64 vector holding each axis once.
#pragma once

#include <cstdint>
#include <vector>

namespace potacc::kernels {

// Output shape of `input` permuted by `perm`; throws potacc::Error if perm is
// not a permutation of 0..rank-1.
std::vector<int32_t> TransposedShape(const std::vector<int32_t>& input, const std::vector<int>& perm);

// Element-by-element reference (element_size bytes per element).
void TransposeReference(const std::vector<int32_t>& input_shape, const std::vector<int>& perm,
                        int element_size, const uint8_t* input, uint8_t* output);

// Optimized: merges dimensions that stay adjacent, copies contiguous runs
// whole and walks the rest in cache-friendly order. Same bytes as the reference.
void Transpose(const std::vector<int32_t>& input_shape, const std::vector<int>& perm, int element_size,
               const uint8_t* input, uint8_t* output);

}  // namespace potacc::kernels
