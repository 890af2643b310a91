#include "harness/evidence/outcome.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hazardlab {

std::string Outcome::to_string() const { return absl::StrJoin(values_, ", "); }

OutcomeMatcher equals(Outcome expected) {
  return {absl::StrCat("= ", expected.to_string()),
          [expected](const Outcome& outcome) { return outcome == expected; }};
}

OutcomeMatcher below(std::int64_t bound) {
  return {absl::StrCat("< ", bound), [bound](const Outcome& o) { return o.first() < bound; }};
}

OutcomeMatcher above(std::int64_t bound) {
  return {absl::StrCat("> ", bound), [bound](const Outcome& o) { return o.first() > bound; }};
}

OutcomeMatcher anything_else() {
  return {"anything else", [](const Outcome&) { return true; }};
}

OutcomeMatcher where(std::string text, std::function<bool(const Outcome&)> predicate) {
  return {std::move(text), std::move(predicate)};
}

absl::string_view outcome_kind_name(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kAcceptable: return "acceptable";
    case OutcomeKind::kInteresting: return "interesting";
    case OutcomeKind::kForbidden: return "forbidden";
  }
  return "?";
}

OutcomeClass acceptable(OutcomeMatcher matcher, std::string description) {
  return {OutcomeKind::kAcceptable, std::move(matcher), std::move(description)};
}

OutcomeClass interesting(OutcomeMatcher matcher, std::string description) {
  return {OutcomeKind::kInteresting, std::move(matcher), std::move(description)};
}

OutcomeClass forbidden(OutcomeMatcher matcher, std::string description) {
  return {OutcomeKind::kForbidden, std::move(matcher), std::move(description)};
}

Classification classify_outcome(const std::vector<OutcomeClass>& classes, const Outcome& outcome) {
  for (const OutcomeClass& c : classes) {
    if (c.matcher.matches(outcome)) return {c.kind, c.description};
  }
  return {OutcomeKind::kForbidden, "not an outcome the case lists"};
}

}  // namespace hazardlab
