// potacc error types. Library code throws; tools catch at the top level and
// print one line plus a non-zero exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace potacc {

// Any user-facing failure: bad file, bad flag, bad shape.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A model or file that fails verification (flatbuffers or semantic checks).
class InvalidModelError : public Error {
 public:
  using Error::Error;
};

// An operator, type or option potacc does not implement (names op + node).
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

// Throws Error(message) when cond is false. For checks on user input.
inline void Check(bool cond, const std::string& message) {
  if (!cond) throw Error(message);
}

}  // namespace potacc
