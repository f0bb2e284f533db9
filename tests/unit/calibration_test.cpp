#include "tokens/calibration.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_calibration_test {

using agp::tokens::Calibration;
using agp::tokens::ChatCount;

namespace {

ChatCount count(std::int64_t exact, std::int64_t estimated) {
  ChatCount c;
  c.exact = exact;
  c.estimated = estimated;
  return c;
}

TEST(Calibration, StartsNeutral) {
  Calibration cal;
  EXPECT_EQ(cal.corrected("d", count(100, 50)), 150);
  EXPECT_EQ(cal.stats("d").samples, 0u);
}

TEST(Calibration, FactorConvergesTowardTheObservedRatio) {
  Calibration cal;
  // Azure bills 100 exact + 2 × 50 estimated: the estimated part is half of the truth.
  for (int i = 0; i < 60; ++i) cal.observe("d", count(100, 50), 200);
  EXPECT_NEAR(cal.stats("d").factor, 2.0, 0.01);
  EXPECT_EQ(cal.corrected("d", count(100, 50)), 200);
  EXPECT_EQ(cal.corrected("d", count(10, 10)), 30);
  EXPECT_LT(cal.stats("d").mean_abs_error, 0.01);  // the corrected count is now right
}

TEST(Calibration, FactorIsClamped) {
  Calibration cal;
  for (int i = 0; i < 100; ++i) cal.observe("d", count(100, 10), 10000);
  EXPECT_NEAR(cal.stats("d").factor, 4.0, 0.01);
  for (int i = 0; i < 200; ++i) cal.observe("d", count(100, 10), 1);
  EXPECT_NEAR(cal.stats("d").factor, 0.25, 0.01);
}

TEST(Calibration, ExactOnlyRequestsDoNotMoveTheFactor) {
  Calibration cal;
  for (int i = 0; i < 10; ++i) cal.observe("d", count(100, 0), 130);
  EXPECT_DOUBLE_EQ(cal.stats("d").factor, 1.0);
  EXPECT_EQ(cal.stats("d").samples, 10u);
  EXPECT_NEAR(cal.stats("d").mean_abs_error, 30.0 / 130.0, 1e-9);
}

TEST(Calibration, PerDeployment) {
  Calibration cal;
  for (int i = 0; i < 60; ++i) cal.observe("a", count(0, 100), 300);
  EXPECT_EQ(cal.corrected("b", count(0, 100)), 100);
  EXPECT_EQ(cal.corrected("a", count(0, 100)), 300);
}

TEST(Calibration, ReturnsTheRelativeErrorOfTheReportedCount) {
  Calibration cal;
  EXPECT_NEAR(cal.observe("d", count(90, 0), 100), -0.1, 1e-9);
  EXPECT_EQ(cal.observe("d", count(90, 0), 0), 0);  // no usage: nothing learned
}

}  // namespace

}  // namespace unit_calibration_test
