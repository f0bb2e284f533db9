// openai::chat::to_chat_request: Anthropic Messages request in, Azure Chat Completions body out.
// One row per line of DESIGN.md's "Anthropic → Azure Chat Completions" table.
#include "exchange/flow.hpp"
#include "exchange/prepare.hpp"
#include "openai/chat/request.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_chat_request_test {

namespace {

namespace json = boost::json;
using agp::anthropic::parse_request;
using agp::openai::chat::Options;
using agp::openai::chat::to_chat_request;
using agp::openai::chat::Translated;
using agp_test::Expect;
using agp_test::expect_pointers;
using agp_test::parse_anthropic;
using agp_test::read_test_data;

const Options kPlain{"gpt-4o", "2024-10-21", false, 0};
const Options kPlainV1{"gpt-4o", "v1", false, 0};
const Options kReasoning{"o4-mini", "2025-04-01-preview", true, 0};
const Options kReasoningOld{"o4-mini", "2024-10-21", true, 0};
const Options kReasoningV1{"gpt-5", "v1", true, 0};
const Options kCapped{"gpt-4o", "2024-10-21", false, 50};
const Options kCacheKeyApi{"gpt-4o", "2025-04-01-preview", false, 0};

Translated translate(std::string_view anthropic_body, const Options& opts) {
  // Through the gateway's own preparation (history repair included), not the renderer alone.
  auto req = parse_anthropic(anthropic_body);
  if (!req) return {};
  agp::exchange::Target t;
  t.deployment = opts.deployment;
  t.api_version = opts.api_version;
  t.reasoning = opts.reasoning;
  t.max_output_tokens = opts.max_output_tokens;
  auto p = agp::exchange::prepare(*req, t);
  Translated out;
  out.body = std::move(p.body);
  out.names = std::move(p.names);
  out.dropped = std::move(p.dropped);
  return out;
}

struct Case {
  const char* name;
  const char* request;  // Anthropic body
  Options opts;
  std::vector<Expect> expect;
};

class ChatRequest : public ::testing::TestWithParam<Case> {};

TEST_P(ChatRequest, Maps) {
  const auto& c = GetParam();
  auto t = translate(c.request, c.opts);
  json::value body = t.body;
  ASSERT_NO_FATAL_FAILURE(expect_pointers(body, c.expect));
}

#define HEAD R"("model":"claude-sonnet-4-5","max_tokens":100,)"
#define U(text) R"({"role":"user","content":")" text R"("})"
#define ASSISTANT_READ(id) \
  R"({"role":"assistant","content":[{"type":"tool_use","id":")" id R"(","name":"Read","input":{"path":"a.txt"}}]})"
#define READ_CALL(id) \
  R"({"id":")" id R"(","type":"function","function":{"name":"Read","arguments":"{\"path\":\"a.txt\"}"}})"

const Case kCases[] = {
    // --- system
    {"SystemString",
     "{" HEAD R"("system":"Be brief.","messages":[)" U("hi") "]}",
     kPlain,
     {{"/messages/0", R"({"role":"system","content":"Be brief."})"},
      {"/messages/1", R"({"role":"user","content":"hi"})"}}},
    {"SystemBlocksJoinedCacheControlDropped",
     "{" HEAD
     R"("system":[{"type":"text","text":"A"},{"type":"text","text":"B","cache_control":{"type":"ephemeral"}}],"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/messages/0", R"({"role":"system","content":"A\n\nB"})"}}},
    {"SystemBillingHeaderDropped",
     "{" HEAD
     R"("system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=2.1; cc_entrypoint=cli;"},{"type":"text","text":"You are Claude Code."}],"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/messages/0", R"({"role":"system","content":"You are Claude Code."})"}}},
    {"SystemOnlyBillingHeaderGivesNoSystemMessage",
     "{" HEAD
     R"("system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=2.1;"}],"messages":[)" U("hi") "]}",
     kPlain,
     {{"/messages/0", R"({"role":"user","content":"hi"})"}, {"/messages/1", nullptr}}},
    {"SystemEmptyStringGivesNoSystemMessage",
     "{" HEAD R"("system":"","messages":[)" U("hi") "]}",
     kPlain,
     {{"/messages/0/role", R"("user")"}}},
    {"SystemIsDeveloperForReasoning",
     "{" HEAD R"("system":"Be brief.","messages":[)" U("hi") "]}",
     kReasoning,
     {{"/messages/0", R"({"role":"developer","content":"Be brief."})"}}},
    {"MidConversationSystemMessage",
     "{" HEAD R"("messages":[)" U(
         "hi") R"(,{"role":"assistant","content":"hello"},{"role":"system","content":"reminder"},)" U("next") "]}",
     kPlain,
     {{"/messages/0", R"({"role":"user","content":"hi"})"},
      {"/messages/1", R"({"role":"assistant","content":"hello"})"},
      {"/messages/2", R"({"role":"system","content":"reminder"})"},
      {"/messages/3", R"({"role":"user","content":"next"})"}}},
    {"MidConversationSystemIsDeveloperForReasoning",
     "{" HEAD R"("messages":[)" U("hi") R"(,{"role":"system","content":[{"type":"text","text":"r"}]}]})",
     kReasoning,
     {{"/messages/1", R"({"role":"developer","content":"r"})"}}},

    // --- user content
    {"UserTextString",
     "{" HEAD R"("messages":[)" U("hi") "]}",
     kPlain,
     {{"/messages", R"([{"role":"user","content":"hi"}])"}}},
    {"UserTextBlocksBecomeParts",
     "{" HEAD R"("messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})",
     kPlain,
     {{"/messages/0/content", R"([{"type":"text","text":"a"},{"type":"text","text":"b"}])"}}},
    {"ImageBase64ToDataUri",
     "{" HEAD
     R"("messages":[{"role":"user","content":[{"type":"text","text":"look"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]})",
     kPlain,
     {{"/messages/0/content",
       R"([{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}])"}}},
    {"ImageUrl",
     "{" HEAD
     R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}}]}]})",
     kPlain,
     {{"/messages/0/content", R"([{"type":"image_url","image_url":{"url":"https://example.com/a.jpg"}}])"}}},
    {"PdfToFilePart",
     "{" HEAD
     R"("messages":[{"role":"user","content":[{"type":"document","title":"spec.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},{"type":"text","text":"summarize"}]}]})",
     kPlain,
     {{"/messages/0/content",
       R"([{"type":"file","file":{"filename":"spec.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}},{"type":"text","text":"summarize"}])"}}},
    {"PdfWithoutTitleGetsDefaultFilename",
     "{" HEAD
     R"("messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}}]}]})",
     kPlain,
     {{"/messages/0/content/0/file/filename", R"("document.pdf")"}}},
    {"PlainTextDocumentToText",
     "{" HEAD
     R"("messages":[{"role":"user","content":[{"type":"document","title":"notes","source":{"type":"text","media_type":"text/plain","data":"body"}}]}]})",
     kPlain,
     {{"/messages/0/content", R"("notes\n\nbody")"}}},

    // --- assistant content
    {"AssistantText",
     "{" HEAD R"("messages":[)" U("hi") R"(,{"role":"assistant","content":[{"type":"text","text":"hello"}]}]})",
     kPlain,
     {{"/messages/1", R"({"role":"assistant","content":"hello"})"}}},
    {"ToolUseToToolCallsCompactArguments",
     "{" HEAD R"("messages":[)" U(
         "hi") R"(,{"role":"assistant","content":[{"type":"text","text":"Reading."},{"type":"tool_use","id":"toolu_01A","name":"Read","input":{ "path" : "a b.txt", "limit": 10, "opts": {"x": [1, 2]} }}]},)"
               R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"data"}]}]})",
     kPlain,
     {{"/messages/1",
       R"({"role":"assistant","content":"Reading.","tool_calls":[{"id":"call_01A","type":"function","function":{"name":"Read","arguments":"{\"path\":\"a b.txt\",\"limit\":10,\"opts\":{\"x\":[1,2]}}"}}]})"},
      {"/messages/2", R"({"role":"tool","tool_call_id":"call_01A","content":"data"})"}}},
    {"ToolUseOnlyHasNullContent",
     "{" HEAD R"("messages":[)" U("hi") "," ASSISTANT_READ(
         "toolu_1") R"(,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"x"}]}]})",
     kPlain,
     {{"/messages/1", R"({"role":"assistant","content":null,"tool_calls":[)" READ_CALL("call_1") "]}"}}},
    {"ThinkingDropped",
     "{" HEAD R"("messages":[)" U(
         "hi") R"(,{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"redacted_thinking","data":"x"},{"type":"text","text":"ok"}]}]})",
     kPlain,
     {{"/messages/1", R"({"role":"assistant","content":"ok"})"}}},
    {"ThinkingOnlyAssistantMessageSkipped",
     "{" HEAD R"("messages":[)" U(
         "hi") R"(,{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"}]},)" U("again") "]}",
     kPlain,
     {{"/messages", R"([{"role":"user","content":"hi"},{"role":"user","content":"again"}])"}}},
    {"EmptyTextBlocksRemoved",
     "{" HEAD
     R"("messages":[{"role":"user","content":[{"type":"text","text":""},{"type":"text","text":" \n"},{"type":"text","text":"x"}]},)"
     R"({"role":"assistant","content":[{"type":"text","text":""},{"type":"tool_use","id":"toolu_1","name":"Read","input":{"path":"a.txt"}}]},)"
     R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"r"},{"type":"text","text":""}]}]})",
     kPlain,
     {{"/messages/0", R"({"role":"user","content":"x"})"},
      {"/messages/1", R"({"role":"assistant","content":null,"tool_calls":[)" READ_CALL("call_1") "]}"},
      {"/messages/2", R"({"role":"tool","tool_call_id":"call_1","content":"r"})"},
      {"/messages/3", nullptr}}},

    // --- tool results
    {"ToolResultPlacedBeforeRestOfUserTurn",
     "{" HEAD R"("messages":[)" U("hi") "," ASSISTANT_READ(
         "toolu_1") R"(,{"role":"user","content":[{"type":"text","text":"and also this"},{"type":"tool_result","tool_use_id":"toolu_1","content":"file"}]}]})",
     kPlain,
     {{"/messages/2", R"({"role":"tool","tool_call_id":"call_1","content":"file"})"},
      {"/messages/3", R"({"role":"user","content":"and also this"})"}}},
    {"ToolResultListContentToText",
     "{" HEAD R"("messages":[)" U("hi") "," ASSISTANT_READ(
         "toolu_1") R"(,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"line1"},{"type":"text","text":"line2"}]}]}]})",
     kPlain,
     {{"/messages/2/content", R"("line1\nline2")"}}},
    {"ToolResultIsErrorPrefixed",
     "{" HEAD R"("messages":[)" U("hi") "," ASSISTANT_READ(
         "toolu_1") R"(,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","is_error":true,"content":"No such file"}]}]})",
     kPlain,
     {{"/messages/2", R"({"role":"tool","tool_call_id":"call_1","content":"[tool error] No such file"})"}}},
    {"ToolResultEmptyContent",
     "{" HEAD R"("messages":[)" U("hi") "," ASSISTANT_READ(
         "toolu_1") R"(,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]}]})",
     kPlain,
     {{"/messages/2/content", R"x("(no output)")x"}}},
    {"ToolResultImageGoesToFollowingUserMessage",
     "{" HEAD R"("messages":[)" U("hi") "," ASSISTANT_READ(
         "toolu_1") R"(,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"shot"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},{"type":"text","text":"what is it?"}]}]})",
     kPlain,
     {{"/messages/2",
       R"({"role":"tool","tool_call_id":"call_1","content":"shot\n[image attached in the next user message]"})"},
      {"/messages/3",
       R"({"role":"user","content":[{"type":"text","text":"[image returned by tool call toolu_1]"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"text","text":"what is it?"}]})"},
      {"/messages/4", nullptr}}},
    {"ParallelToolResults",
     "{" HEAD R"("messages":[)" U(
         "hi") R"(,{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"Read","input":{}},{"type":"tool_use","id":"b","name":"Read","input":{}}]},)"
               R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"b","content":"B"},{"type":"tool_result","tool_use_id":"a","content":"A"}]}]})",
     kPlain,
     {{"/messages/1/tool_calls/0/function/arguments", R"("{}")"},
      {"/messages/2", R"({"role":"tool","tool_call_id":"b","content":"B"})"},
      {"/messages/3", R"({"role":"tool","tool_call_id":"a","content":"A"})"},
      {"/messages/4", nullptr}}},

    // --- tool pairing repair
    {"ToolUseWithoutResultGetsSyntheticToolMessage",
     "{" HEAD R"("messages":[)" U("hi") "," ASSISTANT_READ("toolu_1") "," U("never mind") "]}",
     kPlain,
     {{"/messages/2",
       R"x({"role":"tool","tool_call_id":"call_1","content":"(no result: the tool call was interrupted)"})x"},
      {"/messages/3", R"({"role":"user","content":"never mind"})"}}},
    {"ToolUseLastMessageGetsSyntheticToolMessage",
     "{" HEAD R"("messages":[)" U("hi") "," ASSISTANT_READ("toolu_1") "]}",
     kPlain,
     {{"/messages/2/role", R"("tool")"}, {"/messages/2/tool_call_id", R"("call_1")"}, {"/messages/3", nullptr}}},
    {"OneOfTwoToolUsesAnswered",
     "{" HEAD R"("messages":[)" U(
         "hi") R"(,{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"Read","input":{}},{"type":"tool_use","id":"b","name":"Read","input":{}}]},)"
               R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"A"},{"type":"text","text":"stop"}]}]})",
     kPlain,
     {{"/messages/2", R"({"role":"tool","tool_call_id":"a","content":"A"})"},
      {"/messages/3", R"x({"role":"tool","tool_call_id":"b","content":"(no result: the tool call was interrupted)"})x"},
      {"/messages/4", R"({"role":"user","content":"stop"})"}}},
    {"OrphanToolResultBecomesUserText",
     "{" HEAD
     R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_gone","content":"old output"}]}]})",
     kPlain,
     {{"/messages", R"([{"role":"user","content":"[result of an earlier tool call toolu_gone]\nold output"}])"}}},

    // --- tools
    {"ToolDefinitionSchemaSanitized",
     "{" HEAD
     R"("tools":[{"name":"Read","description":"Read a file","input_schema":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}}],"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/tools",
       R"([{"type":"function","function":{"name":"Read","description":"Read a file","parameters":{"type":"object","properties":{}}}}])"},
      {"/tool_choice", nullptr},
      {"/parallel_tool_calls", nullptr}}},
    {"ToolWithoutDescription",
     "{" HEAD
     R"("tools":[{"name":"Ls","input_schema":{"type":"object","properties":{"p":{"type":"string"}}}}],"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/tools/0/function", R"({"name":"Ls","parameters":{"type":"object","properties":{"p":{"type":"string"}}}})"}}},
    {"DeferLoadingToolStillSent",
     "{" HEAD
     R"("tools":[{"name":"Mcp","defer_loading":true,"input_schema":{"type":"object"}}],"messages":[)" U("hi") "]}",
     kPlain,
     {{"/tools/0/function/name", R"("Mcp")"}}},
    {"ServerToolDropped",
     "{" HEAD
     R"("tools":[{"type":"web_search_20250305","name":"web_search"}],"tool_choice":{"type":"auto"},"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/tools", nullptr}, {"/tool_choice", nullptr}}},
    {"ToolChoiceAuto",
     "{" HEAD R"("tools":[{"name":"Read","input_schema":{}}],"tool_choice":{"type":"auto"},"messages":[)" U("hi") "]}",
     kPlain,
     {{"/tool_choice", R"("auto")"}, {"/parallel_tool_calls", nullptr}}},
    {"ToolChoiceAny",
     "{" HEAD R"("tools":[{"name":"Read","input_schema":{}}],"tool_choice":{"type":"any"},"messages":[)" U("hi") "]}",
     kPlain,
     {{"/tool_choice", R"("required")"}}},
    {"ToolChoiceTool",
     "{" HEAD
     R"("tools":[{"name":"Read","input_schema":{}}],"tool_choice":{"type":"tool","name":"Read"},"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/tool_choice", R"({"type":"function","function":{"name":"Read"}})"}}},
    {"ToolChoiceNone",
     "{" HEAD
     R"("tools":[{"name":"Read","input_schema":{}}],"tool_choice":{"type":"none","disable_parallel_tool_use":true},"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/tool_choice", R"("none")"}, {"/parallel_tool_calls", nullptr}}},
    {"DisableParallelToolUse",
     "{" HEAD
     R"("tools":[{"name":"Read","input_schema":{}}],"tool_choice":{"type":"auto","disable_parallel_tool_use":true},"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/tool_choice", R"("auto")"}, {"/parallel_tool_calls", "false"}}},
    {"DisableParallelWithAny",
     "{" HEAD
     R"("tools":[{"name":"Read","input_schema":{}}],"tool_choice":{"type":"any","disable_parallel_tool_use":true},"messages":[)" U(
         "hi") "]}",
     kPlain,
     {{"/tool_choice", R"("required")"}, {"/parallel_tool_calls", "false"}}},

    // --- max_tokens
    {"MaxTokensToMaxCompletionTokens",
     "{" HEAD R"("messages":[)" U("hi") "]}",
     kPlain,
     {{"/max_completion_tokens", "100"}, {"/max_tokens", nullptr}}},
    {"MaxTokensCapped", "{" HEAD R"("messages":[)" U("hi") "]}", kCapped, {{"/max_completion_tokens", "50"}}},
    {"MaxTokensBelowCap",
     R"({"model":"m","max_tokens":10,"messages":[)" U("hi") "]}",
     kCapped,
     {{"/max_completion_tokens", "10"}}},
    {"MaxTokensZeroBecomesOne",
     R"({"model":"m","max_tokens":0,"messages":[)" U("hi") "]}",
     kPlain,
     {{"/max_completion_tokens", "1"}}},

    // --- sampling
    {"SamplingPassedForNonReasoning",
     "{" HEAD R"("temperature":0.5,"top_p":0.9,"top_k":5,"messages":[)" U("hi") "]}",
     kPlain,
     {{"/temperature", "0.5"}, {"/top_p", "0.9"}, {"/top_k", nullptr}}},
    {"SamplingDroppedForReasoning",
     "{" HEAD R"("temperature":0.5,"top_p":0.9,"top_k":5,"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/temperature", nullptr}, {"/top_p", nullptr}, {"/top_k", nullptr}}},
    {"StopSequences",
     "{" HEAD R"("stop_sequences":["END","STOP"],"messages":[)" U("hi") "]}",
     kPlain,
     {{"/stop", R"(["END","STOP"])"}, {"/stop_sequences", nullptr}}},
    {"StopSequencesAtMostFour",
     "{" HEAD R"("stop_sequences":["1","2","3","4","5"],"messages":[)" U("hi") "]}",
     kPlain,
     {{"/stop", R"(["1","2","3","4"])"}}},
    {"NoStopSequencesNoStop", "{" HEAD R"("messages":[)" U("hi") "]}", kPlain, {{"/stop", nullptr}}},

    // --- reasoning effort
    {"BudgetLow",
     "{" HEAD R"("thinking":{"type":"enabled","budget_tokens":1024},"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/reasoning_effort", R"("low")"}}},
    {"BudgetJustBelowMedium",
     "{" HEAD R"("thinking":{"type":"enabled","budget_tokens":4095},"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/reasoning_effort", R"("low")"}}},
    {"BudgetMedium",
     "{" HEAD R"("thinking":{"type":"enabled","budget_tokens":10000},"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/reasoning_effort", R"("medium")"}}},
    {"BudgetHigh",
     "{" HEAD R"("thinking":{"type":"enabled","budget_tokens":31999},"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/reasoning_effort", R"("high")"}}},
    {"BudgetIgnoredForNonReasoning",
     "{" HEAD R"("thinking":{"type":"enabled","budget_tokens":31999},"messages":[)" U("hi") "]}",
     kPlain,
     {{"/reasoning_effort", nullptr}}},
    {"BudgetIgnoredForOldApiVersion",
     "{" HEAD R"("thinking":{"type":"enabled","budget_tokens":31999},"messages":[)" U("hi") "]}",
     kReasoningOld,
     {{"/reasoning_effort", nullptr}, {"/messages/0/role", R"("user")"}}},
    {"BudgetSentOnV1",
     "{" HEAD R"("thinking":{"type":"enabled","budget_tokens":31999},"messages":[)" U("hi") "]}",
     kReasoningV1,
     {{"/reasoning_effort", R"("high")"}}},
    {"BudgetSentOn20241201Preview",
     "{" HEAD R"("thinking":{"type":"enabled","budget_tokens":2000},"messages":[)" U("hi") "]}",
     Options{"o3", "2024-12-01-preview", true, 0},
     {{"/reasoning_effort", R"("low")"}}},
    {"AdaptiveWithEffort",
     "{" HEAD R"("thinking":{"type":"adaptive"},"output_config":{"effort":"low"},"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/reasoning_effort", R"("low")"}}},
    {"AdaptiveEffortMaxIsHigh",
     "{" HEAD R"("thinking":{"type":"adaptive"},"output_config":{"effort":"max"},"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/reasoning_effort", R"("high")"}}},
    {"AdaptiveWithoutEffortIsMedium",
     "{" HEAD R"("thinking":{"type":"adaptive"},"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/reasoning_effort", R"("medium")"}}},
    {"NoThinkingNoEffort", "{" HEAD R"("messages":[)" U("hi") "]}", kReasoning, {{"/reasoning_effort", nullptr}}},
    {"EffortWithoutThinking",
     "{" HEAD R"("output_config":{"effort":"high"},"messages":[)" U("hi") "]}",
     kReasoning,
     {{"/reasoning_effort", R"("high")"}}},

    // --- metadata
    {"SessionIdToPromptCacheKey",
     "{" HEAD
     R"("metadata":{"user_id":"{\"device_id\":\"d\",\"account_uuid\":\"\",\"session_id\":\"sess-1\"}"},"messages":[)" U(
         "hi") "]}",
     kCacheKeyApi,
     {{"/prompt_cache_key", R"("sess-1")"}, {"/metadata", nullptr}}},
    {"SessionIdToPromptCacheKeyV1",
     "{" HEAD R"("metadata":{"user_id":"{\"session_id\":\"sess-1\"}"},"messages":[)" U("hi") "]}",
     kPlainV1,
     {{"/prompt_cache_key", R"("sess-1")"}}},
    {"NoPromptCacheKeyOnOldApi",
     "{" HEAD R"("metadata":{"user_id":"{\"session_id\":\"sess-1\"}"},"messages":[)" U("hi") "]}",
     kPlain,
     {{"/prompt_cache_key", nullptr}}},
    {"PlainUserIdNoCacheKey",
     "{" HEAD R"("metadata":{"user_id":"user_123"},"messages":[)" U("hi") "]}",
     kCacheKeyApi,
     {{"/prompt_cache_key", nullptr}}},
    {"NoMetadataNoUser",
     "{" HEAD R"("messages":[)" U("hi") "]}",
     kCacheKeyApi,
     {{"/user", nullptr}, {"/prompt_cache_key", nullptr}}},

    // --- stream and model
    {"StreamIncludesUsage",
     "{" HEAD R"("stream":true,"messages":[)" U("hi") "]}",
     kPlain,
     {{"/stream", "true"}, {"/stream_options", R"({"include_usage":true})"}}},
    {"NoStream",
     "{" HEAD R"("stream":false,"messages":[)" U("hi") "]}",
     kPlain,
     {{"/stream", nullptr}, {"/stream_options", nullptr}}},
    {"V1PutsModel", "{" HEAD R"("messages":[)" U("hi") "]}", kPlainV1, {{"/model", R"("gpt-4o")"}}},
    {"DatedApiHasNoModel", "{" HEAD R"("messages":[)" U("hi") "]}", kPlain, {{"/model", nullptr}}},
};

INSTANTIATE_TEST_SUITE_P(Table, ChatRequest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

// The whole body, where it is stable.
struct WholeCase {
  const char* name;
  const char* request;
  Options opts;
  const char* body;
};

class ChatRequestWhole : public ::testing::TestWithParam<WholeCase> {};

TEST_P(ChatRequestWhole, Equals) {
  const auto& c = GetParam();
  auto t = translate(c.request, c.opts);
  EXPECT_EQ(json::value(t.body), json::parse(c.body)) << json::serialize(t.body);
}

const WholeCase kWholeCases[] = {
    {"ToolLoopTurn",
     R"x({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":true,"temperature":1,
         "system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=2"},{"type":"text","text":"You are helpful."}],
         "tools":[{"name":"Bash","description":"Run","input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}],
         "messages":[
           {"role":"user","content":"make a file"},
           {"role":"assistant","content":[{"type":"text","text":"Sure."},{"type":"tool_use","id":"toolu_01","name":"Bash","input":{"command":"touch a"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"(no output)"}]}]})x",
     kPlainV1,
     R"x({"model":"gpt-4o",
         "messages":[
           {"role":"system","content":"You are helpful."},
           {"role":"user","content":"make a file"},
           {"role":"assistant","content":"Sure.","tool_calls":[{"id":"call_01","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"touch a\"}"}}]},
           {"role":"tool","tool_call_id":"call_01","content":"(no output)"}],
         "max_completion_tokens":4096,
         "temperature":1.0,
         "tools":[{"type":"function","function":{"name":"Bash","description":"Run","parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}}],
         "stream":true,
         "stream_options":{"include_usage":true}})x"},
    {"ReasoningMinimal",
     R"({"model":"claude-opus-4-1","max_tokens":32000,"system":"S","temperature":0.2,"stop_sequences":["X"],
         "thinking":{"type":"enabled","budget_tokens":8000},"messages":[{"role":"user","content":"hi"}]})",
     Options{"o3", "2025-04-01-preview", true, 16000},
     R"({"messages":[{"role":"developer","content":"S"},{"role":"user","content":"hi"}],
         "max_completion_tokens":16000,"reasoning_effort":"medium"})"},
};

INSTANTIATE_TEST_SUITE_P(Table, ChatRequestWhole, ::testing::ValuesIn(kWholeCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ChatRequestUser, HashedStableAndNotTheRawId) {
  const char* body =
      "{" HEAD R"("metadata":{"user_id":"{\"session_id\":\"s\",\"account_uuid\":\"me@example.com\"}"},"messages":[)" U(
          "hi") "]}";
  auto a = translate(body, kPlain);
  auto b = translate(body, kPlain);
  auto* user = a.body.if_contains("user");
  ASSERT_NE(user, nullptr);
  ASSERT_TRUE(user->is_string());
  std::string u(user->get_string());
  EXPECT_FALSE(u.empty());
  EXPECT_LE(u.size(), 64u);  // safety_identifier / user limit
  EXPECT_EQ(u.find("example.com"), std::string::npos);
  EXPECT_EQ(u.find("session"), std::string::npos);
  EXPECT_EQ(a.body.at("user"), b.body.at("user"));
  auto other = translate("{" HEAD R"("metadata":{"user_id":"someone else"},"messages":[)" U("hi") "]}", kPlain);
  EXPECT_NE(other.body.at("user"), a.body.at("user"));
}

TEST(ChatRequestToolNames, InvalidAndLongNamesAliasedAndMappedBack) {
  const std::string long_name(70, 'x');
  const std::string dotted = "mcp__server__read.file";
  std::string body =
      std::string("{") + HEAD + R"("tools":[{"name":")" + long_name + R"(","input_schema":{}},{"name":")" + dotted +
      R"(","input_schema":{}},{"name":"Read","input_schema":{}}],"tool_choice":{"type":"tool","name":")" + dotted +
      R"("},"messages":[)" + U("hi") + R"(,{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":")" +
      dotted +
      R"(","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]})";
  auto t = translate(body, kPlain);
  auto& tools = t.body.at("tools").as_array();
  ASSERT_EQ(tools.size(), 3u);
  std::string a0(tools[0].at("function").at("name").as_string());
  std::string a1(tools[1].at("function").at("name").as_string());
  std::string a2(tools[2].at("function").at("name").as_string());
  for (auto& alias : {a0, a1}) {
    EXPECT_LE(alias.size(), 64u) << alias;
    EXPECT_TRUE(agp::openai::valid_tool_name(alias)) << alias;
  }
  EXPECT_NE(a0, long_name);
  EXPECT_NE(a1, dotted);
  EXPECT_EQ(a2, "Read");
  EXPECT_EQ(t.names.to_client(a0), long_name);
  EXPECT_EQ(t.names.to_client(a1), dotted);
  EXPECT_EQ(t.names.to_client("Read"), "Read");
  // The same alias in history and tool_choice.
  EXPECT_EQ(t.body.at("tool_choice").at("function").at("name").as_string(), a1);
  EXPECT_EQ(t.body.at("messages").at(1).at("tool_calls").at(0).at("function").at("name").as_string(), a1);
}

TEST(ChatRequestCallIds, LongIdsShortenedConsistently) {
  const std::string long_id = "toolu_" + std::string(50, 'Q');
  const std::string weird_id = "call.with:odd/chars";
  std::string body =
      std::string("{") + HEAD + R"("messages":[)" + U("hi") +
      R"(,{"role":"assistant","content":[{"type":"tool_use","id":")" + long_id +
      R"(","name":"Read","input":{}},{"type":"tool_use","id":")" + weird_id +
      R"(","name":"Read","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":")" + weird_id +
      R"(","content":"W"},{"type":"tool_result","tool_use_id":")" + long_id + R"(","content":"L"}]}]})";
  auto t = translate(body, kPlain);
  auto& msgs = t.body.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 4u) << json::serialize(t.body);
  auto& calls = msgs[1].at("tool_calls").as_array();
  std::string id0(calls[0].at("id").as_string()), id1(calls[1].at("id").as_string());
  EXPECT_LE(id0.size(), 40u);
  EXPECT_LE(id1.size(), 40u);
  EXPECT_NE(id0, id1);
  EXPECT_EQ(msgs[2].at("role"), "tool");
  EXPECT_EQ(msgs[2].at("tool_call_id").as_string(), id1);
  EXPECT_EQ(msgs[2].at("content"), "W");
  EXPECT_EQ(msgs[3].at("tool_call_id").as_string(), id0);
  EXPECT_EQ(msgs[3].at("content"), "L");
}

TEST(ChatRequestFixture, ClaudeCodeToolLoopTurnOnReasoningV1) {
  auto text = read_test_data("claude_code_tool_loop_turn.json");
  auto t = translate(text, kReasoningV1);
  auto& b = t.body;
  EXPECT_EQ(b.at("model"), "gpt-5");
  EXPECT_EQ(b.at("reasoning_effort"), "high");  // adaptive + output_config.effort high
  EXPECT_EQ(b.at("prompt_cache_key"), "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(b.at("max_completion_tokens"), 64000);
  EXPECT_EQ(b.at("stream_options"), json::parse(R"({"include_usage":true})"));
  EXPECT_EQ(b.at("tools").as_array().size(), 25u);
  EXPECT_FALSE(b.contains("temperature"));
  EXPECT_FALSE(b.contains("context_management"));
  auto& m = b.at("messages").as_array();
  ASSERT_EQ(m.size(), 5u) << json::serialize(m);
  EXPECT_EQ(m[0].at("role"), "developer");
  std::string sys(m[0].at("content").as_string());
  EXPECT_EQ(sys.find("x-anthropic-billing-header"), std::string::npos);
  EXPECT_TRUE(sys.starts_with("You are a Claude agent")) << sys.substr(0, 80);
  EXPECT_EQ(m[1].at("role"), "user");
  EXPECT_EQ(m[1].at("content").as_array().size(), 2u);
  EXPECT_EQ(m[2].at("role"), "developer");  // the role:"system" message, in place
  EXPECT_EQ(m[3].at("role"), "assistant");
  EXPECT_EQ(m[3].at("tool_calls").at(0).at("id"), "call_01XyZabc123");
  EXPECT_EQ(m[3].at("tool_calls").at(0).at("function").at("arguments"),
            R"({"command":"echo hello > notes.txt","description":"Create notes.txt"})");
  EXPECT_EQ(m[4],
            json::parse(
                R"x({"role":"tool","tool_call_id":"call_01XyZabc123","content":"(Bash completed with no output)"})x"));
  for (auto& tool : b.at("tools").as_array()) {
    auto& params = tool.at("function").at("parameters").as_object();
    EXPECT_FALSE(params.contains("$schema")) << tool.at("function").at("name");
  }
}

TEST(ChatRequestFixture, ClaudeCodeHaikuRequestOnPlainDeployment) {
  auto text = read_test_data("claude_code_haiku_request.json");
  auto t = translate(text, kPlain);
  auto& b = t.body;
  EXPECT_FALSE(b.contains("reasoning_effort"));  // not a reasoning deployment
  EXPECT_FALSE(b.contains("prompt_cache_key"));  // api 2024-10-21
  EXPECT_TRUE(b.contains("user"));
  EXPECT_EQ(b.at("messages").at(0).at("role"), "system");
}

TEST(ChatRequestHelpers, ApiVersionAtLeast) {
  using agp::openai::chat::api_version_at_least;
  struct Row {
    const char* version;
    const char* date;
    bool expected;
  };
  const Row rows[] = {
      {"v1", "2099-01-01", true},
      {"2024-10-21", "2024-12-01", false},
      {"2024-12-01-preview", "2024-12-01", true},
      {"2025-04-01-preview", "2025-04-01", true},
      {"2025-03-01-preview", "2025-04-01", false},
      {"2025-08-07", "2025-04-01", true},
  };
  for (auto& r : rows) EXPECT_EQ(api_version_at_least(r.version, r.date), r.expected) << r.version << " >= " << r.date;
}

TEST(ChatRequestHelpers, SessionIdOf) {
  using agp::anthropic::session_id_of;
  EXPECT_EQ(session_id_of(R"({"session_id":"abc"})"), "abc");
  EXPECT_EQ(session_id_of(R"({"device_id":"d"})"), "");
  EXPECT_EQ(session_id_of("user_abc_account__session_xyz"), "");
  EXPECT_EQ(session_id_of("{not json"), "");
  EXPECT_EQ(session_id_of(""), "");
}

}  // namespace

namespace {

// Anthropic accepts base64 documents only as application/pdf (plain text comes as source type "text").
// A base64 document of another media type must be rejected (like Anthropic does) or decoded, never
// forwarded to the model as its base64 text.
TEST(ChatRequestBug, Base64NonPdfDocument) {
  const char* body =
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"text/plain","data":"aGVsbG8="}}]}]})";
  auto req = parse_request(std::string_view(body));
  ASSERT_FALSE(req.ok());
  EXPECT_TRUE(req.error().message.starts_with("messages.0.content.0.document.source.base64.media_type")) << req.error().message;
}

}  // namespace

#undef HEAD
#undef U
#undef ASSISTANT_READ
#undef READ_CALL

// A tool's schema is moved out of the client's body into the conversation, which is shared by every
// preparation (failover to another deployment, a resend within learned limits): each one sends the
// schema whole, from either client protocol, for either backend.
TEST(ChatRequestSchemas, EveryPreparationOfOneConversationSendsTheSchema) {
  const json::value schema = json::parse(
      R"({"type":"object","properties":{"path":{"type":"string","description":"file"},"n":{"type":"integer"}},"required":["path"]})");
  const std::string anthropic_body =
      R"({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"read","description":"Reads","input_schema":)" +
      json::serialize(schema) + "}]}";
  const std::string openai_body =
      R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"read","description":"Reads","parameters":)" +
      json::serialize(schema) + "}}]}";
  for (auto front : {agp::exchange::Front::anthropic, agp::exchange::Front::openai_chat}) {
    auto conv = agp::exchange::parse_client_request({front, front == agp::exchange::Front::anthropic ? anthropic_body : openai_body, "", ""});
    ASSERT_TRUE(conv.ok()) << conv.error().message;
    const agp::conv::Conversation shared = std::move(*conv);
    for (int round = 0; round < 2; ++round) {
      agp::exchange::Target chat;
      chat.deployment = "gpt-4o";
      chat.api_version = "2024-10-21";
      auto c = agp::exchange::prepare(shared, chat);
      EXPECT_EQ(c.body.at("tools").at(0).at("function").at("parameters"), schema) << round;
      agp::exchange::Target responses = chat;
      responses.backend = agp::exchange::Backend::responses;
      auto r = agp::exchange::prepare(shared, responses);
      EXPECT_EQ(r.body.at("tools").at(0).at("parameters"), schema) << round;
    }
    ASSERT_EQ(shared.tools.size(), 1u);
    EXPECT_EQ(shared.tools[0].schema(), schema);
  }
}

}  // namespace unit_chat_request_test
