// Azure Chat Completions answers → the neutral answer (pure): a decoder for the chunk stream
// and one for a whole `chat.completion`. Azure's quirks are absorbed here: the
// prompt_filter_results first chunk, asynchronous content-filter annotation chunks, errors
// inside the stream body, a late finish_reason "content_filter".
#pragma once

#include "core/answer.hpp"
#include "core/error.hpp"
#include "openai/azure_errors.hpp"

#include <boost/json.hpp>

#include <set>
#include <string>
#include <string_view>

namespace agp::openai::chat {

// usage: prompt_tokens ⊃ cached_tokens, completion_tokens ⊃ reasoning_tokens.
answer::Usage parse_usage(const boost::json::value* usage);
// Error for an answer the content filter cut, naming the categories.
Error content_filter_error(const boost::json::value* choice_filter_results);

class StreamDecoder {
 public:
  explicit StreamDecoder(answer::Answer& answer) : answer_(answer) {}
  void feed_data(std::string_view data);  // one `data:` payload, [DONE] included
  void feed(const boost::json::value& chunk);
  void finish();  // [DONE], or the body ended
  bool saw_done() const { return saw_done_; }

 private:
  answer::Answer& answer_;
  std::set<int> tools_;  // upstream tool_call indexes seen
  std::string finish_reason_;
  boost::json::value filter_results_;
  answer::Usage usage_;
  bool saw_done_ = false;
};

// A whole chat.completion.
void decode_completion(const boost::json::value& completion, answer::Answer& answer);

}  // namespace agp::openai::chat
