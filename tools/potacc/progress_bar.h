// The CLI's rendering of library progress reports (potacc/util/progress.h):
// one bar on stderr, redrawn at most every 100 ms, only when stderr is a
// terminal and only once the work has run for `delay` (quick work stays
// silent). The line is cleared when the bar is destroyed. With a heartbeat,
// the bar's own thread redraws the last report every 250 ms so that the
// elapsed time keeps moving during one long step (a single huge layer).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "potacc/util/progress.h"

namespace potacc::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::chrono::milliseconds delay = std::chrono::milliseconds(0), bool heartbeat = false);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // A callback drawing on this bar (the bar must outlive the work).
  ProgressCallback Callback();
  void Draw(const Progress& p);
  void Clear();

 private:
  void DrawLocked(bool force);
  void Heartbeat();

  bool enabled_;
  bool drawn_ = false;
  std::chrono::milliseconds delay_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  // The last report, kept (with its strings) for the heartbeat's redraws.
  std::string task_, status_;
  int64_t done_ = 0, total_ = 0;
  bool has_report_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread heartbeat_;
};

}  // namespace potacc::cli
