// openai::responses::from_chat_request: Cursor's Chat Completions request in, Azure Responses body
// out (DESIGN.md "Cursor (OpenAI chat → Responses)"), and validation errors naming the parameter.
#include "pipeline_util.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_responses_from_chat_test {

namespace {

namespace json = boost::json;
using agp::openai::responses_call_id;
using agp_test::Expect;
using agp_test::expect_pointers;
using agp_test::from_chat_request;
using agp_test::FromChatOptions;

FromChatOptions reasoning_opts(std::string effort = "", std::string summary = "detailed") {
  FromChatOptions o;
  o.deployment = "gpt-5-codex";
  o.effort = std::move(effort);
  o.summary = std::move(summary);
  o.reasoning = true;
  return o;
}
FromChatOptions plain_opts() {
  FromChatOptions o;
  o.deployment = "gpt-4.1";
  o.summary = "";
  o.reasoning = false;
  return o;
}

struct Case {
  const char* name;
  const char* request;  // Chat Completions body
  FromChatOptions opts;
  std::vector<Expect> expect;
  std::vector<std::string> dropped = {};  // exactly these, in any order
  bool stream = false, include_usage = false;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ResponsesFromChat : public ::testing::TestWithParam<Case> {};

TEST_P(ResponsesFromChat, Maps) {
  const auto& c = GetParam();
  auto res = from_chat_request(json::parse(c.request), c.opts);
  ASSERT_TRUE(res.ok()) << res.error().message;
  json::value body = res->body;
  ASSERT_NO_FATAL_FAILURE(expect_pointers(body, c.expect));
  auto dropped = res->dropped;
  auto want = c.dropped;
  std::sort(dropped.begin(), dropped.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(dropped, want);
  EXPECT_EQ(res->stream, c.stream);
  EXPECT_EQ(res->include_usage, c.include_usage);
  EXPECT_EQ(res->body.at("store"), json::value(false));
  EXPECT_EQ(res->body.at("model"), json::value(c.opts.deployment));
  EXPECT_EQ(res->body.if_contains("truncation"), nullptr);
  EXPECT_EQ(res->body.if_contains("stream_options"), nullptr);
  EXPECT_EQ(res->body.if_contains("messages"), nullptr);
}

#define M(body) R"({"model":"gpt-high","messages":[)" body "]"
#define HI R"({"role":"user","content":"hi"})"
#define READ_TOOL \
  R"({"type":"function","function":{"name":"Read","description":"Read a file","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}})"

const Case kCases[] = {
    // --- system / developer
    {"SystemAndDeveloperToInstructions",
     M(R"({"role":"system","content":"A"},{"role":"developer","content":"B"},)" HI) "}",
     reasoning_opts(),
     {{"/instructions", R"("A\n\nB")"},
      {"/input", R"([{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}])"}}},
    {"SystemTextPartsJoined",
     M(R"({"role":"system","content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]},)" HI) "}",
     reasoning_opts(),
     {{"/instructions", R"("A\nB")"}}},
    {"LaterSystemIsDeveloperItem",
     M(R"({"role":"system","content":"A"},)" HI
       R"(,{"role":"system","content":"C"},{"role":"developer","content":"D"},{"role":"user","content":"ok"})") "}",
     reasoning_opts(),
     {{"/instructions", R"("A")"},
      {"/input/1", R"({"type":"message","role":"developer","content":"C"})"},
      {"/input/2", R"({"type":"message","role":"developer","content":"D"})"},
      {"/input/3/role", R"("user")"}}},
    {"NoSystemNoInstructions", M(HI) "}", reasoning_opts(), {{"/instructions", nullptr}}},
    // --- user parts
    {"UserParts",
     M(R"({"role":"user","content":[{"type":"text","text":"Look"},{"type":"image_url","image_url":"https://x.test/a.png"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},{"type":"image_url","image_url":{"url":"https://x.test/b.png"}},{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0"}}]})") "}",
     reasoning_opts(),
     {{"/input/0", R"({"type":"message","role":"user","content":[
        {"type":"input_text","text":"Look"},
        {"type":"input_image","image_url":"https://x.test/a.png","detail":"auto"},
        {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"},
        {"type":"input_image","image_url":"https://x.test/b.png","detail":"auto"},
        {"type":"input_file","file_data":"data:application/pdf;base64,JVBERi0","filename":"a.pdf"}]})"}}},
    // --- assistant and tool messages
    {"AssistantContentToolCallsAndToolOutputs",
     M(HI
       R"(,{"role":"assistant","content":"Let me look.","tool_calls":[{"id":"call_A","type":"function","function":{"name":"Read","arguments":"{\"path\":\"x\"}"}},{"id":"call_B","type":"function","function":{"name":"Ls","arguments":""}}]},{"role":"tool","tool_call_id":"call_A","content":"x data"},{"role":"tool","tool_call_id":"call_B","content":[{"type":"text","text":"y"},{"type":"text","text":"z"}]})") "}",
     reasoning_opts(),
     {{"/input/1", R"({"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me look."}]})"},
      {"/input/2", R"({"type":"function_call","call_id":"call_A","name":"Read","arguments":"{\"path\":\"x\"}"})"},
      {"/input/3", R"({"type":"function_call","call_id":"call_B","name":"Ls","arguments":"{}"})"},
      {"/input/4", R"({"type":"function_call_output","call_id":"call_A","output":"x data"})"},
      {"/input/5", R"({"type":"function_call_output","call_id":"call_B","output":"y\nz"})"},
      {"/input/6", nullptr}}},
    {"AssistantNullContentOnlyToolCalls",
     M(HI
       R"(,{"role":"assistant","content":null,"tool_calls":[{"id":"call_A","type":"function","function":{"name":"Read","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_A","content":"ok"})") "}",
     reasoning_opts(),
     {{"/input/1/type", R"("function_call")"}, {"/input/2/type", R"("function_call_output")"}}},
    // --- tools
    {"ToolsFlatStrictFalse",
     M(HI) R"(,"tools":[)" READ_TOOL "]}",
     reasoning_opts(),
     {{"/tools",
       R"([{"type":"function","name":"Read","strict":false,"description":"Read a file","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}])"},
      {"/tool_choice", nullptr},
      {"/parallel_tool_calls", nullptr}}},
    {"ToolWithoutParametersGetsObjectSchema",
     M(HI) R"(,"tools":[{"type":"function","function":{"name":"Now"}}]})",
     reasoning_opts(),
     {{"/tools/0/name", R"("Now")"}, {"/tools/0/strict", "false"}, {"/tools/0/parameters/type", R"("object")"}}},
    {"ToolChoiceString",
     M(HI) R"(,"tools":[)" READ_TOOL R"(],"tool_choice":"required"})",
     reasoning_opts(),
     {{"/tool_choice", R"("required")"}}},
    {"ToolChoiceObject",
     M(HI) R"(,"tools":[)" READ_TOOL R"(],"tool_choice":{"type":"function","function":{"name":"Read"}}})",
     reasoning_opts(),
     {{"/tool_choice", R"({"type":"function","name":"Read"})"}}},
    {"ParallelToolCalls",
     M(HI) R"(,"tools":[)" READ_TOOL R"(],"parallel_tool_calls":false})",
     reasoning_opts(),
     {{"/parallel_tool_calls", "false"}}},
    // --- max tokens
    {"MaxTokensAtLeast16",
     M(HI) R"(,"max_tokens":5})",
     reasoning_opts(),
     {{"/max_output_tokens", "16"}, {"/max_tokens", nullptr}}},
    {"MaxCompletionTokensWins",
     M(HI) R"(,"max_tokens":100,"max_completion_tokens":2000})",
     reasoning_opts(),
     {{"/max_output_tokens", "2000"}, {"/max_completion_tokens", nullptr}}},
    {"NoMaxTokens", M(HI) "}", reasoning_opts(), {{"/max_output_tokens", nullptr}}},
    // --- reasoning
    {"ReasoningEffortFromRequest",
     M(HI) R"(,"reasoning_effort":"high"})",
     reasoning_opts(),
     {{"/reasoning", R"({"effort":"high","summary":"detailed"})"}, {"/reasoning_effort", nullptr}}},
    {"ReasoningEffortFromOptionsWins",
     M(HI) R"(,"reasoning_effort":"high"})",
     reasoning_opts("low"),
     {{"/reasoning", R"({"effort":"low","summary":"detailed"})"}}},
    {"ReasoningSummaryOnly", M(HI) "}", reasoning_opts(), {{"/reasoning", R"({"summary":"detailed"})"}}},
    {"ReasoningAbsentWhenNothingToSay", M(HI) "}", reasoning_opts("", ""), {{"/reasoning", nullptr}}},
    {"ReasoningModelDropsSamplingParameters",
     M(HI) R"(,"temperature":0.2,"top_p":0.9,"stop":["x"],"presence_penalty":0.1,"frequency_penalty":0.1,"logit_bias":{"1":2},"seed":7,"logprobs":true,"top_logprobs":2,"n":1})",
     reasoning_opts(),
     {{"/temperature", nullptr}, {"/top_p", nullptr}, {"/stop", nullptr}, {"/seed", nullptr}, {"/n", nullptr}},
     // stop is honoured (the proxy matches it in the answer); sampling parameters are dropped.
     {"presence_penalty", "frequency_penalty", "logit_bias", "seed", "logprobs", "top_logprobs", "n",
      "temperature/top_p (reasoning deployment)"}},
    {"NullParametersNotReported",
     M(HI) R"(,"temperature":null,"stop":null})",
     reasoning_opts(),
     {{"/temperature", nullptr}}},
    {"NonReasoningKeepsTemperature",
     M(HI) R"(,"temperature":0.25,"top_p":0.5,"reasoning_effort":"high"})",
     plain_opts(),
     {{"/temperature", "0.25"}, {"/top_p", "0.5"}, {"/reasoning", nullptr}}},
    // --- response_format
    {"JsonSchemaFlat",
     M(HI) R"(,"response_format":{"type":"json_schema","json_schema":{"name":"Answer","schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}})",
     reasoning_opts(),
     {{"/text",
       R"({"format":{"type":"json_schema","name":"Answer","schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}})"},
      {"/response_format", nullptr}}},
    {"JsonObject",
     M(HI) R"(,"response_format":{"type":"json_object"}})",
     reasoning_opts(),
     {{"/text", R"({"format":{"type":"json_object"}})"}}},
    {"TextFormatOmitted", M(HI) R"(,"response_format":{"type":"text"}})", reasoning_opts(), {{"/text", nullptr}}},
    // --- prompt cache key
    {"PromptCacheKeyPassthrough",
     M(HI) R"(,"prompt_cache_key":"conv-1","user":"someone"})",
     reasoning_opts(),
     {{"/prompt_cache_key", R"("conv-1")"}, {"/user", nullptr}}},
    {"NoPromptCacheKey", M(HI) "}", reasoning_opts(), {{"/prompt_cache_key", nullptr}}},
    // --- stream
    {"StreamWithIncludeUsage",
     M(HI) R"(,"stream":true,"stream_options":{"include_usage":true}})",
     reasoning_opts(),
     {{"/stream", "true"}},
     {},
     true,
     true},
    {"StreamWithoutIncludeUsage", M(HI) R"(,"stream":true})", reasoning_opts(), {{"/stream", "true"}}, {}, true, false},
    {"NoStream",
     M(HI) R"(,"stream":false,"stream_options":{"include_usage":true}})",
     reasoning_opts(),
     {{"/stream", nullptr}},
     {},
     false,
     false},
};

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesFromChat, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ResponsesFromChatCacheKey, HashedUserIsStableAndOpaque) {
  auto a = from_chat_request(json::parse(M(HI) R"(,"user":"alice@example.com"})"), reasoning_opts());
  auto b = from_chat_request(json::parse(M(HI) R"(,"user":"alice@example.com"})"), reasoning_opts());
  auto c = from_chat_request(json::parse(M(HI) R"(,"user":"bob@example.com"})"), reasoning_opts());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto& key = a->body.at("prompt_cache_key").as_string();
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(std::string(key).find("alice"), std::string::npos);
  EXPECT_EQ(a->body.at("prompt_cache_key"), b->body.at("prompt_cache_key"));
  EXPECT_NE(a->body.at("prompt_cache_key"), c->body.at("prompt_cache_key"));
  EXPECT_EQ(a->body.if_contains("user"), nullptr);
  auto empty = from_chat_request(json::parse(M(HI) R"(,"user":""})"), reasoning_opts());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->body.if_contains("prompt_cache_key"), nullptr);
}

TEST(ResponsesFromChatCallIds, LongIdsShortenedConsistently) {
  const std::string id = "call_" + std::string(70, 'x');
  auto body = json::object{
      {"model", "gpt-high"},
      {"messages",
       json::array{json::object{{"role", "user"}, {"content", "hi"}},
                   json::object{
                       {"role", "assistant"},
                       {"content", nullptr},
                       {"tool_calls",
                        json::array{json::object{
                            {"id", id}, {"type", "function"}, {"function", {{"name", "Read"}, {"arguments", "{}"}}}}}}},
                   json::object{{"role", "tool"}, {"tool_call_id", id}, {"content", "ok"}}}}};
  auto res = from_chat_request(body, reasoning_opts());
  ASSERT_TRUE(res.ok()) << res.error().message;
  auto& call = res->body.at("input").at(1).at("call_id").as_string();
  auto& output = res->body.at("input").at(2).at("call_id").as_string();
  EXPECT_EQ(call, output);
  EXPECT_LE(call.size(), 64u);
  EXPECT_NE(std::string(call), id);
  EXPECT_EQ(responses_call_id(id), std::string(call));
  // Short ids pass unchanged; an id of exactly 64 characters too.
  EXPECT_EQ(responses_call_id("call_abc"), "call_abc");
  const std::string id64 = "call_" + std::string(59, 'y');
  EXPECT_EQ(responses_call_id(id64), id64);
  EXPECT_FALSE(responses_call_id("").empty());
}

// --- validation

struct BadCase {
  const char* name;
  const char* request;
  const char* param;  // error.param (OpenAI's), named in the message too
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class ResponsesFromChatInvalid : public ::testing::TestWithParam<BadCase> {};

TEST_P(ResponsesFromChatInvalid, NamesParameter) {
  const auto& c = GetParam();
  auto res = from_chat_request(json::parse(c.request), reasoning_opts());
  ASSERT_FALSE(res.ok()) << json::serialize(res->body);
  EXPECT_EQ(res.error().status, 400u);
  EXPECT_EQ(res.error().kind, agp::ErrorKind::invalid_request);
  EXPECT_EQ(res.error().param, c.param) << res.error().message;
  // OpenAI's "Invalid value: 'x'. Supported values are: …" names the parameter in error.param only.
  if (*c.param && res.error().code != "invalid_value") {
    std::string quoted("'");
    quoted.append(c.param).append("'");
    EXPECT_NE(res.error().message.find(quoted), std::string::npos) << res.error().message;
  }
  EXPECT_FALSE(res.error().code.empty()) << res.error().message;
}

const BadCase kBadCases[] = {
    {"NotAnObject", "[]", ""},
    {"MessagesMissing", R"({"model":"gpt-high"})", "messages"},
    {"MessagesEmpty", R"({"model":"gpt-high","messages":[]})", "messages"},
    {"MessagesNotArray", R"({"model":"gpt-high","messages":"hi"})", "messages"},
    {"MessageNotObject", M(R"("hi")") "}", "messages[0]"},
    {"UnsupportedRole", M(HI "," HI R"(,{"role":"robot","content":"x"})") "}", "messages[2].role"},
    {"UnsupportedPartType",
     M(HI R"(,{"role":"user","content":[{"type":"text","text":"a"},{"type":"input_audio","input_audio":{}}]})") "}",
     "messages[1].content[1].type"},
    {"PartNotObject", M(R"({"role":"user","content":["x"]})") "}", "messages[0].content[0]"},
    {"UserContentNumber", M(R"({"role":"user","content":5})") "}", "messages[0].content"},
    {"ImageWithoutUrl", M(R"({"role":"user","content":[{"type":"image_url","image_url":{}}]})") "}",
     "messages[0].content[0].image_url.url"},
    {"FileWithoutFile", M(R"({"role":"user","content":[{"type":"file"}]})") "}", "messages[0].content[0].file"},
    {"SystemContentNotText", M(R"({"role":"system","content":5})") "}", "messages[0].content"},
    {"ToolWithoutCallId", M(HI R"(,{"role":"tool","content":"x"})") "}", "messages[1].tool_call_id"},
    {"ToolCallWithoutFunction", M(HI R"(,{"role":"assistant","tool_calls":[{"id":"call_A","type":"function"}]})") "}",
     "messages[1].tool_calls[0].function"},
    {"ToolWithoutName", M(HI) R"(,"tools":[)" READ_TOOL R"(,{"type":"function","function":{"description":"x"}}]})",
     "tools[1].function.name"},
};

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesFromChatInvalid, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace

#undef M
#undef HI
#undef READ_TOOL

}  // namespace unit_responses_from_chat_test
