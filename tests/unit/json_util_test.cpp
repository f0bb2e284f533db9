// The JSON field helpers (core/json_util): integers from any JSON number that holds one,
// nothing from a number int64 cannot hold (the cast of an out-of-range double is UB; the
// fuzzer found 1e300 in a request field).
#include "core/json_util.hpp"

#include <gtest/gtest.h>

#include <optional>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_json_util_test {

namespace {

TEST(JsonUtil, FindIntTakesWholeNumbersInInt64sRangeOnly) {
  struct Row {
    const char* json;
    std::optional<std::int64_t> want;
  };
  const Row rows[] = {
      {R"({"x": 7})", 7},
      {R"({"x": -7})", -7},
      {R"({"x": 2.0})", 2},
      {R"({"x": 2.5})", std::nullopt},
      {R"({"x": 9223372036854775807})", INT64_MAX},
      {R"({"x": 9223372036854775808})", std::nullopt},  // uint64 beyond int64
      {R"({"x": -9223372036854775808})", INT64_MIN},
      {R"({"x": 9223372036854775808.0})", std::nullopt},  // 2^63 as a double
      {R"({"x": -9223372036854775808.0})", INT64_MIN},    // -2^63 fits
      {R"({"x": 1e300})", std::nullopt},
      {R"({"x": -1e300})", std::nullopt},
      {R"({"x": 1e19})", std::nullopt},
      {R"({"x": "7"})", std::nullopt},
      {R"({"y": 7})", std::nullopt},
  };
  for (auto& row : rows) {
    SCOPED_TRACE(row.json);
    auto o = boost::json::parse(row.json).as_object();
    EXPECT_EQ(agp::find_int(o, "x"), row.want);
  }
}

}  // namespace

}  // namespace unit_json_util_test
