// Translation alone (issue 16, scenario d): a captured Claude Code request (bench/lib/inputs.mjs
// writes the 50 KB one) through the same calls the gateway makes for every request, without
// sockets: the client's body parsed into the conversation, prepared for a Chat and a Responses
// deployment, and serialised as the upstream body. bench/proxy.sh runs it on one core.
//   translate_bench FILE.json [google-benchmark flags]
#include "exchange/flow.hpp"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <cstdio>
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
  argv[1] = argv[0];
  --argc;
  ++argv;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
