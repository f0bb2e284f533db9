// anthropic::parse_request: validation errors name the field path; valid bodies become typed structs.
#include "anthropic/request.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

#include <functional>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_request_parse_test {

namespace {

using namespace agp::anthropic;
namespace json = boost::json;

struct ErrorCase {
  const char* name;
  const char* body;
  Endpoint endpoint;
  const char* expected_prefix;  // the error message starts with this (path + ": " + ...)
};

class ParseRequestError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseRequestError, NamesTheFieldPath) {
  const auto& c = GetParam();
  auto r = parse_request(std::string_view(c.body), c.endpoint);
  ASSERT_FALSE(r.ok()) << c.body;
  EXPECT_EQ(r.error().status, 400u);
  EXPECT_EQ(r.error().kind, agp::ErrorKind::invalid_request);
  EXPECT_TRUE(r.error().message.starts_with(c.expected_prefix))
      << "message: " << r.error().message << "\nexpected prefix: " << c.expected_prefix;
}

#define M R"("model":"claude-sonnet-4-5","max_tokens":100,)"
#define HELLO R"({"role":"user","content":"hi"})"

const ErrorCase kErrorCases[] = {
    {"NotJson", "{", Endpoint::messages, "The request body is not valid JSON: unexpected end of the body: line 1 column 2 (char 1)"},
    {"NotObject", "[1,2]", Endpoint::messages, "The request body must be a JSON object, not array"},
    {"ModelMissing", R"({"max_tokens":1,"messages":[)" HELLO "]}", Endpoint::messages, "model: Field required"},
    {"ModelNotString", R"({"model":5,"max_tokens":1,"messages":[)" HELLO "]}", Endpoint::messages,
     "model: Input should be a valid string, not number"},
    {"MaxTokensMissing", R"({"model":"m","messages":[)" HELLO "]}", Endpoint::messages, "max_tokens: Field required"},
    {"MaxTokensString", R"({"model":"m","max_tokens":"10","messages":[)" HELLO "]}", Endpoint::messages,
     "max_tokens: Input should be a valid integer"},
    {"MaxTokensFraction", R"({"model":"m","max_tokens":1.5,"messages":[)" HELLO "]}", Endpoint::messages,
     "max_tokens: Input should be a valid integer"},
    {"MaxTokensNegative", R"({"model":"m","max_tokens":-1,"messages":[)" HELLO "]}", Endpoint::messages,
     "max_tokens: Input should be greater than or equal to 0"},
    {"MessagesMissing", "{" M R"("system":"x"})", Endpoint::messages, "messages: Field required"},
    {"MessagesNotList", "{" M R"("messages":{}})", Endpoint::messages, "messages: Input should be a valid list"},
    {"MessagesEmpty", "{" M R"("messages":[]})", Endpoint::messages, "messages: at least one message is required"},
    {"MessageNotObject", "{" M R"("messages":[)" HELLO R"(,"hi"]})", Endpoint::messages,
     "messages.1: Input should be a valid dictionary or object to extract fields from"},
    {"RoleMissing", "{" M R"("messages":[{"content":"x"}]})", Endpoint::messages, "messages.0.role: Field required"},
    {"RoleInvalid", "{" M R"("messages":[{"role":"tool","content":"x"}]})", Endpoint::messages,
     "messages.0.role: Input should be 'user', 'assistant' or 'system'"},
    {"ContentMissing", "{" M R"("messages":[{"role":"user"}]})", Endpoint::messages,
     "messages.0.content: Field required"},
    {"ContentNumber", "{" M R"("messages":[{"role":"user","content":7}]})", Endpoint::messages,
     "messages.0.content: Input should be a valid string or list of content blocks, not number"},
    {"BlockNotObject", "{" M R"("messages":[{"role":"user","content":["x"]}]})", Endpoint::messages,
     "messages.0.content.0: Input should be a valid dictionary or object to extract fields from"},
    {"BlockTypeMissing", "{" M R"("messages":[)" HELLO "," HELLO R"(,{"role":"user","content":[{"text":"x"}]}]})",
     Endpoint::messages, "messages.2.content.0: Unable to extract tag using discriminator 'type'"},
    {"BlockTypeNotString", "{" M R"("messages":[)" HELLO "," HELLO R"(,{"role":"user","content":[{"type":1}]}]})",
     Endpoint::messages, "messages.2.content.0: Input tag '1' found using 'type' does not match any of the expected tags: 'text', 'image', 'document'"},
    {"TextMissing", "{" M R"("messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text"}]}]})",
     Endpoint::messages, "messages.0.content.1.text.text: Field required"},
    {"TextNotString", "{" M R"("messages":[{"role":"user","content":[{"type":"text","text":[]}]}]})",
     Endpoint::messages, "messages.0.content.0.text.text: Input should be a valid string, not array"},
    {"ImageSourceMissing", "{" M R"("messages":[{"role":"user","content":[{"type":"image"}]}]})", Endpoint::messages,
     "messages.0.content.0.image.source: Field required"},
    {"ImageBadMediaType",
     "{" M
     R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"AAA"}}]}]})",
     Endpoint::messages, "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"},
    {"ImageEmptyData",
     "{" M
     R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":""}}]}]})",
     Endpoint::messages, "messages.0.content.0.image.source.base64.data: "},
    {"ImageUrlMissing", "{" M R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"url"}}]}]})",
     Endpoint::messages, "messages.0.content.0.image.source.url.url: Field required"},
    {"ImageFileSource",
     "{" M R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]})",
     Endpoint::messages, "messages.0.content.0.image.source.file: file sources"},
    {"ImageUnknownSource",
     "{" M R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"ftp"}}]}]})", Endpoint::messages,
     "messages.0.content.0.image.source: Input tag 'ftp' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'"},
    {"ToolUseIdMissing",
     "{" M R"("messages":[)" HELLO R"(,{"role":"assistant","content":[{"type":"tool_use","name":"a","input":{}}]}]})",
     Endpoint::messages, "messages.1.content.0.tool_use.id: Field required"},
    {"ToolUseInputNotObject",
     "{" M R"("messages":[)" HELLO
     R"(,{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"a","input":"x"}]}]})",
     Endpoint::messages, "messages.1.content.0.tool_use.input: Input should be a valid dictionary"},
    {"ToolUseInputMissing",
     "{" M R"("messages":[)" HELLO R"(,{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"a"}]}]})",
     Endpoint::messages, "messages.1.content.0.tool_use.input: Field required"},
    {"ToolResultIdMissing", "{" M R"("messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]})",
     Endpoint::messages, "messages.0.content.0.tool_result.tool_use_id: Field required"},
    {"ToolResultIsErrorNotBool",
     "{" M R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":"yes"}]}]})",
     Endpoint::messages, "messages.0.content.0.tool_result.is_error: Input should be a valid boolean"},
    {"ToolResultNestedBlock",
     "{" M
     R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text"}]}]}]})",
     Endpoint::messages, "messages.0.content.0.tool_result.content.0.text.text: Field required"},
    {"ThinkingTextMissing", "{" M R"("messages":[)" HELLO R"(,{"role":"assistant","content":[{"type":"thinking"}]}]})",
     Endpoint::messages, "messages.1.content.0.thinking.thinking: Field required"},
    {"SystemNotText", "{" M R"("system":[{"type":"image","source":{"type":"url","url":"u"}}],"messages":[)" HELLO "]}",
     Endpoint::messages, "system.0.type: Input should be 'text'"},
    {"SystemNumber", "{" M R"("system":3,"messages":[)" HELLO "]}", Endpoint::messages,
     "system: Input should be a valid string or list of content blocks"},
    {"ToolsNotList", "{" M R"("tools":{},"messages":[)" HELLO "]}", Endpoint::messages,
     "tools: Input should be a valid list"},
    {"ToolNameMissing", "{" M R"("tools":[{"input_schema":{}}],"messages":[)" HELLO "]}", Endpoint::messages,
     "tools.0.custom.name: Field required"},
    {"ToolNameEmpty", "{" M R"("tools":[{"name":"","input_schema":{}}],"messages":[)" HELLO "]}", Endpoint::messages,
     "tools.0.custom.name: String should have at least 1 character"},
    {"ToolSchemaMissing", "{" M R"("tools":[{"name":"a","input_schema":{}},{"name":"b"}],"messages":[)" HELLO "]}",
     Endpoint::messages, "tools.1.custom.input_schema: Field required"},
    {"ToolSchemaNotObject", "{" M R"("tools":[{"name":"a","input_schema":[]}],"messages":[)" HELLO "]}",
     Endpoint::messages, "tools.0.custom.input_schema: Input should be a valid dictionary"},
    {"ToolChoiceBadType", "{" M R"("tool_choice":{"type":"some"},"messages":[)" HELLO "]}", Endpoint::messages,
     "tool_choice: Input tag 'some' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"},
    {"ToolChoiceToolWithoutName", "{" M R"("tool_choice":{"type":"tool"},"messages":[)" HELLO "]}", Endpoint::messages,
     "tool_choice.tool.name: Field required"},
    {"ToolChoiceString", "{" M R"("tool_choice":"auto","messages":[)" HELLO "]}", Endpoint::messages,
     "tool_choice: Input should be a valid dictionary"},
    {"TemperatureString", "{" M R"("temperature":"hot","messages":[)" HELLO "]}", Endpoint::messages,
     "temperature: Input should be a valid number"},
    {"TemperatureTooHigh", "{" M R"("temperature":2.5,"messages":[)" HELLO "]}", Endpoint::messages,
     "temperature: Input should be less than or equal to 1"},
    {"TopPTooHigh", "{" M R"("top_p":1.5,"messages":[)" HELLO "]}", Endpoint::messages, "top_p: Input should be less than or equal to 1"},
    {"TopKNegative", "{" M R"("top_k":-3,"messages":[)" HELLO "]}", Endpoint::messages, "top_k: Input should be greater than or equal to 0"},
    {"StopSequencesNotList", "{" M R"("stop_sequences":"x","messages":[)" HELLO "]}", Endpoint::messages,
     "stop_sequences: Input should be a valid list"},
    {"StopSequenceNotString", "{" M R"("stop_sequences":["a",1],"messages":[)" HELLO "]}", Endpoint::messages,
     "stop_sequences.1: Input should be a valid string"},
    {"StreamNotBool", "{" M R"("stream":"true","messages":[)" HELLO "]}", Endpoint::messages,
     "stream: Input should be a valid boolean"},
    {"ThinkingBudgetMissing", "{" M R"("thinking":{"type":"enabled"},"messages":[)" HELLO "]}", Endpoint::messages,
     "thinking.enabled.budget_tokens: Field required"},
    {"ThinkingBudgetTooSmall", "{" M R"("thinking":{"type":"enabled","budget_tokens":1000},"messages":[)" HELLO "]}",
     Endpoint::messages, "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"},
    {"ThinkingBadType", "{" M R"("thinking":{"type":"maybe"},"messages":[)" HELLO "]}", Endpoint::messages,
     "thinking: Input tag 'maybe' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'"},
    {"MetadataNotObject", "{" M R"("metadata":"u","messages":[)" HELLO "]}", Endpoint::messages,
     "metadata: Input should be a valid dictionary"},
    {"ToolResultImagePath",
     "{" M R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"x"},{"type":"image","source":{"type":"base64","media_type":"image/tiff","data":"AAAA"}}]}]}]})",
     Endpoint::messages,
     // Anthropic's own path for it (claude-code issue #3073).
     "messages.0.content.0.tool_result.content.1.image.source.base64.media_type: Input should be 'image/jpeg'"},
    {"ImageTypeMismatch",
     "{" M R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"iVBORw0KGgo="}}]}]})",
     Endpoint::messages,
     "messages.0.content.0.image.source.base64: The image was specified using the image/jpeg media type, but the "
     "image appears to be a image/png image"},
    {"ImageNotBase64",
     "{" M R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}]}]})",
     Endpoint::messages, "messages.0.content.0.image.source.base64.data: Input should be valid base64 data"},
    {"UnknownBlockType", "{" M R"("messages":[{"role":"user","content":[{"type":"video"}]}]})", Endpoint::messages,
     "messages.0.content.0: Input tag 'video' found using 'type' does not match any of the expected tags: 'text'"},
    {"NumberBeyondDouble", "{" M R"("messages":[)" HELLO R"(],"temperature":1e999})", Endpoint::messages,
     "temperature: number out of range"},
    {"MaxTokensTooBig", R"({"model":"m","max_tokens":3000000000,"messages":[)" HELLO "]}", Endpoint::messages,
     "max_tokens: Input should be less than or equal to 2147483647"},
    {"CountTokensStillNeedsModel", R"({"messages":[)" HELLO "]}", Endpoint::count_tokens, "model: Field required"},
};

INSTANTIATE_TEST_SUITE_P(Table, ParseRequestError, ::testing::ValuesIn(kErrorCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct OkCase {
  const char* name;
  const char* body;
  Endpoint endpoint;
  std::function<void(const MessagesRequest&)> check;
};

class ParseRequestOk : public ::testing::TestWithParam<OkCase> {};

TEST_P(ParseRequestOk, Parses) {
  const auto& c = GetParam();
  auto r = parse_request(std::string_view(c.body), c.endpoint);
  ASSERT_TRUE(r.ok()) << r.error().message;
  c.check(*r);
}

const OkCase kOkCases[] = {
    {"Minimal", "{" M R"("messages":[)" HELLO "]}", Endpoint::messages,
     [](const MessagesRequest& r) {
       EXPECT_EQ(r.model, "claude-sonnet-4-5");
       EXPECT_EQ(r.max_tokens, 100);
       ASSERT_EQ(r.messages.size(), 1u);
       EXPECT_EQ(r.messages[0].role, Role::user);
       ASSERT_EQ(r.messages[0].content.size(), 1u);
       EXPECT_EQ(r.messages[0].content[0].type, BlockType::text);
       EXPECT_EQ(r.messages[0].content[0].text, "hi");
       EXPECT_FALSE(r.stream);
       EXPECT_FALSE(r.tool_choice.has_value());
       EXPECT_EQ(r.thinking.type, ThinkingType::none);
     }},
    {"CountTokensWithoutMaxTokens",
     R"({"model":"claude-haiku-4-5","system":"You are terse.","messages":[)" HELLO
     R"(],"tools":[{"name":"Bash","input_schema":{"type":"object","properties":{}}}]})",
     Endpoint::count_tokens,
     [](const MessagesRequest& r) {
       EXPECT_EQ(r.max_tokens, 0);
       ASSERT_EQ(r.tools.size(), 1u);
       EXPECT_EQ(r.tools[0].name, "Bash");
     }},
    {"SystemString", "{" M R"("system":"Be brief.","messages":[)" HELLO "]}", Endpoint::messages,
     [](const MessagesRequest& r) {
       ASSERT_EQ(r.system.size(), 1u);
       EXPECT_EQ(r.system[0].type, BlockType::text);
       EXPECT_EQ(r.system[0].text, "Be brief.");
     }},
    {"SystemBlocksWithCacheControl",
     "{" M
     R"("system":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}],"messages":[)" HELLO
     "]}",
     Endpoint::messages,
     [](const MessagesRequest& r) {
       ASSERT_EQ(r.system.size(), 2u);
       EXPECT_EQ(r.system[1].text, "b");
     }},
    {"SystemNull", "{" M R"("system":null,"messages":[)" HELLO "]}", Endpoint::messages,
     [](const MessagesRequest& r) { EXPECT_TRUE(r.system.empty()); }},
    {"RoleSystemInsideMessages", "{" M R"("messages":[)" HELLO R"(,{"role":"system","content":"reminder"}]})",
     Endpoint::messages,
     [](const MessagesRequest& r) {
       ASSERT_EQ(r.messages.size(), 2u);
       EXPECT_EQ(r.messages[1].role, Role::system);
       EXPECT_EQ(r.messages[1].content[0].text, "reminder");
     }},
    {"AllBlockTypes", "{" M R"("messages":[
       {"role":"user","content":[
         {"type":"text","text":"t"},
         {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
         {"type":"image","source":{"type":"url","url":"https://x/y.png"}},
         {"type":"document","title":"Spec","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},
         {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain"}},
         {"type":"document","source":{"type":"content","content":[{"type":"text","text":"inner"}]}}]},
       {"role":"assistant","content":[
         {"type":"thinking","thinking":"hmm","signature":"sig"},
         {"type":"redacted_thinking","data":"opaque"},
         {"type":"text","text":"ok"},
         {"type":"tool_use","id":"toolu_1","name":"Read","input":{"path":"a"}},
         {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}]},
       {"role":"user","content":[
         {"type":"tool_result","tool_use_id":"toolu_1","is_error":true,"content":[
           {"type":"text","text":"r"},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4A=="}}]},
         {"type":"tool_result","tool_use_id":"toolu_2","content":"plain result"},
         {"type":"tool_result","tool_use_id":"toolu_3"}]}]})",
     Endpoint::messages,
     [](const MessagesRequest& r) {
       ASSERT_EQ(r.messages.size(), 3u);
       auto& u = r.messages[0].content;
       ASSERT_EQ(u.size(), 6u);
       EXPECT_EQ(u[1].type, BlockType::image);
       EXPECT_EQ(u[1].source.type, "base64");
       EXPECT_EQ(u[1].source.media_type, "image/png");
       EXPECT_EQ(u[1].source.data, "iVBORw0KGgo=");
       EXPECT_EQ(u[2].source.type, "url");
       EXPECT_EQ(u[2].source.url, "https://x/y.png");
       EXPECT_EQ(u[3].type, BlockType::document);
       EXPECT_EQ(u[3].title, "Spec");
       EXPECT_EQ(u[3].source.media_type, "application/pdf");
       EXPECT_EQ(u[4].source.type, "text");
       EXPECT_EQ(u[4].source.data, "plain");
       EXPECT_EQ(u[5].source.type, "content");
       ASSERT_EQ(u[5].content.size(), 1u);
       EXPECT_EQ(u[5].content[0].text, "inner");
       auto& a = r.messages[1].content;
       ASSERT_EQ(a.size(), 5u);
       EXPECT_EQ(a[0].type, BlockType::thinking);
       EXPECT_EQ(a[0].text, "hmm");
       EXPECT_EQ(a[0].signature, "sig");
       EXPECT_EQ(a[1].type, BlockType::redacted_thinking);
       EXPECT_EQ(a[1].data, "opaque");
       EXPECT_EQ(a[3].type, BlockType::tool_use);
       EXPECT_EQ(a[3].id, "toolu_1");
       EXPECT_EQ(a[3].name, "Read");
       EXPECT_EQ(a[3].input, json::parse(R"({"path":"a"})"));
       EXPECT_EQ(a[4].type, BlockType::other);
       EXPECT_EQ(a[4].type_name, "server_tool_use");
       auto& t = r.messages[2].content;
       ASSERT_EQ(t.size(), 3u);
       EXPECT_EQ(t[0].type, BlockType::tool_result);
       EXPECT_TRUE(t[0].is_error);
       ASSERT_EQ(t[0].content.size(), 2u);
       EXPECT_EQ(t[0].content[1].type, BlockType::image);
       ASSERT_EQ(t[1].content.size(), 1u);
       EXPECT_EQ(t[1].content[0].text, "plain result");
       EXPECT_FALSE(t[1].is_error);
       EXPECT_TRUE(t[2].content.empty());
     }},
    {"SamplingAndStops",
     "{" M
     R"("temperature":0.7,"top_p":0.9,"top_k":40,"stop_sequences":["END","","STOP"],"stream":true,"messages":[)" HELLO
     "]}",
     Endpoint::messages,
     [](const MessagesRequest& r) {
       EXPECT_EQ(r.temperature, 0.7);
       EXPECT_EQ(r.top_p, 0.9);
       EXPECT_EQ(r.top_k, 40);
       EXPECT_EQ(r.stop_sequences, (std::vector<std::string>{"END", "STOP"}));  // empty ones dropped
       EXPECT_TRUE(r.stream);
     }},
    {"IntegerTemperature", "{" M R"("temperature":1,"messages":[)" HELLO "]}", Endpoint::messages,
     [](const MessagesRequest& r) { EXPECT_EQ(r.temperature, 1.0); }},
    {"ToolChoiceTool",
     "{" M R"("tool_choice":{"type":"tool","name":"Read","disable_parallel_tool_use":true},"messages":[)" HELLO "]}",
     Endpoint::messages,
     [](const MessagesRequest& r) {
       ASSERT_TRUE(r.tool_choice);
       EXPECT_EQ(r.tool_choice->type, ToolChoiceType::tool);
       EXPECT_EQ(r.tool_choice->name, "Read");
       EXPECT_TRUE(r.tool_choice->disable_parallel_tool_use);
     }},
    {"ToolChoiceAnyNone", "{" M R"("tool_choice":{"type":"none"},"messages":[)" HELLO "]}", Endpoint::messages,
     [](const MessagesRequest& r) { EXPECT_EQ(r.tool_choice->type, ToolChoiceType::none); }},
    {"ServerToolWithoutSchema",
     "{" M R"("tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[)" HELLO "]}",
     Endpoint::messages,
     [](const MessagesRequest& r) {
       ASSERT_EQ(r.tools.size(), 1u);
       EXPECT_EQ(r.tools[0].type, "web_search_20250305");
     }},
    {"ThinkingEnabled", "{" M R"("thinking":{"type":"enabled","budget_tokens":2048},"messages":[)" HELLO "]}",
     Endpoint::messages,
     [](const MessagesRequest& r) {
       EXPECT_EQ(r.thinking.type, ThinkingType::enabled);
       EXPECT_EQ(r.thinking.budget_tokens, 2048);
     }},
    {"ThinkingAdaptiveWithEffort",
     "{" M R"("thinking":{"type":"adaptive"},"output_config":{"effort":"high"},"messages":[)" HELLO "]}",
     Endpoint::messages,
     [](const MessagesRequest& r) {
       EXPECT_EQ(r.thinking.type, ThinkingType::adaptive);
       EXPECT_EQ(r.effort, "high");
     }},
    {"MetadataUserId", "{" M R"("metadata":{"user_id":"{\"session_id\":\"s1\"}"},"messages":[)" HELLO "]}",
     Endpoint::messages, [](const MessagesRequest& r) { EXPECT_EQ(r.user_id, R"({"session_id":"s1"})"); }},
    {"UnknownTopLevelFieldsIgnored",
     "{" M R"("context_management":{"edits":[]},"service_tier":"auto","messages":[)" HELLO "]}", Endpoint::messages,
     [](const MessagesRequest& r) { EXPECT_EQ(r.messages.size(), 1u); }},
    {"MaxTokensZero", R"({"model":"m","max_tokens":0,"messages":[)" HELLO "]}", Endpoint::messages,
     [](const MessagesRequest& r) { EXPECT_EQ(r.max_tokens, 0); }},
};

INSTANTIATE_TEST_SUITE_P(Table, ParseRequestOk, ::testing::ValuesIn(kOkCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ParseRequestFixture, ClaudeCodeRequestsParse) {
  for (const char* file : {"claude_code_tool_loop_turn.json", "claude_code_haiku_request.json"}) {
    auto text = agp_test::read_test_data(file);
    ASSERT_FALSE(text.empty()) << file;
    auto r = parse_request(std::string_view(text));
    ASSERT_TRUE(r.ok()) << file << ": " << r.error().message;
    EXPECT_TRUE(r->stream) << file;
    EXPECT_GE(r->tools.size(), 24u) << file;
    EXPECT_EQ(r->system.size(), 3u) << file;
    EXPECT_FALSE(r->user_id.empty()) << file;
  }
}

}  // namespace

// Anthropic's rule: thinking.budget_tokens < max_tokens, except with interleaved thinking.
TEST(ThinkingBudget, BelowMaxTokensUnlessInterleaved) {
  auto parsed = parse_request(std::string_view(
      R"({"model":"m","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":2000},"messages":[{"role":"user","content":"hi"}]})"));
  ASSERT_TRUE(parsed.ok());
  auto e = thinking_budget_error(*parsed);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->message.starts_with("`max_tokens` must be greater than `thinking.budget_tokens`.")) << e->message;
  parsed->betas = {"claude-code-20250219", "interleaved-thinking-2025-05-14"};
  EXPECT_FALSE(thinking_budget_error(*parsed));
  parsed->betas.clear();
  parsed->max_tokens = 2001;
  EXPECT_FALSE(thinking_budget_error(*parsed));
}

#undef M
#undef HELLO

}  // namespace unit_request_parse_test
