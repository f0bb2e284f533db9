// Log lines: the request line in text and in JSON (every field typed, strings escaped), and
// messages about a request carrying its id.
#include "ops/logging.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_logging_test {

namespace {

using agp::ops::LogFormat;

struct Capture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  explicit Capture(LogFormat f) {
    auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    agp::ops::set_log_format(f);
  }
  ~Capture() {
    agp::ops::set_log_format(LogFormat::text);
    spdlog::set_default_logger(previous);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out.str());
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
};

agp::ops::RequestRecord record() {
  agp::ops::RequestRecord r;
  r.id = "trace-1";
  r.route = "POST /v1/messages";
  r.remote = "127.0.0.1:5000";
  r.client_model = "claude-sonnet-4-5";
  r.deployment = "gpt-4o";
  r.status = 200;
  r.stream = true;
  r.upstream_ms = 10.4;
  r.ttft_ms = 20.6;
  r.total_ms = 100;
  r.tokens_in = 1200;
  r.tokens_out = 80;
  r.tokens_cached = 1024;
  r.tokens_local = 1190;
  r.count_error = -0.0083;
  r.bytes_out = 5120;
  r.azure_request_id = "apim-1";
  r.retries = {{"big", "http_503"}};
  r.error = "a \"quoted\"\nmessage";
  return r;
}

TEST(Logging, RequestLineAsJson) {
  Capture c(LogFormat::json);
  agp::ops::write_request_line(record());
  auto lines = c.lines();
  ASSERT_EQ(lines.size(), 1u);
  auto v = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(v["level"].as_string(), "info");
  EXPECT_EQ(v["msg"].as_string(), "request");
  EXPECT_EQ(v["request_id"].as_string(), "trace-1");
  EXPECT_EQ(v["status"].to_number<int>(), 200);
  EXPECT_EQ(v["stream"].as_bool(), true);
  EXPECT_EQ(v["upstream_ms"].to_number<int>(), 10);
  EXPECT_EQ(v["ttft_ms"].to_number<int>(), 21);
  EXPECT_EQ(v["tokens_in"].to_number<int>(), 1200);
  EXPECT_EQ(v["tokens_cached"].to_number<int>(), 1024);
  EXPECT_FALSE(v.contains("tokens_reasoning"));  // unknown: left out
  EXPECT_DOUBLE_EQ(v["count_error"].to_number<double>(), -0.0083);
  EXPECT_EQ(v["azure_request_id"].as_string(), "apim-1");
  EXPECT_EQ(v["retries"].as_array()[0].as_object()["reason"].as_string(), "http_503");
  EXPECT_EQ(v["error"].as_string(), "a \"quoted\"\nmessage");
  EXPECT_TRUE(v["ts"].as_string().ends_with("Z"));
}

TEST(Logging, RequestLineAsText) {
  Capture c(LogFormat::text);
  agp::ops::write_request_line(record());
  auto lines = c.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("trace-1 POST /v1/messages 127.0.0.1:5000 status=200 model=claude-sonnet-4-5->gpt-4o stream "
                          "upstream=10ms ttft=21ms total=100ms tokens_in=1200 out=80 cached=1024 local=1190 "
                          "count_err=-0.8% bytes=5120 azure_request_id=apim-1 retries=big:http_503 "
                          "error=\"a \\\"quoted\\\"\\nmessage\""),
            std::string::npos)
      << lines[0];
}

TEST(Logging, MessagesOfARequestCarryItsId) {
  {
    Capture c(LogFormat::json);
    agp::ops::request_log(spdlog::level::warn, "trace-2", "deployment {} failed", "east");
    auto v = boost::json::parse(c.lines().at(0)).as_object();
    EXPECT_EQ(v["request_id"].as_string(), "trace-2");
    EXPECT_EQ(v["msg"].as_string(), "deployment east failed");
    EXPECT_EQ(v["level"].as_string(), "warning");
    spdlog::info("plain \"text\"");
    auto plain = boost::json::parse(c.lines().at(1)).as_object();
    EXPECT_EQ(plain["msg"].as_string(), "plain \"text\"");
  }
  Capture c(LogFormat::text);
  agp::ops::request_log(spdlog::level::info, "trace-3", "resending");
  EXPECT_TRUE(c.lines().at(0).ends_with(" info trace-3 resending")) << c.lines().at(0);
}

}  // namespace

}  // namespace unit_logging_test
