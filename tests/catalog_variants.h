#pragma once
// Every (case, variant) of the catalog, for tests parameterised over it, so
// that CTest runs (and reports) each variant as a test of its own.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/registry.h"

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

// How GoogleTest (and so CTest's test list) shows one: "lost_update/broken".
inline void PrintTo(const CaseVariant& v, std::ostream* os) { *os << v.case_name << "/" << v.variant; }

// A test name: "lost_update_broken".
inline std::string catalog_variant_name(const testing::TestParamInfo<CaseVariant>& info) {
  return absl::StrCat(info.param.case_name, "_", info.param.variant);
}

}  // namespace hazardlab
