#include "potacc/util/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <system_error>

#include "potacc/error.h"

namespace potacc {
namespace {

namespace fs = std::filesystem;

std::string Reason(int err) { return std::strerror(err); }

// Writes every byte to fd; throws naming `path` on the first error.
void WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(path + ": write failed: " + Reason(n < 0 ? errno : EIO));
    done += static_cast<size_t>(n);
  }
}

void CloseChecked(int fd, const std::string& path) {
  if (::close(fd) != 0) throw Error(path + ": write failed: " + Reason(errno));
}

// A name beside `path` that does not exist yet (created with O_EXCL).
int CreateTemporary(const std::string& path, std::string* temp) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  for (int attempt = 0; attempt < 16; ++attempt) {
    const fs::path p(path);
    *temp = (p.parent_path() / ("." + p.filename().string() + ".tmp" + std::to_string(rng() % 1000000000))).string();
    const int fd = ::open(temp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) throw Error(path + ": cannot open file for writing: " + Reason(errno));
  }
  throw Error(path + ": cannot create a temporary file beside it");
}

bool IsSpecialExisting(const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  return !ec && fs::exists(st) && !fs::is_regular_file(st);
}

// Writes to `path` in place (devices, FIFOs, /dev/stdout).
void WriteInPlace(const std::string& path, std::string_view data) {
  if (fs::is_directory(path)) throw Error(path + ": is a directory, not a file");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open file for writing: " + Reason(errno));
  try {
    WriteAll(fd, data, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  CloseChecked(fd, path);
}

// Writes data into a fresh temporary file beside path; returns its name.
std::string WriteTemporary(const std::string& path, std::string_view data) {
  if (path.empty()) throw Error("empty output file name");
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory, not a file");
  std::string temp;
  const int fd = CreateTemporary(path, &temp);
  try {
    WriteAll(fd, data, path);
    if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
      throw Error(path + ": write failed: " + Reason(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw Error(path + ": write failed: " + Reason(err));
  }
  return temp;
}

void RenameInto(const std::string& temp, const std::string& path) {
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw Error(path + ": cannot write file: " + Reason(err));
  }
}

// Same file: through links when both exist, else the same normalised path.
bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ea, eb;
  if (fs::exists(a, ea) && fs::exists(b, eb)) {
    std::error_code ec;
    return fs::equivalent(a, b, ec) && !ec;
  }
  const fs::path ca = fs::weakly_canonical(a, ea), cb = fs::weakly_canonical(b, eb);
  return !ea && !eb && ca == cb;
}

void WriteWhole(const std::string& path, std::string_view data) {
  if (IsSpecialExisting(path)) return WriteInPlace(path, data);
  RenameInto(WriteTemporary(path, data), path);
}

}  // namespace

void RequireReadableFile(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec == std::errc::too_many_symbolic_link_levels) throw Error(path + ": too many levels of symbolic links");
  if (ec && ec != std::errc::no_such_file_or_directory) throw Error(path + ": cannot read file: " + ec.message());
  if (!fs::exists(status)) {
    std::error_code lec;
    if (fs::is_symlink(fs::symlink_status(path, lec)))
      throw Error(path + ": broken symbolic link (its target does not exist)");
    throw Error(path + ": no such file");
  }
  if (fs::is_directory(status)) throw Error(path + ": is a directory, not a file");
  if (!fs::is_regular_file(status)) throw Error(path + ": not a regular file");
}

std::vector<uint8_t> ReadFileBytes(const std::string& path, size_t max_bytes) {
  RequireReadableFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error(path + ": cannot read file");
  if (static_cast<uint64_t>(size) > max_bytes)
    throw Error(path + ": file is too large (" + std::to_string(size) + " bytes; at most " +
                std::to_string(max_bytes) + " expected)");
  in.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) throw Error(path + ": cannot read file");
  return bytes;
}

std::string ReadTextFile(const std::string& path, size_t max_bytes) {
  const std::vector<uint8_t> bytes = ReadFileBytes(path, max_bytes);
  return std::string(bytes.begin(), bytes.end());
}

void WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes) {
  WriteWhole(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void WriteFileAtomic(const std::string& path, std::string_view text) { WriteWhole(path, text); }

void RequireDistinctFiles(const std::string& output, const std::vector<std::string>& inputs,
                          const std::string& what) {
  if (output.empty()) return;
  for (const std::string& input : inputs) {
    if (!input.empty() && SameFile(output, input))
      throw Error(what + " " + output + " is also an input (" + input + "); refusing to overwrite it");
  }
}

void OutputFiles::Add(const std::string& path, std::string contents) {
  if (path.empty()) throw Error("empty output file name");
  files_[path] = std::move(contents);
}

void OutputFiles::Add(const std::string& path, std::vector<uint8_t> contents) {
  Add(path, std::string(contents.begin(), contents.end()));
}

void OutputFiles::Commit() {
  // Special files (devices, FIFOs) cannot be staged: they are written after
  // every regular file is staged and before any is renamed into place, so a
  // failing special file leaves no regular output behind.
  std::vector<std::pair<std::string, std::string>> staged;  // temp, path
  const auto discard = [&staged](size_t from) {
    for (size_t j = from; j < staged.size(); ++j) ::unlink(staged[j].first.c_str());
  };
  try {
    for (const auto& [path, contents] : files_)
      if (!IsSpecialExisting(path)) staged.emplace_back(WriteTemporary(path, contents), path);
    for (const auto& [path, contents] : files_)
      if (IsSpecialExisting(path)) WriteInPlace(path, contents);
  } catch (...) {
    discard(0);
    throw;
  }
  for (size_t i = 0; i < staged.size(); ++i) {
    try {
      RenameInto(staged[i].first, staged[i].second);
    } catch (...) {
      discard(i + 1);
      throw;
    }
  }
  files_.clear();
}

}  // namespace potacc
