// The streamed-answer path as the gateway runs it (gateway/relay.cpp): upstream bytes, split as
// TCP reads would split them, through wire::SseParser into exchange::StreamTranslation, for
// one backend and either front end, driven to its end like the relay does (finish, or fail on a
// transport error). Whatever the upstream sent, the client's bytes are SSE frames of JSON, and
// an Anthropic client's events follow the grammar the SDKs rely on (anthropic/stream_validator).
#pragma once

#include "anthropic/stream_validator.hpp"
#include "core/tool_names.hpp"
#include "exchange/answer_pipeline.hpp"
#include "fuzz_util.hpp"
#include "wire/sse.hpp"

namespace agp_fuzz {

inline void run_stream(agp::exchange::Backend backend, const std::uint8_t* data, std::size_t size) {
  namespace x = agp::exchange;
  auto text = bytes(data, size);
  // The last byte picks the options, so seeds are plain upstream recordings.
  unsigned knobs = size ? data[size - 1] : 0;
  static const agp::openai::ToolNames names;
  x::AnswerOptions o;
  o.backend = backend;
  o.front = knobs & 1 ? x::Front::openai_chat : x::Front::anthropic;
  o.rules = {&names, knobs & 2 ? std::vector<std::string>{"STOP", "\n\n"} : std::vector<std::string>{}, 17};
  o.anthropic = {"msg_fuzz", "claude-sonnet-4-5", 17, (knobs & 4) != 0, (knobs & 8) != 0, (knobs & 16) != 0, {}};
  o.chat.client_model = "gpt-fuzz";
  o.chat.id = "chatcmpl-fuzz";
  o.upstream.deployment = "fuzz-dep";
  x::StreamTranslation t(o);
  std::string out = t.start();
  agp::wire::SseParser sse;
  std::size_t piece = 1 + (knobs >> 5) * 97;
  for (std::size_t at = 0; at < text.size() && !t.ended(); at += piece) {
    for (auto& f : sse.feed(text.substr(at, piece))) {
      if (t.ended()) break;
      out += t.frame(f);
    }
  }
  for (auto& f : sse.finish()) {
    if (t.ended()) break;
    out += t.frame(f);
  }
  if (!t.ended()) out += knobs & 32 ? t.fail(agp::Error::internal("upstream reset")) : t.finish();
  check(t.ended(), "the translation has ended");
  agp::wire::SseParser client;
  auto frames = client.feed(out);
  auto tail = client.finish();
  frames.insert(frames.end(), tail.begin(), tail.end());
  agp::anthropic::StreamValidator grammar;
  for (auto& f : frames) {
    if (f.data == "[DONE]") continue;  // the OpenAI chat stream's end
    boost::system::error_code ec;
    auto v = boost::json::parse(f.data, ec);
    check(!ec && v.is_object(), "every frame the client gets is a JSON object");
    if (o.front == x::Front::anthropic) grammar.feed({f.event, v.as_object()});
  }
  if (o.front == x::Front::anthropic) {
    auto& bad = grammar.finish();
    if (!bad.empty()) std::fprintf(stderr, "%s\n", bad.front().c_str());
    check(bad.empty(), "the Anthropic stream follows the grammar");
  }
}

}  // namespace agp_fuzz
