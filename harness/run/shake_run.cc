#include "harness/run/shake_run.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace hazardlab {

bool ShakenRun::failed() const {
  return result.hung || result.signal.has_value() || result.exit_code.value_or(0) != 0 || !reports.empty();
}

std::string shake_library_path() {
  return (std::filesystem::path(self_executable()).parent_path() / "libhazardlab_shake.so").string();
}

ShakenRun shake_once(const std::vector<std::string>& argv, const std::string& library, std::uint64_t seed,
                     std::chrono::milliseconds timeout) {
  SpawnOptions options;
  const char* preloaded = std::getenv("LD_PRELOAD");
  options.environment = {
      {"LD_PRELOAD", preloaded && *preloaded ? absl::StrCat(library, ":", preloaded) : library},
      {kShakeSeedVariable, absl::StrCat(seed)},
  };
  ShakenRun run;
  run.seed = seed;
  run.result = run_child(argv, timeout, options);
  run.reports = classify_reports(run.result.output);
  return run;
}

}  // namespace hazardlab
