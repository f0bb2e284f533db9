// At most 128 tools go upstream: deferred (load-on-demand) tools are left out first.
#include "anthropic/content.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_upstream_tools_test {

using namespace agp::anthropic;

namespace {

std::vector<Tool> make(std::size_t always, std::size_t deferred, std::size_t server = 0) {
  std::vector<Tool> out;
  // std::string::append, not "a" + to_string(i): GCC 12 -O3 warns falsely (-Wrestrict) on the latter.
  auto named = [](char prefix, std::size_t i) { return std::string(1, prefix).append(std::to_string(i)); };
  for (std::size_t i = 0; i < always; ++i) out.push_back(Tool{named('a', i), "", {}, "", false});
  for (std::size_t i = 0; i < deferred; ++i) out.push_back(Tool{named('d', i), "", {}, "", true});
  for (std::size_t i = 0; i < server; ++i) out.push_back(Tool{"web_search", "", {}, "web_search_20250305", false});
  return out;
}

TEST(UpstreamTools, UnderTheLimitAllClientToolsGo) {
  std::vector<std::string> dropped;
  auto tools = make(20, 5, 1);
  auto r = upstream_tools(tools, dropped);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 25u);
  EXPECT_EQ(dropped, (std::vector<std::string>{"server tool web_search_20250305"}));
}

TEST(UpstreamTools, OverTheLimitDeferredToolsAreLeftOutFirst) {
  std::vector<std::string> dropped;
  auto tools = make(100, 50);
  auto r = upstream_tools(tools, dropped);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), kMaxUpstreamTools);
  for (std::size_t i = 0; i < 100; ++i) EXPECT_FALSE((*r)[i]->defer_loading);  // every always-loaded tool kept
  EXPECT_EQ(dropped.size(), 22u);
  EXPECT_EQ(dropped.front(), "deferred tool d28 (over the 128-tool limit)");
}

TEST(UpstreamTools, TooManyAlwaysLoadedToolsIsAClearError) {
  std::vector<std::string> dropped;
  auto tools = make(129, 3);
  auto r = upstream_tools(tools, dropped);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400u);
  EXPECT_NE(r.error().message.find("at most 128 tools"), std::string::npos) << r.error().message;
  EXPECT_TRUE(r.error().message.starts_with("tools: ")) << r.error().message;
}

}  // namespace

}  // namespace unit_upstream_tools_test
