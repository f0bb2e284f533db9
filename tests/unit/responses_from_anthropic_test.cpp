// openai::responses::from_anthropic_request: Anthropic Messages request in, Azure Responses body
// out (DESIGN.md "Anthropic → Azure Responses"); responses_effort; our thinking signatures.
#include "openai/responses/from_anthropic.hpp"

#include "core/tool_names.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_responses_from_anthropic_test {

namespace {

namespace json = boost::json;
using agp::make_signature;
using agp::parse_signature;
using agp::openai::responses::from_anthropic_request;
using agp::openai::responses::FromAnthropic;
using agp::openai::responses::FromAnthropicOptions;
using agp::openai::responses::responses_effort;
using agp_test::Expect;
using agp_test::expect_pointers;
using agp_test::parse_anthropic;

FromAnthropicOptions reasoning_opts(std::string deployment = "gpt-5.1-codex", std::int64_t cap = 0,
                                    std::string override_effort = "") {
  FromAnthropicOptions o;
  o.deployment = std::move(deployment);
  o.reasoning = true;
  o.effort_override = std::move(override_effort);
  o.max_output_tokens = cap;
  return o;
}
FromAnthropicOptions plain_opts(std::int64_t cap = 0) {
  FromAnthropicOptions o;
  o.deployment = "gpt-4.1";
  o.reasoning = false;
  o.max_output_tokens = cap;
  return o;
}

agp::anthropic::MessagesRequest parsed(std::string_view body) {
  auto req = parse_anthropic(body);
  if (!req) return {};
  return std::move(*req);
}

struct Case {
  const char* name;
  const char* request;  // Anthropic body
  FromAnthropicOptions opts;
  std::vector<Expect> expect;
  std::vector<std::string> dropped_contains = {};  // substrings that must each appear in some `dropped` entry
  bool thinking = false;                           // FromAnthropic::thinking
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ResponsesFromAnthropic : public ::testing::TestWithParam<Case> {};

TEST_P(ResponsesFromAnthropic, Maps) {
  const auto& c = GetParam();
  auto out = from_anthropic_request(parsed(c.request), c.opts);
  json::value body = out.body;
  ASSERT_NO_FATAL_FAILURE(expect_pointers(body, c.expect));
  for (auto& want : c.dropped_contains) {
    bool found = false;
    for (auto& d : out.dropped) found = found || d.find(want) != std::string::npos;
    EXPECT_TRUE(found) << "dropped lacks '" << want << "': " << ::testing::PrintToString(out.dropped);
  }
  EXPECT_EQ(out.thinking, c.thinking);
  // Invariants of every body.
  EXPECT_EQ(out.body.if_contains("truncation"), nullptr) << "never truncation";
  EXPECT_EQ(out.body.at("store"), json::value(false));
  EXPECT_EQ(out.body.at("model"), json::value(c.opts.deployment));
  ASSERT_TRUE(out.body.at("input").is_array());
}

#define HEAD R"("model":"claude-sonnet-4-5","max_tokens":100,)"
#define THINK R"("thinking":{"type":"enabled","budget_tokens":4096},)"
#define U(text) R"({"role":"user","content":")" text R"("})"
#define READ_USE(id) R"({"type":"tool_use","id":")" id R"(","name":"Read","input":{"path":"a.txt","n":1}})"
#define READ_CALL(id) \
  R"({"type":"function_call","call_id":")" id R"(","name":"Read","arguments":"{\"path\":\"a.txt\",\"n\":1}"})"
#define TOOLS \
  R"("tools":[{"name":"Read","description":"Read a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}],)"
#define OUR_SIG "agp1:rs_abc:gAAAAB-ENC=="

const Case kCases[] = {
    // --- system → instructions / developer items
    {"InstructionsBillingHeaderDropped",
     "{" HEAD
     R"("system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=1.0; cc_entrypoint=cli"},{"type":"text","text":"You are Claude Code."},{"type":"text","text":"Be terse."}],"messages":[)" U(
         "hi") "]}",
     reasoning_opts(),
     {{"/instructions", R"("You are Claude Code.\n\nBe terse.")"},
      {"/input", R"([{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}])"}}},
    {"OnlyBillingHeaderNoInstructions",
     "{" HEAD
     R"("system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=1.0"}],"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/instructions", nullptr}}},
    {"MidConversationSystemIsDeveloperItem",
     "{" HEAD R"("system":"Top.","messages":[)" U(
         "hi") R"(,{"role":"assistant","content":"Hello."},{"role":"system","content":"Now be formal."},)" U("ok") "]}",
     reasoning_opts(),
     {{"/instructions", R"("Top.")"},
      {"/input/1", R"({"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello."}]})"},
      {"/input/2", R"({"type":"message","role":"developer","content":"Now be formal."})"},
      {"/input/3/role", R"("user")"}}},
    // --- user parts
    {"UserTextImagePdfParts",
     "{" HEAD
     R"("messages":[{"role":"user","content":[{"type":"text","text":"Look:"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"image","source":{"type":"url","url":"https://x.test/a.jpg"}},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0"},"title":"spec.pdf"},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi1"}},{"type":"text","text":"  "}]}]})",
     reasoning_opts(),
     {{"/input/0", R"({"type":"message","role":"user","content":[
        {"type":"input_text","text":"Look:"},
        {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"auto"},
        {"type":"input_image","image_url":"https://x.test/a.jpg","detail":"auto"},
        {"type":"input_file","filename":"spec.pdf","file_data":"data:application/pdf;base64,JVBERi0"},
        {"type":"input_file","filename":"document.pdf","file_data":"data:application/pdf;base64,JVBERi1"}]})"},
      {"/input/1", nullptr}}},
    // --- tool results
    {"ToolResultString",
     "{" HEAD R"("messages":[)" U("read it") R"(,{"role":"assistant","content":[)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"line1\nline2"}]}]})",
     reasoning_opts(),
     {{"/input/1", READ_CALL("call_01A")},
      {"/input/2", R"({"type":"function_call_output","call_id":"call_01A","output":"line1\nline2"})"},
      {"/input/3", nullptr}}},
    {"ToolResultTextListJoined",
     "{" HEAD R"("messages":[{"role":"assistant","content":[)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},{"type":"text","text":"and?"}]}]})",
     reasoning_opts(),
     {{"/input/1", R"({"type":"function_call_output","call_id":"call_01A","output":"a\nb"})"},
      {"/input/2", R"({"type":"message","role":"user","content":[{"type":"input_text","text":"and?"}]})"}}},
    {"ToolResultWithImageIsList",
     "{" HEAD R"("messages":[{"role":"assistant","content":[)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":[{"type":"text","text":"screenshot:"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]}]})",
     reasoning_opts(),
     {{"/input/1",
       R"({"type":"function_call_output","call_id":"call_01A","output":[{"type":"input_text","text":"screenshot:"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"auto"}]})"}}},
    {"ToolResultErrorPrefixed",
     "{" HEAD R"("messages":[{"role":"assistant","content":[)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"no such file","is_error":true}]}]})",
     reasoning_opts(),
     {{"/input/1/output", R"("[tool error] no such file")"}}},
    {"ToolResultErrorEmpty",
     "{" HEAD R"("messages":[{"role":"assistant","content":[)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","is_error":true}]}]})",
     reasoning_opts(),
     {{"/input/1/output", R"x("[tool error] (the tool failed without output)")x"}}},
    {"ToolResultEmptyNoOutput",
     "{" HEAD R"("messages":[{"role":"assistant","content":[)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":""}]}]})",
     reasoning_opts(),
     {{"/input/1/output", R"x("(no output)")x"}}},
    {"ToolResultErrorWithImageListPrefixed",
     "{" HEAD R"("messages":[{"role":"assistant","content":[)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","is_error":true,"content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]}]})",
     reasoning_opts(),
     {{"/input/1/output",
       R"([{"type":"input_text","text":"[tool error]"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"auto"}])"}}},
    // --- assistant turns
    {"AssistantTextAndToolUse",
     "{" HEAD
     R"("messages":[)" U("go") R"(,{"role":"assistant","content":[{"type":"text","text":"Reading."},)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"ok"}]}]})",
     reasoning_opts(),
     {{"/input/1", R"({"type":"message","role":"assistant","content":[{"type":"output_text","text":"Reading."}]})"},
      {"/input/2", READ_CALL("call_01A")},
      {"/input/3/type", R"("function_call_output")"}}},
    {"ThinkingWithOurSignatureBecomesReasoningItem",
     "{" HEAD THINK R"("messages":[)" U(
         "go") R"(,{"role":"assistant","content":[{"type":"thinking","thinking":"Need to read.","signature":")" OUR_SIG
               R"("},{"type":"text","text":"Reading."},)" READ_USE(
                   "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"ok"}]}]})",
     reasoning_opts(),
     {{"/input/1",
       R"({"type":"reasoning","id":"rs_abc","summary":[{"type":"summary_text","text":"Need to read."}],"encrypted_content":"gAAAAB-ENC=="})"},
      {"/input/2/type", R"("message")"},
      {"/input/3", READ_CALL("call_01A")},
      {"/input/4/type", R"("function_call_output")"},
      {"/input/5", nullptr}},
     {},
     true},
    {"ThinkingEmptyTextHasEmptySummary",
     "{" HEAD THINK R"("messages":[)" U(
         "go") R"(,{"role":"assistant","content":[{"type":"thinking","thinking":"","signature":")" OUR_SIG
               R"("},)" READ_USE(
                   "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"ok"}]}]})",
     reasoning_opts(),
     {{"/input/1", R"({"type":"reasoning","id":"rs_abc","summary":[],"encrypted_content":"gAAAAB-ENC=="})"},
      {"/input/2/type", R"("function_call")"}},
     {},
     true},
    {"ForeignSignatureAndRedactedThinkingDropped",
     "{" HEAD THINK
     R"("messages":[)" U("go") R"(,{"role":"assistant","content":[{"type":"thinking","thinking":"Claude thought.","signature":"EqQBCkgIARABGAIiQL2x"},{"type":"redacted_thinking","data":"EmwKAhgBEgy3va"},)" READ_USE(
         "toolu_01A") R"(]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"ok"}]}]})",
     reasoning_opts(),
     {{"/input/1", READ_CALL("call_01A")}, {"/input/2/type", R"("function_call_output")"}, {"/input/3", nullptr}},
     {"foreign", "redacted_thinking"},
     true},
    {"OurSignatureDroppedWithoutReasoning",
     "{" HEAD R"("messages":[)" U(
         "go") R"(,{"role":"assistant","content":[{"type":"thinking","thinking":"x","signature":")" OUR_SIG
               R"("},{"type":"text","text":"Done."}]},)" U("more") "]}",
     plain_opts(),
     {{"/input/1/type", R"("message")"}, {"/input/1/role", R"("assistant")"}, {"/input/2/role", R"("user")"}},
     {"thinking"}},
    // --- tools and tool_choice
    {"ToolsFlatStrictFalse",
     "{" HEAD TOOLS R"("messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/tools",
       R"([{"type":"function","name":"Read","strict":false,"description":"Read a file","parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}])"},
      {"/tool_choice", nullptr},
      {"/parallel_tool_calls", nullptr}}},
    {"ServerToolDropped",
     "{" HEAD
     R"("tools":[{"type":"web_search_20250305","name":"web_search"},{"name":"Read","input_schema":{"type":"object"}}],"messages":[)" U(
         "hi") "]}",
     reasoning_opts(),
     {{"/tools/0/name", R"("Read")"}, {"/tools/1", nullptr}},
     {"web_search_20250305"}},
    {"ToolChoiceAuto",
     "{" HEAD TOOLS R"("tool_choice":{"type":"auto"},"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/tool_choice", R"("auto")"}, {"/parallel_tool_calls", nullptr}}},
    {"ToolChoiceAnyIsRequired",
     "{" HEAD TOOLS R"("tool_choice":{"type":"any"},"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/tool_choice", R"("required")"}}},
    {"ToolChoiceNone",
     "{" HEAD TOOLS R"("tool_choice":{"type":"none"},"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/tool_choice", R"("none")"}}},
    {"ToolChoiceToolIsFlatFunction",
     "{" HEAD TOOLS R"("tool_choice":{"type":"tool","name":"Read"},"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/tool_choice", R"({"type":"function","name":"Read"})"}}},
    {"ToolChoiceDisableParallel",
     "{" HEAD TOOLS R"("tool_choice":{"type":"auto","disable_parallel_tool_use":true},"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/tool_choice", R"("auto")"}, {"/parallel_tool_calls", "false"}}},
    {"ToolChoiceWithoutToolsAbsent",
     "{" HEAD R"("tool_choice":{"type":"any"},"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/tools", nullptr}, {"/tool_choice", nullptr}}},
    // --- max_output_tokens
    {"MaxTokensPassed", "{" HEAD R"("messages":[)" U("hi") "]}", reasoning_opts(), {{"/max_output_tokens", "100"}}},
    {"MaxTokensAtLeast16",
     R"({"model":"m","max_tokens":5,"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/max_output_tokens", "16"}}},
    {"MaxTokensCapped",
     "{" HEAD R"("messages":[)" U("hi") "]}",
     reasoning_opts("gpt-5.1-codex", 50),
     {{"/max_output_tokens", "50"}}},
    {"MaxTokensCapBelowMinimum",
     "{" HEAD R"("messages":[)" U("hi") "]}",
     reasoning_opts("gpt-5.1-codex", 8),
     {{"/max_output_tokens", "16"}}},
    {"MaxTokensBelowCapUntouched",
     "{" HEAD R"("messages":[)" U("hi") "]}",
     reasoning_opts("gpt-5.1-codex", 4000),
     {{"/max_output_tokens", "100"}}},
    // --- reasoning, include, sampling
    {"ThinkingOnReasoningWithSummaryAndInclude",
     "{" HEAD THINK R"("messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/reasoning", R"({"effort":"medium","summary":"detailed"})"},
      {"/include", R"(["reasoning.encrypted_content"])"}},
     {},
     true},
    {"ThinkingOffReasoningWithoutSummaryOrInclude",
     "{" HEAD R"("messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/reasoning", R"({"effort":"low"})"}, {"/include", nullptr}}},
    {"ThinkingDisabledOnGpt5IsMinimal",
     "{" HEAD R"("thinking":{"type":"disabled"},"messages":[)" U("hi") "]}",
     reasoning_opts("gpt-5"),
     {{"/reasoning", R"({"effort":"minimal"})"}, {"/include", nullptr}}},
    {"AdaptiveThinkingOn",
     "{" HEAD R"("thinking":{"type":"adaptive"},"output_config":{"effort":"high"},"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/reasoning/effort", R"("high")"}, {"/include/0", R"("reasoning.encrypted_content")"}},
     {},
     true},
    {"NonReasoningDeploymentNoReasoning",
     "{" HEAD THINK R"("messages":[)" U("hi") "]}",
     plain_opts(),
     {{"/reasoning", nullptr}, {"/include", nullptr}}},
    {"TemperatureDroppedForReasoning",
     "{" HEAD R"("temperature":0.2,"top_p":0.9,"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/temperature", nullptr}, {"/top_p", nullptr}},
     {"temperature"}},
    {"TemperaturePassedOtherwise",
     "{" HEAD R"("temperature":0.25,"top_p":0.5,"messages":[)" U("hi") "]}",
     plain_opts(),
     {{"/temperature", "0.25"}, {"/top_p", "0.5"}}},
    {"TopKDropped", "{" HEAD R"("top_k":5,"messages":[)" U("hi") "]}", plain_opts(), {{"/top_k", nullptr}}, {"top_k"}},
    // --- prompt cache key, stream
    {"PromptCacheKeyFromSessionId",
     "{" HEAD
     R"("metadata":{"user_id":"{\"device_id\":\"dev1\",\"account_uuid\":\"\",\"session_id\":\"sess-42\"}"},"messages":[)" U(
         "hi") "]}",
     reasoning_opts(),
     {{"/prompt_cache_key", R"("sess-42")"}, {"/user", nullptr}}},
    {"NoPromptCacheKeyForOpaqueUserId",
     "{" HEAD R"("metadata":{"user_id":"user_abc"},"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/prompt_cache_key", nullptr}}},
    {"StreamFlag",
     "{" HEAD R"("stream":true,"messages":[)" U("hi") "]}",
     reasoning_opts(),
     {{"/stream", "true"}, {"/stream_options", nullptr}}},
    {"NoStreamFlag", "{" HEAD R"("stream":false,"messages":[)" U("hi") "]}", reasoning_opts(), {{"/stream", nullptr}}},
};

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesFromAnthropic, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ResponsesFromAnthropicNames, AliasedToolNamesConsistentAcrossToolsHistoryAndChoice) {
  const std::string client = "mcp__my.server__do thing";
  ASSERT_FALSE(agp::openai::valid_tool_name(client));
  const std::string alias = agp::openai::upstream_tool_name(client);
  auto body = json::serialize(json::object{
      {"model", "claude-sonnet-4-5"},
      {"max_tokens", 100},
      {"tools", json::array{json::object{{"name", client}, {"input_schema", {{"type", "object"}}}}}},
      {"tool_choice", {{"type", "tool"}, {"name", client}}},
      {"messages", json::array{json::object{{"role", "user"}, {"content", "go"}},
                               json::object{{"role", "assistant"},
                                            {"content", json::array{json::object{{"type", "tool_use"},
                                                                                 {"id", "toolu_X"},
                                                                                 {"name", client},
                                                                                 {"input", json::object{}}}}}},
                               json::object{{"role", "user"},
                                            {"content", json::array{json::object{{"type", "tool_result"},
                                                                                 {"tool_use_id", "toolu_X"},
                                                                                 {"content", "ok"}}}}}}}});
  auto out = from_anthropic_request(parsed(body), reasoning_opts());
  EXPECT_EQ(out.body.at("tools").at(0).at("name"), json::value(alias));
  EXPECT_EQ(out.body.at("tool_choice"), json::parse(R"({"type":"function","name":")" + alias + R"("})"));
  EXPECT_EQ(out.body.at("input").at(1).at("name"), json::value(alias));
  EXPECT_EQ(out.body.at("input").at(1).at("arguments"), json::value("{}"));
  EXPECT_EQ(out.names.to_client(alias), client);
  EXPECT_LE(alias.size(), 64u);
}

TEST(ResponsesFromAnthropicIds, LongToolUseIdShortenedConsistently) {
  const std::string id = "toolu_" + std::string(80, 'a');
  auto body = json::serialize(json::object{
      {"model", "m"},
      {"max_tokens", 100},
      {"messages",
       json::array{json::object{{"role", "assistant"},
                                {"content",
                                 json::array{json::object{
                                     {"type", "tool_use"}, {"id", id}, {"name", "Read"}, {"input", json::object{}}}}}},
                   json::object{{"role", "user"},
                                {"content", json::array{json::object{
                                                {"type", "tool_result"}, {"tool_use_id", id}, {"content", "ok"}}}}}}}});
  auto out = from_anthropic_request(parsed(body), reasoning_opts());
  auto& call = out.body.at("input").at(0).as_object();
  auto& output = out.body.at("input").at(1).as_object();
  EXPECT_EQ(call.at("call_id"), output.at("call_id"));
  EXPECT_LE(call.at("call_id").as_string().size(), 64u);
}

// --- responses_effort

struct EffortCase {
  const char* name;
  const char* fields;  // extra request fields (thinking / output_config), with a trailing comma
  const char* deployment;
  const char* override_effort;
  const char* want;
};

void PrintTo(const EffortCase& c, std::ostream* os) { *os << c.name; }

class ResponsesEffort : public ::testing::TestWithParam<EffortCase> {};

TEST_P(ResponsesEffort, Picks) {
  const auto& c = GetParam();
  auto req = parsed(std::string(R"({"model":"claude-opus-4-5","max_tokens":64000,)") + c.fields +
                    R"("messages":[{"role":"user","content":"hi"}]})");
  auto opts = reasoning_opts(c.deployment, 0, c.override_effort);
  EXPECT_EQ(responses_effort(req, opts), c.want);
  // The body carries the same effort.
  auto out = from_anthropic_request(req, opts);
  EXPECT_EQ(out.body.at("reasoning").at("effort"), json::value(c.want));
}

#define BUDGET(n) R"("thinking":{"type":"enabled","budget_tokens":)" #n "},"
#define ADAPTIVE(e) R"("thinking":{"type":"adaptive"},"output_config":{"effort":")" e R"("},)"

const EffortCase kEffortCases[] = {
    {"Budget1024Low", BUDGET(1024), "gpt-5", "", "low"},
    {"Budget4095Low", BUDGET(4095), "gpt-5", "", "low"},
    {"Budget4096Medium", BUDGET(4096), "gpt-5", "", "medium"},
    {"Budget16383Medium", BUDGET(16383), "gpt-5", "", "medium"},
    {"Budget16384High", BUDGET(16384), "gpt-5", "", "high"},
    {"Budget31999High", BUDGET(31999), "gpt-5", "", "high"},
    {"AdaptiveNoEffortMedium", R"("thinking":{"type":"adaptive"},)", "gpt-5", "", "medium"},
    {"AdaptiveLow", ADAPTIVE("low"), "gpt-5", "", "low"},
    {"AdaptiveMedium", ADAPTIVE("medium"), "gpt-5", "", "medium"},
    {"AdaptiveHigh", ADAPTIVE("high"), "gpt-5", "", "high"},
    {"AdaptiveXhighIsHigh", ADAPTIVE("xhigh"), "gpt-5", "", "high"},
    {"AdaptiveMaxIsHigh", ADAPTIVE("max"), "gpt-5", "", "high"},
    {"DisabledGpt5Minimal", R"("thinking":{"type":"disabled"},)", "gpt-5", "", "minimal"},
    {"DisabledGpt5MiniMinimal", R"("thinking":{"type":"disabled"},)", "gpt-5-mini", "", "minimal"},
    {"DisabledGpt51Low", R"("thinking":{"type":"disabled"},)", "gpt-5.1", "", "low"},
    {"DisabledO3Low", R"("thinking":{"type":"disabled"},)", "o3", "", "low"},
    {"AbsentNoEffortGpt5Minimal", "", "gpt-5", "", "minimal"},
    {"AbsentWithEffortHigh", R"("output_config":{"effort":"high"},)", "gpt-5", "", "high"},
    // Without thinking, an effort the Chat mapping does not know must still give a valid effort.
    {"AbsentWithEffortXhighNotEmpty", R"("output_config":{"effort":"xhigh"},)", "gpt-5", "", "high"},
    {"OverrideWinsOverBudget", BUDGET(31999), "gpt-5", "low", "low"},
    {"OverrideWinsOverDisabled", R"("thinking":{"type":"disabled"},)", "gpt-5", "high", "high"},
};

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesEffort, ::testing::ValuesIn(kEffortCases),
                         [](const auto& info) { return std::string(info.param.name); });

// --- signatures

TEST(ResponsesSignature, RoundTrip) {
  auto sig = make_signature("rs_68a1b2", "gAAAAB:with:colons==");
  EXPECT_EQ(sig, "agp1:rs_68a1b2:gAAAAB:with:colons==");
  auto ref = parse_signature(sig);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->id, "rs_68a1b2");
  EXPECT_EQ(ref->encrypted_content, "gAAAAB:with:colons==");
}

struct BadSignature {
  const char* name;
  const char* sig;
};
void PrintTo(const BadSignature& c, std::ostream* os) { *os << c.name; }
class ResponsesSignatureRejects : public ::testing::TestWithParam<BadSignature> {};
TEST_P(ResponsesSignatureRejects, Foreign) {
  EXPECT_FALSE(parse_signature(GetParam().sig).has_value()) << GetParam().sig;
}

const BadSignature kBadSignatures[] = {
    {"Empty", ""},
    {"AnthropicSignature", "EqQBCkgIARABGAIiQL2xWq7g"},
    {"PrefixOnly", "agp1:"},
    {"NoColonAfterId", "agp1:rs_abc"},
    {"EmptyId", "agp1::enc"},
    {"EmptyContent", "agp1:rs_abc:"},
    {"IdNotReasoning", "agp1:msg_abc:enc"},
    {"OtherVersion", "agp2:rs_abc:enc"},
    {"UppercasePrefix", "AGP1:rs_abc:enc"},
};
INSTANTIATE_TEST_SUITE_P(Responses, ResponsesSignatureRejects, ::testing::ValuesIn(kBadSignatures),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace

#undef HEAD
#undef THINK
#undef U
#undef READ_USE
#undef READ_CALL
#undef TOOLS
#undef OUR_SIG
#undef BUDGET
#undef ADAPTIVE

}  // namespace unit_responses_from_anthropic_test
