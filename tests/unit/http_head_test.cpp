// http::render_head: a response head rendered in one piece is byte for byte what Beast's own
// serializer writes for it (operator<< of the header), for the heads the proxy sends.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace unit_http_head_test {
namespace {

namespace bhttp = boost::beast::http;

std::string beast_head(const bhttp::response_header<>& h) {
  std::ostringstream out;
  out << h;
  return out.str();
}

TEST(HttpHead, SameBytesAsBeast) {
  struct Case {
    unsigned status, version;
    bool keep_alive;
    const char* reason;
  };
  for (Case c : {Case{200, 11, true, nullptr}, Case{200, 11, false, nullptr}, Case{200, 10, true, nullptr},
                 Case{200, 10, false, nullptr}, Case{404, 11, true, nullptr}, Case{529, 11, true, nullptr},
                 Case{429, 11, true, nullptr}, Case{599, 11, false, nullptr}, Case{503, 11, true, "Slow Down"}}) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(c.status), c.version};
    if (c.reason) res.reason(c.reason);
    res.set(bhttp::field::content_type, "application/json");
    res.set("request-id", "req_0123456789abcdefABCDEF");
    res.set("x-request-id", "req_0123456789abcdefABCDEF");
    res.set("retry-after", "3");
    res.set("X-Custom-Header", "a value with spaces, and: colons");
    res.keep_alive(c.keep_alive);
    res.body() = R"({"type":"message"})";
    res.prepare_payload();
    const std::string want = beast_head(res.base());
    EXPECT_EQ(agp::http::render_head(res.base()), want) << c.status << " HTTP/" << c.version / 10 << "." << c.version % 10;
    EXPECT_TRUE(want.ends_with("\r\n\r\n"));
  }
}

TEST(HttpHead, NoFields) {
  bhttp::response<bhttp::empty_body> res{bhttp::status::no_content, 11};
  EXPECT_EQ(agp::http::render_head(res.base()), beast_head(res.base()));
  EXPECT_EQ(agp::http::render_head(res.base()), "HTTP/1.1 204 No Content\r\n\r\n");
}

}  // namespace
}  // namespace unit_http_head_test
