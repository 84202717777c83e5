// Serialising a potacc::Model back to the .tflite flatbuffer format.
// ReadModel(WriteModel(m)) == m for any model ReadModel accepts (and for any
// model ModelBuilder produces). Metadata entries are stored as extra buffers
// appended after Model::buffers; the reader strips such trailing
// metadata-only buffers again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "potacc/model.h"

namespace potacc {

// Does not validate: an invalid Model (e.g. built by a test to exercise the
// reader) is written as is.
std::vector<uint8_t> WriteModel(const Model& model);

// Writes WriteModel(model) to path, whole or not at all (util/file.h: temporary
// file + rename); potacc::Error if the file cannot be written.
void SaveModel(const Model& model, const std::string& path);

}  // namespace potacc
