// Every protocol rule of the one exchange flow × every path (Anthropic → Chat, Anthropic →
// Responses, OpenAI chat (Cursor) → Responses): each row is an input and the exact upstream body
// part or client answer the protocols' documents require, run through the production pipeline.
#include "exchange/flow.hpp"
#include "openai/chat/from_client.hpp"
#include "pipeline_util.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_rules_paths_test {

namespace {

namespace json = boost::json;
namespace x = agp::exchange;

struct Path {
  const char* name;
  x::Front front;
  x::Backend backend;
};
const Path kPaths[] = {{"AnthropicChat", x::Front::anthropic, x::Backend::chat},
                       {"AnthropicResponses", x::Front::anthropic, x::Backend::responses},
                       {"CursorResponses", x::Front::openai_chat, x::Backend::responses},
                       {"CursorChat", x::Front::openai_chat, x::Backend::chat}};

x::Prepared prepare(const Path& p, const std::string& body) {
  auto conv = x::parse_client_request({p.front, body, {}});
  EXPECT_TRUE(conv.ok()) << conv.error().message;
  x::Target t;
  t.deployment = "gpt-4o";
  t.backend = p.backend;
  t.api_version = "2025-04-01-preview";
  return x::prepare(std::move(*conv), t);
}

// An interrupted tool call (Claude Code after Esc; Cursor's unanswered tool_calls), with the
// client's own protocol spelling of the same history.
std::string interrupted_history(const Path& p) {
  if (p.front == x::Front::anthropic)
    return R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"read a"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Read","input":{"p":"a"}}]},
      {"role":"user","content":"never mind"}]})";
  return R"({"model":"m","messages":[{"role":"user","content":"read a"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"Read","arguments":"{\"p\":\"a\"}"}}]},
      {"role":"user","content":"never mind"}]})";
}

// The call's result that the backend must receive: a tool message (Chat) or function_call_output
// (Responses) answering call_1 — "No tool output found for function call" otherwise.
void expect_answered(const Path& p, const json::object& body) {
  if (p.backend == x::Backend::chat) {
    auto& msgs = body.at("messages").as_array();
    ASSERT_GE(msgs.size(), 4u) << json::serialize(body);
    EXPECT_EQ(msgs[2].at("role"), json::value("tool"));
    EXPECT_EQ(msgs[2].at("tool_call_id"), json::value("call_1"));
    EXPECT_EQ(msgs[3].at("role"), json::value("user"));
  } else {
    auto& items = body.at("input").as_array();
    ASSERT_GE(items.size(), 4u) << json::serialize(body);
    EXPECT_EQ(items[1].at("type"), json::value("function_call"));
    EXPECT_EQ(items[2].at("type"), json::value("function_call_output"));
    EXPECT_EQ(items[2].at("call_id"), json::value("call_1"));
    EXPECT_EQ(items[3].at("type"), json::value("message"));
  }
}

class RulesOnEveryPath : public ::testing::TestWithParam<Path> {};

TEST_P(RulesOnEveryPath, InterruptedToolCallIsAnswered) {
  auto p = prepare(GetParam(), interrupted_history(GetParam()));
  expect_answered(GetParam(), p.body);
}

TEST_P(RulesOnEveryPath, OrphanResultBecomesUserText) {
  const auto& path = GetParam();
  std::string body =
      path.front == x::Front::anthropic
          ? R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_gone","content":"old"}]}]})"
          : R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"call_gone","content":"old"}]})";
  auto p = prepare(path, body);
  auto text = json::serialize(p.body);
  EXPECT_EQ(text.find("\"tool\""), std::string::npos) << text;
  EXPECT_EQ(text.find("function_call_output"), std::string::npos) << text;
  EXPECT_NE(text.find("[result of an earlier tool call"), std::string::npos) << text;
}

TEST_P(RulesOnEveryPath, ToolNamesAzureRejectsAreAliased) {
  // MCP tool names with dots, or over 64 characters: Azure's pattern is ^[a-zA-Z0-9_-]{1,64}$.
  const auto& path = GetParam();
  std::string name = "mcp.server." + std::string(70, 'x');
  std::string body =
      path.front == x::Front::anthropic
          ? R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":")" + name +
                R"(","input_schema":{"type":"object"}}]})"
          : R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":")" +
                name + R"(","parameters":{"type":"object"}}}]})";
  auto p = prepare(path, body);
  auto& tool = p.body.at("tools").as_array()[0].as_object();
  auto& sent = path.backend == x::Backend::chat ? tool.at("function").at("name") : tool.at("name");
  std::string up(sent.as_string());
  EXPECT_LE(up.size(), 64u);
  EXPECT_TRUE(agp::openai::valid_tool_name(up)) << up;
  EXPECT_EQ(p.names.to_client(up), name);  // and mapped back in the answer
}

TEST_P(RulesOnEveryPath, LengthWinsOverATruncatedToolCall) {
  // max_tokens cut a call mid-arguments: stop_reason max_tokens (Cursor: finish_reason length),
  // never tool_use, and the truncated arguments are never replaced by {}.
  const auto& path = GetParam();
  x::AnswerOptions o;
  o.front = path.front;
  o.backend = path.backend;
  o.anthropic = {"msg_1", "m", 10, false, false};
  o.chat = {"m", "chatcmpl-1", 1, agp::openai::chat::ReasoningDisplay::think, false};
  json::value upstream =
      path.backend == x::Backend::chat
          ? json::parse(R"({"choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":null,
              "tool_calls":[{"id":"call_A","type":"function","function":{"name":"Write","arguments":"{\"content\":\"abc"}}]}}],
              "usage":{"prompt_tokens":10,"completion_tokens":5}})")
          : json::parse(R"({"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},
              "output":[{"type":"function_call","id":"fc_1","call_id":"call_A","name":"Write","arguments":"{\"content\":\"abc"}],
              "usage":{"input_tokens":10,"output_tokens":5}})");
  auto whole = x::translate_whole(o, upstream);
  ASSERT_TRUE(whole.message.ok()) << whole.message.error().message;
  auto& m = *whole.message;
  if (path.front == x::Front::anthropic) {
    EXPECT_EQ(m.at("stop_reason"), json::value("max_tokens"));
    EXPECT_EQ(m.at("content"), json::array{});  // no invented input
  } else {
    auto& choice = m.at("choices").as_array()[0];
    EXPECT_EQ(choice.at("finish_reason"), json::value("length"));
    // OpenAI's own behaviour: the arguments as far as they came, never an invented object.
    EXPECT_EQ(choice.at("message").at("tool_calls").at(0).at("function").at("arguments"),
              json::value("{\"content\":\"abc"));
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, RulesOnEveryPath, ::testing::ValuesIn(kPaths),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CursorHistory, ThinkShownByTheProxyNeverGoesBack) {
  // OpenAI clients return assistant content unchanged: the <think>…</think> the proxy showed and
  // any reasoning_content are taken out before the history reaches Azure.
  std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"},
    {"role":"assistant","content":"<think>\nI considered.\n</think>\n\nHello!","reasoning_content":"I considered."},
    {"role":"user","content":"again"}]})";
  auto p = prepare(kPaths[2], body);
  auto text = json::serialize(p.body);
  EXPECT_EQ(text.find("think"), std::string::npos) << text;
  EXPECT_EQ(text.find("considered"), std::string::npos) << text;
  EXPECT_EQ(p.body.at("input").at(1).at("content").at(0).at("text"), json::value("Hello!"));
  EXPECT_EQ(agp::openai::chat::without_think_prefix("no think here"), "no think here");
  EXPECT_EQ(agp::openai::chat::without_think_prefix("<think>\nx\n</think>\n\n"), "");
}

}  // namespace

namespace {
TEST(ThinkingDisplay, UpdatesIsAcceptedAndShowsTheThinking) {
  // Claude Code's newest models send display "updates"; only "omitted" hides the text.
  std::string body =
      R"({"model":"m","max_tokens":50,"thinking":{"type":"adaptive","display":"updates"},"messages":[{"role":"user","content":"hi"}]})";
  auto conv = x::parse_client_request({x::Front::anthropic, body, {}});
  ASSERT_TRUE(conv.ok()) << conv.error().message;
  x::Target t;
  t.deployment = "gpt-4o";
  auto p = x::prepare(*conv, t);
  auto o = x::answer_options(x::Front::anthropic, *conv, p, 1);
  EXPECT_TRUE(o.anthropic.thinking);
  EXPECT_FALSE(o.anthropic.omit_thinking_text);
  auto whole = x::translate_whole(o, json::parse(R"({"choices":[{"index":0,"finish_reason":"stop",
    "message":{"role":"assistant","reasoning_content":"Let me see.","content":"Hi"}}]})"));
  ASSERT_TRUE(whole.message.ok());
  EXPECT_EQ(whole.message->at("content").at(0).at("thinking"), json::value("Let me see."));
}
}  // namespace

}  // namespace unit_rules_paths_test
