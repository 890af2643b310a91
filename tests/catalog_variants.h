#pragma once
// Every (case, variant) of the catalog, for tests parameterised over it, so
// that CTest runs (and reports) each variant as a test of its own.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/registry.h"
#include "harness/run/runner.h"

namespace hazardlab {

struct CaseVariant {
  std::string case_name;
  std::string variant;
};

inline std::vector<CaseVariant> catalog_variants() {
  std::vector<CaseVariant> out;
  for (const Case& c : all_cases()) {
    if (c.order >= 10'000) continue;  // test-only cases
    for (const Variant& v : c.variants) out.push_back({c.name, v.name});
  }
  return out;
}

// Whether this build runs a catalog-wide check of the harness itself (a
// batch's trial is that trial alone; pct replays exactly) for this variant.
// Those checks are about the harness and the cases, the same code in every
// build, and the dev build runs them for every variant. Under ASan each trial
// costs 4 to 8 times as much (measured in one CI run: 167 s and 150 s of the
// asan test phase, against 18 s and 19 s in dev), and what the build adds is
// ASan watching that same code for memory errors: each case's first variant
// takes it through every path, so the asan build runs those and says so for
// the rest.
inline bool checked_in_this_build(const CaseVariant& v) {
  if (build_detector() != Detector::kAsan) return true;
  const Case* c = find_case(v.case_name);
  return c != nullptr && !c->variants.empty() && c->variants.front().name == v.variant;
}
inline constexpr const char* kCheckedInTheDevBuild = "the dev build checks every variant; asan, each case's first";

// How GoogleTest (and so CTest's test list) shows one: "lost_update/broken".
inline void PrintTo(const CaseVariant& v, std::ostream* os) { *os << v.case_name << "/" << v.variant; }

// A test name: "lost_update_broken".
inline std::string catalog_variant_name(const testing::TestParamInfo<CaseVariant>& info) {
  return absl::StrCat(info.param.case_name, "_", info.param.variant);
}

}  // namespace hazardlab
