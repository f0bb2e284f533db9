// openai::responses::ChunkStream and to_chat_completion: recorded Azure Responses streams
// (tests/data/responses/*.sse) in, Chat Completions chunks / completions out (Cursor front end).
#include "pipeline_util.hpp"

#include "test_util.hpp"
#include "wire/sse.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_responses_to_chat_test {

namespace {

namespace json = boost::json;
using agp::wire::SseFrame;
using agp_test::ChunkStream;
using agp_test::final_response;
using agp_test::parse_sse;
using agp_test::ReasoningDisplay;
using agp_test::response_frames;
using agp_test::to_chat_completion;
using agp_test::ToChatContext;

ToChatContext context(ReasoningDisplay display, bool include_usage = false) {
  ToChatContext c;
  c.client_model = "gpt-high";
  c.id = "chatcmpl-test";
  c.created = 1700000000;
  c.display = display;
  c.include_usage = include_usage;
  c.upstream = {"gpt-5-codex", "https://res.openai.azure.com"};
  return c;
}

struct Run {
  std::string raw;                   // everything after the role chunk
  std::vector<json::object> chunks;  // parsed data objects, in order (after the role chunk)
  std::vector<std::string> content, reasoning;
  json::array tool_calls;              // every tool_calls entry, in order
  std::vector<std::string> tool_args;  // accumulated arguments per index
  int done = 0;
  bool done_last = false;
};

Run run(ChunkStream& s, const std::vector<SseFrame>& fs) {
  Run r;
  auto first = parse_sse(s.start());
  EXPECT_EQ(first.size(), 1u);
  if (!first.empty()) {
    auto role = json::parse(first[0].data);
    EXPECT_EQ(role.at("choices").at(0).at("delta"), json::parse(R"({"role":"assistant","content":""})"));
  }
  for (auto& f : fs) r.raw += s.feed(f.event, f.data);
  r.raw += s.finish();  // the upstream body ended
  auto out = parse_sse(r.raw);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto& f = out[i];
    EXPECT_EQ(f.event, "") << "Chat streams have no event lines";
    if (f.data == "[DONE]") {
      ++r.done;
      r.done_last = i + 1 == out.size();
      continue;
    }
    auto v = json::parse(f.data);
    r.chunks.push_back(v.as_object());
    auto* choices = v.as_object().if_contains("choices");
    if (!choices || choices->as_array().empty()) continue;
    auto& delta = choices->at(0).at("delta").as_object();
    if (auto* c = delta.if_contains("content")) r.content.emplace_back(c->as_string());
    if (auto* c = delta.if_contains("reasoning_content")) r.reasoning.emplace_back(c->as_string());
    if (auto* tcs = delta.if_contains("tool_calls"))
      for (auto& tc : tcs->as_array()) {
        r.tool_calls.push_back(tc);
        auto index = static_cast<std::size_t>(tc.at("index").as_int64());
        if (r.tool_args.size() <= index) r.tool_args.resize(index + 1);
        if (auto* fn = tc.as_object().if_contains("function"))
          if (auto* a = fn->as_object().if_contains("arguments")) r.tool_args[index] += a->as_string();
      }
  }
  return r;
}

struct Case {
  const char* name;
  const char* file;
  ToChatContext ctx;
  std::vector<std::string> content, reasoning;
  const char* tool_calls;  // expected tool_calls entries (JSON array); nullptr = none
  std::vector<std::string> tool_args;
  std::string finish_reason;  // "" for error streams
  const char* usage;          // chat usage object
  std::string error_type, error_contains;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ResponsesChunkStream : public ::testing::TestWithParam<Case> {};

TEST_P(ResponsesChunkStream, Translates) {
  const auto& c = GetParam();
  ChunkStream s(c.ctx);
  auto r = run(s, response_frames(c.file));
  EXPECT_EQ(r.content, c.content) << ::testing::PrintToString(r.content);
  EXPECT_EQ(r.reasoning, c.reasoning) << ::testing::PrintToString(r.reasoning);
  EXPECT_EQ(json::value(r.tool_calls), c.tool_calls ? json::parse(c.tool_calls) : json::value(json::array{}))
      << json::serialize(r.tool_calls);
  EXPECT_EQ(r.tool_args, c.tool_args);
  EXPECT_TRUE(s.ended());
  EXPECT_EQ(r.done, 1) << r.raw;
  EXPECT_TRUE(r.done_last) << r.raw;
  EXPECT_EQ(s.finish(), "") << "nothing after [DONE]";
  ASSERT_FALSE(r.chunks.empty());
  if (!c.error_type.empty()) {
    auto& last = r.chunks.back();
    ASSERT_TRUE(last.contains("error")) << json::serialize(last);
    EXPECT_EQ(last.at("error").at("type"), json::value(c.error_type));
    std::string msg(last.at("error").at("message").as_string());
    EXPECT_NE(msg.find(c.error_contains), std::string::npos) << msg;
    EXPECT_TRUE(s.error().has_value());
    return;
  }
  EXPECT_FALSE(s.error().has_value());
  for (auto& ch : r.chunks) {
    EXPECT_FALSE(ch.contains("error"));
    EXPECT_EQ(ch.at("id"), json::value("chatcmpl-test"));
    EXPECT_EQ(ch.at("object"), json::value("chat.completion.chunk"));
    EXPECT_EQ(ch.at("model"), json::value("gpt-high"));
    EXPECT_EQ(ch.at("created"), json::value(1700000000));
  }
  EXPECT_EQ(s.finish_reason(), c.finish_reason);
  auto usage = json::parse(c.usage);
  if (c.ctx.include_usage) {
    // … finish chunk (usage null), then a usage chunk with choices [], then [DONE].
    ASSERT_GE(r.chunks.size(), 2u);
    auto& fin = r.chunks[r.chunks.size() - 2];
    auto& last = r.chunks.back();
    EXPECT_EQ(fin.at("choices").at(0).at("finish_reason"), json::value(c.finish_reason));
    EXPECT_EQ(fin.at("choices").at(0).at("delta"), json::object{});
    EXPECT_EQ(fin.at("usage"), json::value(nullptr));
    EXPECT_EQ(last.at("choices"), json::array{});
    EXPECT_EQ(last.at("usage"), usage);
    for (std::size_t i = 0; i + 1 < r.chunks.size(); ++i)
      EXPECT_EQ(r.chunks[i].at("usage"), json::value(nullptr)) << "chunk " << i << " " << json::serialize(r.chunks[i]);
  } else {
    auto& last = r.chunks.back();
    EXPECT_EQ(last.at("choices").at(0).at("finish_reason"), json::value(c.finish_reason));
    EXPECT_EQ(last.at("usage"), usage);
    for (std::size_t i = 0; i + 1 < r.chunks.size(); ++i) {
      EXPECT_FALSE(r.chunks[i].contains("usage")) << "chunk " << i;
      EXPECT_EQ(r.chunks[i].at("choices").at(0).at("finish_reason"), json::value(nullptr));
    }
  }
}

const char* kUsageReasoning =
    R"({"prompt_tokens":1500,"completion_tokens":120,"total_tokens":1620,"prompt_tokens_details":{"cached_tokens":1280},"completion_tokens_details":{"reasoning_tokens":64}})";
const char* kUsageCalls =
    R"({"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":10}})";
const char* kUsageText =
    R"({"prompt_tokens":10,"completion_tokens":2,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}})";
const char* kUsageIncomplete =
    R"({"prompt_tokens":10,"completion_tokens":16,"total_tokens":26,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":8}})";
const char* kUsageFilter =
    R"({"prompt_tokens":10,"completion_tokens":1,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}})";
const char* kUsageOneCall =
    R"({"prompt_tokens":20,"completion_tokens":5,"total_tokens":25,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}})";

const char* kTwoCalls = R"([
  {"index":0,"id":"call_1","type":"function","function":{"name":"Read","arguments":""}},
  {"index":0,"function":{"arguments":"{\"path\":"}},
  {"index":0,"function":{"arguments":"\"a.txt\"}"}},
  {"index":1,"id":"call_2","type":"function","function":{"name":"Read","arguments":""}},
  {"index":1,"function":{"arguments":"{\"path\":\"b.txt\"}"}}])";

const Case kCases[] = {
    {"TextOnly",
     "text_only.sse",
     context(ReasoningDisplay::think),
     {"Hel", "lo"},
     {},
     nullptr,
     {},
     "stop",
     kUsageText,
     "",
     ""},
    {"ReasoningThinkDisplay",
     "reasoning_then_text.sse",
     context(ReasoningDisplay::think),
     {"<think>\n**Plan**\n\n", "Run ls.", "\n\nThen answer.", "\n</think>\n\n", "Listing ", "files."},
     {},
     nullptr,
     {},
     "stop",
     kUsageReasoning,
     "",
     ""},
    {"ReasoningFieldDisplay",
     "reasoning_then_text.sse",
     context(ReasoningDisplay::field),
     {"Listing ", "files."},
     {"**Plan**\n\n", "Run ls.", "\n\nThen answer."},
     nullptr,
     {},
     "stop",
     kUsageReasoning,
     "",
     ""},
    {"ReasoningOff",
     "reasoning_then_text.sse",
     context(ReasoningDisplay::off),
     {"Listing ", "files."},
     {},
     nullptr,
     {},
     "stop",
     kUsageReasoning,
     "",
     ""},
    {"ReasoningThinkWithIncludeUsage",
     "reasoning_then_text.sse",
     context(ReasoningDisplay::think, true),
     {"<think>\n**Plan**\n\n", "Run ls.", "\n\nThen answer.", "\n</think>\n\n", "Listing ", "files."},
     {},
     nullptr,
     {},
     "stop",
     kUsageReasoning,
     "",
     ""},
    {"TwoFunctionCallsThink",
     "reasoning_then_two_calls.sse",
     context(ReasoningDisplay::think),
     {"<think>\nNeed two reads.", "\n</think>\n\n"},
     {},
     kTwoCalls,
     {R"({"path":"a.txt"})", R"({"path":"b.txt"})"},
     "tool_calls",
     kUsageCalls,
     "",
     ""},
    {"TwoFunctionCallsIncludeUsage",
     "reasoning_then_two_calls.sse",
     context(ReasoningDisplay::off, true),
     {},
     {},
     kTwoCalls,
     {R"({"path":"a.txt"})", R"({"path":"b.txt"})"},
     "tool_calls",
     kUsageCalls,
     "",
     ""},
    // Arguments that arrive only in output_item.done (no argument deltas) must still reach the client.
    {"CallArgumentsOnlyInItemDone",
     "call_arguments_only_in_done.sse",
     context(ReasoningDisplay::off),
     {},
     {},
     R"([{"index":0,"id":"call_9","type":"function","function":{"name":"Read","arguments":""}},{"index":0,"function":{"arguments":"{\"path\":\"c.txt\"}"}}])",
     {R"({"path":"c.txt"})"},
     "tool_calls",
     kUsageOneCall,
     "",
     ""},
    {"IncompleteIsLength",
     "incomplete_max_output_tokens.sse",
     context(ReasoningDisplay::think),
     {"Partial ", "ans"},
     {},
     nullptr,
     {},
     "length",
     kUsageIncomplete,
     "",
     ""},
    {"IncompleteContentFilter",
     "incomplete_content_filter.sse",
     context(ReasoningDisplay::think),
     {"Hel"},
     {},
     nullptr,
     {},
     "content_filter",
     kUsageFilter,
     "",
     ""},
    {"FailedIsErrorObject",
     "failed.sse",
     context(ReasoningDisplay::think),
     {"Hel"},
     {},
     nullptr,
     {},
     "",
     nullptr,
     "server_error",
     "The model crashed."},
    {"ErrorEventIsErrorObject",
     "error_event.sse",
     context(ReasoningDisplay::think),
     {},
     {},
     nullptr,
     {},
     "",
     nullptr,
     "rate_limit_error",
     "Rate limit reached"},
    {"NoTerminalEventIsError",
     "no_terminal_event.sse",
     context(ReasoningDisplay::think, true),
     {"Hel"},
     {},
     nullptr,
     {},
     "",
     nullptr,
     "server_error",
     "ended the stream"},
};

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesChunkStream, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ResponsesChunkStreamErrors, ErrorEventBodyIsOpenAIShaped) {
  ChunkStream s(context(ReasoningDisplay::think));
  s.start();  // the role chunk, as pump() sends it first
  std::string raw;
  for (auto& f : response_frames("error_event.sse")) raw += s.feed(f.event, f.data);
  auto out = parse_sse(raw);
  ASSERT_EQ(out.size(), 2u) << raw;
  auto err = json::parse(out[0].data);
  EXPECT_EQ(err.at("error").at("type"), json::value("rate_limit_error"));
  EXPECT_EQ(err.at("error").at("code"), json::value("rate_limit_exceeded"));
  EXPECT_EQ(err.at("error").at("param"), json::value(nullptr));
  EXPECT_EQ(out[1].data, "[DONE]");
  ASSERT_TRUE(s.error().has_value());
  EXPECT_EQ(s.error()->status, 429u);
}

TEST(ResponsesChunkStreamErrors, ThinkClosedBeforeError) {
  ChunkStream s(context(ReasoningDisplay::think));
  s.start();
  std::string raw;
  raw += s.feed(
      "response.reasoning_summary_text.delta",
      R"({"type":"response.reasoning_summary_text.delta","item_id":"rs_1","output_index":0,"summary_index":0,"delta":"Hmm"})");
  raw += s.finish();
  auto out = parse_sse(raw);
  ASSERT_EQ(out.size(), 4u) << raw;
  EXPECT_EQ(json::parse(out[0].data).at("choices").at(0).at("delta").at("content"), json::value("<think>\nHmm"));
  EXPECT_EQ(json::parse(out[1].data).at("choices").at(0).at("delta").at("content"), json::value("\n</think>\n\n"));
  EXPECT_TRUE(json::parse(out[2].data).as_object().contains("error"));
  EXPECT_EQ(out[3].data, "[DONE]");
}

TEST(ResponsesChunkStreamDisplay, Parse) {
  bool ok = false;
  EXPECT_EQ(agp::openai::chat::parse_reasoning_display("", ok), ReasoningDisplay::think);
  EXPECT_TRUE(ok);
  EXPECT_EQ(agp::openai::chat::parse_reasoning_display("think", ok), ReasoningDisplay::think);
  EXPECT_TRUE(ok);
  EXPECT_EQ(agp::openai::chat::parse_reasoning_display("field", ok), ReasoningDisplay::field);
  EXPECT_TRUE(ok);
  EXPECT_EQ(agp::openai::chat::parse_reasoning_display("off", ok), ReasoningDisplay::off);
  EXPECT_TRUE(ok);
  agp::openai::chat::parse_reasoning_display("bogus", ok);
  EXPECT_FALSE(ok);
}

// --- non-streaming

struct CompletionCase {
  const char* name;
  const char* file;
  ToChatContext ctx;
  const char* message;  // expected choices[0].message; nullptr for errors
  const char* finish_reason;
  const char* usage;
};
void PrintTo(const CompletionCase& c, std::ostream* os) { *os << c.name; }

class ResponsesChatCompletion : public ::testing::TestWithParam<CompletionCase> {};

TEST_P(ResponsesChatCompletion, Converts) {
  const auto& c = GetParam();
  auto res = to_chat_completion(final_response(c.file), c.ctx);
  if (!c.message) {
    ASSERT_FALSE(res.ok()) << json::serialize(res.value());
    return;
  }
  ASSERT_TRUE(res.ok()) << res.error().message;
  auto& o = res.value();
  EXPECT_EQ(o.at("id"), json::value("chatcmpl-test"));
  EXPECT_EQ(o.at("object"), json::value("chat.completion"));
  EXPECT_EQ(o.at("created"), json::value(1700000000));
  EXPECT_EQ(o.at("model"), json::value("gpt-high"));
  auto& choice = o.at("choices").at(0);
  EXPECT_EQ(choice.at("index"), json::value(0));
  EXPECT_EQ(choice.at("message"), json::parse(c.message)) << json::serialize(choice.at("message"));
  EXPECT_EQ(choice.at("finish_reason"), json::value(c.finish_reason));
  EXPECT_EQ(o.at("usage"), json::parse(c.usage));
}

const CompletionCase kCompletionCases[] = {
    {"TextOnly", "text_only.sse", context(ReasoningDisplay::think),
     R"({"role":"assistant","refusal":null,"content":"Hello"})", "stop", kUsageText},
    {"ThinkDisplay", "reasoning_then_text.sse", context(ReasoningDisplay::think),
     R"({"role":"assistant","refusal":null,"content":"<think>\n**Plan**\n\nRun ls.\n\nThen answer.\n</think>\n\nListing files."})",
     "stop", kUsageReasoning},
    {"FieldDisplay", "reasoning_then_text.sse", context(ReasoningDisplay::field),
     R"({"role":"assistant","refusal":null,"reasoning_content":"**Plan**\n\nRun ls.\n\nThen answer.","content":"Listing files."})",
     "stop", kUsageReasoning},
    {"OffDisplay", "reasoning_then_text.sse", context(ReasoningDisplay::off),
     R"({"role":"assistant","refusal":null,"content":"Listing files."})", "stop", kUsageReasoning},
    {"ToolCallsNullContent", "reasoning_then_two_calls.sse", context(ReasoningDisplay::off),
     R"({"role":"assistant","refusal":null,"content":null,"tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"Read","arguments":"{\"path\":\"a.txt\"}"}},
        {"id":"call_2","type":"function","function":{"name":"Read","arguments":"{\"path\":\"b.txt\"}"}}]})",
     "tool_calls", kUsageCalls},
    {"ToolCallsWithThink", "reasoning_then_two_calls.sse", context(ReasoningDisplay::think),
     R"({"role":"assistant","refusal":null,"content":"<think>\nNeed two reads.\n</think>\n\n","tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"Read","arguments":"{\"path\":\"a.txt\"}"}},
        {"id":"call_2","type":"function","function":{"name":"Read","arguments":"{\"path\":\"b.txt\"}"}}]})",
     "tool_calls", kUsageCalls},
    {"IncompleteIsLength", "incomplete_max_output_tokens.sse", context(ReasoningDisplay::think),
     R"({"role":"assistant","refusal":null,"content":"Partial ans"})", "length", kUsageIncomplete},
    {"FailedIsError", "failed.sse", context(ReasoningDisplay::think), nullptr, "", ""},
};

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesChatCompletion, ::testing::ValuesIn(kCompletionCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace

}  // namespace unit_responses_to_chat_test
