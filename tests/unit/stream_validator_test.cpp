// anthropic::StreamValidator: accepts the grammar the SDKs rely on, and rejects what breaks it.
#include "anthropic/stream_validator.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_stream_validator_test {

namespace {

namespace json = boost::json;
using agp::anthropic::Event;
using agp::anthropic::Events;

Event ev(const char* data) {
  auto o = json::parse(data).as_object();
  return {std::string(o.at("type").as_string()), o};
}

const char* kStart =
    R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}})";
const char* kTextStart0 = R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})";
const char* kTextDelta0 = R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}})";
const char* kStop0 = R"({"type":"content_block_stop","index":0})";
const char* kToolStart1 =
    R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"Read","input":{}}})";
const char* kToolDelta1a =
    R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"path\":"}})";
const char* kToolDelta1b =
    R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"x\"}"}})";
const char* kStop1 = R"({"type":"content_block_stop","index":1})";
const char* kThinkStart0 =
    R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})";
const char* kThinkDelta0 =
    R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}})";
const char* kSigDelta0 =
    R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"abc"}})";
const char* kMsgDelta =
    R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}})";
const char* kMsgDeltaTool =
    R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":5}})";
const char* kMsgStop = R"({"type":"message_stop"})";
const char* kPing = R"({"type":"ping"})";
const char* kError = R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})";

struct Case {
  const char* name;
  std::vector<const char*> events;
  const char* violation;  // nullptr = valid; else a substring of the first violation
};

class StreamValidator : public ::testing::TestWithParam<Case> {};

TEST_P(StreamValidator, Checks) {
  const auto& c = GetParam();
  Events events;
  for (auto* e : c.events) events.push_back(ev(e));
  auto v = agp::anthropic::validate_stream(events);
  if (!c.violation) {
    EXPECT_TRUE(v.empty()) << ::testing::PrintToString(v);
  } else {
    ASSERT_FALSE(v.empty()) << "expected a violation: " << c.violation;
    EXPECT_NE(v[0].find(c.violation), std::string::npos) << ::testing::PrintToString(v);
  }
}

const Case kCases[] = {
    // valid
    {"TextMessage", {kStart, kPing, kTextStart0, kTextDelta0, kPing, kStop0, kMsgDelta, kMsgStop}, nullptr},
    {"NoBlocks", {kStart, kMsgDelta, kMsgStop}, nullptr},
    {"TextThenTool",
     {kStart, kTextStart0, kTextDelta0, kStop0, kToolStart1, kToolDelta1a, kToolDelta1b, kStop1, kMsgDeltaTool,
      kMsgStop},
     nullptr},
    {"ThinkingWithSignature", {kStart, kThinkStart0, kThinkDelta0, kSigDelta0, kStop0, kMsgDelta, kMsgStop}, nullptr},
    {"ErrorMidBlock", {kStart, kTextStart0, kTextDelta0, kError}, nullptr},
    {"ErrorFirst", {kError}, nullptr},
    {"PingAfterStop", {kStart, kMsgDelta, kMsgStop, kPing}, nullptr},
    // invalid
    {"Empty", {}, "ended without message_stop"},
    {"NoMessageStart", {kTextStart0, kTextDelta0, kStop0, kMsgDelta, kMsgStop}, "before message_start"},
    {"SecondMessageStart", {kStart, kStart, kMsgDelta, kMsgStop}, "second message_start"},
    {"IndexSkipped", {kStart, kToolStart1, kStop1, kMsgDelta, kMsgStop}, "block index 1 where 0 was expected"},
    {"BlockNotClosed", {kStart, kTextStart0, kTextDelta0, kMsgDelta, kMsgStop}, "message_delta while block 0 is open"},
    {"StartWhileOpen",
     {kStart, kTextStart0, kToolStart1, kStop1, kMsgDelta, kMsgStop},
     "started while block 0 is open"},
    {"DeltaForWrongIndex", {kStart, kTextStart0, kToolDelta1a, kStop0, kMsgDelta, kMsgStop}, "delta for block 1"},
    {"DeltaTypeMismatch",
     {kStart, kTextStart0,
      R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}})", kStop0,
      kMsgDelta, kMsgStop},
     "delta 'input_json_delta' in a 'text' block"},
    {"ToolInputCutShortWithoutMaxTokens",
     {kStart, kTextStart0, kStop0, kToolStart1, kToolDelta1a, kStop1, kMsgDeltaTool, kMsgStop},
     "input is incomplete JSON, and stop_reason is not max_tokens"},
    // What Anthropic sends when max_tokens cuts a call short; the SDKs' partial parser takes it.
    {"ToolInputCutShortByMaxTokens",
     {kStart, kTextStart0, kStop0, kToolStart1, kToolDelta1a, kStop1,
      R"({"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":5}})",
      kMsgStop},
     nullptr},
    {"ToolInputCutShortThenError", {kStart, kTextStart0, kStop0, kToolStart1, kToolDelta1a, kStop1, kError}, nullptr},
    {"ToolInputNotJson",
     {kStart, kTextStart0, kStop0, kToolStart1,
      R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"path\" x"}})",
      kStop1, kMsgDeltaTool, kMsgStop},
     "not a JSON object"},
    {"ToolInputNotAnObject",
     {kStart, kTextStart0, kStop0, kToolStart1,
      R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"[1]"}})",
      kStop1, kMsgDeltaTool, kMsgStop},
     "not a JSON object"},
    {"TextStartWithoutText",
     {kStart, R"({"type":"content_block_start","index":0,"content_block":{"type":"text"}})", kStop0, kMsgDelta,
      kMsgStop},
     "without text"},
    {"ThinkingStartWithoutThinking",
     {kStart, R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking"}})", kStop0, kMsgDelta,
      kMsgStop},
     "without thinking"},
    {"ToolStartWithoutInput",
     {kStart, R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"n"}})",
      kStop0, kMsgDeltaTool, kMsgStop},
     "tool_use block start without"},
    {"NoMessageDelta", {kStart, kTextStart0, kStop0, kMsgStop}, "message_stop without a message_delta"},
    {"MessageDeltaWithoutStopReason",
     {kStart, R"({"type":"message_delta","delta":{"stop_sequence":null},"usage":{"output_tokens":1}})", kMsgStop},
     "without stop_reason"},
    {"MessageDeltaWithoutUsage",
     {kStart, R"({"type":"message_delta","delta":{"stop_reason":"end_turn"}})", kMsgStop},
     "usage.output_tokens"},
    {"SecondMessageDelta", {kStart, kMsgDelta, kMsgDelta, kMsgStop}, "second message_delta"},
    {"BlockAfterMessageDelta",
     {kStart, kMsgDelta, kTextStart0, kStop0, kMsgStop},
     "content_block_start after message_delta"},
    {"NoMessageStop", {kStart, kTextStart0, kStop0, kMsgDelta}, "ended without message_stop"},
    {"EventAfterStop", {kStart, kMsgDelta, kMsgStop, kTextStart0}, "after the end of the stream"},
    {"EventAfterError", {kStart, kError, kMsgDelta}, "after the end of the stream"},
    {"DoneLeaked", {kStart, kMsgDelta, kMsgStop, R"({"type":"[DONE]"})"}, "after the end"},
    {"UnknownEvent", {kStart, R"({"type":"content_block_finish","index":0})", kMsgDelta, kMsgStop}, "unknown event"},
    {"ErrorWithoutErrorObject", {kStart, R"({"type":"error","message":"x"})"}, "error event without an error object"},
};

INSTANTIATE_TEST_SUITE_P(Table, StreamValidator, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(StreamValidatorEvent, TypeMismatchBetweenEventAndData) {
  Events events{ev(kStart), Event{"message_stop", json::parse(kMsgDelta).as_object()}};
  auto v = agp::anthropic::validate_stream(events);
  ASSERT_FALSE(v.empty());
  EXPECT_NE(v[0].find("data.type"), std::string::npos) << v[0];
}

}  // namespace

}  // namespace unit_stream_validator_test
