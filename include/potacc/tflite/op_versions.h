// Operator versions as TFLite's converter writes them. A TFLite runtime reads
// an operator code's version to decide whether it has a kernel for the
// features the operator uses (int8 kernels, per-channel weights, no bias...);
// the converter also records the oldest runtime release that runs the whole
// model in the metadata entry "min_runtime_version".
//
// The rules (which feature raises which operator to which version) and the
// release each (operator, version) first appeared in are facts taken from
// TensorFlow's tensorflow/lite/tools/versioning/op_version.cc and
// runtime_version.cc; potacc implements them for the operators it writes.
#pragma once

#include <cstdint>
#include <string>

#include "potacc/model.h"

namespace potacc {

inline constexpr const char* kMinRuntimeVersionMetadata = "min_runtime_version";

// The version TFLite's converter gives operator `op` of subgraph `g`.
int ConverterOpVersion(const Model& model, const Subgraph& g, const Operator& op);

// The oldest TFLite release running version `version` of a builtin operator
// ("1.14.0"), or "" if potacc does not know it.
std::string MinRuntimeVersion(int32_t builtin, int version);

// Sets every operator code's version to the highest version of the operators
// using it (never lowering a version already set) and writes the
// "min_runtime_version" metadata entry (16 bytes, zero padded, as the
// converter does). ModelBuilder::Build applies it to every generated model.
void ApplyConverterVersions(Model& model);

}  // namespace potacc
