// Scripted answers: rules posted by tests via /_mock/rules, matched per chat or responses request.
#pragma once

#include <boost/json/value.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock {

struct ToolCallSpec {
  std::string id;  // empty = generate call_<24 alnum>
  std::string name;
  std::string arguments;  // JSON text
};

struct Respond {
  std::optional<std::string> text;
  std::string reasoning_content;
  std::vector<ToolCallSpec> tool_calls;
  std::string finish_reason;                                     // empty = default
  std::optional<std::int64_t> prompt_tokens, completion_tokens;  // Responses: input_tokens, output_tokens
  std::int64_t cached_tokens = 0;
  std::optional<std::int64_t> reasoning_tokens;
  // Responses API only.
  std::optional<std::string> reasoning_summary;  // a reasoning output item ("" = empty summary)
  std::optional<std::string> encrypted_content;  // default "enc_<random>" when the request includes it
  bool incomplete = false;                       // ends with response.incomplete (max_output_tokens)
  std::optional<std::string> failed;             // ends with response.failed, error.message = this
  std::optional<std::string> error_event;        // ends with a bare `error` event (rate_limit_exceeded)
  unsigned status = 0;                           // 0 = normal 200 answer
  std::optional<boost::json::value> error;
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t delay_ms = 0;
  std::size_t chunk_size = 8;
  std::int64_t chunk_delay_ms = 0;
  std::string fault;  // "", reset_before_headers, reset_mid_stream, hang
  // A raw answer, for malformed-upstream tests: these bytes as they are, written piece by piece
  // (chunk_delay_ms apart) after the status (default 200) and content_type (default by the
  // request: text/event-stream when it streams); then the body ends (raw_end "finish"), the
  // connection is reset ("reset"), or it goes silent until the proxy closes it ("stall").
  std::optional<std::vector<std::string>> raw;
  // raw_repeat {"piece": i, "times": n}: piece i written n times (a huge body from a small rule).
  std::size_t repeat_piece = 0, repeat_times = 1;
  std::string content_type;
  std::string raw_end = "finish";
  bool async_filter = false;
  std::vector<std::string> filter_categories;
};

struct Match {
  std::optional<std::string> deployment, last_role, contains, not_contains;
};

struct Rule {
  Match match;
  long times = -1;  // -1 = forever
  Respond respond;
};

// Parses one rule; on failure returns false and sets `err`.
bool parse_rule(const boost::json::value& v, Rule& out, std::string& err);

struct MatchInput {
  std::string_view deployment, last_role, body;
};

class RuleStore {
 public:
  void add(std::vector<Rule> rules);
  void clear();
  // First matching rule's answer (counting down `times`), or nullopt.
  std::optional<Respond> take(const MatchInput& in);

 private:
  std::mutex mu_;
  std::vector<Rule> rules_;
};

}  // namespace mock
