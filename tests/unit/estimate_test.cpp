// tokens::estimate_*: a rough but sane token estimate for translated Chat requests.
#include "tokens/estimate.hpp"

#include <gtest/gtest.h>

namespace {

namespace json = boost::json;
using agp::tokens::estimate_chat_request;
using agp::tokens::estimate_text;

TEST(EstimateText, Table) {
  struct Row {
    std::string text;
    std::int64_t expected;
  };
  const Row rows[] = {
      {"", 0},
      {"a", 1},
      {"abcd", 1},
      {"abcde", 2},
      {std::string(400, 'x'), 100},
      {"\xC3\xA9", 1},                  // é: one code point
      {"\xE6\x97\xA5\xE6\x9C\xAC", 2},  // 日本: two
      {"\xF0\x9F\x98\x80", 1},          // one emoji
      {"ab\xC3\xA9", 2},                // 2 ASCII bytes → 1, plus é
  };
  for (auto& r : rows) EXPECT_EQ(estimate_text(r.text), r.expected) << r.text;
}

json::object body(const char* s) { return json::parse(s).as_object(); }

TEST(EstimateChatRequest, Sanity) {
  auto empty = estimate_chat_request(body(R"({"messages":[]})"));
  auto hi = estimate_chat_request(body(R"({"messages":[{"role":"user","content":"hi"}]})"));
  auto two = estimate_chat_request(
      body(R"({"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hi"}]})"));
  EXPECT_GT(empty, 0);
  EXPECT_GT(hi, empty);
  EXPECT_GT(two, hi);
  EXPECT_LT(hi, 20);

  std::string long_text(40000, 'a');
  auto big = estimate_chat_request(
      json::value({{"messages", json::array{json::object{{"role", "user"}, {"content", long_text}}}}}).as_object());
  EXPECT_GE(big, 10000);
  EXPECT_LT(big, 10100);
}

TEST(EstimateChatRequest, ImagesCostAFixedAmountNotTheirBase64Size) {
  std::string data(400000, 'A');
  auto with_image = estimate_chat_request(
      json::value({{"messages",
                    json::array{json::object{
                        {"role", "user"},
                        {"content", json::array{json::object{
                                        {"type", "image_url"},
                                        {"image_url", json::object{{"url", "data:image/png;base64," + data}}}}}}}}}})
          .as_object());
  EXPECT_GT(with_image, 500);
  EXPECT_LT(with_image, 2000);
}

TEST(EstimateChatRequest, ToolsCount) {
  auto without = estimate_chat_request(body(R"({"messages":[{"role":"user","content":"hi"}]})"));
  auto with = estimate_chat_request(body(
      R"({"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"Read","description":"Read a file from the local filesystem.","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}}]})"));
  EXPECT_GT(with, without + 10);
}

}  // namespace
