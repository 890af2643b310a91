#include "harness/evidence/histogram.h"

namespace hazardlab {

void Histogram::add(const Outcome& outcome, const Classification& classification, std::uint64_t seed) {
  Row& row = outcomes_[outcome];
  if (row.count == 0) row = Row{outcome, outcome.to_string(), classification.kind, classification.description, 0, {}};
  ++row.count;
  if (row.kind != OutcomeKind::kAcceptable) row.seeds.push_back(seed);
  ++total_;
}

void Histogram::add_without_outcome(const std::string& label, std::uint64_t seed) {
  Row& row = without_outcome_[label];
  row.label = label;
  ++row.count;
  row.seeds.push_back(seed);
  ++total_;
}

std::vector<Histogram::Row> Histogram::rows() const {
  std::vector<Row> rows;
  for (const auto& [outcome, row] : outcomes_) rows.push_back(row);
  for (const auto& [label, row] : without_outcome_) rows.push_back(row);
  return rows;
}

int Histogram::count_of(OutcomeKind kind) const {
  int count = 0;
  for (const auto& [outcome, row] : outcomes_) {
    if (row.kind == kind) count += row.count;
  }
  return count;
}

}  // namespace hazardlab
