// The answer half of the one exchange flow: a backend decoder (Chat Completions or Responses)
// feeds the neutral Answer (the rules), which a front end's sink (Anthropic or OpenAI chat)
// renders. The gateway and --replay both translate answers through this, and nothing else.
#pragma once

#include "anthropic/answer_sinks.hpp"
#include "core/answer.hpp"
#include "openai/azure_errors.hpp"
#include "openai/chat/answer_sinks.hpp"
#include "openai/chat/decode.hpp"
#include "openai/responses/decode.hpp"
#include "wire/sse.hpp"

#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace agp::exchange {

enum class Backend { chat, responses };
enum class Front { anthropic, openai_chat };

struct AnswerOptions {
  Front front = Front::anthropic;
  Backend backend = Backend::chat;
  answer::Rules rules;
  anthropic::AnswerView anthropic;    // front == anthropic
  openai::chat::CompletionView chat;  // front == openai_chat
  openai::UpstreamContext upstream;   // names the deployment in error messages
};

// One streamed answer: upstream SSE frames in, the client's bytes out.
class StreamTranslation {
 public:
  explicit StreamTranslation(const AnswerOptions& opts);
  StreamTranslation(const StreamTranslation&) = delete;
  StreamTranslation& operator=(const StreamTranslation&) = delete;

  std::string start();
  std::string frame(const wire::SseFrame& f);
  std::string finish();  // the upstream body ended
  std::string fail(const Error& e);
  std::string ping() const;  // keep-alive while the upstream is silent

  bool ended() const { return answer_.ended(); }
  bool stopped_early() const { return answer_.stopped_early(); }
  const answer::Usage& usage() const { return answer_.usage(); }
  // What ended the answer with an error the client saw (Anthropic shows a refusal as one).
  const std::optional<Error>& error() const {
    return front_ == Front::anthropic && answer_.refusal() ? answer_.refusal() : answer_.error();
  }
  std::optional<answer::StopReason> stop_reason() const { return answer_.stop_reason(); }
  // Anthropic events produced by the last call (the stream validator reads them).
  const anthropic::Events& last_events() const { return last_events_; }

 private:
  std::string take();

  Front front_;
  std::unique_ptr<answer::Sink> sink_;
  answer::Answer answer_;
  std::variant<openai::chat::StreamDecoder, openai::responses::StreamDecoder> decoder_;
  anthropic::Events last_events_;
};

struct WholeAnswer {
  Result<boost::json::object> message = Error::internal("no answer");  // the client's answer
  answer::Usage usage;
};

// One whole answer: the upstream's JSON in, the client's JSON out.
WholeAnswer translate_whole(const AnswerOptions& opts, const boost::json::value& upstream_answer);

}  // namespace agp::exchange
