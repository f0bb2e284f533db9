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
