// Request counting: cookbook framing, tools rendering, image header sizes and tile formula.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tokens/count.hpp"

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_tokens_count_test {

using namespace agp::tokens;
namespace json = boost::json;

namespace {
std::string b64(std::string_view bytes) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                      static_cast<unsigned char>(bytes[i + 2]);
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {a[v >> 18], a[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], '='};
  }
  return out;
}
std::string png(std::uint32_t w, std::uint32_t h) {
  std::string s("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (auto v : {w, h})
    for (int k = 3; k >= 0; --k) s += static_cast<char>((v >> (8 * k)) & 0xFF);
  s += std::string("\x08\x06\0\0\0", 5);
  return s;
}
}  // namespace

TEST(TokensCount, CookbookFramingForPlainMessages) {
  auto body = json::parse(R"({"model":"x","messages":[
    {"role":"system","content":"You are a helpful assistant."},
    {"role":"user","content":"Hello world"},
    {"role":"assistant","content":"Hi!","name":"bot"}]})")
                  .as_object();
  auto c = count_chat_request_detailed(body, Encoding::o200k_base);
  const auto& t = Tokenizer::get(Encoding::o200k_base);
  std::int64_t text = 0;
  for (auto s : {"system", "You are a helpful assistant.", "user", "Hello world", "assistant", "Hi!", "bot"})
    text += static_cast<std::int64_t>(t.count(s));
  EXPECT_EQ(c.text, text);
  EXPECT_EQ(c.framing, 3 * 3 + 1 + 3);
  EXPECT_EQ(c.estimated, 0);
  EXPECT_EQ(c.total(), text + 13);
  EXPECT_EQ(count_chat_request(body, Encoding::o200k_base), c.total());
}

TEST(TokensCount, TextPartsToolCallsAndResults) {
  auto body = json::parse(R"({"messages":[
    {"role":"user","content":[{"type":"text","text":"first"},{"type":"text","text":"second part"}]},
    {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
       "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"sunny, 21C"}]})")
                  .as_object();
  auto c = count_chat_request_detailed(body, Encoding::o200k_base);
  const auto& t = Tokenizer::get(Encoding::o200k_base);
  std::int64_t text = 0;
  for (auto s :
       {"user", "first", "second part", "assistant", "get_weather", "{\"city\":\"Paris\"}", "tool", "sunny, 21C"})
    text += static_cast<std::int64_t>(t.count(s));
  EXPECT_EQ(c.text, text);
  EXPECT_EQ(c.estimated, kToolCallFraming);
}

TEST(TokensCount, ToolsRenderedAsTypeScript) {
  auto tools = json::parse(R"([{"type":"function","function":{"name":"get_weather","description":"Get the weather.",
    "parameters":{"type":"object","properties":{
      "city":{"type":"string","description":"City name"},
      "unit":{"type":"string","enum":["c","f"]},
      "days":{"type":"array","items":{"type":"integer"}}},"required":["city"]}}},
    {"type":"function","function":{"name":"noop","parameters":{"type":"object","properties":{}}}}])")
                   .as_array();
  EXPECT_EQ(render_tools(tools),
            "# Tools\n\n## functions\n\nnamespace functions {\n\n"
            "// Get the weather.\ntype get_weather = (_: {\n// City name\ncity: string,\nunit?: \"c\" | \"f\",\n"
            "days?: number[],\n}) => any;\n\n"
            "type noop = () => any;\n\n"
            "} // namespace functions");
  json::object body{{"messages", json::array{}}, {"tools", tools}};
  auto c = count_chat_request_detailed(body, Encoding::o200k_base);
  EXPECT_EQ(c.tools,
            static_cast<std::int64_t>(Tokenizer::get(Encoding::o200k_base).count(render_tools(tools))) + kToolsFraming);
  EXPECT_EQ(c.estimated, c.tools);
}

TEST(TokensCount, ImageHeaders) {
  EXPECT_EQ(image_size(png(1024, 768))->width, 1024u);
  EXPECT_EQ(image_size(png(1024, 768))->height, 768u);
  std::string gif("GIF89a\x40\x01\xF0\x00", 10);
  EXPECT_EQ(image_size(gif)->width, 320u);
  EXPECT_EQ(image_size(gif)->height, 240u);
  // JPEG: SOI, an APP0 segment, then SOF0 with height 600, width 800.
  std::string jpg("\xFF\xD8\xFF\xE0\x00\x04\x00\x00\xFF\xC0\x00\x11\x08\x02\x58\x03\x20\x03", 18);
  EXPECT_EQ(image_size(jpg)->width, 800u);
  EXPECT_EQ(image_size(jpg)->height, 600u);
  // WebP VP8X: canvas 640x480 stored minus one, 24-bit little-endian.
  std::string webp("RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\x7f\x02\x00\xdf\x01\x00", 30);
  EXPECT_EQ(image_size(webp)->width, 640u);
  EXPECT_EQ(image_size(webp)->height, 480u);
  // WebP VP8L: 14-bit width-1 and height-1 after the 0x2f signature.
  std::uint32_t bits = (100 - 1) | (50 - 1) << 14;
  std::string vp8l("RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f", 21);
  for (int k = 0; k < 4; ++k) vp8l += static_cast<char>((bits >> (8 * k)) & 0xFF);
  vp8l += std::string(8, '\0');
  EXPECT_EQ(image_size(vp8l)->width, 100u);
  EXPECT_EQ(image_size(vp8l)->height, 50u);
  EXPECT_FALSE(image_size("not an image"));
  auto uri = "data:image/png;base64," + b64(png(4000, 3000));
  EXPECT_EQ(image_size_from_data_uri(uri)->width, 4000u);
}

TEST(TokensCount, ImageTileFormula) {
  EXPECT_EQ(image_tokens(1024, 1024, "high"), 765);   // 768x768: 4 tiles
  EXPECT_EQ(image_tokens(2048, 4096, "auto"), 1105);  // 1024x2048 -> 768x1536: 6 tiles
  EXPECT_EQ(image_tokens(4000, 3000, "high"), 765);   // 2048x1536 -> 1024x768: 4 tiles
  EXPECT_EQ(image_tokens(200, 100, "high"), 255);     // one tile
  EXPECT_EQ(image_tokens(4000, 3000, "low"), 85);
}

TEST(TokensCount, ImagesAndPdfsAreEstimated) {
  json::object body{
      {"messages",
       json::array{json::object{
           {"role", "user"},
           {"content",
            json::array{json::object{{"type", "image_url"},
                                     {"image_url", {{"url", "data:image/png;base64," + b64(png(1024, 1024))}}}},
                        json::object{{"type", "file"},
                                     {"file",
                                      {{"filename", "a.pdf"},
                                       {"file_data", "data:application/pdf;base64," +
                                                         b64("%PDF-1.4 /Type /Pages /Type /Page /Type/Page")}}}}}}}}}};
  auto c = count_chat_request_detailed(body, Encoding::o200k_base);
  EXPECT_EQ(c.images, 765);
  EXPECT_EQ(c.files, 2 * kPdfTokensPerPage);
  EXPECT_EQ(c.estimated, 765 + 2 * kPdfTokensPerPage);
}

}  // namespace unit_tokens_count_test
