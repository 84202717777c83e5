// "0x43C00000"-style text for addresses and register values in messages.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace potacc {

// At least `digits` hex digits (8: a 32-bit register value).
inline std::string Hex(uint64_t v, int digits = 8) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*llX", digits, static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace potacc
