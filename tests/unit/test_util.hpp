// Helpers shared by the unit tests: test data files, SSE fixtures, JSON-pointer expectations on
// translated bodies, Anthropic request parsing and summaries of Anthropic event streams.
// Header-only; everything is inline.
#pragma once

#include "anthropic/events.hpp"
#include "anthropic/request.hpp"
#include "wire/sse.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace agp_test {

namespace json = boost::json;

// The whole file at `path` (a failed expectation if it cannot be opened).
inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A file under tests/data (AGP_TEST_DATA), e.g. read_test_data("responses/text.sse").
inline std::string read_test_data(const std::string& relative) {
  return read_file(std::string(AGP_TEST_DATA) + "/" + relative);
}

// All frames of an SSE body, including one left unterminated at the end.
inline std::vector<agp::wire::SseFrame> parse_sse(std::string_view bytes) {
  agp::wire::SseParser p;
  auto out = p.feed(bytes);
  auto rest = p.finish();
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

// The frames of a recorded Azure Responses stream, tests/data/responses/<file> (must not be empty).
inline std::vector<agp::wire::SseFrame> response_frames(const std::string& file) {
  auto out = parse_sse(read_test_data("responses/" + file));
  EXPECT_FALSE(out.empty()) << file;
  return out;
}

// The final Response object of a recorded Responses stream (the terminal event's `response`).
inline json::value final_response(const std::string& file) {
  auto fs = response_frames(file);
  auto v = json::parse(fs.back().data);
  return v.at("response");
}

// One expectation: the value at a JSON pointer of a translated body (json == nullptr: must be absent).
struct Expect {
  const char* pointer;
  const char* json;
};

// Checks every expectation against `body`; stops at the first missing pointer with a fatal
// failure, so callers wrap it in ASSERT_NO_FATAL_FAILURE.
inline void expect_pointers(const json::value& body, const std::vector<Expect>& expect) {
  for (auto& e : expect) {
    boost::system::error_code ec;
    auto* got = body.find_pointer(e.pointer, ec);
    if (!e.json) {
      EXPECT_EQ(got, nullptr) << e.pointer << " should be absent, is " << (got ? json::serialize(*got) : "")
                              << "\nbody: " << json::serialize(body);
      continue;
    }
    ASSERT_NE(got, nullptr) << e.pointer << " missing\nbody: " << json::serialize(body);
    EXPECT_EQ(*got, json::parse(e.json)) << e.pointer << "\n got: " << json::serialize(*got) << "\nwant: " << e.json
                                         << "\nbody: " << json::serialize(body);
  }
}

// An Anthropic Messages request that must parse (a failure names the error and the body).
inline std::optional<agp::anthropic::MessagesRequest> parse_anthropic(std::string_view body) {
  auto req = agp::anthropic::parse_request(body);
  if (!req.ok()) {
    ADD_FAILURE() << "parse: " << req.error().message << "\n" << body;
    return std::nullopt;
  }
  return std::move(*req);
}

// Compact signature of an Anthropic stream event: "type[:detail]".
inline std::string event_signature(const agp::anthropic::Event& e) {
  auto& d = e.data;
  if (e.type == "content_block_start") return "start:" + std::string(d.at("content_block").at("type").as_string());
  if (e.type == "content_block_delta") return "delta:" + std::string(d.at("delta").at("type").as_string());
  if (e.type == "content_block_stop") return "stop";
  if (e.type == "message_delta") return "message_delta:" + std::string(d.at("delta").at("stop_reason").as_string());
  if (e.type == "error") return "error:" + std::string(d.at("error").at("type").as_string());
  return e.type;
}

// An Anthropic event stream and what it carries.
struct EventRun {
  agp::anthropic::Events events;
  std::vector<std::string> sigs;                             // event_signature of each event
  std::string text, thinking;                                // concatenated text / thinking deltas
  std::vector<std::string> signatures;                       // signature deltas, in order
  std::vector<std::string> tool_json, tool_ids, tool_names;  // per tool_use block
};

// Fills sigs, text, thinking, signatures and the tool_* fields of `r` from r.events.
inline void summarize_events(EventRun& r) {
  for (auto& e : r.events) {
    r.sigs.push_back(event_signature(e));
    if (e.type == "content_block_start" && e.data.at("content_block").at("type") == "tool_use") {
      r.tool_json.emplace_back();
      r.tool_ids.emplace_back(e.data.at("content_block").at("id").as_string());
      r.tool_names.emplace_back(e.data.at("content_block").at("name").as_string());
    }
    if (e.type != "content_block_delta") continue;
    auto& delta = e.data.at("delta").as_object();
    if (delta.at("type") == "text_delta") r.text += delta.at("text").as_string();
    if (delta.at("type") == "thinking_delta") r.thinking += delta.at("thinking").as_string();
    if (delta.at("type") == "signature_delta") r.signatures.emplace_back(delta.at("signature").as_string());
    if (delta.at("type") == "input_json_delta") r.tool_json.back() += delta.at("partial_json").as_string();
  }
}

}  // namespace agp_test
