// Progress of long library work (evaluation, quantization, comparisons,
// inference of big models). The library only reports; whoever called it
// renders (the potacc CLI draws a bar on stderr, tests ignore it). The
// callback runs on the thread that called the library function, never on a
// worker thread, and is not called at all when empty.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace potacc {

struct Progress {
  std::string_view task;    // "eval", "quantize", "compare", ...
  int64_t done = 0;         // finished units of work
  int64_t total = 0;        // all units (done == total: finished)
  std::string_view status;  // what runs now (may be empty)
};

using ProgressCallback = std::function<void(const Progress&)>;

// Calls `callback` (if set) with one report.
inline void ReportProgress(const ProgressCallback& callback, std::string_view task, int64_t done, int64_t total,
                           std::string_view status = {}) {
  if (callback) callback(Progress{task, done, total, status});
}

}  // namespace potacc
