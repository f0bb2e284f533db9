#include "exchange/answer_pipeline.hpp"

namespace agp::exchange {

namespace {

std::unique_ptr<answer::Sink> stream_sink(const AnswerOptions& o) {
  if (o.front == Front::anthropic) return std::make_unique<anthropic::StreamSink>(o.anthropic);
  return std::make_unique<openai::chat::ChunkSink>(o.chat);
}

}  // namespace

StreamTranslation::StreamTranslation(const AnswerOptions& opts)
    : front_(opts.front),
      sink_(stream_sink(opts)),
      answer_(*sink_, opts.rules),
      decoder_(opts.backend == Backend::chat ? decltype(decoder_)(std::in_place_index<0>, answer_)
                                             : decltype(decoder_)(std::in_place_index<1>, answer_, opts.upstream)) {}

std::string StreamTranslation::take() {
  if (front_ == Front::openai_chat) return static_cast<openai::chat::ChunkSink&>(*sink_).take();
  last_events_ = static_cast<anthropic::StreamSink&>(*sink_).take();
  return anthropic::to_sse(last_events_);
}

std::string StreamTranslation::start() {
  answer_.start();
  return take();
}

std::string StreamTranslation::frame(const wire::SseFrame& f) {
  if (auto* chat = std::get_if<0>(&decoder_))
    chat->feed_data(f.data);
  else
    std::get<1>(decoder_).feed(f.event, f.data);
  return take();
}

std::string StreamTranslation::finish() {
  if (auto* chat = std::get_if<0>(&decoder_))
    chat->finish();
  else
    std::get<1>(decoder_).finish();
  return take();
}

std::string StreamTranslation::fail(const Error& e) {
  answer_.fail(e);
  return take();
}

std::string StreamTranslation::ping() const {
  // Anthropic's own keep-alive event; OpenAI clients skip SSE comments.
  return front_ == Front::anthropic ? "event: ping\ndata: {\"type\":\"ping\"}\n\n" : ": ping\n\n";
}

WholeAnswer translate_whole(const AnswerOptions& opts, const boost::json::value& upstream_answer) {
  WholeAnswer out;
  auto run = [&](answer::Sink& sink) {
    answer::Answer answer(sink, opts.rules);
    if (opts.backend == Backend::chat)
      openai::chat::decode_completion(upstream_answer, answer);
    else
      openai::responses::decode_response(upstream_answer, answer, opts.upstream);
    out.usage = answer.usage();
  };
  if (opts.front == Front::anthropic) {
    anthropic::MessageSink sink(opts.anthropic);
    run(sink);
    out.message = sink.result();
  } else {
    openai::chat::CompletionSink sink(opts.chat);
    run(sink);
    out.message = sink.result();
  }
  return out;
}

}  // namespace agp::exchange
