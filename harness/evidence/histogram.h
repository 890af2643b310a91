#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/evidence/outcome.h"

namespace hazardlab {

// Runs summarised as outcome -> count -> class, plus the runs that returned
// no outcome (hangs, crashes), which are counted under a label of their own.
class Histogram {
 public:
  struct Row {
    std::optional<Outcome> outcome;  // absent for a run with no outcome
    std::string label;               // the outcome as text, or "hang", "crash (SIGSEGV)", ...
    std::optional<OutcomeKind> kind; // the class of an outcome
    std::string description;
    int count = 0;
  };

  void add(const Outcome& outcome, const Classification& classification);
  void add_without_outcome(const std::string& label);

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
