// openai::chat::StreamTranslator: recorded Azure Chat Completions chunk sequences in,
// Anthropic stream events out; every stream must satisfy the Anthropic stream grammar.
#include "pipeline_util.hpp"

#include "anthropic/stream_validator.hpp"
#include "test_util.hpp"
#include "wire/sse.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_chat_stream_test {

namespace {

namespace json = boost::json;
using agp::anthropic::Events;
using agp_test::AnswerContext;
using agp_test::read_test_data;
using agp_test::StreamTranslator;

// One normal chunk of choice 0.
std::string chunk(std::string_view delta, std::string_view finish = "null", std::string_view extra_choice = "") {
  return std::string(
             R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":)") +
         std::string(delta) + R"(,"finish_reason":)" + std::string(finish) + std::string(extra_choice) +
         R"(,"content_filter_results":{}}],"usage":null})";
}
std::string text(std::string_view t) { return chunk(std::string(R"({"content":")") + std::string(t) + R"("})"); }
std::string usage(int prompt, int completion, int cached) {
  return R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":)" +
         std::to_string(prompt) + R"(,"completion_tokens":)" + std::to_string(completion) +
         R"(,"total_tokens":0,"prompt_tokens_details":{"cached_tokens":)" + std::to_string(cached) + "}}}";
}
const std::string kRole = chunk(R"({"role":"assistant","content":""})");
const std::string kStop = chunk("{}", R"("stop")");
const std::string kDone = "[DONE]";
const std::string kPromptFilter =
    R"({"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]})";
const std::string kAsyncAnnotation =
    R"({"choices":[{"index":0,"finish_reason":null,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"content_filter_offsets":{"check_offset":44,"start_offset":44,"end_offset":198}}],"created":0,"id":"","model":"","object":""})";
std::string tool_start(int index, std::string_view id, std::string_view name, std::string_view args = "") {
  return chunk(R"({"tool_calls":[{"index":)" + std::to_string(index) + R"(,"id":")" + std::string(id) +
               R"(","type":"function","function":{"name":")" + std::string(name) + R"(","arguments":)" +
               json::serialize(json::string(args)) + "}}]}");
}
std::string tool_args(int index, std::string_view args) {
  return chunk(R"({"tool_calls":[{"index":)" + std::to_string(index) + R"(,"function":{"arguments":)" +
               json::serialize(json::string(args)) + "}}]}");
}

using Run = agp_test::EventRun;

Run run(StreamTranslator& t, const std::vector<std::string>& data, bool call_finish) {
  Run r;
  auto add = [&](Events ev) { r.events.insert(r.events.end(), ev.begin(), ev.end()); };
  add(t.start());
  for (auto& d : data) add(t.feed_data(d));
  if (call_finish) add(t.finish());
  agp_test::summarize_events(r);
  return r;
}

AnswerContext context(const agp::openai::ToolNames* names = nullptr) {
  return {"claude-sonnet-4-5", "msg_test", names, 42};
}

struct Case {
  const char* name;
  std::vector<std::string> data;  // `data:` payloads in order
  bool call_finish;               // the upstream body ended (after the data) without [DONE]
  std::vector<std::string> sigs;
  std::string text;
  std::vector<std::string> tool_json;
  std::string error_contains;  // for streams that end in an error event
  // Whether the Anthropic stream grammar must hold even though the stream errored. False only where
  // the translator cannot know in time (a block was closed before its arguments turned out incomplete).
  bool grammar = true;
};

class ChatStream : public ::testing::TestWithParam<Case> {};

TEST_P(ChatStream, Translates) {
  const auto& c = GetParam();
  StreamTranslator t(context());
  auto r = run(t, c.data, c.call_finish);
  EXPECT_EQ(r.sigs, c.sigs) << ::testing::PrintToString(r.sigs);
  EXPECT_EQ(r.text, c.text);
  EXPECT_EQ(r.tool_json, c.tool_json);
  for (auto& e : r.events) {
    auto type = e.data.if_contains("type");
    ASSERT_TRUE(type && type->is_string() && type->get_string() == e.type) << json::serialize(e.data);
  }
  EXPECT_TRUE(t.ended());
  for (auto& e : r.events) EXPECT_NE(e.type, "[DONE]");
  // Every stream, error-terminated included, must follow the grammar the SDKs rely on.
  auto violations = agp::anthropic::validate_stream(r.events);
  if (c.grammar) {
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations) << "\n" << agp::anthropic::to_sse(r.events);
  }
  if (!c.error_contains.empty()) {
    ASSERT_FALSE(r.events.empty());
    auto& last = r.events.back();
    ASSERT_EQ(last.type, "error");
    std::string msg(last.data.at("error").at("message").as_string());
    EXPECT_NE(msg.find(c.error_contains), std::string::npos) << msg;
    EXPECT_TRUE(t.error().has_value());
  } else {
    EXPECT_FALSE(t.error().has_value());
    EXPECT_EQ(r.events.back().type, "message_stop");
  }
}

const std::vector<std::string> kTextSigs = {"message_start",    "start:text", "delta:text_delta",
                                            "delta:text_delta", "stop",       "message_delta:end_turn",
                                            "message_stop"};

const Case kCases[] = {
    {"TextOnly", {kRole, text("Hel"), text("lo"), kStop, usage(10, 2, 0), kDone}, false, kTextSigs, "Hello", {}, ""},
    {"AzurePromptFilterFirstChunk",
     {kPromptFilter, kRole, text("Hel"), text("lo"), kStop, usage(10, 2, 0), kDone},
     false,
     kTextSigs,
     "Hello",
     {},
     ""},
    {"AsyncFilterAnnotationsIgnored",
     {kPromptFilter, kRole, text("Hel"), kAsyncAnnotation, text("lo"), kAsyncAnnotation, kStop, kAsyncAnnotation,
      usage(10, 2, 0), kDone},
     false,
     kTextSigs,
     "Hello",
     {},
     ""},
    {"EmptyDeltasIgnored",
     {kRole, chunk("{}"), text(""), text("Hel"), chunk(R"({"content":null})"), text("lo"), chunk("{}"), kStop, kDone},
     false,
     kTextSigs,
     "Hello",
     {},
     ""},
    {"NothingButFinish",
     {kRole, kStop, usage(5, 0, 0), kDone},
     false,
     {"message_start", "message_delta:end_turn", "message_stop"},
     "",
     {},
     ""},
    {"LengthIsMaxTokens",
     {kRole, text("Hel"), chunk("{}", R"("length")"), kDone},
     false,
     {"message_start", "start:text", "delta:text_delta", "stop", "message_delta:max_tokens", "message_stop"},
     "Hel",
     {},
     ""},
    {"ToolCallArgumentsOverSeveralChunks",
     {kRole, tool_start(0, "call_A", "Read"), tool_args(0, R"({"pa)"), tool_args(0, R"(th":"a.txt"})"),
      chunk("{}", R"("tool_calls")"), usage(10, 5, 0), kDone},
     false,
     {"message_start", "start:tool_use", "delta:input_json_delta", "delta:input_json_delta", "stop",
      "message_delta:tool_use", "message_stop"},
     "",
     {R"({"path":"a.txt"})"},
     ""},
    {"ToolCallNameAndArgumentsInFirstChunk",
     {tool_start(0, "call_A", "Ls", "{}"), chunk("{}", R"("tool_calls")"), kDone},
     false,
     {"message_start", "start:tool_use", "delta:input_json_delta", "stop", "message_delta:tool_use", "message_stop"},
     "",
     {"{}"},
     ""},
    {"ParallelToolCallsSequential",
     {tool_start(0, "call_A", "Read"), tool_args(0, R"({"path":"x"})"), tool_start(1, "call_B", "Read"),
      tool_args(1, R"({"path":"y"})"), chunk("{}", R"("tool_calls")"), kDone},
     false,
     {"message_start", "start:tool_use", "delta:input_json_delta", "stop", "start:tool_use", "delta:input_json_delta",
      "stop", "message_delta:tool_use", "message_stop"},
     "",
     {R"({"path":"x"})", R"({"path":"y"})"},
     ""},
    {"ParallelToolCallsInOneChunk",
     {chunk(
          R"({"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"Read","arguments":"{\"path\":\"x\"}"}},{"index":1,"id":"call_B","type":"function","function":{"name":"Read","arguments":"{\"path\":\"y\"}"}}]})"),
      chunk("{}", R"("tool_calls")"), kDone},
     false,
     {"message_start", "start:tool_use", "delta:input_json_delta", "stop", "start:tool_use", "delta:input_json_delta",
      "stop", "message_delta:tool_use", "message_stop"},
     "",
     {R"({"path":"x"})", R"({"path":"y"})"},
     ""},
    {"TextThenToolCall",
     {kRole, text("Let me look."), tool_start(0, "call_A", "Read"), tool_args(0, R"({"path":"x"})"),
      chunk("{}", R"("tool_calls")"), usage(10, 5, 0), kDone},
     false,
     {"message_start", "start:text", "delta:text_delta", "stop", "start:tool_use", "delta:input_json_delta", "stop",
      "message_delta:tool_use", "message_stop"},
     "Let me look.",
     {R"({"path":"x"})"},
     ""},
    {"ToolCallFinishedAsStopIsStillToolUse",
     {tool_start(0, "call_A", "Read", "{}"), kStop, kDone},
     false,
     {"message_start", "start:tool_use", "delta:input_json_delta", "stop", "message_delta:tool_use", "message_stop"},
     "",
     {"{}"},
     ""},
    {"ReasoningContentThenText",
     {chunk(R"({"reasoning_content":"Think"})"), chunk(R"({"reasoning_content":"ing."})"), text("Done"), kStop, kDone},
     false,
     {"message_start", "start:thinking", "delta:thinking_delta", "delta:thinking_delta", "stop", "start:text",
      "delta:text_delta", "stop", "message_delta:end_turn", "message_stop"},
     "Done",
     {},
     ""},
    {"RefusalDeltaIsText",
     {chunk(R"({"refusal":"I can't."})"), kStop, kDone},
     false,
     {"message_start", "start:text", "delta:text_delta", "stop", "message_delta:end_turn", "message_stop"},
     "I can't.",
     {},
     ""},
    {"FinishWithoutDoneEndsNormally",
     {kRole, text("Hel"), text("lo"), kStop, usage(10, 2, 0)},
     true,
     kTextSigs,
     "Hello",
     {},
     ""},
    // --- error endings
    {"ContentFilterAfterText",
     {kPromptFilter, kRole, text("Hel"), kAsyncAnnotation, chunk("{}", R"("content_filter")"), kDone},
     false,
     {"message_start", "start:text", "delta:text_delta", "error:invalid_request_error"},
     "Hel",
     {},
     "content filter"},
    {"ContentFilterNamesCategories",
     {text("Hel"),
      R"({"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"content_filter","content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}}}]})",
      kDone},
     false,
     {"message_start", "start:text", "delta:text_delta", "error:invalid_request_error"},
     "Hel",
     {},
     "violence (medium)"},
    {"StreamEndsWithoutFinishReason",
     {kRole, text("Hel")},
     true,
     {"message_start", "start:text", "delta:text_delta", "error:overloaded_error"},
     "Hel",
     {},
     "ended the stream"},
    {"DoneWithoutFinishReason",
     {kRole, text("Hel"), kDone},
     false,
     {"message_start", "start:text", "delta:text_delta", "error:overloaded_error"},
     "Hel",
     {},
     "ended the stream"},
    {"ErrorObjectInStream",
     {text("Hel"), R"({"error":{"code":"server_error","message":"The server had an error"}})"},
     false,
     {"message_start", "start:text", "delta:text_delta", "error:api_error"},
     "Hel",
     {},
     "The server had an error"},
    {"ChunkNotJson",
     {text("Hel"), "{oops"},
     false,
     {"message_start", "start:text", "delta:text_delta", "error:api_error"},
     "Hel",
     {},
     "not JSON"},
    {"InterleavedParallelArguments",
     {tool_start(0, "call_A", "Read", R"({"pa)"), tool_start(1, "call_B", "Read", "{}"), tool_args(0, R"(th":"x"})")},
     false,
     {"message_start", "start:tool_use", "delta:input_json_delta", "stop", "start:tool_use", "delta:input_json_delta",
      "error:api_error"},
     "",
     {R"({"pa)", "{}"},
     "interleaved",
     false},
};

INSTANTIATE_TEST_SUITE_P(Table, ChatStream, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

json::array as_array(const Events& events) {
  json::array a;
  for (auto& e : events) a.push_back(e.data);
  return a;
}

TEST(ChatStreamExact, TextOnly) {
  StreamTranslator t(context());
  auto r = run(t, {kPromptFilter, kRole, text("Hel"), text("lo"), kStop, usage(10, 2, 0), kDone}, false);
  auto expected = json::parse(R"([
    {"type":"message_start","message":{"id":"msg_test","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],
      "stop_reason":null,"stop_sequence":null,
      "usage":{"input_tokens":42,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}},
    {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}},
    {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}},
    {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}},
    {"type":"content_block_stop","index":0},
    {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},
      "usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}},
    {"type":"message_stop"}])");
  EXPECT_EQ(json::value(as_array(r.events)), expected) << json::serialize(as_array(r.events));
  EXPECT_TRUE(t.ended());
  EXPECT_TRUE(t.finish().empty());  // nothing after message_stop
}

// A recorded SSE body, split into frames by the real SSE parser, fed at every split point.
TEST(ChatStreamExact, RecordedToolCallsStream) {
  auto sse = read_test_data("chat_stream_tool_calls.sse");
  auto expected = json::parse(read_test_data("chat_stream_tool_calls.expected.json"));
  ASSERT_FALSE(sse.empty());
  for (std::size_t split : {std::size_t{0}, sse.size() / 3, sse.size() / 2, sse.size() - 3}) {
    agp::wire::SseParser parser;
    auto frames = parser.feed(std::string_view(sse).substr(0, split));
    auto more = parser.feed(std::string_view(sse).substr(split));
    frames.insert(frames.end(), more.begin(), more.end());
    std::vector<std::string> data;
    for (auto& f : frames) data.push_back(f.data);
    StreamTranslator t(context());
    auto r = run(t, data, false);
    EXPECT_EQ(json::value(as_array(r.events)), expected) << "split " << split << "\n"
                                                         << json::serialize(as_array(r.events));
    EXPECT_TRUE(agp::anthropic::validate_stream(r.events).empty());
    EXPECT_EQ(t.usage().reasoning, 64);
  }
}

TEST(ChatStream, UsageFromFinalChunk) {
  StreamTranslator t(context());
  auto r = run(t, {kRole, text("hi"), kStop, usage(1200, 80, 1024), kDone}, false);
  auto& md = r.events[r.events.size() - 2];
  ASSERT_EQ(md.type, "message_delta");
  EXPECT_EQ(
      json::value(md.data.at("usage")),
      json::parse(
          R"({"input_tokens":176,"cache_creation_input_tokens":0,"cache_read_input_tokens":1024,"output_tokens":80})"));
}

TEST(ChatStream, OutputTokensEstimatedWithoutUsage) {
  StreamTranslator t(context());
  auto r = run(t, {text("abcdefgh"), kStop, kDone}, false);
  auto& md = r.events[r.events.size() - 2];
  ASSERT_EQ(md.type, "message_delta");
  EXPECT_GT(md.data.at("usage").at("output_tokens").as_int64(), 0);
}

TEST(ChatStream, ToolAliasMappedBackAndIdsAnthropicShaped) {
  agp::openai::ToolNames names;
  const std::string client = "mcp__srv__do.thing";
  auto alias = names.to_upstream(client);
  StreamTranslator t(context(&names));
  auto r = run(
      t,
      {tool_start(0, "call_xyz", alias, "{}"), tool_start(1, "", "Read", "{}"), chunk("{}", R"("tool_calls")"), kDone},
      false);
  std::vector<json::object> blocks;
  for (auto& e : r.events)
    if (e.type == "content_block_start") blocks.push_back(e.data.at("content_block").as_object());
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].at("name"), client.c_str());
  EXPECT_EQ(blocks[0].at("id"), "toolu_xyz");
  EXPECT_EQ(blocks[1].at("name"), "Read");
  std::string id1(blocks[1].at("id").as_string());
  EXPECT_TRUE(id1.starts_with("toolu_")) << id1;
  EXPECT_GT(id1.size(), 6u);
}

TEST(ChatStream, FailAfterEndIsIgnoredAndFeedAfterErrorIsSilent) {
  StreamTranslator t(context());
  auto r = run(t, {text("x"), kStop, kDone}, false);
  EXPECT_TRUE(t.fail(agp::Error::internal("late")).empty());
  StreamTranslator u(context());
  auto e = u.fail(agp::Error{529, agp::ErrorKind::overloaded, "gone", {}});
  ASSERT_FALSE(e.empty());  // [message_start,] error
  EXPECT_EQ(e.back().type, "error");
  EXPECT_EQ(e.back().data.at("error").at("type"), "overloaded_error");
  EXPECT_TRUE(agp::anthropic::validate_stream(e).empty());
  EXPECT_TRUE(u.ended());
  EXPECT_TRUE(u.feed_data(text("more")).empty());  // nothing after `event: error`
  EXPECT_TRUE(u.finish().empty());
}

}  // namespace

}  // namespace unit_chat_stream_test
