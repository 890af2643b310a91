#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/evidence/outcome.h"

namespace hazardlab {

// Runs summarised as outcome -> count -> class, plus the runs that returned
// no outcome (hangs, crashes), which are counted under a label of their own.
// Every run that may be evidence of something (a forbidden or interesting
// outcome, no outcome at all) keeps its seed, so each can be replayed; the
// seeds of acceptable outcomes are not kept (a clean soak has 100,000).
class Histogram {
 public:
  struct Row {
    std::optional<Outcome> outcome;  // absent for a run with no outcome
    std::string label;               // the outcome as text, or "hang", "crash (SIGSEGV)", ...
    std::optional<OutcomeKind> kind; // the class of an outcome
    std::string description;
    int count = 0;
    std::vector<std::uint64_t> seeds;  // in the order added; empty for acceptable outcomes
  };

  void add(const Outcome& outcome, const Classification& classification, std::uint64_t seed);
  void add_without_outcome(const std::string& label, std::uint64_t seed);

  // Outcomes in ascending order, then the runs without an outcome.
  std::vector<Row> rows() const;
  int total() const { return total_; }
  int count_of(OutcomeKind kind) const;

 private:
  std::map<Outcome, Row> outcomes_;
  std::map<std::string, Row> without_outcome_;
  int total_ = 0;
};

}  // namespace hazardlab
