// core/request_body (the one parse of a client body: where a syntax error is, the depth limit, a
// number no upstream takes, by path) and core/media (base64, image signatures).
#include "core/request_body.hpp"
#include "core/media.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_request_body_test {

namespace {

using namespace agp;

struct SyntaxCase {
  const char* name;
  std::string text;
  std::string what;  // the description
  std::size_t offset, line, column;
};

class BodySyntax : public ::testing::TestWithParam<SyntaxCase> {};

TEST_P(BodySyntax, SaysWhatAndWhere) {
  const auto& c = GetParam();
  auto p = body::parse(c.text);
  ASSERT_TRUE(p.syntax) << c.text;
  EXPECT_EQ(p.syntax->what, c.what);
  EXPECT_EQ(p.syntax->offset, c.offset);
  EXPECT_EQ(p.syntax->line, c.line);
  EXPECT_EQ(p.syntax->column, c.column);
}

// Offsets counted by hand: 0-based byte of the first bad byte; columns 1-based (Python's json,
// which Anthropic's own "line 1 column N (char M)" messages use).
const SyntaxCase kSyntax[] = {
    {"Empty", "", "the body is empty", 0, 1, 1},
    {"Truncated", R"({"a":)", "unexpected end of the body", 5, 1, 6},
    {"InvalidUtf8", "{\"a\":\"ab\xff\"}", "invalid UTF-8 (byte 0xFF)", 8, 1, 9},
    {"BadContinuationByte", "{\"a\":\"\xc3\x28\"}", "invalid UTF-8 (byte 0xC3)", 6, 1, 7},
    {"LoneHighSurrogate", R"({"a":"\ud800"})", "no low surrogate in string", 12, 1, 13},
    {"HighThenNotLow", R"({"a":"\ud800\u0041"})", "no low surrogate in string", 14, 1, 15},
    {"RawNewlineInString", "{\"a\":\"x\ny\"}", "invalid control character 0x0A in a string", 7, 1, 8},
    {"SecondLine", "{\n\"a\": ?}", "unexpected character '?'", 7, 2, 6},
    {"ExtraData", R"({"a":1} x)", "extra data after the JSON value", 8, 1, 9},
    {"NaN", R"({"a":NaN})", "unexpected character 'N'", 5, 1, 6},
    {"TooDeep", std::string(300, '[') + std::string(300, ']'), "nesting deeper than 256 levels", 256, 1, 257},
};

INSTANTIATE_TEST_SUITE_P(Table, BodySyntax, ::testing::ValuesIn(kSyntax),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Body, DepthAtTheLimitParses) {
  auto p = body::parse(std::string(256, '[') + std::string(256, ']'));
  EXPECT_FALSE(p.syntax) << p.syntax->what;
}

TEST(Body, NumberBeyondADoubleIsNamedByPath) {
  auto p = body::parse(R"({"messages":[{"content":[{"input":{"x":[1,2,1e400]}}]}]})");
  ASSERT_FALSE(p.syntax);
  ASSERT_TRUE(p.bad);
  EXPECT_EQ(body::dotted(p.bad->path), "messages.0.content.0.input.x.2");
  EXPECT_EQ(body::bracketed(p.bad->path), "messages[0].content[0].input.x[2]");
  EXPECT_EQ(p.bad->what, "number out of range (beyond ±1.8e308)");
  EXPECT_TRUE(body::parse(R"({"t":-1e400})").bad);
  EXPECT_FALSE(body::parse(R"({"t":1.7e308,"u":18446744073709551616})").bad);  // large, but finite
}

// parse() takes simdjson's first pass and hands whatever it refuses to parse_reference (Boost.JSON's
// parser alone): every body must come out the same either way, value for value, and every refusal
// with the same words and place.
void expect_as_reference(const std::string& text) {
  auto fast = body::parse(text);
  auto ref = body::parse_reference(text);
  ASSERT_EQ(fast.syntax.has_value(), ref.syntax.has_value()) << text;
  if (ref.syntax) {
    EXPECT_EQ(fast.syntax->what, ref.syntax->what) << text;
    EXPECT_EQ(fast.syntax->offset, ref.syntax->offset) << text;
    return;
  }
  EXPECT_EQ(fast.value, ref.value) << text;
  EXPECT_EQ(boost::json::serialize(fast.value), boost::json::serialize(ref.value)) << text;
  ASSERT_EQ(fast.bad.has_value(), ref.bad.has_value()) << text;
  if (ref.bad) {
    EXPECT_EQ(body::dotted(fast.bad->path), body::dotted(ref.bad->path)) << text;
  }
}

TEST(Body, SameAsTheReferenceParserOnEdgeCases) {
  const char* cases[] = {
      "-0", "0", "-0.0", "1e400", "-1e400", "1e-400", "18446744073709551615", "18446744073709551616",
      "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "0.1",
      "1.7976931348623157e308", "2.2250738585072014e-308", "4.9e-324", "1E2", "1.5e+3", "9007199254740993",
      "0.30000000000000004", R"({"a":1,"a":2})", R"({"a":1,"b":{"a":3,"a":[1]}})", R"("\ud800")",
      R"("\udc00")", R"("\ud800\u0041")", R"("\ud83d\ude00")", R"("\u0000")", "\"\xff\"", "\"\xed\xa0\x80\"",
      "\"a\xc3\"", "[1,]", "{}", "[]", "  [1] \n", "", " ", "tru", "\"\t\"", "01", "[1] x", R"("\/")",
      "1.0", "[-]", "-", "1.", ".5", "+1", "1e", "nan", R"({"x":[true,false,null,"é\n\"q\""]})",
      R"({"t":[1,2,{"u":-1e400}]})", R"({"k":"v",})", R"({"k" "v"})", "[\"a\",\n  1e999]"};
  for (const char* c : cases) expect_as_reference(c);
  EXPECT_EQ(body::parse(std::string_view{}).syntax->what, "the body is empty");  // a null view
  // Around the depth the first pass hands over (half the limit) and the limit itself.
  for (std::size_t d : {1u, 127u, 128u, 129u, 256u, 257u, 1100u})
    expect_as_reference(std::string(d, '[') + std::string(d, ']'));
  expect_as_reference(std::string(300, '[') + "1" + std::string(299, ']'));
}

TEST(Body, SameAsTheReferenceParserOnCapturedRequests) {
  namespace fs = std::filesystem;
  int n = 0;
  for (const char* name : {"claude_code_haiku_request.json", "claude_code_tool_loop_turn.json"}) {
    std::ifstream in(fs::path(AGP_TEST_DATA) / name, std::ios::binary);
    ASSERT_TRUE(in) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    expect_as_reference(ss.str());
    // A body larger than the reused parser takes (512 KB) goes through a parser of its own.
    std::string big = "[";
    while (big.size() < 600 * 1024) big += ss.str() + ",";
    big.back() = ']';
    expect_as_reference(big);
    ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST(Body, Position) {
  body::SyntaxError e{"x", 8, 1, 9};
  EXPECT_EQ(body::position(e), "line 1 column 9 (char 8)");
}

TEST(Media, Base64) {
  for (const char* ok : {"", "QQ==", "QUI=", "QUJD", "QUJDRA", "iVBORw0KGgo=", "/9j/4A=="})
    EXPECT_TRUE(media::valid_base64(ok)) << ok;
  for (const char* bad : {"iVBOR", "QQ=", "Q===", "QU=I", "QU JD", "QUJD\n", "@@@@", "QUJD-_"})
    EXPECT_FALSE(media::valid_base64(bad)) << bad;
}

TEST(Media, SniffedImageType) {
  EXPECT_EQ(media::sniffed_image_type("iVBORw0KGgo="), "image/png");       // \x89PNG\r\n\x1a\n
  EXPECT_EQ(media::sniffed_image_type("/9j/4A=="), "image/jpeg");          // FF D8 FF E0
  EXPECT_EQ(media::sniffed_image_type("R0lGODlh"), "image/gif");           // GIF89a
  EXPECT_EQ(media::sniffed_image_type("UklGRgAAAABXRUJQ"), "image/webp");  // RIFF....WEBP
  EXPECT_EQ(media::sniffed_image_type("aGVsbG8="), "");                    // "hello"
  EXPECT_EQ(media::sniffed_image_type("iVBO"), "");                        // too short to tell
}

}  // namespace

}  // namespace unit_request_body_test
