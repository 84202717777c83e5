// Reading .tflite files into the in-memory potacc::Model.
//
// Every file is verified twice before anything uses it: the flatbuffers
// Verifier (structure: offsets, sizes, nesting) and semantic checks (indices in
// range, constant buffer sizes, quantization parameter counts, operator arity,
// bounded tensor sizes). A file that fails either throws InvalidModelError with
// one line naming the file and the problem; it never crashes or allocates
// unbounded memory.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "potacc/model.h"
#include "potacc/util/file.h"  // ReadFileBytes

namespace potacc {

// Bounds that keep a hostile file from making us allocate huge buffers.
struct ReadLimits {
  int64_t max_tensor_bytes = int64_t{256} << 20;         // one tensor
  int64_t max_activation_bytes = int64_t{1} << 30;       // sum of non-constant tensors
  int max_rank = 8;
};

// Parses and verifies a model held in memory. name_for_errors is used as the
// prefix of error messages (usually the file path).
Model ReadModel(std::span<const uint8_t> bytes, const std::string& name_for_errors,
                const ReadLimits& limits = {});

// Reads and verifies a .tflite file. Missing/unreadable file -> potacc::Error;
// invalid content -> InvalidModelError.
Model LoadModel(const std::string& path, const ReadLimits& limits = {});


// Runs the semantic checks of ReadModel on an in-memory Model (e.g. one built
// programmatically). Throws InvalidModelError("<name>: ...").
void ValidateModel(const Model& model, const std::string& name_for_errors,
                   const ReadLimits& limits = {});

}  // namespace potacc
