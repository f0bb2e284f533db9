// History repair at Anthropic's message limit (100 000): every assistant turn's unanswered call gets
// its synthetic result turn, in order, and the repair stays linear — inserting the turns one by
// one into the vector was quadratic (10 000 such turns took seconds; 100 000, many minutes).
#include "core/history.hpp"
#include "core/request_body.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_history_scale_test {

namespace {

using namespace agp::conv;

Message assistant_call(std::size_t i) {
  Block call;
  call.type = BlockType::tool_use;
  call.id = "toolu_" + std::to_string(i);
  call.name = "Read";
  return Message{Role::assistant, {call}};
}

TEST(HistoryScale, EveryUnansweredCallOfAHundredThousandTurnsIsRepairedInOrder) {
  Conversation c;
  const std::size_t n = agp::body::kMaxMessages - 1;
  c.messages.push_back(Message{Role::user, {Block{}}});
  for (std::size_t i = 0; i < n; ++i) c.messages.push_back(assistant_call(i));
  auto notes = repair_tool_history(c);
  EXPECT_EQ(notes.size(), n);
  ASSERT_EQ(c.messages.size(), 1 + 2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& call = c.messages[1 + 2 * i];
    const auto& result = c.messages[2 + 2 * i];
    ASSERT_EQ(call.role, Role::assistant) << i;
    ASSERT_EQ(result.role, Role::user) << i;
    ASSERT_EQ(result.content.size(), 1u) << i;
    EXPECT_EQ(result.content[0].type, BlockType::tool_result);
    EXPECT_EQ(result.content[0].tool_use_id, call.content[0].id);
  }
}

}  // namespace

}  // namespace unit_history_scale_test
