// core/request_body (the one parse of a client body: where a syntax error is, the depth limit, a
// number no upstream takes, by path) and core/media (base64, image signatures).
#include "core/request_body.hpp"
#include "core/media.hpp"

#include <gtest/gtest.h>

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
