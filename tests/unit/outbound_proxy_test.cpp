#include "upstream/client.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_outbound_proxy_test {

using agp::upstream::bypasses_proxy;

TEST(NoProxy, MatchesHostsAndDomainSuffixes) {
  std::vector<std::string> list{"localhost", "127.0.0.1", ".corp.example", "azure.internal"};
  EXPECT_TRUE(bypasses_proxy("localhost", list));
  EXPECT_TRUE(bypasses_proxy("127.0.0.1", list));
  EXPECT_TRUE(bypasses_proxy("api.corp.example", list));
  EXPECT_TRUE(bypasses_proxy("corp.example", list));
  EXPECT_TRUE(bypasses_proxy("x.azure.internal", list));
  EXPECT_FALSE(bypasses_proxy("my.openai.azure.com", list));
  EXPECT_FALSE(bypasses_proxy("notcorp.example", list));  // a suffix only counts at a dot
  EXPECT_FALSE(bypasses_proxy("127.0.0.10", list));
  EXPECT_TRUE(bypasses_proxy("anything", {"*"}));
  EXPECT_FALSE(bypasses_proxy("anything", {}));
}

}  // namespace unit_outbound_proxy_test
