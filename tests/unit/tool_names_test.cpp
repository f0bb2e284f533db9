// openai tool names and call ids: valid ones pass, others get stable, valid aliases mapped back.
#include "core/tool_names.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_tool_names_test {

namespace {

using namespace agp::openai;

bool id_chars(const std::string& s) {
  return !s.empty() &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
}

struct NameCase {
  const char* name;
  std::string input;
  bool valid;
};

class ToolName : public ::testing::TestWithParam<NameCase> {};

TEST_P(ToolName, UpstreamNameIsValidStableAndMapsBack) {
  const auto& c = GetParam();
  EXPECT_EQ(valid_tool_name(c.input), c.valid);
  auto up = upstream_tool_name(c.input);
  EXPECT_TRUE(valid_tool_name(up)) << up;
  EXPECT_LE(up.size(), 64u);
  EXPECT_EQ(up, upstream_tool_name(c.input));  // stable across requests (history uses it)
  if (c.valid) {
    EXPECT_EQ(up, c.input);
  } else {
    EXPECT_NE(up, c.input);
  }
  ToolNames names;
  EXPECT_EQ(names.to_upstream(c.input), up);
  EXPECT_EQ(names.to_client(up), c.input);
}

const NameCase kNames[] = {
    {"Simple", "Read", true},
    {"Underscores", "mcp__github__create_issue", true},
    {"Dash", "web-fetch", true},
    {"Exactly64", std::string(64, 'a'), true},
    {"Length65", std::string(65, 'a'), false},
    {"VeryLong", "mcp__some_really_long_server_name__and_an_even_longer_tool_name_that_goes_on", false},
    {"Dot", "server.tool", false},
    {"Colon", "ns:tool", false},
    {"Space", "my tool", false},
    {"Unicode", "werkzeug_ä", false},
    {"Slash", "a/b", false},
};

INSTANTIATE_TEST_SUITE_P(Table, ToolName, ::testing::ValuesIn(kNames),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ToolNames, DistinctNamesGetDistinctAliases) {
  // Same sanitized prefix, different originals.
  EXPECT_NE(upstream_tool_name("a.b"), upstream_tool_name("a:b"));
  EXPECT_NE(upstream_tool_name(std::string(70, 'x') + "1"), upstream_tool_name(std::string(70, 'x') + "2"));
}

TEST(ToolNames, UnknownUpstreamNamePassesThrough) {
  ToolNames names;
  names.to_upstream("a.b");
  EXPECT_EQ(names.to_client("Read"), "Read");
}

struct CallIdCase {
  const char* name;
  std::string client_id;
  bool unchanged;
};

class UpstreamCallId : public ::testing::TestWithParam<CallIdCase> {};

TEST_P(UpstreamCallId, AtMost40AndStable) {
  const auto& c = GetParam();
  auto up = upstream_call_id(c.client_id);
  EXPECT_LE(up.size(), 40u) << up;
  EXPECT_TRUE(id_chars(up)) << up;
  EXPECT_EQ(up, upstream_call_id(c.client_id));
  if (c.unchanged) {
    EXPECT_EQ(up, c.client_id);
  } else {
    EXPECT_NE(up, c.client_id);
  }
}

const CallIdCase kCallIds[] = {
    {"AnthropicId", "toolu_01XyZabc123", false},  // → call_01XyZabc123
    {"OpenAiId", "call_abc", true},
    {"Exactly40", std::string(40, 'c'), true},
    {"Length41", std::string(41, 'c'), false},
    {"LongAnthropicId", "toolu_01" + std::string(60, 'Z'), false},
    {"Dots", "fc.123", false},
    {"Empty", "", false},
};

INSTANTIATE_TEST_SUITE_P(Table, UpstreamCallId, ::testing::ValuesIn(kCallIds),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CallIdRoundTrip, AzureIdComesBackUnchanged) {
  // Azure's call id → the client's tool_use id → the next request's call id: the same id.
  for (std::string id : {"call_abc", "call_kom4dLU6S9c7TfAz6RT8ZRi9", "call_rt_1"}) {
    auto client = client_tool_use_id(id);
    EXPECT_TRUE(client.starts_with("toolu_")) << client;
    EXPECT_EQ(upstream_call_id(client), id);
  }
  EXPECT_EQ(upstream_call_id("toolu_01XyZabc123"), "call_01XyZabc123");
}

TEST(UpstreamCallId, DistinctLongIdsStayDistinct) {
  EXPECT_NE(upstream_call_id(std::string(50, 'a') + "1"), upstream_call_id(std::string(50, 'a') + "2"));
}

struct ClientIdCase {
  const char* name;
  std::string upstream_id;
  const char* expected;  // nullptr: only the shape is checked
};

class ClientToolUseId : public ::testing::TestWithParam<ClientIdCase> {};

TEST_P(ClientToolUseId, AnthropicShaped) {
  const auto& c = GetParam();
  auto id = client_tool_use_id(c.upstream_id);
  EXPECT_TRUE(id.starts_with("toolu_")) << id;
  EXPECT_TRUE(id_chars(id)) << id;
  EXPECT_GT(id.size(), 6u);
  if (c.expected) {
    EXPECT_EQ(id, c.expected);
  }
}

const ClientIdCase kClientIds[] = {
    {"CallPrefixReplaced", "call_A1b2", "toolu_A1b2"},
    {"ToolUseIdKept", "toolu_01XyZ", "toolu_01XyZ"},
    {"BareId", "abc", "toolu_abc"},
    {"InvalidCharsSanitized", "call_a.b:c", "toolu_a_b_c"},
    {"EmptyGetsRandom", "", nullptr},
    {"OnlyPrefixGetsRandom", "call_", nullptr},
};

INSTANTIATE_TEST_SUITE_P(Table, ClientToolUseId, ::testing::ValuesIn(kClientIds),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ClientToolUseId, CallPrefixedToolUseId) {
  // Header contract: upstream call id → Anthropic tool_use id "toolu_…". An id the proxy would
  // otherwise pass through as "call_toolu_…" (a client id that the model echoes with a call_ prefix)
  // must still start with "toolu_".
  auto id = client_tool_use_id("call_toolu_01abc");
  EXPECT_EQ(id, "toolu_01abc");
  EXPECT_TRUE(id_chars(id)) << id;
}

}  // namespace

}  // namespace unit_tool_names_test
