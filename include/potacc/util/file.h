// Reading and writing whole files, with one-line errors that name the path.
//
// Reads refuse what is not a regular file (a directory, /dev/zero, a FIFO)
// before opening it, so a hostile path can neither block nor grow without
// bound. Writes are whole or nothing: the data goes to a temporary file beside
// the target, is flushed and closed with every error checked, and is renamed
// over the target; on any failure the temporary file is removed and the
// target is untouched.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace potacc {

inline constexpr size_t kMaxTextFileBytes = size_t{64} << 20;  // configs, profiles, label files

// Whole file contents. Throws potacc::Error("<path>: ...") when the path is
// missing, is not a regular file (a directory, a pipe, a device), is larger
// than max_bytes, or cannot be read.
std::vector<uint8_t> ReadFileBytes(const std::string& path, size_t max_bytes = size_t{2} << 30);

// The same as text (configuration files, CSV profiles, JSON results).
std::string ReadTextFile(const std::string& path, size_t max_bytes = kMaxTextFileBytes);

// Throws the same errors as ReadFileBytes without reading (for text files
// read line by line).
void RequireReadableFile(const std::string& path);

// Writes the file whole or not at all (see above). A target that exists and
// is not a regular file (/dev/stdout, a FIFO, /dev/full) is written in place,
// with the same checks, since it cannot be replaced by a rename.
void WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes);
void WriteFileAtomic(const std::string& path, std::string_view text);

// Throws "<what> <output> is also an input (<input>); refusing to overwrite
// it" when output names the same file as one of the inputs (same path or,
// for existing files, the same file through links). Empty names are ignored.
void RequireDistinctFiles(const std::string& output, const std::vector<std::string>& inputs,
                          const std::string& what);

// Several output files written together: each one is written to its
// temporary file by Commit(), and only when all of them are written are they
// renamed into place. Nothing is written before Commit(); a failure leaves
// no output and no temporary file behind.
class OutputFiles {
 public:
  void Add(const std::string& path, std::string contents);
  void Add(const std::string& path, std::vector<uint8_t> contents);
  void Commit();
  bool empty() const { return files_.empty(); }

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace potacc
