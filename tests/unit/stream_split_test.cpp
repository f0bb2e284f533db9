// An upstream stream split across reads at every byte position (and read one byte at a time)
// must give the client exactly the bytes the unsplit stream gives: recorded Chat Completions and
// Responses streams through the real SSE parser and stream translation, both front ends, as
// gateway/relay.cpp's pump() feeds them (feed each piece, finish at the end of the body).
#include "core/json_util.hpp"
#include "exchange/flow.hpp"
#include "record/recording.hpp"
#include "wire/sse.hpp"

#include <gtest/gtest.h>

#include <filesystem>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_stream_split_test {

namespace {

namespace fs = std::filesystem;
namespace x = agp::exchange;

struct Recorded {
  agp::record::Recording rec;
  std::unique_ptr<x::Exchange> exchange;
};

Recorded load(const std::string& name) {
  Recorded out;
  auto rec = agp::record::load(fs::path(AGP_TEST_DATA) / "recordings" / name);
  EXPECT_TRUE(rec.ok()) << name;
  out.rec = std::move(*rec);
  auto spec = x::spec_from_json(out.rec.meta);
  auto* body = agp::find(out.rec.client_request, "body");
  std::string text = boost::json::serialize(*body);
  auto conv = x::parse_client_request({spec.front, text, {}, {}});
  EXPECT_TRUE(conv.ok()) << name << ": " << (conv.ok() ? "" : conv.error().message);
  out.exchange = x::make_exchange(std::move(*conv), spec);
  return out;
}

// The client bytes for the upstream body arriving in these pieces.
std::string translate(const x::Exchange& ex, const std::vector<std::string_view>& pieces) {
  x::StreamTranslation t(ex.answer);
  agp::wire::SseParser sse;
  std::string out = t.start();
  auto take = [&](std::vector<agp::wire::SseFrame> frames) {
    for (auto& f : frames)
      if (!t.ended()) out += t.frame(f);
  };
  for (auto p : pieces) take(sse.feed(p));
  take(sse.finish());
  if (!t.ended()) out += t.finish();
  return out;
}

std::string with_crlf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

struct SplitCase {
  const char* recording;
  bool every_split_crlf;  // also at every byte of the CRLF variant (the small recordings)
  bool every_split;       // at every byte of the recording (all but the largest)
};
void PrintTo(const SplitCase& c, std::ostream* os) { *os << c.recording; }

class StreamSplit : public ::testing::TestWithParam<SplitCase> {};

TEST_P(StreamSplit, EveryByteSplitGivesTheSameClientStream) {
  const auto& c = GetParam();
  auto r = load(c.recording);
  ASSERT_TRUE(r.exchange);
  for (bool crlf : {false, true}) {
    const std::string bytes = crlf ? with_crlf(r.rec.upstream_response) : r.rec.upstream_response;
    std::string whole = translate(*r.exchange, {bytes});
    // The unsplit translation is the recorded (or hand-written) client answer.
    ASSERT_TRUE(agp::record::same_answer(whole, r.rec.client_response)) << whole;
    std::vector<std::string_view> ones;
    for (std::size_t i = 0; i < bytes.size(); ++i) ones.push_back(std::string_view(bytes).substr(i, 1));
    EXPECT_EQ(translate(*r.exchange, ones), whole) << "one byte per read" << (crlf ? " (CRLF)" : "");
    if (!(crlf ? c.every_split_crlf : c.every_split)) continue;
    for (std::size_t at = 0; at <= bytes.size(); ++at) {
      std::string_view b(bytes);
      ASSERT_EQ(translate(*r.exchange, {b.substr(0, at), b.substr(at)}), whole)
          << "split at byte " << at << (crlf ? " (CRLF)" : "");
    }
  }
}

// Chat Completions → Anthropic (tools, Azure's filter chunks), Responses → Anthropic (reasoning;
// tools), Responses → OpenAI chat (tool call deltas). Every split of every recording but the
// largest (12 KB: one byte per read there), whose 24 000 splits would take most of a minute.
INSTANTIATE_TEST_SUITE_P(Recordings, StreamSplit,
                         ::testing::Values(SplitCase{"chat_tools_stream", false, true},
                                           SplitCase{"handwritten_responses_reasoning_stream", true, true},
                                           SplitCase{"handwritten_cursor_tool_stream", true, true},
                                           SplitCase{"responses_tools_stream", false, false}),
                         [](const auto& info) { return std::string(info.param.recording); });

}  // namespace

}  // namespace unit_stream_split_test
