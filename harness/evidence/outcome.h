#pragma once

#include <compare>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace hazardlab {

// What one run of a variant returns: a small value or tuple of values (the
// final count; how many items were consumed and how many twice).
class Outcome {
 public:
  Outcome() = default;
  template <std::integral T>
  Outcome(T value) : values_{static_cast<std::int64_t>(value)} {}  // NOLINT: implicit by design
  Outcome(std::initializer_list<std::int64_t> values) : values_(values) {}
  explicit Outcome(std::vector<std::int64_t> values) : values_(std::move(values)) {}

  const std::vector<std::int64_t>& values() const { return values_; }
  std::int64_t first() const { return values_.empty() ? 0 : values_.front(); }

  // "40000" or "3, 1": the form used in histograms and JSON.
  std::string to_string() const;

  auto operator<=>(const Outcome&) const = default;

 private:
  std::vector<std::int64_t> values_;
};

// A predicate over outcomes with the words that describe it ("= 40000").
struct OutcomeMatcher {
  std::string text;
  std::function<bool(const Outcome&)> matches;
};

OutcomeMatcher equals(Outcome expected);
OutcomeMatcher below(std::int64_t bound);     // first value < bound
OutcomeMatcher above(std::int64_t bound);     // first value > bound
OutcomeMatcher anything_else();
OutcomeMatcher where(std::string text, std::function<bool(const Outcome&)> predicate);

// jcstress-style classes. An outcome that no class matches is forbidden: the
// case did not say it could happen.
enum class OutcomeKind { kAcceptable, kInteresting, kForbidden };

absl::string_view outcome_kind_name(OutcomeKind kind);

struct OutcomeClass {
  OutcomeKind kind;
  OutcomeMatcher matcher;
  std::string description;
};

OutcomeClass acceptable(OutcomeMatcher matcher, std::string description);
OutcomeClass interesting(OutcomeMatcher matcher, std::string description);
OutcomeClass forbidden(OutcomeMatcher matcher, std::string description);

struct Classification {
  OutcomeKind kind;
  std::string description;
};

Classification classify_outcome(const std::vector<OutcomeClass>& classes, const Outcome& outcome);

}  // namespace hazardlab
