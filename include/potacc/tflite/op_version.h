// Operator versions as TFLite's converter writes them. A TFLite runtime reads
// an operator code's version to decide whether it has a kernel for the
// features the operator uses (int8 kernels, per-channel weights, no bias,
// keep_num_dims...): an int8 CONV_2D is version 3, an int8 FULLY_CONNECTED 4
// (5 with keep_num_dims, 6 without bias), BATCH_MATMUL int8 2, GELU int8 2,
// and so on. The converter also records the oldest runtime release that runs
// the whole model in the metadata entry "min_runtime_version".
//
// The rules (which feature raises which operator to which version) and the
// release each (operator, version) first appeared in are facts taken from
// TensorFlow's tensorflow/lite/tools/versioning/op_version.cc and
// runtime_version.cc; potacc implements them for the operators it models.
// This is the one place that holds them: ModelBuilder::Build (generated
// models) and post-training quantization (ptq.h) both call
// SetConverterOpVersions.
#pragma once

#include <cstdint>
#include <string>

#include "potacc/model.h"

namespace potacc {

inline constexpr const char* kMinRuntimeVersionMetadata = "min_runtime_version";

// The version TFLite's converter gives operator `op` of subgraph `g`.
int ConverterOpVersion(const Subgraph& g, const Operator& op);

// The oldest TFLite release running version `version` of a builtin operator
// ("1.14.0"), or "" if potacc does not know it.
std::string MinRuntimeVersion(int32_t builtin, int version);

// Sets every operator code's version to the largest ConverterOpVersion of the
// operators using it, in every subgraph (never lowering a version already
// set; codes no operator uses keep theirs), and writes the
// "min_runtime_version" metadata entry (16 bytes, zero padded, as the
// converter does; operator versions without a known release are skipped, as
// the converter skips them).
void SetConverterOpVersions(Model& model);

}  // namespace potacc
