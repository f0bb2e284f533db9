#include "core/answer.hpp"
#include "core/json_util.hpp"

#include "core/tool_names.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace agp::answer {

Answer::Answer(Sink& sink, Rules rules) : sink_(sink), rules_(std::move(rules)), stop_(rules_.stop_sequences) {}

void Answer::start() {
  if (started_) return;
  started_ = true;
  sink_.start();
}

void Answer::close_text() {
  if (auto tail = stop_.flush(); !tail.empty() && !ended_) {
    if (open_ != Open::text) close_tool();
    open_ = Open::text;
    output_chars_ += tail.size();
    sink_.text(tail);
  }
  if (open_ == Open::text) {
    open_ = Open::none;
    sink_.text_end();
  }
}

void Answer::close_tool() {
  if (open_ == Open::tool) {
    calls_.back().done = true;
    open_ = Open::none;
    sink_.tool_end();
  } else if (open_ == Open::reasoning) {
    open_ = Open::none;
    sink_.reasoning_end({}, {});
  }
}

void Answer::reasoning_begin() {
  start();
  if (ended_) return;
  close_text();
  close_tool();
  open_ = Open::reasoning;
  summary_index_ = -1;
  sink_.reasoning_begin();
}

void Answer::reasoning(std::string_view delta, int summary_index) {
  start();
  if (ended_ || delta.empty()) return;
  if (open_ != Open::reasoning) reasoning_begin();
  // Summary parts are paragraphs of one block.
  bool next_part = summary_index_ >= 0 && summary_index != summary_index_;
  summary_index_ = summary_index;
  output_chars_ += delta.size();
  sink_.reasoning(next_part ? "\n\n" + std::string(delta) : delta);
}

void Answer::reasoning_end(std::string_view item_id, std::string_view encrypted_content) {
  start();
  if (ended_) return;
  if (open_ != Open::reasoning) reasoning_begin();
  open_ = Open::none;
  sink_.reasoning_end(item_id, encrypted_content);
}

void Answer::text(std::string_view delta) {
  start();
  if (ended_ || delta.empty()) return;
  auto cut = stop_.feed(delta);
  if (!cut.text.empty()) {
    if (open_ != Open::text) close_tool();
    open_ = Open::text;
    output_chars_ += cut.text.size();
    sink_.text(cut.text);
  }
  if (cut.matched) {
    // The answer ends here, as it would have on Anthropic; the caller cancels the upstream.
    stopped_early_ = true;
    if (open_ == Open::text) {
      open_ = Open::none;
      sink_.text_end();
    }
    close_tool();
    ended_ = true;
    stop_reason_ = StopReason::stop_sequence;
    sink_.finish(StopReason::stop_sequence, cut.matched, final_usage(usage_));
  }
}

void Answer::text_end() {
  start();
  if (!ended_) close_text();
}

// A client parses a call's arguments as they stream (the Anthropic SDKs throw on malformed JSON,
// naming neither the tool nor the cause): a piece that would make them anything but a JSON object,
// or the prefix of one, is not passed on; the answer fails instead, as for arguments found
// invalid at the end. A prefix cut off by the length limit stays valid (stop_reason max_tokens).
bool Answer::keeps_json(Call& c, std::string_view delta) {
  boost::system::error_code ec;
  if (!c.syntax) {
    auto first = delta.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return true;  // whitespace so far
    if (delta[first] != '{') ec = boost::json::error::syntax;
    boost::json::parse_options opts;
    opts.max_depth = 1024;  // as parse_json, which checks the whole arguments at the end
    c.syntax = std::make_shared<boost::json::stream_parser>(boost::json::storage_ptr(), opts);
  }
  if (!ec) c.syntax->write(delta.data(), delta.size(), ec);
  if (!ec) return true;
  fail(Error::internal("Azure OpenAI returned arguments for tool '" + c.name +
                       "' that are not a JSON object; the call was not passed on"));
  return false;
}

void Answer::tool_begin(const std::string& key, std::string_view call_id, std::string_view upstream_name) {
  start();
  if (ended_) return;
  close_text();
  close_tool();
  Call c;
  c.key = key;
  c.name = rules_.names ? rules_.names->to_client(upstream_name) : std::string(upstream_name);
  calls_.push_back(std::move(c));
  open_ = Open::tool;
  sink_.tool_begin(call_id, calls_.back().name);
}

void Answer::tool_args(const std::string& key, std::string_view delta) {
  start();
  if (ended_ || delta.empty()) return;
  auto it = std::find_if(calls_.begin(), calls_.end(), [&](const Call& c) { return c.key == key; });
  if (it == calls_.end()) return;  // arguments of a call that never started: nothing to attach them to
  if (open_ != Open::tool || &*it != &calls_.back()) {
    // Arguments for a call whose block is already closed cannot be expressed in order.
    fail(Error::internal("Azure OpenAI interleaved the arguments of parallel tool calls"));
    return;
  }
  if (!keeps_json(*it, delta)) return;
  it->arguments += delta;
  it->streamed = true;
  output_chars_ += delta.size();
  sink_.tool_args(delta);
}

void Answer::tool_end(const std::string& key, std::string_view full_arguments) {
  start();
  if (ended_) return;
  auto it = std::find_if(calls_.begin(), calls_.end(), [&](const Call& c) { return c.key == key; });
  if (it == calls_.end() || it->done) return;
  if (open_ == Open::tool && &*it == &calls_.back()) {
    // Some answers carry a call's arguments only in the finished item.
    if (!it->streamed && !full_arguments.empty()) {
      if (!keeps_json(*it, full_arguments)) return;
      it->arguments = std::string(full_arguments);
      output_chars_ += full_arguments.size();
      sink_.tool_args(full_arguments);
    }
    close_tool();
  }
}

Usage Answer::final_usage(Usage u) const {
  // Without the upstream's usage, keep the estimates rather than report zeros.
  if (!u.seen) {
    u.input = rules_.input_tokens_estimate;
    u.cached = 0;
    u.output = static_cast<std::int64_t>((output_chars_ + 3) / 4);
  }
  return u;
}

namespace {
bool valid_arguments(const std::string& args) {
  if (args.empty()) return true;  // a call without parameters
  boost::system::error_code ec;
  auto v = parse_json(args, ec);
  return !ec && v.is_object();
}
}  // namespace

void Answer::complete(Finish finish, const Usage& usage, const Error* filter_error) {
  start();
  if (ended_) return;
  usage_ = usage;
  if (finish == Finish::content_filter) {
    ended_ = true;
    stop_reason_ = StopReason::content_filter;
    Error e = filter_error ? *filter_error : Error::invalid("Azure OpenAI's content filter stopped the answer");
    refusal_ = e;
    sink_.refused(e, final_usage(usage_));
    return;
  }
  close_text();
  close_tool();
  StopReason reason = StopReason::end_turn;
  if (finish == Finish::length) {
    // The length limit wins over a tool call: a call cut off mid-arguments must not run.
    reason = StopReason::max_tokens;
  } else if (!calls_.empty()) {
    for (auto& c : calls_)
      if (!valid_arguments(c.arguments)) {
        fail(Error::internal("Azure OpenAI returned arguments for tool '" + c.name +
                             "' that are not a JSON object; the call was not passed on"));
        return;
      }
    reason = StopReason::tool_use;
  }
  ended_ = true;
  stop_reason_ = reason;
  sink_.finish(reason, std::nullopt, final_usage(usage_));
}

void Answer::set_usage(const Usage& usage) { usage_ = usage; }

void Answer::fail(const Error& e) {
  start();
  if (ended_) return;
  ended_ = true;
  error_ = e;
  sink_.fail(e);
}

}  // namespace agp::answer
