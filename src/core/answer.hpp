// The protocol-neutral answer: what a backend decoder (Chat Completions chunks, Responses
// events, or a whole answer of either) says happened, and the rules that hold on every path —
// stop sequences, tool-name mapping back, tool arguments, stop-reason precedence and usage
// fallbacks — applied once, in `Answer`, before a front end's `Sink` renders it in the
// client's protocol (Anthropic events or message, OpenAI chunks or completion).
#pragma once

#include "core/error.hpp"
#include "core/stop_matcher.hpp"

#include <boost/json/stream_parser.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agp {
namespace openai {
class ToolNames;
}

namespace answer {

// Tokens as the upstream counted them: cached ⊂ input, reasoning ⊂ output.
struct Usage {
  std::int64_t input = 0, cached = 0, output = 0, reasoning = 0;
  bool seen = false;
};

enum class StopReason { end_turn, max_tokens, tool_use, stop_sequence, content_filter };

// How the upstream said it ended.
enum class Finish { stop, length, tool_calls, content_filter };

// A front end's renderer. Calls arrive in a valid order (Answer guarantees it): at most one
// block open, finish/refuse/fail once, nothing after.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void start() = 0;
  virtual void reasoning_begin() = 0;                  // a reasoning item starts
  virtual void reasoning(std::string_view delta) = 0;  // summary text
  virtual void reasoning_end(std::string_view item_id, std::string_view encrypted_content) = 0;
  virtual void text(std::string_view delta) = 0;
  virtual void text_end() = 0;                                                   // a text item ended
  virtual void tool_begin(std::string_view call_id, std::string_view name) = 0;  // client's name
  virtual void tool_args(std::string_view delta) = 0;
  virtual void tool_end() = 0;
  virtual void finish(StopReason reason, const std::optional<std::string>& stop_sequence, const Usage& usage) = 0;
  // The content filter ended the answer (`e` names the categories).
  virtual void refused(const Error& e, const Usage& usage) = 0;
  virtual void fail(const Error& e) = 0;
};

struct Rules {
  const openai::ToolNames* names = nullptr;  // aliases sent upstream → the client's names
  std::vector<std::string> stop_sequences;   // matched here (the upstream was not told)
  std::int64_t input_tokens_estimate = 0;    // until the upstream's usage arrives
};

class Answer {
 public:
  Answer(Sink& sink, Rules rules);

  void start();
  void reasoning_begin();
  void reasoning(std::string_view delta, int summary_index = 0);
  void reasoning_end(std::string_view item_id, std::string_view encrypted_content);
  void text(std::string_view delta);
  void text_end();
  // `key` identifies the call within this answer (Chat: its index; Responses: its item id).
  void tool_begin(const std::string& key, std::string_view call_id, std::string_view upstream_name);
  void tool_args(const std::string& key, std::string_view delta);
  // The call is complete; `full_arguments` is used when no argument deltas were streamed.
  void tool_end(const std::string& key, std::string_view full_arguments = {});
  void complete(Finish finish, const Usage& usage, const Error* filter_error = nullptr);
  // A whole answer states its usage up front: an answer cut at a stop sequence reports it.
  void set_usage(const Usage& usage);
  void fail(const Error& e);

  bool ended() const { return ended_; }
  bool stopped_early() const { return stopped_early_; }  // a stop sequence matched: cancel the upstream
  const Usage& usage() const { return usage_; }
  const std::optional<Error>& error() const { return error_; }
  const std::optional<Error>& refusal() const { return refusal_; }  // the content filter's verdict
  std::optional<StopReason> stop_reason() const { return stop_reason_; }
  std::size_t output_chars() const { return output_chars_; }

 private:
  struct Call {
    std::string key, name, arguments;
    bool streamed = false, done = false;
    std::shared_ptr<boost::json::stream_parser> syntax;  // the streamed arguments so far, checked as they come
  };
  bool keeps_json(Call& c, std::string_view delta);
  void close_text();
  void close_tool();
  Usage final_usage(Usage u) const;

  Sink& sink_;
  Rules rules_;
  StopMatcher stop_;
  enum class Open { none, reasoning, text, tool } open_ = Open::none;
  int summary_index_ = -1;
  std::vector<Call> calls_;
  bool started_ = false, ended_ = false, stopped_early_ = false;
  std::size_t output_chars_ = 0;
  Usage usage_;
  std::optional<StopReason> stop_reason_;
  std::optional<Error> error_, refusal_;
};

}  // namespace answer
}  // namespace agp
