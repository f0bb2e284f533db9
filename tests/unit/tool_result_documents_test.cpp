// A PDF returned by a tool (Claude Code's Read on a .pdf) must reach the model on both
// backends, and never throw.
#include "anthropic/request.hpp"
#include "config/config.hpp"
#include "openai/chat/request.hpp"
#include "openai/responses/from_anthropic.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_tool_result_documents_test {

namespace json = boost::json;
using namespace agp;

namespace {

const char* kBody = R"({"model":"m","max_tokens":100,"messages":[
  {"role":"user","content":"read it"},
  {"role":"assistant","content":[{"type":"tool_use","id":"toolu_pdf","name":"Read","input":{"file_path":"a.pdf"}}]},
  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_pdf","content":[
     {"type":"text","text":"PDF attached"},
     {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQ="}}]}]}]})";

TEST(ToolResultDocument, ResponsesBackendSendsTheListForm) {
  auto req = anthropic::parse_request(std::string_view(kBody));
  ASSERT_TRUE(req.ok()) << req.error().message;
  openai::responses::FromAnthropicOptions opts;
  opts.deployment = "gpt-5";
  auto out = openai::responses::from_anthropic_request(*req, opts);
  const json::object* output_item = nullptr;
  for (auto& item : out.body.at("input").as_array())
    if (item.as_object().at("type") == "function_call_output") output_item = &item.as_object();
  ASSERT_NE(output_item, nullptr);
  auto& parts = output_item->at("output").as_array();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].at("type"), "input_text");
  EXPECT_EQ(parts[1].at("type"), "input_file");
  EXPECT_EQ(parts[1].at("file_data"), "data:application/pdf;base64,JVBERi0xLjQ=");
}

TEST(ToolResultDocument, ChatBackendCarriesItToTheNextUserMessage) {
  auto req = anthropic::parse_request(std::string_view(kBody));
  ASSERT_TRUE(req.ok());
  auto out = openai::chat::to_chat_request(*req, {"gpt-4o", "2024-10-21", false, 0});
  auto& m = out.body.at("messages").as_array();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[2].at("role"), "tool");
  EXPECT_EQ(m[2].at("content"), "PDF attached\n[document attached in the next user message]");
  EXPECT_EQ(m[3].at("role"), "user");
  auto& parts = m[3].at("content").as_array();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].at("type"), "file");
  EXPECT_EQ(parts[1].at("file").at("file_data"), "data:application/pdf;base64,JVBERi0xLjQ=");
}

TEST(ConfigEndpoint, CredentialsInTheUrlAreRefusedWithoutEchoingThem) {
  config::Env env{{"AZURE_OPENAI_ENDPOINT", "https://user:hunter2@res.openai.azure.com"},
                  {"AZURE_OPENAI_API_KEY", "k"},
                  {"BIG_MODEL", "gpt-4o"}};
  try {
    config::load(env);
    FAIL() << "accepted an endpoint with credentials";
  } catch (const config::ConfigError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("AZURE_OPENAI_ENDPOINT"), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
  }
}

}  // namespace

}  // namespace unit_tool_result_documents_test
