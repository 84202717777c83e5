// Reading and writing whole files, with one-line errors that name the path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace potacc {

// Whole file contents. Throws potacc::Error("<path>: ...") when the path is
// missing, is not a regular file (a directory, a pipe), or cannot be read.
std::vector<uint8_t> ReadFileBytes(const std::string& path);

// Throws the same errors as ReadFileBytes without reading (for text files
// read line by line).
void RequireReadableFile(const std::string& path);

// Writes `data` to path whole or not at all: a temporary file beside it,
// then a rename over it. Throws potacc::Error naming the path.
void WriteFileAtomic(const std::string& path, std::string_view data);

}  // namespace potacc
