// openai::responses::AnthropicStream and to_anthropic_message: recorded Azure Responses streams
// (tests/data/responses/*.sse) in, Anthropic events / messages out. Every stream that does not end
// in an error must satisfy the Anthropic stream grammar.
#include "pipeline_util.hpp"

#include "anthropic/stream_validator.hpp"
#include "core/tool_names.hpp"
#include "test_util.hpp"
#include "wire/sse.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_responses_to_anthropic_test {

namespace {

namespace json = boost::json;
using agp::anthropic::Events;
using agp::wire::SseFrame;
using agp_test::AnthropicStream;
using agp_test::final_response;
using agp_test::response_frames;
using agp_test::to_anthropic_message;
using agp_test::ToAnthropicContext;

ToAnthropicContext context(bool thinking, bool omit = false, std::vector<std::string> stops = {},
                           const agp::openai::ToolNames* names = nullptr) {
  ToAnthropicContext c;
  c.client_model = "claude-sonnet-4-5";
  c.message_id = "msg_test";
  c.names = names;
  c.input_tokens_estimate = 42;
  c.thinking = thinking;
  c.omit_thinking_text = omit;
  c.stop_sequences = std::move(stops);
  c.upstream = {"gpt-5-codex", "https://res.openai.azure.com"};
  return c;
}

struct Run : agp_test::EventRun {
  std::size_t events_after_end = 0;  // events produced by frames fed after the stream ended
};

Run run(AnthropicStream& s, const std::vector<SseFrame>& fs) {
  Run r;
  auto add = [&](Events ev) {
    if (s.ended()) r.events_after_end += ev.size();
    r.events.insert(r.events.end(), ev.begin(), ev.end());
  };
  add(s.start());
  for (auto& f : fs) {
    bool was_ended = s.ended();
    auto ev = s.feed(f.event, f.data);
    if (was_ended) r.events_after_end += ev.size();
    r.events.insert(r.events.end(), ev.begin(), ev.end());
  }
  {
    bool was_ended = s.ended();
    auto ev = s.finish();  // the upstream body ended
    if (was_ended) r.events_after_end += ev.size();
    r.events.insert(r.events.end(), ev.begin(), ev.end());
  }
  agp_test::summarize_events(r);
  return r;
}

struct Usage {
  std::int64_t input, cache_read, output;
};

struct Case {
  const char* name;
  const char* file;
  ToAnthropicContext ctx;
  std::vector<std::string> sigs;  // exact event signature sequence (empty = not checked)
  std::string text, thinking;
  std::vector<std::string> signatures;
  std::vector<std::string> tool_json, tool_ids;
  std::string stop_reason;  // "" for error streams
  std::optional<std::string> stop_sequence;
  Usage usage;
  std::string error_type, error_contains;  // for error streams
  bool stopped_early = false;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ResponsesAnthropicStream : public ::testing::TestWithParam<Case> {};

TEST_P(ResponsesAnthropicStream, Translates) {
  const auto& c = GetParam();
  AnthropicStream s(c.ctx);
  auto r = run(s, response_frames(c.file));
  if (!c.sigs.empty()) {
    EXPECT_EQ(r.sigs, c.sigs) << ::testing::PrintToString(r.sigs);
  }
  EXPECT_EQ(r.text, c.text);
  EXPECT_EQ(r.thinking, c.thinking);
  EXPECT_EQ(r.signatures, c.signatures);
  EXPECT_EQ(r.tool_json, c.tool_json);
  EXPECT_EQ(r.tool_ids, c.tool_ids);
  EXPECT_TRUE(s.ended());
  EXPECT_EQ(s.stopped_early(), c.stopped_early);
  EXPECT_EQ(r.events_after_end, 0u) << "nothing may follow the end of the stream";
  for (auto& e : r.events) {
    auto type = e.data.if_contains("type");
    ASSERT_TRUE(type && type->is_string() && type->get_string() == e.type) << json::serialize(e.data);
  }
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events.front().type, "message_start");
  if (!c.error_type.empty()) {
    auto& last = r.events.back();
    ASSERT_EQ(last.type, "error") << agp::anthropic::to_sse(r.events);
    EXPECT_EQ(last.data.at("error").at("type"), json::value(c.error_type));
    std::string msg(last.data.at("error").at("message").as_string());
    EXPECT_NE(msg.find(c.error_contains), std::string::npos) << msg;
    EXPECT_TRUE(s.error().has_value());
    return;
  }
  EXPECT_FALSE(s.error().has_value());
  auto violations = agp::anthropic::validate_stream(r.events);
  EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations) << "\n" << agp::anthropic::to_sse(r.events);
  ASSERT_GE(r.events.size(), 2u);
  EXPECT_EQ(r.events.back().type, "message_stop");
  auto& md = r.events[r.events.size() - 2];
  ASSERT_EQ(md.type, "message_delta");
  EXPECT_EQ(md.data.at("delta").at("stop_reason"), json::value(c.stop_reason));
  EXPECT_EQ(md.data.at("delta").at("stop_sequence"),
            c.stop_sequence ? json::value(*c.stop_sequence) : json::value(nullptr));
  auto& u = md.data.at("usage").as_object();
  EXPECT_EQ(u.at("input_tokens"), json::value(c.usage.input));
  EXPECT_EQ(u.at("cache_read_input_tokens"), json::value(c.usage.cache_read));
  EXPECT_EQ(u.at("cache_creation_input_tokens"), json::value(0));
  EXPECT_EQ(u.at("output_tokens"), json::value(c.usage.output));
}

const std::vector<std::string> kReasoningTextSigs = {"message_start",
                                                     "start:thinking",
                                                     "delta:thinking_delta",
                                                     "delta:thinking_delta",
                                                     "delta:thinking_delta",
                                                     "delta:signature_delta",
                                                     "stop",
                                                     "start:text",
                                                     "delta:text_delta",
                                                     "delta:text_delta",
                                                     "stop",
                                                     "message_delta:end_turn",
                                                     "message_stop"};
const std::vector<std::string> kTwoCallsSigs = {"message_start",
                                                "start:thinking",
                                                "delta:thinking_delta",
                                                "delta:signature_delta",
                                                "stop",
                                                "start:tool_use",
                                                "delta:input_json_delta",
                                                "delta:input_json_delta",
                                                "stop",
                                                "start:tool_use",
                                                "delta:input_json_delta",
                                                "stop",
                                                "message_delta:tool_use",
                                                "message_stop"};
const std::vector<std::string> kTextSigs = {"message_start",    "start:text", "delta:text_delta",
                                            "delta:text_delta", "stop",       "message_delta:end_turn",
                                            "message_stop"};

const std::string kThinking = "**Plan**\n\nRun ls.\n\nThen answer.";

const Case kCases[] = {
    {"ReasoningThenText",
     "reasoning_then_text.sse",
     context(true),
     kReasoningTextSigs,
     "Listing files.",
     kThinking,
     {"agp1:rs_1:enc_1"},
     {},
     {},
     "end_turn",
     std::nullopt,
     {220, 1280, 120},
     "",
     ""},
    {"ReasoningThenTwoFunctionCalls",
     "reasoning_then_two_calls.sse",
     context(true),
     kTwoCallsSigs,
     "",
     "Need two reads.",
     {"agp1:rs_2:enc_2"},
     {R"({"path":"a.txt"})", R"({"path":"b.txt"})"},
     {"toolu_1", "toolu_2"},
     "tool_use",
     std::nullopt,
     {100, 0, 50},
     "",
     ""},
    {"CallArgumentsOnlyInItemDone",
     "call_arguments_only_in_done.sse",
     context(false),
     {"message_start", "start:tool_use", "delta:input_json_delta", "stop", "message_delta:tool_use", "message_stop"},
     "",
     "",
     {},
     {R"({"path":"c.txt"})"},
     {"toolu_9"},
     "tool_use",
     std::nullopt,
     {20, 0, 5},
     "",
     ""},
    {"TextOnly",
     "text_only.sse",
     context(true),
     kTextSigs,
     "Hello",
     "",
     {},
     {},
     {},
     "end_turn",
     std::nullopt,
     {10, 0, 2},
     "",
     ""},
    {"IncompleteMaxOutputTokens",
     "incomplete_max_output_tokens.sse",
     context(true),
     {"message_start", "start:text", "delta:text_delta", "delta:text_delta", "stop", "message_delta:max_tokens",
      "message_stop"},
     "Partial ans",
     "",
     {},
     {},
     {},
     "max_tokens",
     std::nullopt,
     {10, 0, 16},
     "",
     ""},
    {"IncompleteContentFilterIsError",
     "incomplete_content_filter.sse",
     context(true),
     {"message_start", "start:text", "delta:text_delta", "error:invalid_request_error"},
     "Hel",
     "",
     {},
     {},
     {},
     "",
     std::nullopt,
     {},
     "invalid_request_error",
     "content filter"},
    {"FailedIsError",
     "failed.sse",
     context(true),
     {"message_start", "start:text", "delta:text_delta", "error:api_error"},
     "Hel",
     "",
     {},
     {},
     {},
     "",
     std::nullopt,
     {},
     "api_error",
     "The model crashed."},
    {"BareErrorEventRateLimit",
     "error_event.sse",
     context(true),
     {"message_start", "error:rate_limit_error"},
     "",
     "",
     {},
     {},
     {},
     "",
     std::nullopt,
     {},
     "rate_limit_error",
     "Rate limit reached"},
    {"NoTerminalEventIsError",
     "no_terminal_event.sse",
     context(true),
     {"message_start", "start:text", "delta:text_delta", "error:overloaded_error"},
     "Hel",
     "",
     {},
     {},
     {},
     "",
     std::nullopt,
     {},
     "overloaded_error",
     "ended the stream"},
    {"DisplayOmittedSignatureOnly",
     "reasoning_then_text.sse",
     context(true, true),
     {"message_start", "start:thinking", "delta:signature_delta", "stop", "start:text", "delta:text_delta",
      "delta:text_delta", "stop", "message_delta:end_turn", "message_stop"},
     "Listing files.",
     "",
     {"agp1:rs_1:enc_1"},
     {},
     {},
     "end_turn",
     std::nullopt,
     {220, 1280, 120},
     "",
     ""},
    {"ThinkingOffReasoningIgnored",
     "reasoning_then_text.sse",
     context(false),
     kTextSigs,
     "Listing files.",
     "",
     {},
     {},
     {},
     "end_turn",
     std::nullopt,
     {220, 1280, 120},
     "",
     ""},
    {"ThinkingOffCallsOnly",
     "reasoning_then_two_calls.sse",
     context(false),
     {"message_start", "start:tool_use", "delta:input_json_delta", "delta:input_json_delta", "stop", "start:tool_use",
      "delta:input_json_delta", "stop", "message_delta:tool_use", "message_stop"},
     "",
     "",
     {},
     {R"({"path":"a.txt"})", R"({"path":"b.txt"})"},
     {"toolu_1", "toolu_2"},
     "tool_use",
     std::nullopt,
     {100, 0, 50},
     "",
     ""},
    // Stop sequence matched mid-text: estimated usage (42 input from the context, ceil(10 chars / 4) output).
    {"StopSequenceMidText",
     "stop_sequence.sse",
     context(true, false, {"\nEND"}),
     {"message_start", "start:text", "delta:text_delta", "delta:text_delta", "stop", "message_delta:stop_sequence",
      "message_stop"},
     "Answer: 42",
     "",
     {},
     {},
     {},
     "stop_sequence",
     "\nEND",
     {42, 0, 3},
     "",
     "",
     true},
    {"StopSequenceNeverMatches",
     "text_only.sse",
     context(true, false, {"NOPE"}),
     kTextSigs,
     "Hello",
     "",
     {},
     {},
     {},
     "end_turn",
     std::nullopt,
     {10, 0, 2},
     "",
     ""},
    {"StopSequenceHeldTailReleasedAtItemDone",
     "text_only.sse",
     context(true, false, {"lo!"}),
     {},
     "Hello",
     "",
     {},
     {},
     {},
     "end_turn",
     std::nullopt,
     {10, 0, 2},
     "",
     ""},
};

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesAnthropicStream, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

// Exact events for the reasoning → text stream.
TEST(ResponsesAnthropicStreamExact, ReasoningThenText) {
  AnthropicStream s(context(true));
  auto r = run(s, response_frames("reasoning_then_text.sse"));
  auto want = json::parse(R"([
    {"type":"message_start","message":{"id":"msg_test","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":42,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}},
    {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}},
    {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"**Plan**\n\n"}},
    {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Run ls."}},
    {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"\n\nThen answer."}},
    {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"agp1:rs_1:enc_1"}},
    {"type":"content_block_stop","index":0},
    {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}},
    {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Listing "}},
    {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"files."}},
    {"type":"content_block_stop","index":1},
    {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":220,"cache_creation_input_tokens":0,"cache_read_input_tokens":1280,"output_tokens":120}},
    {"type":"message_stop"}])");
  json::array got;
  for (auto& e : r.events) got.push_back(e.data);
  EXPECT_EQ(json::value(got), want) << json::serialize(got);
  EXPECT_EQ(s.usage().input, 1500);
  EXPECT_EQ(s.usage().cached, 1280);
  EXPECT_EQ(s.usage().output, 120);
  EXPECT_EQ(s.usage().reasoning, 64);
}

// Exact events for the stop-sequence stream: the upstream is cut, nothing follows message_stop.
TEST(ResponsesAnthropicStreamExact, StopSequence) {
  AnthropicStream s(context(false, false, {"\nEND"}));
  auto r = run(s, response_frames("stop_sequence.sse"));
  auto want = json::parse(R"([
    {"type":"message_start","message":{"id":"msg_test","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":42,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}},
    {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}},
    {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Answer: 4"}},
    {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"2"}},
    {"type":"content_block_stop","index":0},
    {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"\nEND"},"usage":{"input_tokens":42,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}},
    {"type":"message_stop"}])");
  json::array got;
  for (auto& e : r.events) got.push_back(e.data);
  EXPECT_EQ(json::value(got), want) << json::serialize(got);
  EXPECT_TRUE(s.stopped_early());
}

TEST(ResponsesAnthropicStreamNames, AliasedToolNameMappedBack) {
  agp::openai::ToolNames names;
  const std::string client = "mcp__srv__do.thing";
  auto alias = names.to_upstream(client);
  ASSERT_NE(alias, client);
  AnthropicStream s(context(false, false, {}, &names));
  Events ev = s.start();
  auto add = [&](std::string_view type, const json::object& o) {
    json::object data = o;
    data["type"] = type;
    auto more = s.feed(type, json::serialize(data));
    ev.insert(ev.end(), more.begin(), more.end());
  };
  json::object item{
      {"type", "function_call"}, {"id", "fc_1"}, {"call_id", "call_abc"}, {"name", alias}, {"arguments", ""}};
  add("response.output_item.added", {{"output_index", 0}, {"item", item}});
  add("response.function_call_arguments.delta", {{"item_id", "fc_1"}, {"output_index", 0}, {"delta", "{}"}});
  item["arguments"] = "{}";
  add("response.output_item.done", {{"output_index", 0}, {"item", item}});
  add("response.completed", {{"response", {{"status", "completed"}, {"output", json::array{item}}}}});
  ASSERT_GE(ev.size(), 2u);
  EXPECT_EQ(ev[1].data.at("content_block").at("name"), json::value(client));
  EXPECT_EQ(ev[1].data.at("content_block").at("id"), json::value("toolu_abc"));
  EXPECT_TRUE(agp::anthropic::validate_stream(ev).empty());
  // No usage in the response: estimates (input from the context, output from the characters).
  auto& md = ev[ev.size() - 2];
  ASSERT_EQ(md.type, "message_delta");
  EXPECT_EQ(md.data.at("usage").at("input_tokens"), json::value(42));
  EXPECT_EQ(md.data.at("usage").at("output_tokens"), json::value(1));
}

TEST(ResponsesAnthropicStreamErrors, NonJsonEventIsError) {
  AnthropicStream s(context(false));
  auto ev = s.feed("response.output_text.delta", "not json");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].type, "message_start");
  EXPECT_EQ(ev[1].type, "error");
  EXPECT_TRUE(s.ended());
  EXPECT_TRUE(s.finish().empty());
}

// --- non-streaming

struct MessageCase {
  const char* name;
  const char* file;  // the terminal event's `response` is the complete Response object
  ToAnthropicContext ctx;
  const char* content;  // expected content array (JSON); nullptr for errors
  const char* stop_reason;
  std::optional<std::string> stop_sequence;
  Usage usage;
  std::string error_type;  // anthropic error type of the Error, for failures
};
void PrintTo(const MessageCase& c, std::ostream* os) { *os << c.name; }

class ResponsesAnthropicMessage : public ::testing::TestWithParam<MessageCase> {};

TEST_P(ResponsesAnthropicMessage, Converts) {
  const auto& c = GetParam();
  auto res = to_anthropic_message(final_response(c.file), c.ctx);
  if (!c.content) {
    ASSERT_FALSE(res.ok()) << json::serialize(res.value());
    EXPECT_EQ(res.error().status, c.error_type == "rate_limit_error"        ? 429u
                                  : c.error_type == "invalid_request_error" ? 400u
                                                                            : 500u);
    return;
  }
  ASSERT_TRUE(res.ok()) << res.error().message;
  auto& m = res.value();
  EXPECT_EQ(m.at("id"), json::value("msg_test"));
  EXPECT_EQ(m.at("type"), json::value("message"));
  EXPECT_EQ(m.at("role"), json::value("assistant"));
  EXPECT_EQ(m.at("model"), json::value("claude-sonnet-4-5"));
  EXPECT_EQ(m.at("content"), json::parse(c.content)) << json::serialize(m.at("content"));
  EXPECT_EQ(m.at("stop_reason"), json::value(c.stop_reason));
  EXPECT_EQ(m.at("stop_sequence"), c.stop_sequence ? json::value(*c.stop_sequence) : json::value(nullptr));
  EXPECT_EQ(m.at("usage"), json::parse(R"({"input_tokens":)" + std::to_string(c.usage.input) +
                                       R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":)" +
                                       std::to_string(c.usage.cache_read) + R"(,"output_tokens":)" +
                                       std::to_string(c.usage.output) + "}"));
}

#define THINKING_BLOCK \
  R"({"type":"thinking","thinking":"**Plan**\n\nRun ls.\n\nThen answer.","signature":"agp1:rs_1:enc_1"})"

const MessageCase kMessageCases[] = {
    {"ReasoningThenText",
     "reasoning_then_text.sse",
     context(true),
     "[" THINKING_BLOCK R"(,{"type":"text","text":"Listing files."}])",
     "end_turn",
     std::nullopt,
     {220, 1280, 120},
     ""},
    {"DisplayOmitted",
     "reasoning_then_text.sse",
     context(true, true),
     R"([{"type":"thinking","thinking":"","signature":"agp1:rs_1:enc_1"},{"type":"text","text":"Listing files."}])",
     "end_turn",
     std::nullopt,
     {220, 1280, 120},
     ""},
    {"ThinkingOff",
     "reasoning_then_text.sse",
     context(false),
     R"([{"type":"text","text":"Listing files."}])",
     "end_turn",
     std::nullopt,
     {220, 1280, 120},
     ""},
    {"ReasoningThenTwoCalls",
     "reasoning_then_two_calls.sse",
     context(true),
     R"([{"type":"thinking","thinking":"Need two reads.","signature":"agp1:rs_2:enc_2"},
         {"type":"tool_use","id":"toolu_1","name":"Read","input":{"path":"a.txt"}},
         {"type":"tool_use","id":"toolu_2","name":"Read","input":{"path":"b.txt"}}])",
     "tool_use",
     std::nullopt,
     {100, 0, 50},
     ""},
    {"TextOnly",
     "text_only.sse",
     context(true),
     R"([{"type":"text","text":"Hello"}])",
     "end_turn",
     std::nullopt,
     {10, 0, 2},
     ""},
    {"IncompleteIsMaxTokens",
     "incomplete_max_output_tokens.sse",
     context(true),
     R"([{"type":"text","text":"Partial ans"}])",
     "max_tokens",
     std::nullopt,
     {10, 0, 16},
     ""},
    {"StopSequenceCut",
     "stop_sequence.sse",
     context(true, false, {"\nEND"}),
     R"([{"type":"text","text":"Answer: 42"}])",
     "stop_sequence",
     "\nEND",
     {30, 0, 9},
     ""},
    {"StopSequenceNotMatched",
     "text_only.sse",
     context(true, false, {"NOPE"}),
     R"([{"type":"text","text":"Hello"}])",
     "end_turn",
     std::nullopt,
     {10, 0, 2},
     ""},
    {"IncompleteContentFilterIsError",
     "incomplete_content_filter.sse",
     context(true),
     nullptr,
     "",
     std::nullopt,
     {},
     "invalid_request_error"},
    {"FailedIsError", "failed.sse", context(true), nullptr, "", std::nullopt, {}, "api_error"},
};

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesAnthropicMessage, ::testing::ValuesIn(kMessageCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ResponsesAnthropicMessageErrors, FailedRateLimitStays429) {
  auto res = to_anthropic_message(
      json::parse(R"({"status":"failed","error":{"code":"rate_limit_exceeded","message":"Slow down."},"output":[]})"),
      context(false));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().status, 429u);
  EXPECT_EQ(res.error().kind, agp::ErrorKind::rate_limit);
}

TEST(ResponsesAnthropicMessageErrors, NotAnObject) {
  auto res = to_anthropic_message(json::parse("[]"), context(false));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().kind, agp::ErrorKind::api);
}

}  // namespace

#undef THINKING_BLOCK

}  // namespace unit_responses_to_anthropic_test
