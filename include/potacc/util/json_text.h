// Reading JSON documents with one-line errors that name the file and, when
// the fault lies inside a value (a number too large for a double, a stray
// character), the field: "my.json: field 'timing.ppu_occupancy': number
// overflow parsing '1e999'".
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace potacc {

// Parses `text`; throws potacc::Error("<where>: ...") on any fault.
nlohmann::json ParseJsonText(const std::string& text, const std::string& where);

// Reads and parses a JSON file. Refuses directories, FIFOs and devices (a
// regular file only) and files larger than max_bytes (configuration files are
// small; reading an unbounded file would only waste memory).
nlohmann::json ReadJsonFile(const std::string& path, int64_t max_bytes);

}  // namespace potacc
