// Translation alone (issue 16, scenario d): a captured Claude Code request (bench/lib/inputs.mjs
// writes the 50 KB one) through the same calls the gateway makes for every request, without
// sockets: the client's body parsed into the conversation, prepared for a Chat and a Responses
// deployment, and serialised as the upstream body. bench/proxy.sh runs it on one core.
//   translate_bench FILE.json [google-benchmark flags]
#include "exchange/flow.hpp"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <cstdio>
#include <vector>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace {

namespace json = boost::json;
using namespace agp;

std::string g_body;

exchange::Target target(exchange::Backend backend) {
  exchange::Target t;
  t.deployment = "gpt-4o";
  t.backend = backend;
  t.api_version = "v1";
  return t;
}

conv::Conversation parsed() {
  auto c = exchange::parse_client_request({exchange::Front::anthropic, g_body, "session-1", ""});
  if (!c) throw std::runtime_error("the request does not parse: " + c.error().message);
  return std::move(*c);
}

void Parse(benchmark::State& state) {
  for (auto _ : state) {
    auto c = exchange::parse_client_request({exchange::Front::anthropic, g_body, "session-1", ""});
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(g_body.size()));
}

void Prepare(benchmark::State& state, exchange::Backend backend) {
  auto conv = parsed();
  auto t = target(backend);
  for (auto _ : state) {
    auto p = exchange::prepare(conv, t);
    benchmark::DoNotOptimize(p);
  }
}

// What one request costs end to end in the translator: parse, prepare, serialise.
void Whole(benchmark::State& state, exchange::Backend backend) {
  auto t = target(backend);
  std::size_t out = 0;
  for (auto _ : state) {
    auto c = exchange::parse_client_request({exchange::Front::anthropic, g_body, "session-1", ""});
    auto p = exchange::prepare(std::move(*c), t);
    auto text = json::serialize(p.body);
    out = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["upstream_bytes"] = static_cast<double>(out);
  state.SetItemsProcessed(state.iterations());
}

// The floor any translator pays: the body parsed into a DOM and serialised again, no protocol work.
void JsonRoundTrip(benchmark::State& state) {
  for (auto _ : state) {
    auto text = json::serialize(json::parse(g_body));
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
}

// A streamed answer's translation, Chat chunks in, Anthropic events out, per chunk: an answer of
// kStreamChunks content chunks shaped as Azure sends them (content filter results in every
// chunk; the prompt filter results, role, finish and usage chunks around them).
constexpr int kStreamChunks = 200;

std::vector<wire::SseFrame> azure_chat_stream() {
  const std::string filters =
      R"("content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,)"
      R"("severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}})";
  const std::string tail = R"(,"created":1764720000,"id":"chatcmpl-Bench0000000000000000000000","model":"gpt-4o-2024-11-20",)"
                           R"("object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"})";
  std::vector<wire::SseFrame> frames;
  auto add = [&](std::string data) { frames.push_back({"", std::move(data)}); };
  add(R"({"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,)"
      R"("content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]})");
  add(R"({"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},)"
      R"("finish_reason":null,"index":0,"logprobs":null}])" + tail);
  for (int i = 0; i < kStreamChunks; ++i) {
    char text[16];
    std::snprintf(text, sizeof text, "token%03d", i + 1);
    add(R"({"choices":[{)" + filters + R"(,"delta":{"content":")" + text + R"("},"finish_reason":null,"index":0,)"
        R"("logprobs":null}])" + tail);
  }
  add(R"({"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}])" + tail);
  add(R"({"choices":[],"usage":{"completion_tokens":200,"prompt_tokens":700,"total_tokens":900}})" + tail);
  add("[DONE]");
  return frames;
}

void Stream(benchmark::State& state) {
  auto frames = azure_chat_stream();
  exchange::Spec spec;
  spec.front = exchange::Front::anthropic;
  spec.target = target(exchange::Backend::chat);
  spec.answer_id = "msg_bench";
  auto x = exchange::make_exchange(parsed(), spec);
  std::size_t out = 0;
  for (auto _ : state) {
    exchange::StreamTranslation t(x->answer);
    std::string bytes = t.start();
    for (auto& f : frames) bytes += t.frame(f);
    bytes += t.finish();
    out = bytes.size();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["client_bytes"] = static_cast<double>(out);
  state.SetItemsProcessed(state.iterations() * kStreamChunks);  // items/s: content chunks per second
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: translate_bench FILE.json [benchmark flags]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "translate_bench: cannot read %s\n", argv[1]);
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  g_body = ss.str();
  try {
    (void)parsed();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "translate_bench: %s\n", e.what());
    return 1;
  }
  benchmark::RegisterBenchmark("json_roundtrip", JsonRoundTrip);
  benchmark::RegisterBenchmark("parse", Parse);
  benchmark::RegisterBenchmark("prepare/chat", Prepare, exchange::Backend::chat);
  benchmark::RegisterBenchmark("prepare/responses", Prepare, exchange::Backend::responses);
  benchmark::RegisterBenchmark("whole/chat", Whole, exchange::Backend::chat);
  benchmark::RegisterBenchmark("whole/responses", Whole, exchange::Backend::responses);
  benchmark::RegisterBenchmark("stream/chat", Stream);
  argv[1] = argv[0];
  --argc;
  ++argv;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
