// StopMatcher / cut_at_stop: stop sequences emulated over streamed text.
// Every case is fed whole, at every split point (2 and 3 pieces) and one character at a time;
// the result must not depend on how the text was split, and no piece may end mid-character.
#include "core/stop_matcher.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_stop_matcher_test {

namespace {

using agp::cut_at_stop;
using agp::StopMatcher;

// Byte offsets of UTF-8 character boundaries inside s (excluding 0 and size).
std::vector<std::size_t> boundaries(const std::string& s) {
  std::vector<std::size_t> out;
  for (std::size_t i = 1; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

struct Fed {
  std::string text;  // everything emitted, flush included
  std::optional<std::string> matched;
  std::vector<std::string> pieces;  // each non-empty emission
};

Fed feed_all(const std::vector<std::string>& stops, const std::vector<std::string>& deltas) {
  StopMatcher m(stops);
  Fed f;
  for (auto& d : deltas) {
    auto out = m.feed(d);
    if (!out.text.empty()) f.pieces.push_back(out.text);
    f.text += out.text;
    if (out.matched) {
      EXPECT_FALSE(f.matched.has_value()) << "matched twice";
      f.matched = out.matched;
    }
  }
  auto tail = m.flush();
  if (!tail.empty()) f.pieces.push_back(tail);
  f.text += tail;
  EXPECT_EQ(m.matched(), f.matched.has_value());
  return f;
}

std::string describe(const std::vector<std::string>& deltas) {
  std::string out;
  for (auto& d : deltas) out += "[" + d + "]";
  return out;
}

struct Case {
  const char* name;
  std::vector<std::string> stops;
  std::string text;
  std::string want_text;
  std::optional<std::string> want_matched;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class StopMatcherSplits : public ::testing::TestWithParam<Case> {};

void check(const Case& c, const std::vector<std::string>& deltas) {
  auto f = feed_all(c.stops, deltas);
  EXPECT_EQ(f.text, c.want_text) << "deltas " << describe(deltas);
  EXPECT_EQ(f.matched, c.want_matched) << "deltas " << describe(deltas) << " matched "
                                       << (f.matched ? *f.matched : std::string("(none)"));
  for (auto& p : f.pieces)
    EXPECT_TRUE(valid_utf8(p)) << "half a character emitted: [" << p << "] for deltas " << describe(deltas);
}

TEST_P(StopMatcherSplits, Whole) {
  const auto& c = GetParam();
  check(c, {c.text});
  auto cut = cut_at_stop(c.text, c.stops);
  EXPECT_EQ(cut.text, c.want_text);
  EXPECT_EQ(cut.matched, c.want_matched);
}

TEST_P(StopMatcherSplits, EverySplitPoint) {
  const auto& c = GetParam();
  for (auto i : boundaries(c.text)) check(c, {c.text.substr(0, i), c.text.substr(i)});
}

TEST_P(StopMatcherSplits, EveryThreeWaySplit) {
  const auto& c = GetParam();
  auto b = boundaries(c.text);
  for (std::size_t x = 0; x < b.size(); ++x)
    for (std::size_t y = x + 1; y < b.size(); ++y)
      check(c, {c.text.substr(0, b[x]), c.text.substr(b[x], b[y] - b[x]), c.text.substr(b[y])});
}

TEST_P(StopMatcherSplits, OneCharacterAtATime) {
  const auto& c = GetParam();
  std::vector<std::string> deltas;
  std::size_t start = 0;
  for (auto i : boundaries(c.text)) {
    deltas.push_back(c.text.substr(start, i - start));
    start = i;
  }
  deltas.push_back(c.text.substr(start));
  check(c, deltas);
}

const Case kCases[] = {
    {"NoStopsPassthrough", {}, "hello world", "hello world", std::nullopt},
    {"EmptyStopIgnored", {""}, "hello", "hello", std::nullopt},
    {"SimpleMatch", {"END"}, "abcENDdef", "abc", "END"},
    {"MatchAtStart", {"END"}, "ENDabc", "", "END"},
    {"MatchAtEnd", {"END"}, "abcEND", "abc", "END"},
    {"PartialAtEndReleased", {"END"}, "abcEN", "abcEN", std::nullopt},
    {"NoMatch", {"END"}, "nothing here", "nothing here", std::nullopt},
    {"RepeatedPrefixChars", {"abc"}, "aababc", "aab", "abc"},
    {"SelfOverlappingStop", {"abab"}, "abaabababx", "aba", "abab"},
    {"NewlineStop", {"\n\nHuman:"}, "Answer.\n\nHum\n\nHuman: more", "Answer.\n\nHum", "\n\nHuman:"},
    {"MultipleStopsFirstInText", {"STOP", "HALT"}, "go HALT then STOP", "go ", "HALT"},
    {"EarliestMatchWins", {"world", "lo"}, "hello world", "hel", "lo"},
    // The match that completes first wins (as while generating), whatever the split: a stop that is a
    // prefix of another, and a longer stop starting earlier but completing later.
    {"PrefixStopsSamePosition", {"ab", "abc"}, "xabc", "x", "ab"},  // "ab" completes first
    {"LongerStopStartingEarlierCompletesLater", {"abcd", "bc"}, "xabcd", "xa", "bc"},
    {"PrefixStopsOnlyShortMatches", {"ab", "abc"}, "xabd", "x", "ab"},
    {"PrefixStopsReversedOrder", {"abc", "ab"}, "xabd", "x", "ab"},
    {"UnicodeStopAndText", {"。\n"}, "日本語です。\nその後", "日本語です", "。\n"},
    {"UnicodeEmojiStop", {"🛑"}, "go 🚀 now 🛑 rest", "go 🚀 now ", "🛑"},
    {"UnicodeSharedLeadBytes", {"日本"}, "日曜日本語", "日曜", "日本"},
    {"UnicodeNoMatchReleasesAll", {"éclair"}, "café écl", "café écl", std::nullopt},
    {"UnicodeStopSharesPrefixBytesWithText", {"é!"}, "è é?é!x", "è é?", "é!"},
};

INSTANTIATE_TEST_SUITE_P(StopMatcher, StopMatcherSplits, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(StopMatcherBehaviour, NoStopsEmitsImmediately) {
  StopMatcher m({});
  EXPECT_FALSE(m.active());
  EXPECT_EQ(m.feed("EN").text, "EN");
  EXPECT_EQ(m.flush(), "");
}

TEST(StopMatcherBehaviour, HoldsOnlyPossiblePrefix) {
  StopMatcher m({"END"});
  EXPECT_TRUE(m.active());
  auto a = m.feed("abcEN");
  EXPECT_EQ(a.text, "abc");
  EXPECT_FALSE(a.matched);
  auto b = m.feed("x");  // "ENx" can no longer match
  EXPECT_EQ(b.text, "ENx");
  auto c = m.feed("E");
  EXPECT_EQ(c.text, "");
  EXPECT_EQ(m.flush(), "E");
  EXPECT_EQ(m.flush(), "");
}

TEST(StopMatcherBehaviour, FlushReleasesHeldTail) {
  StopMatcher m({"\n\nHuman:"});
  EXPECT_EQ(m.feed("Done.\n\nHu").text, "Done.");
  EXPECT_EQ(m.flush(), "\n\nHu");
  // After a flush the matcher keeps working on new text.
  auto out = m.feed("x\n\nHuman: y");
  EXPECT_EQ(out.text, "x");
  EXPECT_EQ(out.matched, std::optional<std::string>("\n\nHuman:"));
}

TEST(StopMatcherBehaviour, NothingAfterMatch) {
  StopMatcher m({"END"});
  auto a = m.feed("aEN");
  auto b = m.feed("Dtail");
  EXPECT_EQ(a.text + b.text, "a");
  EXPECT_EQ(b.matched, std::optional<std::string>("END"));
  EXPECT_TRUE(m.matched());
  auto c = m.feed("more END text");
  EXPECT_EQ(c.text, "");
  EXPECT_FALSE(c.matched) << "matched is reported once";
  EXPECT_EQ(m.flush(), "");
}

struct CutCase {
  const char* name;
  std::vector<std::string> stops;
  const char* text;
  const char* want_text;
  std::optional<std::string> want_matched;
};
void PrintTo(const CutCase& c, std::ostream* os) { *os << c.name; }
class StopMatcherCut : public ::testing::TestWithParam<CutCase> {};
TEST_P(StopMatcherCut, Cuts) {
  const auto& c = GetParam();
  auto out = cut_at_stop(c.text, c.stops);
  EXPECT_EQ(out.text, c.want_text);
  EXPECT_EQ(out.matched, c.want_matched);
}
const CutCase kCutCases[] = {
    {"NoStops", {}, "all of it", "all of it", std::nullopt},
    {"NoMatchKeepsPartialTail", {"END"}, "tail EN", "tail EN", std::nullopt},
    {"Cut", {"END"}, "keep END drop", "keep ", "END"},
    {"EarliestOfSeveral", {"zz", "b"}, "abzz", "a", "b"},
    {"Empty", {"END"}, "", "", std::nullopt},
};
INSTANTIATE_TEST_SUITE_P(StopMatcher, StopMatcherCut, ::testing::ValuesIn(kCutCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace

}  // namespace unit_stop_matcher_test
