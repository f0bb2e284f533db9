// Stop sequences on the Chat Completions backend: matched by the proxy when streaming (so the
// answer names the stop, as Anthropic's does) and on reasoning deployments (no `stop` there).
#include "anthropic/request.hpp"
#include "anthropic/stream_validator.hpp"
#include "openai/chat/request.hpp"
#include "pipeline_util.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_chat_stop_test {

namespace json = boost::json;
using namespace agp;

namespace {

anthropic::MessagesRequest req(bool stream) {
  auto r = anthropic::parse_request(
      std::string_view(std::string(R"({"model":"m","max_tokens":50,"stop_sequences":["END","###"],"stream":)") +
                       (stream ? "true" : "false") + R"(,"messages":[{"role":"user","content":"hi"}]})"));
  EXPECT_TRUE(r.ok());
  return *r;
}

std::string chunk(std::string_view content) {
  return json::serialize(json::object{
      {"id", "c"},
      {"choices",
       json::array{json::object{{"index", 0}, {"delta", {{"content", content}}}, {"finish_reason", nullptr}}}}});
}

TEST(ChatStop, WhenTheProxyMatchesStops) {
  EXPECT_TRUE(openai::chat::emulates_stop(req(true), false));    // streaming: always
  EXPECT_FALSE(openai::chat::emulates_stop(req(false), false));  // whole answer: Azure's stop
  EXPECT_TRUE(openai::chat::emulates_stop(req(false), true));    // reasoning: no stop upstream
}

TEST(ChatStop, EmulatedStopsAreNotSentUpstream) {
  auto r = req(true);
  auto sent = openai::chat::to_chat_request(r, {"d", "2024-10-21", false, 0, true});
  EXPECT_FALSE(sent.body.contains("stop"));
  auto native = openai::chat::to_chat_request(req(false), {"d", "2024-10-21", false, 0, false});
  EXPECT_EQ(native.body.at("stop"), (json::array{"END", "###"}));
  auto reasoning = openai::chat::to_chat_request(req(false), {"d", "2024-12-01-preview", true, 0, true});
  EXPECT_FALSE(reasoning.body.contains("stop"));
  EXPECT_TRUE(reasoning.dropped.empty());
}

TEST(ChatStop, StreamCutsAtAMatchSplitAcrossChunks) {
  agp_test::AnswerContext ctx{"claude", "msg_1", nullptr, 10, {"END", "###"}};
  agp_test::StreamTranslator t(ctx);
  anthropic::Events all = t.start();
  for (auto piece : {"one two E", "N", "D three", " four"}) {
    auto ev = t.feed_data(chunk(piece));
    all.insert(all.end(), ev.begin(), ev.end());
  }
  ASSERT_TRUE(t.ended());
  EXPECT_TRUE(t.stopped_early());
  EXPECT_TRUE(anthropic::validate_stream(all).empty());
  std::string text;
  for (auto& e : all)
    if (e.type == "content_block_delta") text += std::string(e.data.at("delta").at("text").as_string());
  EXPECT_EQ(text, "one two ");
  auto& delta = all[all.size() - 2].data.at("delta").as_object();
  EXPECT_EQ(delta.at("stop_reason"), "stop_sequence");
  EXPECT_EQ(delta.at("stop_sequence"), "END");
  // Anything Azure still sends is ignored.
  EXPECT_TRUE(t.feed_data(chunk("more")).empty());
}

TEST(ChatStop, HeldBackTailIsReleasedWhenNoStopMatches) {
  agp_test::AnswerContext ctx{"claude", "msg_1", nullptr, 10, {"END"}};
  agp_test::StreamTranslator t(ctx);
  anthropic::Events all = t.start();
  for (auto d : {chunk("ends with E"), chunk("N"),
                 std::string(R"({"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"),
                 std::string("[DONE]")}) {
    auto ev = t.feed_data(d);
    all.insert(all.end(), ev.begin(), ev.end());
  }
  EXPECT_FALSE(t.stopped_early());
  EXPECT_TRUE(anthropic::validate_stream(all).empty());
  std::string text;
  for (auto& e : all)
    if (e.type == "content_block_delta") text += std::string(e.data.at("delta").at("text").as_string());
  EXPECT_EQ(text, "ends with EN");
  EXPECT_EQ(all[all.size() - 2].data.at("delta").at("stop_reason"), "end_turn");
}

TEST(ChatStop, WholeAnswerIsCutAndLaterToolCallsDropped) {
  auto answer = json::parse(R"({"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant",
    "content":"plan ### then act","tool_calls":[{"id":"call_1","type":"function","function":{"name":"Read","arguments":"{}"}}]}}],
    "usage":{"prompt_tokens":5,"completion_tokens":3}})");
  agp_test::AnswerContext ctx{"claude", "msg_1", nullptr, 10, {"END", "###"}};
  auto msg = agp_test::to_anthropic_message(answer, ctx);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(msg->at("content"), (json::array{json::object{{"type", "text"}, {"text", "plan "}}}));
  EXPECT_EQ(msg->at("stop_reason"), "stop_sequence");
  EXPECT_EQ(msg->at("stop_sequence"), "###");
}

}  // namespace

}  // namespace unit_chat_stop_test
