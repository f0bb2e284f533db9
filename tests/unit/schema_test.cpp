// openai::sanitize_schema: JSON Schema in, the schema OpenAI-style validators accept out.
#include "openai/schema.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_schema_test {

namespace {

namespace json = boost::json;

struct Case {
  const char* name;
  const char* input;
  const char* expected;
};

class SanitizeSchema : public ::testing::TestWithParam<Case> {};

TEST_P(SanitizeSchema, Cleans) {
  const auto& c = GetParam();
  auto out = agp::openai::sanitize_schema(json::parse(c.input));
  EXPECT_EQ(out, json::parse(c.expected)) << json::serialize(out);
  // Idempotent.
  EXPECT_EQ(agp::openai::sanitize_schema(out), out);
}

const Case kCases[] = {
    {"DropsSchemaIdComment",
     R"({"$schema":"http://json-schema.org/draft-07/schema#","$id":"x","$comment":"c","type":"object","properties":{"a":{"type":"string"}}})",
     R"({"type":"object","properties":{"a":{"type":"string"}}})"},
    {"ObjectGetsProperties", R"({"type":"object"})", R"({"type":"object","properties":{}})"},
    {"EmptyBecomesObject", R"({})", R"({"type":"object","properties":{}})"},
    {"NonObjectBecomesObject", R"("string")", R"({"type":"object","properties":{}})"},
    {"NestedObjectGetsProperties",
     R"({"type":"object","properties":{"opts":{"type":"object","additionalProperties":false}}})",
     R"({"type":"object","properties":{"opts":{"type":"object","additionalProperties":false,"properties":{}}}})"},
    {"ObjectInArrayItems", R"({"type":"object","properties":{"l":{"type":"array","items":{"type":"object"}}}})",
     R"({"type":"object","properties":{"l":{"type":"array","items":{"type":"object","properties":{}}}}})"},
    {"UnsupportedFormatDropped",
     R"({"type":"object","properties":{"u":{"type":"string","format":"uri"},"d":{"type":"string","format":"date-time"},"e":{"type":"string","format":"email"}}})",
     R"({"type":"object","properties":{"u":{"type":"string"},"d":{"type":"string","format":"date-time"},"e":{"type":"string","format":"email"}}})"},
    {"UnicodePropertyPatternDropped",
     R"({"type":"object","properties":{"n":{"type":"string","pattern":"^\\p{L}+$"},"m":{"type":"string","pattern":"^\\P{Lu}$"},"k":{"type":"string","pattern":"^[a-z]+$"}}})",
     R"({"type":"object","properties":{"n":{"type":"string"},"m":{"type":"string"},"k":{"type":"string","pattern":"^[a-z]+$"}}})"},
    {"PropertyNamedLikeKeywordsKept",
     R"({"type":"object","properties":{"format":{"type":"string"},"$schema":{"type":"string"},"pattern":{"type":"string"}}})",
     R"({"type":"object","properties":{"format":{"type":"string"},"$schema":{"type":"string"},"pattern":{"type":"string"}}})"},
    {"AnyOfCleaned",
     R"({"type":"object","properties":{"v":{"anyOf":[{"type":"string","format":"uri"},{"type":"object"}]}}})",
     R"({"type":"object","properties":{"v":{"anyOf":[{"type":"string"},{"type":"object","properties":{}}]}}})"},
    {"DefsCleaned", R"({"type":"object","properties":{},"$defs":{"X":{"$schema":"s","type":"object"}}})",
     R"({"type":"object","properties":{},"$defs":{"X":{"type":"object","properties":{}}}})"},
    {"RequiredAndDescriptionKept",
     R"({"type":"object","description":"d","properties":{"a":{"type":"integer","minimum":0}},"required":["a"]})",
     R"({"type":"object","description":"d","properties":{"a":{"type":"integer","minimum":0}},"required":["a"]})"},
    {"TypeArrayLeftAlone", R"({"type":["object","null"]})", R"({"type":["object","null"]})"},
};

INSTANTIATE_TEST_SUITE_P(Table, SanitizeSchema, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SanitizeSchema, AbsurdlyDeepStops) {
  std::string s;
  for (int i = 0; i < 200; ++i) s += R"({"type":"array","items":)";
  s += "{}";
  for (int i = 0; i < 200; ++i) s += "}";
  json::parse_options opts;
  opts.max_depth = 1000;
  auto in = json::parse(s, {}, opts);
  auto out = agp::openai::sanitize_schema(in);
  EXPECT_TRUE(out.is_object());
}

}  // namespace

}  // namespace unit_schema_test
