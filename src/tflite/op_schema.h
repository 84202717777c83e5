// Per-operator facts shared by the reader, the writer and the validator:
// which BuiltinOptions table an operator carries and its input/output arity.
// Internal to src/tflite.
#pragma once

#include <cstdint>

#include "tflite_schema_generated.h"

namespace potacc::tflite_internal {

struct OpSchema {
  bool known = false;  // one of the operators named in model.h
  ::tflite::BuiltinOptions options = ::tflite::BuiltinOptions::NONE;
  int min_inputs = 0, max_inputs = 0;  // max < 0: unbounded
  int min_outputs = 1, max_outputs = 1;
  int optional_input = -1;  // index of an input that may be -1 (absent)
};

OpSchema GetOpSchema(int32_t builtin);

}  // namespace potacc::tflite_internal
