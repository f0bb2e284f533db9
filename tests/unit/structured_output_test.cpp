// Structured output (output_config.format, or Claude Code's output_format) reaches Azure as
// response_format (Chat) or text.format (Responses), non-strict.
#include "anthropic/request.hpp"
#include "openai/chat/request.hpp"
#include "openai/responses/from_anthropic.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_structured_output_test {

namespace json = boost::json;
using namespace agp;

namespace {

const json::value kSchema = json::parse(
    R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"selected_memories":{"type":"array","items":{"type":"string"}}},"required":["selected_memories"]})");
const json::value kSanitized = json::parse(
    R"({"type":"object","properties":{"selected_memories":{"type":"array","items":{"type":"string"}}},"required":["selected_memories"]})");

anthropic::MessagesRequest parse(std::string_view format_field) {
  std::string body =
      R"({"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"}],)" + std::string(format_field) + "}";
  auto r = anthropic::parse_request(std::string_view(body));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : anthropic::MessagesRequest{};
}

TEST(StructuredOutput, BothSpellingsAreRead) {
  std::string schema = json::serialize(kSchema);
  EXPECT_EQ(parse(R"("output_config":{"format":{"type":"json_schema","schema":)" + schema + "}}").output_schema,
            kSchema);
  EXPECT_EQ(parse(R"("output_format":{"type":"json_schema","schema":)" + schema + "}").output_schema, kSchema);
  EXPECT_TRUE(parse(R"("output_config":{"effort":"low"})").output_schema.is_null());
}

TEST(StructuredOutput, BadFormatsNameTheField) {
  auto r = anthropic::parse_request(std::string_view(
      R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"output_format":{"type":"xml"}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message.starts_with("output_format.type")) << r.error().message;
  r = anthropic::parse_request(std::string_view(
      R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"output_config":{"format":{"type":"json_schema","schema":1}}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message.starts_with("output_config.format.schema")) << r.error().message;
}

TEST(StructuredOutput, ChatGetsResponseFormat) {
  auto req = parse(R"("output_format":{"type":"json_schema","schema":)" + json::serialize(kSchema) + "}");
  auto out = openai::chat::to_chat_request(req, {"gpt-4o", "2024-10-21", false, 0});
  EXPECT_EQ(out.body.at("response_format"),
            json::parse(R"({"type":"json_schema","json_schema":{"name":"output","schema":)" +
                        json::serialize(kSanitized) + R"(,"strict":false}})"));
}

TEST(StructuredOutput, ResponsesGetsFlatTextFormat) {
  auto req = parse(R"("output_format":{"type":"json_schema","schema":)" + json::serialize(kSchema) + "}");
  openai::responses::FromAnthropicOptions opts;
  opts.deployment = "gpt-5";
  auto out = openai::responses::from_anthropic_request(req, opts);
  EXPECT_EQ(out.body.at("text"), json::parse(R"({"format":{"type":"json_schema","name":"output","schema":)" +
                                             json::serialize(kSanitized) + R"(,"strict":false}})"));
}

TEST(StructuredOutput, AbsentMeansNoFormat) {
  auto req = parse(R"("stream":false)");
  EXPECT_FALSE(openai::chat::to_chat_request(req, {"gpt-4o", "2024-10-21", false, 0}).body.contains("response_format"));
}

}  // namespace

}  // namespace unit_structured_output_test
