#include "harness/cli/swimlanes.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "harness/cli/render.h"
#include "harness/evidence/symbolize.h"

namespace hazardlab {
namespace {

// One step as drawn. `hot`: a step the hazard happens at.
struct Item {
  int thread = 0;
  std::int64_t step = 0;
  std::string op;
  std::string location;
  bool hot = false;
  bool blocked = false;  // a deadlocked thread's waiting step, after the last step

  bool same_shape(const Item& other) const {
    return thread == other.thread && op == other.op && location == other.location && hot == other.hot &&
           blocked == other.blocked;
  }
};

// A row group of the picture: `period` items from `first`, drawn once,
// standing for `times` repetitions in a row.
struct Group {
  std::size_t first = 0;
  std::size_t period = 1;
  std::int64_t times = 1;
};

// Repeats longer than this period are not looked for: a round of a few
// threads' steps is what repeats in the cases.
constexpr std::size_t kMaxPeriod = 24;
// A pattern is folded when it repeats at least this often in a row.
constexpr std::int64_t kMinRepeats = 3;
// Past this many drawn rows, the middle of the schedule is left out.
constexpr std::size_t kMaxRows = 240;

bool repeats_at(const std::vector<Item>& items, std::size_t a, std::size_t b, std::size_t period) {
  for (std::size_t k = 0; k < period; ++k) {
    if (!items[a + k].same_shape(items[b + k])) return false;
  }
  return true;
}

// Greedy folding, left to right: at each item, the period whose repetition
// covers the most steps from there.
std::vector<Group> fold(const std::vector<Item>& items) {
  std::vector<Group> groups;
  std::size_t i = 0;
  while (i < items.size()) {
    Group best{i, 1, 1};
    std::size_t best_cover = 1;
    for (std::size_t p = 1; p <= kMaxPeriod && i + 2 * p <= items.size(); ++p) {
      std::int64_t times = 1;
      while (i + (times + 1) * p <= items.size() && repeats_at(items, i, i + times * p, p)) ++times;
      const std::size_t cover = static_cast<std::size_t>(times) * p;
      if (times >= kMinRepeats && cover > best_cover) {
        best = {i, p, times};
        best_cover = cover;
      }
    }
    groups.push_back(best);
    i += best_cover;
  }
  return groups;
}

std::string escape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

// The file name and line, without the directories: lanes are narrow.
std::string short_location(const std::string& location) {
  const std::size_t slash = location.rfind('/');
  return slash == std::string::npos ? location : location.substr(slash + 1);
}

bool forbidden_outcome(const Judgement& j) {
  return j.evidence && j.evidence->kind == Evidence::Kind::kForbiddenOutcome;
}

std::vector<Item> items_of(const Judgement& j) {
  std::vector<Item> items;
  for (const TraceLine& line : trace_lines(j.trace)) {
    Item item;
    item.step = line.step;
    item.op = line.op;
    item.location = short_location(line.location);
    items.push_back(std::move(item));
  }
  for (std::size_t k = 0; k < j.trace.size(); ++k) items[k].thread = j.trace[k].thread;
  // A forbidden outcome: the hazard is a thread switched out at a yield point
  // in case code, in the middle of something another thread then overwrites
  // or observes half done.
  if (forbidden_outcome(j)) {
    for (std::size_t k = 0; k + 1 < items.size(); ++k) {
      items[k].hot = items[k].op == "yield" && !items[k].location.empty() && items[k + 1].thread != items[k].thread;
    }
  }
  // A deadlock: each thread's waiting step ends its lane.
  std::vector<const CallStack*> stacks;
  for (const StepRecord& waiting : j.deadlock) stacks.push_back(&waiting.stack);
  symbolizer().prepare(stacks);
  for (const StepRecord& waiting : j.deadlock) {
    Item item;
    item.thread = waiting.thread;
    item.step = waiting.step;
    item.op = absl::StrCat("blocked in ", waiting.op);
    item.location = short_location(symbolizer().case_location(waiting.stack));
    item.hot = true;
    item.blocked = true;
    items.push_back(std::move(item));
  }
  return items;
}

// The outcome line that closes the picture: the drawn trial's. The trace is
// of the trial the verdict rests on, else of the first.
std::string outcome_text(const RunPlan& plan, const Judgement& j) {
  std::string text;
  if (j.evidence) {
    text = j.evidence->text;
  } else if (j.histogram.rows().size() == 1) {
    const Histogram::Row& row = j.histogram.rows().front();
    text = absl::StrCat(plan.c->outcome_meaning, " ", row.label,
                        row.kind ? absl::StrCat(" (", outcome_kind_name(*row.kind), ")") : "",
                        row.description.empty() ? "" : absl::StrCat(": ", row.description));
  } else {
    text = absl::StrCat("nothing forbidden in ", j.trials, " schedules");
  }
  return absl::StrCat("end: ", text, "  -  verdict ", verdict_name(j.verdict));
}

// Steps that only start, end or wait for threads: a thread that does nothing
// else (main, creating and joining the workers) gets no lane of its own, its
// steps are notes across the picture, so the lanes are the threads that run
// the case's code.
bool lifecycle_only(const std::vector<Item>& items, int thread) {
  for (const Item& item : items) {
    if (item.thread != thread) continue;
    const absl::string_view op = item.blocked ? absl::string_view(item.op).substr(11) : absl::string_view(item.op);
    if (op != "join" && op != "joined" && op != "start" && op != "end" && op != "arrive_and_wait") return false;
  }
  return true;
}

constexpr int kGutter = 150;  // step numbers and repeat counts
constexpr int kLaneWidth = 320;
constexpr int kHeader = 70;
constexpr int kRowHeight = 24;
constexpr int kBoxHeight = 19;

constexpr char kStyle[] = R"(
  text { font: 12px monospace; fill: #222; }
  .title { font: bold 14px sans-serif; }
  .lane-name { font: bold 13px sans-serif; }
  .lane rect { fill: #f4f6f8; stroke: #c8ced4; }
  .step rect { fill: #dbe8f7; stroke: #7a9cc6; }
  .step.hot rect { fill: #f8c9c4; stroke: #c0392b; stroke-width: 2; }
  .step.blocked rect { fill: #c0392b; }
  .step.blocked text { fill: #fff; font-weight: bold; }
  .step.note text { fill: #555; font-style: italic; }
  .step.note.hot text { fill: #c0392b; font-weight: bold; }
  .switch { stroke: #e67e22; stroke-width: 1.5; }
  .repeat rect { fill: #fff7d6; stroke: #d4ac0d; stroke-dasharray: 4 3; }
  .repeat text { font-weight: bold; fill: #7d6608; }
  .elided text { font-style: italic; fill: #666; }
  .outcome rect { fill: #eafaf1; stroke: #27ae60; }
  .outcome.bad rect { fill: #fdecea; stroke: #c0392b; }
  .outcome text { font: bold 13px sans-serif; }
)";

}  // namespace

std::string render_swimlanes_svg(const RunPlan& plan, const Judgement& j) {
  const std::vector<Item> items = items_of(j);
  std::vector<Group> groups = fold(items);

  // Lanes in thread order (main first).
  std::map<int, int> lane_of;
  for (const Item& item : items) {
    if (!lifecycle_only(items, item.thread)) lane_of.emplace(item.thread, 0);
  }
  int lanes = 0;
  for (auto& [thread, lane] : lane_of) lane = lanes++;

  // Rows: each group's items, or one "left out" row in the middle.
  std::size_t rows = 0;
  for (const Group& g : groups) rows += g.period;
  std::size_t keep_head = groups.size();
  std::size_t keep_tail_from = groups.size();
  if (rows > kMaxRows) {
    std::size_t drawn = 0;
    keep_head = 0;
    while (keep_head < groups.size() && drawn + groups[keep_head].period <= kMaxRows / 2) drawn += groups[keep_head++].period;
    keep_tail_from = groups.size();
    drawn = 0;
    while (keep_tail_from > keep_head && drawn + groups[keep_tail_from - 1].period <= kMaxRows / 2) {
      drawn += groups[--keep_tail_from].period;
    }
  }

  const int width = kGutter + std::max(1, lanes) * kLaneWidth + 20;
  std::string body;
  int y = kHeader;
  const Item* previous = nullptr;
  int previous_y = 0;
  const auto lane_x = [&](int thread) { return kGutter + lane_of[thread] * kLaneWidth; };
  const auto draw_item = [&](const Item& item) {
    if (lane_of.count(item.thread) == 0) {
      absl::StrAppend(&body, absl::StrFormat(
          R"(<g class="%s" data-thread="%s" data-step="%d" data-op="%s" data-location="%s">)"
          R"(<text x="%d" y="%d">%s</text></g>)" "\n",
          item.hot ? "step note hot" : "step note", thread_name(item.thread), item.step, escape(item.op),
          escape(item.location), kGutter + 6, y + 14,
          escape(absl::StrCat(thread_name(item.thread), ": ", item.op, "  ", item.location))));
      absl::StrAppend(&body, absl::StrFormat(R"(<text x="8" y="%d">%d</text>)" "\n", y + 14, item.step));
      previous = nullptr;
      y += kRowHeight;
      return;
    }
    if (previous && previous->thread != item.thread) {
      absl::StrAppend(&body, absl::StrFormat(
          R"svg(<line class="switch" data-from="%s" data-to="%s" x1="%d" y1="%d" x2="%d" y2="%d" marker-end="url(#arrow)"/>)svg"
          "\n",
          thread_name(previous->thread), thread_name(item.thread), lane_x(previous->thread) + kLaneWidth / 2,
          previous_y + kBoxHeight, lane_x(item.thread) + kLaneWidth / 2, y));
    }
    const std::string classes =
        absl::StrCat("step", item.hot ? " hot" : "", item.blocked ? " blocked" : "");
    absl::StrAppend(&body, absl::StrFormat(
        R"(<g class="%s" data-thread="%s" data-step="%d" data-op="%s" data-location="%s">)"
        R"(<rect x="%d" y="%d" width="%d" height="%d" rx="3"/>)"
        R"(<text x="%d" y="%d">%s</text></g>)"
        "\n",
        classes, thread_name(item.thread), item.step, escape(item.op), escape(item.location),
        lane_x(item.thread) + 6, y, kLaneWidth - 12, kBoxHeight, lane_x(item.thread) + 11, y + 14,
        escape(absl::StrCat(item.op, "  ", item.location))));
    absl::StrAppend(&body, absl::StrFormat(R"(<text x="8" y="%d">%d</text>)" "\n", y + 14, item.step));
    previous = &item;
    previous_y = y;
    y += kRowHeight;
  };

  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g == keep_head && keep_head < keep_tail_from) {
      std::int64_t left_out = 0;
      for (std::size_t k = keep_head; k < keep_tail_from; ++k) left_out += groups[k].period * groups[k].times;
      absl::StrAppend(&body, absl::StrFormat(
          R"(<g class="elided"><text x="%d" y="%d">... %d steps in %d row groups left out (the picture keeps the first and last %d rows) ...</text></g>)"
          "\n",
          kGutter, y + 14, left_out, keep_tail_from - keep_head, kMaxRows / 2));
      y += kRowHeight;
      previous = nullptr;
      g = keep_tail_from - 1;
      continue;
    }
    const Group& group = groups[g];
    if (group.times > 1) {
      const int height = static_cast<int>(group.period) * kRowHeight;
      const std::int64_t steps = static_cast<std::int64_t>(group.period) * group.times;
      absl::StrAppend(&body, absl::StrFormat(
          R"(<g class="repeat" data-times="%d" data-period="%d"><rect x="2" y="%d" width="%d" height="%d" rx="4"/>)"
          R"(<text x="60" y="%d">x %d</text><text x="60" y="%d">(%d steps)</text></g>)"
          "\n",
          group.times, group.period, y - 3, width - 6, height, y + 14, group.times, y + 14 + kRowHeight, steps));
    }
    for (std::size_t k = 0; k < group.period; ++k) draw_item(items[group.first + k]);
  }

  // The outcome closes the picture, a line per clause of the evidence.
  const bool bad = j.evidence.has_value();
  const std::vector<std::string> lines = absl::StrSplit(outcome_text(plan, j), "; ");
  const int box = 12 + 20 * static_cast<int>(lines.size());
  y += 8;
  absl::StrAppend(&body, absl::StrFormat(R"(<g class="outcome%s"><rect x="2" y="%d" width="%d" height="%d" rx="4"/>)",
                                         bad ? " bad" : "", y, width - 6, box));
  for (std::size_t k = 0; k < lines.size(); ++k) {
    absl::StrAppend(&body, absl::StrFormat(R"(<text x="12" y="%d">%s</text>)", y + 20 + 20 * static_cast<int>(k),
                                           escape(absl::StrCat(k == 0 ? "" : "    ", lines[k]))));
  }
  absl::StrAppend(&body, "</g>\n");
  y += box + 10;

  std::string lanes_svg;
  for (const auto& [thread, lane] : lane_of) {
    absl::StrAppend(&lanes_svg, absl::StrFormat(
        R"(<g class="lane" data-thread="%s"><rect x="%d" y="%d" width="%d" height="%d"/>)"
        R"(<text class="lane-name" x="%d" y="%d">%s</text></g>)" "\n",
        thread_name(thread), kGutter + lane * kLaneWidth + 2, kHeader - 26, kLaneWidth - 4, y - kHeader + 18,
        kGutter + lane * kLaneWidth + 10, kHeader - 8, thread_name(thread)));
  }
  const std::string title = absl::StrFormat("%s / %s  -  scheduler %s, seed %d: %d steps, %d lanes",
                                            plan.c->name, plan.variant->name, scheduler_name(plan.spec.kind),
                                            j.first_evidence_seed.value_or(plan.spec.seed), j.trace.empty() ? j.max_steps : j.trace.back().step, lanes);
  return absl::StrCat(
      absl::StrFormat(R"(<svg xmlns="http://www.w3.org/2000/svg" class="swimlanes" width="%d" height="%d" )"
                      R"(viewBox="0 0 %d %d" data-case="%s" data-variant="%s">)" "\n",
                      width, y, width, y, plan.c->name, plan.variant->name),
      "<style>", kStyle, "</style>\n",
      R"(<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">)"
      R"(<path d="M0,0 L10,5 L0,10 z" fill="#e67e22"/></marker></defs>)" "\n",
      R"(<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>)" "\n",
      absl::StrFormat(R"(<text class="title" x="8" y="20">%s</text>)" "\n", escape(title)),
      absl::StrFormat(R"(<text x="8" y="%d">step</text>)" "\n", kHeader - 8), lanes_svg, body, "</svg>\n");
}

std::string render_swimlanes_html(const std::vector<std::pair<RunPlan, Judgement>>& runs) {
  std::string out =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>hazardlab schedules</title>\n"
      "<style>body { font-family: sans-serif; margin: 16px; } p { max-width: 60em; }</style></head><body>\n"
      "<p>One lane per thread, steps top to bottom in schedule order. An arrow is a switch to another thread. "
      "Red steps are where the hazard happens: a thread switched out at a yield point when the run ended with a "
      "forbidden outcome, or each thread's waiting step of a deadlock. A dashed block is a stretch of the "
      "schedule that repeats: drawn once, with its count.</p>\n";
  for (const auto& [plan, judgement] : runs) {
    absl::StrAppend(&out, "<section>\n", render_swimlanes_svg(plan, judgement), "</section>\n");
  }
  absl::StrAppend(&out, "</body></html>\n");
  return out;
}

}  // namespace hazardlab
