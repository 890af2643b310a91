// `classify` on logs of a program that is not a case (tests/reports/programs/,
// recorded by its record.sh): the first frames in the user's code, guessed or
// under --source-root.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/evidence/report.h"
#include "harness/evidence/user_code.h"

namespace hazardlab {
namespace {

std::vector<Report> reports_of(const std::string& name) {
  std::ifstream file(std::string(HAZARDLAB_REPORTS_DIR) + "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_FALSE(text.str().empty()) << "missing recording " << name;
  return classify_reports(text.str());
}

std::vector<std::string> locations(const UserCode& code, const Report& report) {
  std::vector<std::string> out;
  for (const Frame& frame : code.first_frames(report)) out.push_back(code.location(frame));
  return out;
}

// The race is inside std::vector: the report's first frames are libstdc++'s
// headers. The guess skips them and the sanitizer runtime.
TEST(UserCodeTest, TheGuessSkipsTheStandardLibraryToTheFirstFramesOfTheProgram) {
  const std::vector<Report> reports = reports_of("programs/orders_tsan_race.txt");
  ASSERT_FALSE(reports.empty());
  const UserCode guess;
  for (const Report& report : reports) {
    EXPECT_EQ(report.tool, "ThreadSanitizer");
    EXPECT_TRUE(report.case_frames().empty());
    const std::vector<std::string> frames = locations(guess, report);
    ASSERT_FALSE(frames.empty()) << report.headline;
    for (const std::string& location : frames) {
      EXPECT_EQ(location.rfind("/home/dev/shop/", 0), 0u) << location;
    }
    EXPECT_EQ(guess.report_location(report), frames.front());
  }
  EXPECT_EQ(locations(guess, reports.front()).front(), "/home/dev/shop/third_party/tally/tally.h:11");
}

// The vendored library is not the engineer's code: --source-root says so.
TEST(UserCodeTest, ASourceRootKeepsOnlyFramesUnderIt) {
  const std::vector<Report> reports = reports_of("programs/orders_tsan_race.txt");
  ASSERT_FALSE(reports.empty());
  for (const std::string root : {"/home/dev/shop/src", "/home/dev/shop/src/", "src"}) {
    const UserCode code(root);
    const std::vector<std::string> frames = locations(code, reports.front());
    ASSERT_FALSE(frames.empty()) << root;
    EXPECT_EQ(frames.front(), "orders.cc:21") << root;
    for (const std::string& location : frames) EXPECT_EQ(location.rfind("orders.cc:", 0), 0u) << root << " " << location;
  }
  EXPECT_TRUE(UserCode("/elsewhere").first_frames(reports.front()).empty());
}

TEST(UserCodeTest, AUseAfterFreePointsAtTheProgramsLine) {
  const std::vector<Report> reports = reports_of("programs/orders_asan_use_after_free.txt");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind, "heap-use-after-free");
  EXPECT_EQ(UserCode().report_location(reports[0]), "/home/dev/shop/src/orders.cc:31");
}

// A case's log keeps pointing at case code, not at the harness around it.
TEST(UserCodeTest, ACasesReportStillGivesItsCaseFrames) {
  const std::vector<Report> reports = reports_of("tsan_data_race.txt");
  ASSERT_FALSE(reports.empty());
  const std::vector<std::string> frames = locations(UserCode(), reports.front());
  ASSERT_FALSE(frames.empty());
  for (const std::string& location : frames) EXPECT_EQ(location.rfind("cases/", 0), 0u) << location;
}

}  // namespace
}  // namespace hazardlab
