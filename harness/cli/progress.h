#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace hazardlab {

// A progress line on a terminal (stderr), once a command has taken longer
// than a second; erased when done.
class Progress {
 public:
  explicit Progress(std::string what, std::string unit = "trial")
      : what_(std::move(what)), unit_(std::move(unit)), started_(std::chrono::steady_clock::now()) {}
  ~Progress() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void operator()(int done, int planned) {
    if (!isatty(STDERR_FILENO)) return;
    if (std::chrono::steady_clock::now() - started_ < std::chrono::seconds(1)) return;
    shown_ = true;
    std::fprintf(stderr, "\r\033[K%s: %s %d of %d", what_.c_str(), unit_.c_str(), done, planned);
    std::fflush(stderr);
  }

 private:
  std::string what_;
  std::string unit_;
  std::chrono::steady_clock::time_point started_;
  bool shown_ = false;
};

}  // namespace hazardlab
