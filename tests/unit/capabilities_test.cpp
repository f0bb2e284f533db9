// What Azure's 400s teach about a deployment (texts as Azure sends them), the nearest effort,
// the AZURE_DEPLOYMENT_CAPABILITIES syntax, and configured values winning over learned ones.
#include "core/capabilities.hpp"
#include "openai/azure_errors.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_capabilities_test {

namespace {

using agp::Capability;

std::string err(const char* message, const char* param = nullptr, const char* code = nullptr) {
  boost::json::object e{{"message", message}, {"type", "invalid_request_error"}};
  e["param"] = param ? boost::json::value(param) : boost::json::value(nullptr);
  e["code"] = code ? boost::json::value(code) : boost::json::value(nullptr);
  return boost::json::serialize(boost::json::object{{"error", e}});
}

struct Case {
  const char* name;
  std::string body;
  std::string learned;  // Capability::describe(), "" = not a capability
};

const Case kCases[] = {
    {"ChatModelRefusesEffort", err("Unrecognized request argument supplied: reasoning_effort"), "reasoning=false"},
    {"ResponsesRefusesEffort",
     err("Unsupported parameter: 'reasoning.effort' is not supported with this model.", "reasoning.effort",
         "unsupported_parameter"),
     "reasoning=false"},
    {"MinimalOnGpt51Responses",
     err("Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. Supported values are: 'none', "
         "'low', 'medium', and 'high'.",
         "reasoning.effort", "unsupported_value"),
     "efforts=none|low|medium|high"},
    {"NoneOnChat", err("Invalid value: 'none'. Supported values are: 'low', 'medium', and 'high'.", "reasoning_effort",
                       "invalid_value"),
     "efforts=low|medium|high"},
    {"FoundryCacheKey", R"({"error":{"code":"unrecognized_request_argument","message":"Unrecognized request argument supplied: prompt_cache_key"}})",
     "prompt_cache_key=false"},
    {"ToolsWithReasoningOnChat",
     err("Function tools with reasoning_effort are not supported for gpt-5.4 in /v1/chat/completions. Please use "
         "/v1/responses instead.",
         "reasoning_effort"),
     "chat_tools_with_reasoning=false"},
    {"EncryptedReasoning", err("Encrypted content is not supported with this model.", "include"),
     "encrypted_reasoning=false"},
    {"Temperature", err("Unsupported parameter: 'temperature' is not supported with this model.", "temperature",
                        "unsupported_parameter"),
     "sampling=false"},
    {"OutputLimit",
     err("max_tokens is too large: 32000. This model supports at most 16384 completion tokens, whereas you provided "
         "32000.",
         "max_tokens", "invalid_value"),
     "max_output_tokens=16384"},
    {"NotACapability", err("Invalid image data.", nullptr, "invalid_image"), ""},
    {"ContextOverflowIsNot",
     err("This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
         "messages", "context_length_exceeded"),
     ""},
    {"NotJson", "<html>bad gateway</html>", ""},
};

class LearnFromAzure : public ::testing::TestWithParam<Case> {};

TEST_P(LearnFromAzure, Teaches) {
  auto c = agp::openai::capability_from_error(GetParam().body);
  EXPECT_EQ(c ? c->describe() : std::string{}, GetParam().learned);
}

INSTANTIATE_TEST_SUITE_P(Errors, LearnFromAzure, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Capabilities, NearestEffort) {
  using agp::nearest_effort;
  EXPECT_EQ(nearest_effort("minimal", {"none", "low", "medium", "high"}), "low");
  EXPECT_EQ(nearest_effort("minimal", {"low", "medium", "high"}), "low");
  EXPECT_EQ(nearest_effort("none", {"low", "medium", "high"}), "low");
  EXPECT_EQ(nearest_effort("xhigh", {"low", "medium", "high"}), "high");
  EXPECT_EQ(nearest_effort("medium", {"low", "medium", "high"}), "medium");
  EXPECT_EQ(nearest_effort("high", {}), "high");
}

TEST(Capabilities, ParseConfigured) {
  std::map<std::string, Capability> m;
  EXPECT_EQ(agp::parse_capabilities("gpt-5-chat:reasoning=false;gpt-5.1:efforts=low|medium|high,prompt_cache_key=false",
                                    m),
            "");
  EXPECT_EQ(m["gpt-5-chat"].describe(), "reasoning=false");
  EXPECT_EQ(m["gpt-5.1"].describe(), "efforts=low|medium|high,prompt_cache_key=false");
  std::map<std::string, Capability> bad;
  EXPECT_NE(agp::parse_capabilities("gpt-5:reasoning=maybe", bad), "");
  EXPECT_NE(agp::parse_capabilities("gpt-5:colour=blue", bad), "");
  EXPECT_NE(agp::parse_capabilities("no-colon", bad), "");
}

TEST(Capabilities, ConfiguredWinsAndLessonsAreLearnedOnce) {
  agp::Capabilities caps;
  Capability configured;
  configured.reasoning = true;
  caps.configure("d", configured);
  Capability lesson;
  lesson.reasoning = false;
  EXPECT_FALSE(caps.learn("d", lesson));  // stated in configuration: not overridden
  EXPECT_EQ(caps.get("d").reasoning, true);
  Capability cache;
  cache.prompt_cache_key = false;
  EXPECT_TRUE(caps.learn("d", cache));
  EXPECT_FALSE(caps.learn("d", cache));  // the same lesson twice teaches nothing: no resend loop
  EXPECT_EQ(caps.get("d").describe(), "reasoning=true,prompt_cache_key=false");
}

}  // namespace

}  // namespace unit_capabilities_test
