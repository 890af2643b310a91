#include "harness/cli/case_source.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hazardlab {
namespace {

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The identifiers of `text`, comments left out.
std::set<std::string> identifiers(absl::string_view text) {
  std::set<std::string> found;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const std::size_t comment = line.find("//");
    if (comment != absl::string_view::npos) line = line.substr(0, comment);
    for (std::size_t i = 0; i < line.size();) {
      if (!is_identifier_char(line[i]) || std::isdigit(static_cast<unsigned char>(line[i]))) {
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < line.size() && is_identifier_char(line[end])) ++end;
      found.emplace(line.substr(i, end - i));
      i = end;
    }
  }
  return found;
}

// The name a definition's signature line declares: the word after
// struct/class, or the identifier just before the first '(' of a function.
std::string declared_name(absl::string_view signature) {
  for (absl::string_view keyword : {"struct ", "class "}) {
    if (absl::StartsWith(signature, keyword)) {
      absl::string_view rest = signature.substr(keyword.size());
      std::size_t end = 0;
      while (end < rest.size() && is_identifier_char(rest[end])) ++end;
      return std::string(rest.substr(0, end));
    }
  }
  const std::size_t paren = signature.find('(');
  if (paren == absl::string_view::npos) return "";
  std::size_t end = paren;
  while (end > 0 && signature[end - 1] == ' ') --end;
  std::size_t begin = end;
  while (begin > 0 && is_identifier_char(signature[begin - 1])) --begin;
  return std::string(signature.substr(begin, end - begin));
}

bool starts_a_definition(absl::string_view line) {
  if (line.empty() || !(std::isalpha(static_cast<unsigned char>(line[0])) || line[0] == '[')) return false;
  for (absl::string_view skip : {"namespace", "using ", "HAZARDLAB_CASE", "#"}) {
    if (absl::StartsWith(line, skip)) return false;
  }
  return true;
}

}  // namespace

std::vector<Definition> top_level_definitions(absl::string_view source) {
  const std::vector<absl::string_view> lines = absl::StrSplit(source, '\n');
  std::vector<Definition> found;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const absl::string_view line = lines[i];
    if (absl::StrContains(line, "R\"(")) {  // a raw string (the lesson): its lines are not code
      while (i < lines.size() && !absl::StrContains(lines[i], ")\"")) ++i;
      continue;
    }
    if (!starts_a_definition(line)) continue;
    std::size_t signature = i;
    if (absl::StartsWith(line, "template")) ++signature;
    if (signature >= lines.size()) break;
    // A declaration or a constant ends on its own line; a definition opens
    // a block that a lone "}" or "};" closes.
    std::size_t last = signature;
    while (last < lines.size() && !absl::StrContains(lines[last], "{") && !absl::EndsWith(lines[last], ";")) ++last;
    if (last == lines.size() || !absl::StrContains(lines[last], "{")) {
      i = last;
      continue;
    }
    const std::string name = declared_name(lines[signature]);
    if (!absl::EndsWith(lines[last], "{") || name.empty()) {  // one line, or not a function or a type
      i = last;
      continue;
    }
    while (last < lines.size() && lines[last] != "}" && lines[last] != "};") ++last;
    if (last == lines.size()) break;
    std::size_t first = i;
    while (first > 0 && absl::StartsWith(lines[first - 1], "//")) --first;
    std::string text;
    for (std::size_t k = first; k <= last; ++k) absl::StrAppend(&text, lines[k], "\n");
    found.push_back({name, signature, last, std::move(text)});
    i = last;
  }
  return found;
}

std::vector<const Definition*> definitions_used_by(const std::vector<Definition>& definitions, absl::string_view name,
                                                   const std::vector<std::string>& exclude) {
  std::set<std::string> defined;
  for (const Definition& d : definitions) defined.insert(d.name);
  // The definition of `wanted` that a reader of `user` means. Of overloads,
  // those whose signature names a type of the file that the user mentions
  // (acquire(PlainCounted*) for code that makes a PlainCounted); among
  // those, the nearest above the user, else the first below.
  auto resolve = [&](absl::string_view wanted, const Definition& user,
                     const std::set<std::string>& user_words) -> const Definition* {
    const Definition* best = nullptr;
    bool best_typed = false;
    for (const Definition& d : definitions) {
      if (d.name != wanted) continue;
      bool typed = false;
      const absl::string_view signature = absl::string_view(d.text).substr(d.text.find(d.name));
      for (const std::string& word : identifiers(signature.substr(0, signature.find('{')))) {
        typed = typed || (word != d.name && defined.count(word) > 0 && user_words.count(word) > 0);
      }
      const bool nearer = d.line <= user.line || !best || (best->line > user.line && d.line < best->line);
      if (!best || (typed && !best_typed) || (typed == best_typed && nearer)) {
        best = &d;
        best_typed = typed;
      }
    }
    return best;
  };
  const Definition* start = nullptr;
  for (const Definition& d : definitions) {
    if (d.name == name) start = &d;  // a variant: defined once
  }
  if (!start) return {};
  std::set<const Definition*> used;
  std::vector<const Definition*> pending{start};
  while (!pending.empty()) {
    const Definition* d = pending.back();
    pending.pop_back();
    const std::set<std::string> words = identifiers(d->text);
    for (const std::string& word : words) {
      if (word == d->name || word == name) continue;
      if (std::find(exclude.begin(), exclude.end(), word) != exclude.end()) continue;
      const Definition* callee = resolve(word, *d, words);
      if (callee && used.insert(callee).second) pending.push_back(callee);
    }
  }
  std::vector<const Definition*> ordered(used.begin(), used.end());
  std::sort(ordered.begin(), ordered.end(), [](const Definition* a, const Definition* b) { return a->line < b->line; });
  return ordered;
}

}  // namespace hazardlab
