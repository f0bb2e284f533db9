// Anthropic context editing applied to the conversation (context-management beta), with the
// defaults of Anthropic's documentation: clear_thinking keeps the last thinking turn (or all),
// clear_tool_uses clears the oldest results past the trigger, keeping the last 3.
#include "core/context_edits.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_context_edits_test {

namespace {

namespace json = boost::json;
using agp::conv::Conversation;

Conversation conv(const std::string& messages, const std::string& edits) {
  auto c = agp_test::parse_anthropic(R"({"model":"m","max_tokens":10,"messages":)" + messages +
                                     R"(,"context_management":{"edits":)" + edits + "}}");
  EXPECT_TRUE(c.has_value());
  return *c;
}

const char* kThinkingTurns = R"([
  {"role":"user","content":"a"},
  {"role":"assistant","content":[{"type":"thinking","thinking":"t1","signature":"s1"},{"type":"text","text":"A"}]},
  {"role":"user","content":"b"},
  {"role":"assistant","content":[{"type":"thinking","thinking":"t2","signature":"s2"},{"type":"text","text":"B"}]},
  {"role":"user","content":"c"}])";

std::size_t thinking_blocks(const Conversation& c) {
  std::size_t n = 0;
  for (auto& m : c.messages)
    for (auto& b : m.content) n += b.type == agp::conv::BlockType::thinking;
  return n;
}

TEST(ContextEdits, ClearThinkingKeepsTheLastTurnByDefault) {
  auto c = conv(kThinkingTurns, R"([{"type":"clear_thinking_20251015"}])");
  auto applied = agp::conv::apply_context_edits(c);
  EXPECT_EQ(thinking_blocks(c), 1u);
  EXPECT_EQ(c.messages[3].content[0].text, "t2");
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].at("cleared_thinking_turns"), json::value(1));
}

TEST(ContextEdits, ClearThinkingKeepAllClearsNothing) {  // what Claude Code sends
  auto c = conv(kThinkingTurns, R"([{"type":"clear_thinking_20251015","keep":"all"}])");
  EXPECT_TRUE(agp::conv::apply_context_edits(c).empty());
  EXPECT_EQ(thinking_blocks(c), 2u);
}

std::string tool_turns(int n) {
  std::string m = R"([{"role":"user","content":"go"})";
  for (int i = 0; i < n; ++i) {
    auto id = "toolu_" + std::to_string(i);
    auto name = i == 0 ? std::string("Write") : std::string("Read");
    m += R"(,{"role":"assistant","content":[{"type":"tool_use","id":")" + id + R"(","name":")" + name +
         R"(","input":{"p":"f"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":")" + id +
         R"(","content":"output )" + std::to_string(i) + std::string(400, 'x') + R"("}]})";
  }
  return m + "]";
}

std::string result_text(const Conversation& c, std::size_t msg) { return c.messages[msg].content[0].content[0].text; }

TEST(ContextEdits, ClearToolUsesPastTheTriggerKeepsTheLastThree) {
  auto c = conv(tool_turns(6), R"([{"type":"clear_tool_uses_20250919","trigger":{"type":"tool_uses","value":4}}])");
  auto applied = agp::conv::apply_context_edits(c);
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].at("cleared_tool_uses"), json::value(3));
  EXPECT_EQ(result_text(c, 2), agp::conv::kClearedToolResult);    // oldest first
  EXPECT_EQ(result_text(c, 6), agp::conv::kClearedToolResult);
  EXPECT_NE(result_text(c, 8), agp::conv::kClearedToolResult);    // the last three stay
  EXPECT_NE(result_text(c, 12), agp::conv::kClearedToolResult);
  EXPECT_EQ(json::serialize(c.messages[1].content[0].input), R"({"p":"f"})");  // inputs kept by default
}

TEST(ContextEdits, BelowTheTriggerNothingIsCleared) {
  auto c = conv(tool_turns(6), R"([{"type":"clear_tool_uses_20250919"}])");  // 100000 input tokens
  EXPECT_TRUE(agp::conv::apply_context_edits(c).empty());
}

TEST(ContextEdits, ExcludedToolsInputsAndClearAtLeast) {
  auto c = conv(tool_turns(6), R"([{"type":"clear_tool_uses_20250919","trigger":{"type":"tool_uses","value":1},
    "keep":{"type":"tool_uses","value":2},"exclude_tools":["Write"],"clear_tool_inputs":["Read"]}])");
  auto applied = agp::conv::apply_context_edits(c);
  EXPECT_NE(result_text(c, 2), agp::conv::kClearedToolResult);  // Write is excluded
  EXPECT_EQ(result_text(c, 4), agp::conv::kClearedToolResult);
  EXPECT_EQ(json::serialize(c.messages[3].content[0].input), "{}");  // Read's input cleared too
  EXPECT_EQ(applied[0].at("cleared_tool_uses"), json::value(3));
  auto d = conv(tool_turns(6), R"([{"type":"clear_tool_uses_20250919","trigger":{"type":"tool_uses","value":1},
    "clear_at_least":{"type":"input_tokens","value":1000000}}])");
  EXPECT_TRUE(agp::conv::apply_context_edits(d).empty());  // not worth breaking the cache
  EXPECT_NE(result_text(d, 2), agp::conv::kClearedToolResult);
}

}  // namespace

}  // namespace unit_context_edits_test
