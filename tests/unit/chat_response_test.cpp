// openai::chat::to_anthropic_message: a non-streamed Chat Completions answer → Anthropic message.
#include "anthropic/answer_sinks.hpp"
#include "openai/chat/decode.hpp"
#include "pipeline_util.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_chat_response_test {

namespace {

namespace json = boost::json;
using agp::openai::chat::parse_usage;
using agp_test::AnswerContext;
using agp_test::to_anthropic_message;

struct Case {
  const char* name;
  const char* chat;      // Azure answer
  const char* expected;  // whole Anthropic message
};

class ChatResponse : public ::testing::TestWithParam<Case> {};

TEST_P(ChatResponse, Maps) {
  const auto& c = GetParam();
  agp::openai::ToolNames names;
  AnswerContext ctx{"claude-sonnet-4-5", "msg_test", &names, 0};
  auto r = to_anthropic_message(json::parse(c.chat), ctx);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(json::value(*r), json::parse(c.expected)) << json::serialize(*r);
}

#define ENVELOPE_HEAD R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-11-20",)"
#define USAGE(p, c, cached)                                       \
  R"("usage":{"prompt_tokens":)" #p R"(,"completion_tokens":)" #c \
  R"(,"total_tokens":1,"prompt_tokens_details":{"cached_tokens":)" #cached R"(}})"
#define A_HEAD R"({"id":"msg_test","type":"message","role":"assistant","model":"claude-sonnet-4-5",)"
#define A_USAGE(in, cache, out)                                                                             \
  R"("usage":{"input_tokens":)" #in R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":)" #cache \
  R"(,"output_tokens":)" #out "}}"

const Case kCases[] = {
    {"Text",
     ENVELOPE_HEAD
     R"("choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hello!","refusal":null}}],)" USAGE(
         12, 3, 0) "}",
     A_HEAD
     R"("content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,)" A_USAGE(12, 0, 3)},
    {"LengthIsMaxTokens",
     ENVELOPE_HEAD
     R"("choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"Hel"}}],)" USAGE(12, 3,
                                                                                                                 0) "}",
     A_HEAD
     R"("content":[{"type":"text","text":"Hel"}],"stop_reason":"max_tokens","stop_sequence":null,)" A_USAGE(12, 0, 3)},
    {"CachedTokensSubtracted",
     ENVELOPE_HEAD
     R"("choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"x"}}],)" USAGE(1200, 80,
                                                                                                             1024) "}",
     A_HEAD
     R"("content":[{"type":"text","text":"x"}],"stop_reason":"end_turn","stop_sequence":null,)" A_USAGE(176, 1024, 80)},
    {"ToolCalls",
     ENVELOPE_HEAD
     R"("choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,"refusal":null,"annotations":[],
       "tool_calls":[{"id":"call_A","type":"function","function":{"name":"Read","arguments":"{\"path\":\"x\"}"}},
                     {"id":"call_B","type":"function","function":{"name":"Ls","arguments":""}}]}}],)" USAGE(1200, 80,
                                                                                                            1024) "}",
     A_HEAD R"("content":[{"type":"tool_use","id":"toolu_A","name":"Read","input":{"path":"x"}},
                          {"type":"tool_use","id":"toolu_B","name":"Ls","input":{}}],
        "stop_reason":"tool_use","stop_sequence":null,)" A_USAGE(176, 1024, 80)},
    {"TextThenToolCall",
     ENVELOPE_HEAD
     R"("choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"Reading.",
       "tool_calls":[{"id":"call_A","type":"function","function":{"name":"Read","arguments":"{}"}}]}}],)" USAGE(10, 5,
                                                                                                                0) "}",
     A_HEAD
     R"("content":[{"type":"text","text":"Reading."},{"type":"tool_use","id":"toolu_A","name":"Read","input":{}}],
        "stop_reason":"tool_use","stop_sequence":null,)" A_USAGE(10, 0, 5)},
    {"ToolCallsWithStopFinishIsStillToolUse",
     ENVELOPE_HEAD R"("choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":null,
       "tool_calls":[{"id":"call_A","type":"function","function":{"name":"Read","arguments":"{}"}}]}}],)" USAGE(10, 5,
                                                                                                                0) "}",
     A_HEAD R"("content":[{"type":"tool_use","id":"toolu_A","name":"Read","input":{}}],
        "stop_reason":"tool_use","stop_sequence":null,)" A_USAGE(10, 0, 5)},
    {"ReasoningContentToThinking",
     ENVELOPE_HEAD
     R"("choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","reasoning_content":"Let me think.","content":"42"}}],)" USAGE(
         10, 5, 0) "}",
     A_HEAD R"("content":[{"type":"thinking","thinking":"Let me think.","signature":""},{"type":"text","text":"42"}],
        "stop_reason":"end_turn","stop_sequence":null,)" A_USAGE(10, 0, 5)},
    {"RefusalAsText",
     ENVELOPE_HEAD
     R"("choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":null,"refusal":"I can't help with that."}}],)" USAGE(
         10, 5, 0) "}",
     A_HEAD
     R"("content":[{"type":"text","text":"I can't help with that."}],"stop_reason":"end_turn","stop_sequence":null,)" A_USAGE(
         10, 0, 5)},
    {"EmptyContentNoUsage",
     ENVELOPE_HEAD R"("choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":""}}]})",
     A_HEAD R"("content":[],"stop_reason":"end_turn","stop_sequence":null,)" A_USAGE(0, 0, 0)},
};

INSTANTIATE_TEST_SUITE_P(Table, ChatResponse, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ChatResponse, ToolNameAliasMappedBack) {
  agp::openai::ToolNames names;
  const std::string client = "mcp__srv__read.file";
  auto alias = names.to_upstream(client);
  ASSERT_NE(alias, client);
  AnswerContext ctx{"claude-opus-4-1", "msg_1", &names, 0};
  std::string chat =
      std::string(
          R"({"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_X","type":"function","function":{"name":")") +
      alias + R"(","arguments":"{}"}}]}}]})";
  auto r = to_anthropic_message(json::parse(chat), ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("content").at(0).at("name"), client.c_str());
  EXPECT_EQ(r->at("model"), "claude-opus-4-1");
}

TEST(ChatResponse, ToolUseIdsAreAnthropicShaped) {
  AnswerContext ctx{"m", "msg_1", nullptr, 0};
  auto r =
      to_anthropic_message(json::parse(R"({"choices":[{"index":0,"finish_reason":"tool_calls","message":{"tool_calls":[
        {"id":"call_abc123","type":"function","function":{"name":"A","arguments":"{}"}},
        {"type":"function","function":{"name":"B","arguments":"{}"}}]}}]})"),
                           ctx);
  ASSERT_TRUE(r.ok());
  for (auto& b : r->at("content").as_array()) {
    std::string id(b.at("id").as_string());
    EXPECT_TRUE(id.starts_with("toolu_")) << id;
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"),
              std::string::npos)
        << id;
  }
}

struct ErrorCase {
  const char* name;
  const char* chat;
  unsigned status;
  std::vector<const char*> message_contains;
};

class ChatResponseError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ChatResponseError, Fails) {
  const auto& c = GetParam();
  AnswerContext ctx{"m", "msg_1", nullptr, 0};
  auto r = to_anthropic_message(json::parse(c.chat), ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, c.status);
  for (auto* s : c.message_contains)
    EXPECT_NE(r.error().message.find(s), std::string::npos) << r.error().message << " lacks " << s;
}

const ErrorCase kErrorCases[] = {
    // Arguments that do not parse are never replaced by an invented object: Claude Code would run
    // Write/Edit with empty input. The call is not passed on; the client may retry.
    {"BrokenArgumentsAreAnError",
     R"({"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,
       "tool_calls":[{"id":"call_A","type":"function","function":{"name":"Read","arguments":"{\"path\":"}}]}}]})",
     500,
     {"Read", "not a JSON object"}},
    {"ContentFilterNamesCategories",
     R"({"choices":[{"index":0,"finish_reason":"content_filter","message":{"role":"assistant","content":"partial"},
        "content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"high"},
          "protected_material_text":{"filtered":true,"detected":true}}}]})",
     400,
     {"content filter", "violence (high)", "protected_material_text"}},
    {"ContentFilterWithoutResults",
     R"({"choices":[{"index":0,"finish_reason":"content_filter","message":{"content":""}}]})",
     400,
     {"content filter"}},
    {"NoChoices", R"({"choices":[],"prompt_filter_results":[]})", 500, {"without choices"}},
    {"NotAnObject", R"([1])", 500, {}},
    {"NoMessage", R"({"choices":[{"index":0,"finish_reason":"stop"}]})", 500, {"message"}},
};

INSTANTIATE_TEST_SUITE_P(Table, ChatResponseError, ::testing::ValuesIn(kErrorCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ChatResponseHelpers, ParseUsage) {
  auto v = json::parse(
      R"({"prompt_tokens":1200,"completion_tokens":80,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":64}})");
  auto u = parse_usage(&v);
  EXPECT_TRUE(u.seen);
  EXPECT_EQ(u.input, 1200);
  EXPECT_EQ(u.output, 80);
  EXPECT_EQ(u.cached, 1024);
  EXPECT_EQ(u.reasoning, 64);
  EXPECT_EQ(
      json::value(agp::anthropic::usage_json(u)),
      json::parse(
          R"({"input_tokens":176,"cache_creation_input_tokens":0,"cache_read_input_tokens":1024,"output_tokens":80})"));
  json::value null_usage = nullptr;
  EXPECT_FALSE(parse_usage(&null_usage).seen);
  EXPECT_FALSE(parse_usage(nullptr).seen);
}

}  // namespace

#undef ENVELOPE_HEAD
#undef USAGE
#undef A_HEAD
#undef A_USAGE

}  // namespace unit_chat_response_test
