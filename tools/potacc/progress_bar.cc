#include "progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace potacc::cli {

ProgressBar::ProgressBar(std::chrono::milliseconds delay, bool heartbeat)
    : enabled_(isatty(STDERR_FILENO) != 0), delay_(delay), start_(std::chrono::steady_clock::now()) {
  if (enabled_ && heartbeat) heartbeat_ = std::thread([this] { Heartbeat(); });
}

ProgressBar::~ProgressBar() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  Clear();
}

ProgressCallback ProgressBar::Callback() {
  return [this](const Progress& p) { Draw(p); };
}

void ProgressBar::Draw(const Progress& p) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  task_.assign(p.task);
  status_.assign(p.status);
  done_ = p.done;
  total_ = p.total;
  has_report_ = true;
  DrawLocked(p.done >= p.total);
}

void ProgressBar::Heartbeat() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(250));
    if (!stopping_ && has_report_) DrawLocked(true);
  }
}

void ProgressBar::DrawLocked(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < delay_) return;
  if (drawn_ && !force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  constexpr int kWidth = 30;
  const int64_t total = total_ > 0 ? total_ : 1;
  const double frac = static_cast<double>(done_) / static_cast<double>(total);
  const int filled = static_cast<int>(frac * kWidth + 0.5);
  std::string bar(static_cast<size_t>(filled > kWidth ? kWidth : filled), '#');
  bar.resize(kWidth, '.');
  const double secs = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r%s [%s] %lld/%lld %.1fs %s\033[K", task_.c_str(), bar.c_str(),
               static_cast<long long>(done_), static_cast<long long>(total_), secs, status_.c_str());
  std::fflush(stderr);
}

void ProgressBar::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!enabled_ || !drawn_) return;
  drawn_ = false;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace potacc::cli
