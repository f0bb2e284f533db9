#include "wire/sse.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_sse_test {

using agp::wire::SseParser;

TEST(SseParser, FramesSplitAnywhere) {
  const std::string text = "event: a\ndata: {\"x\":1}\n\n: comment\ndata: b1\ndata: b2\r\n\r\ndata: [DONE]\n\n";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    SseParser p;
    auto f1 = p.feed(text.substr(0, split));
    auto f2 = p.feed(text.substr(split));
    f1.insert(f1.end(), f2.begin(), f2.end());
    ASSERT_EQ(f1.size(), 3u) << "split at " << split;
    EXPECT_EQ(f1[0].event, "a");
    EXPECT_EQ(f1[0].data, "{\"x\":1}");
    EXPECT_EQ(f1[1].data, "b1\nb2");
    EXPECT_EQ(f1[2].data, "[DONE]");
  }
}

// The same stream with each of the grammar's line ends (LF, CR, CRLF), fed whole, byte by byte,
// and cut at every pair of points: the frames never depend on how the bytes arrived.
TEST(SseParser, EveryLineEndEveryCut) {
  for (std::string eol : {"\n", "\r", "\r\n"}) {
    const std::string text = "event: a" + eol + "data: {\"x\":1}" + eol + eol + ": c" + eol + "data: b1" + eol +
                             "data:b2" + eol + eol + "data: [DONE]" + eol + eol;
    auto check = [&](std::vector<agp::wire::SseFrame> f, const std::string& how) {
      ASSERT_EQ(f.size(), 3u) << how;
      EXPECT_EQ(f[0].event, "a") << how;
      EXPECT_EQ(f[0].data, "{\"x\":1}") << how;
      EXPECT_EQ(f[1].data, "b1\nb2") << how;
      EXPECT_EQ(f[2].data, "[DONE]") << how;
    };
    SseParser whole;
    check(whole.feed(text), "whole");
    SseParser bytewise;
    std::vector<agp::wire::SseFrame> frames;
    for (char c : text)
      for (auto& f : bytewise.feed(std::string_view(&c, 1))) frames.push_back(f);
    check(frames, "byte by byte");
    for (std::size_t a = 0; a <= text.size(); ++a)
      for (std::size_t b = a; b <= text.size(); ++b) {
        SseParser p;
        std::vector<agp::wire::SseFrame> all;
        for (auto part : {text.substr(0, a), text.substr(a, b - a), text.substr(b)})
          for (auto& f : p.feed(part)) all.push_back(f);
        check(all, "cut at " + std::to_string(a) + " and " + std::to_string(b));
      }
  }
}

TEST(SseParser, FinishFlushesUnterminatedFrame) {
  SseParser p;
  EXPECT_TRUE(p.feed("data: tail").empty());
  auto f = p.finish();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].data, "tail");
}

TEST(SseFormat, EventAndData) {
  EXPECT_EQ(agp::wire::format_sse("ping", "{}"), "event: ping\ndata: {}\n\n");
  EXPECT_EQ(agp::wire::format_sse("", "x"), "data: x\n\n");
}

}  // namespace unit_sse_test
