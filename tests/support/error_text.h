// The message of the potacc::Error a call throws ("" when it does not throw).
#pragma once

#include <functional>
#include <string>

#include "potacc/error.h"

namespace potacc::testing {

inline std::string ErrorText(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace potacc::testing
