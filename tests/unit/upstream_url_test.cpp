// upstream::parse_url: the parts of an absolute http(s) URL (RFC 3986), the same on a first parse
// and on the ones each thread remembers, and past the number it remembers.
#include "upstream/client.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace agp::upstream {
namespace {

void expect_parts(const std::string& text, bool tls, const std::string& host, const std::string& port,
                  const std::string& target) {
  for (int pass = 0; pass < 2; ++pass) {  // parsed, then remembered
    Url u;
    u.target = "left over from before";
    ASSERT_TRUE(parse_url(text, u)) << text << " pass " << pass;
    EXPECT_EQ(u.tls, tls) << text;
    EXPECT_EQ(u.host, host) << text;
    EXPECT_EQ(u.port, port) << text;
    EXPECT_EQ(u.target, target) << text;
  }
}

TEST(UpstreamUrl, Parts) {
  expect_parts("https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", true,
               "res.openai.azure.com", "443", "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
  expect_parts("http://127.0.0.1:8080/openai/v1/responses", false, "127.0.0.1", "8080", "/openai/v1/responses");
  expect_parts("http://[::1]:9/x", false, "::1", "9", "/x");
  expect_parts("https://host.example", true, "host.example", "443", "/");
  expect_parts("http://host.example?q=1", false, "host.example", "80", "/?q=1");
}

TEST(UpstreamUrl, RefusedAlwaysAndNotRemembered) {
  for (const char* bad : {"", "not a url", "ftp://host/x", "https://", "/relative/path"}) {
    for (int pass = 0; pass < 2; ++pass) {
      Url u;
      EXPECT_FALSE(parse_url(bad, u)) << bad;
    }
  }
}

TEST(UpstreamUrl, ManyDifferentUrls) {
  // More than a thread remembers: each still parses to its own parts.
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 700; ++i) {
      const std::string n = std::to_string(i), port = std::to_string(10000 + i);
      const std::string host = fmt::format("h{}.example", n), path = fmt::format("/d/{}", n);
      expect_parts(fmt::format("http://{}:{}{}", host, port, path), false, host, port, path);
    }
}

}  // namespace
}  // namespace agp::upstream
