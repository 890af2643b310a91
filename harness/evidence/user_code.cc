#include "harness/evidence/user_code.h"

#include <filesystem>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hazardlab {
namespace {

// Folders that hold the system's and the toolchain's code: the C library,
// the standard library's headers, prebuilt libraries.
bool in_system_folder(absl::string_view file) {
  for (absl::string_view prefix : {"/usr/", "/lib/", "/lib64/", "/opt/", "/nix/", "/gnu/"}) {
    if (absl::StartsWith(file, prefix)) return true;
  }
  // glibc's debug information names its sources relative to its own tree
  // ("./nptl/pthread_create.c", "../sysdeps/unix/...").
  for (absl::string_view part : {"sysdeps/", "./nptl/", "./csu/", "./stdlib/", "./misc/"}) {
    if (absl::StrContains(file, part)) return true;
  }
  return absl::StartsWith(file, "<");  // "<built-in>", "<null>"
}

// The sanitizer runtime: its interceptors and its own sources.
bool in_sanitizer_runtime(const Frame& frame) {
  for (absl::string_view part : {"compiler-rt/", "sanitizer_common/", "libsanitizer/"}) {
    if (absl::StrContains(frame.file, part)) return true;
  }
  for (absl::string_view prefix : {"__tsan", "__asan", "__lsan", "__ubsan", "__sanitizer", "__interceptor_",
                                   "___interceptor_", "__msan"}) {
    if (absl::StartsWith(frame.function, prefix)) return true;
  }
  return false;
}

}  // namespace

UserCode::UserCode(std::string root) {
  if (root.empty()) return;
  // Lexically only: the log may come from another machine, where the folder
  // is, not this one.
  root_ = std::filesystem::path(root).lexically_normal().string();
  if (root_.back() != '/') root_ += '/';
}

// Where the root's part starts in `file`: an absolute root at the start; a
// relative one ("src/") at the start or right after a '/'.
std::optional<std::size_t> UserCode::root_end(absl::string_view file) const {
  if (root_.empty()) return std::nullopt;
  if (absl::StartsWith(file, root_)) return root_.size();
  if (root_[0] == '/') return std::nullopt;
  const std::size_t at = file.find(absl::StrCat("/", root_));
  if (at == absl::string_view::npos) return std::nullopt;
  return at + 1 + root_.size();
}

bool UserCode::owns(const Frame& frame) const {
  if (frame.file.empty()) return false;
  if (!root_.empty()) return root_end(frame.file).has_value();
  return !in_system_folder(frame.file) && !in_sanitizer_runtime(frame);
}

std::string UserCode::path(const Frame& frame) const {
  if (const std::optional<std::size_t> end = root_end(frame.file)) return frame.file.substr(*end);
  return frame.short_path();
}

std::string UserCode::location(const Frame& frame) const { return absl::StrCat(path(frame), ":", frame.line); }

std::vector<Frame> UserCode::first_frames(const Report& report, std::size_t count) const {
  if (root_.empty()) {
    std::vector<Frame> in_cases = report.case_frames(count);
    if (!in_cases.empty()) return in_cases;
  }
  return report.first_frames_where([this](const Frame& frame) { return owns(frame); }, count);
}

std::string UserCode::report_location(const Report& report) const {
  const std::vector<Frame> frames = first_frames(report, 1);
  return frames.empty() ? report.location : location(frames.front());
}

}  // namespace hazardlab
