// POST /v1/messages and /v1/messages/count_tokens: validate, route, translate, call Azure,
// translate back (whole, or event by event with pings while Azure is silent).
#include "anthropic/errors.hpp"
#include "anthropic/request.hpp"
#include "anthropic/stream_validator.hpp"
#include "config/routing.hpp"
#include "core/ids.hpp"
#include "gateway/app.hpp"
#include "gateway/azure_call.hpp"
#include "gateway/relay.hpp"
#include "http/sse.hpp"
#include "openai/azure_errors.hpp"
#include "openai/chat/request.hpp"
#include "openai/chat/response.hpp"
#include "openai/chat/stream.hpp"
#include "tokens/estimate.hpp"

#include <spdlog/spdlog.h>

namespace agp::gateway {

namespace json = boost::json;

namespace {

struct Prepared {
  anthropic::MessagesRequest request;
  config::Route route;
  openai::chat::Translated chat;
};

Result<Prepared> prepare(const http::Request& req, const config::Config& cfg, anthropic::Endpoint endpoint) {
  auto parsed = anthropic::parse_request(req.message.body(), endpoint);
  if (!parsed) return parsed.error();
  auto route = config::route_model(parsed->model, cfg);
  if (!route) return route.error();
  openai::chat::Options opts{route->deployment, cfg.azure_api_version, route->reasoning, cfg.max_output_tokens};
  auto chat = openai::chat::to_chat_request(*parsed, opts);
  return Prepared{std::move(*parsed), std::move(*route), std::move(chat)};
}

// Chat Completions stream → Anthropic SSE, for pump().
struct AnthropicChatAdapter final : StreamAdapter {
  AnthropicChatAdapter(openai::chat::AnswerContext ctx, openai::UpstreamContext u, bool validate)
      : translator(std::move(ctx)), upstream_ctx(std::move(u)) {
    if (validate) validator.emplace();
  }
  std::string render(const anthropic::Events& events) {
    if (validator)
      for (auto& e : events) validator->feed(e);
    return anthropic::to_sse(events);
  }
  std::string start() override { return render(translator.start()); }
  std::string frame(const http::SseFrame& f) override { return render(translator.feed_data(f.data)); }
  std::string finish() override { return render(translator.finish()); }
  std::string fail(const upstream::TransportError& e) override {
    return render(translator.fail(openai::map_transport_error(e, upstream_ctx)));
  }
  std::string ping() override { return render({anthropic::Event{"ping", {{"type", "ping"}}}}); }
  bool ended() const override { return translator.ended(); }

  openai::chat::StreamTranslator translator;
  openai::UpstreamContext upstream_ctx;
  std::optional<anthropic::StreamValidator> validator;
};

void log_usage(RequestLog& log, const openai::chat::Usage& u) {
  if (!u.seen) return;
  log.tokens_in = u.prompt_tokens;
  log.tokens_out = u.completion_tokens;
  log.tokens_cached = u.cached_tokens;
}

}  // namespace

boost::asio::awaitable<void> App::count_tokens(http::Request& req, http::ResponseWriter& res, RequestLog& log) {
  auto prepared = prepare(req, cfg_, anthropic::Endpoint::count_tokens);
  if (!prepared) {
    log.error = prepared.error().message;
    co_await send_anthropic_error(res, prepared.error(), log.id);
    co_return;
  }
  log.client_model = prepared->route.client_model;
  log.deployment = prepared->route.deployment;
  auto n = tokens::estimate_chat_request(prepared->chat.body);
  log.tokens_in = n;
  http::Headers headers{{"request-id", log.id}};
  json::object body{{"input_tokens", n}};
  std::string text = json::serialize(body);
  co_await res.send(200, "application/json", std::move(text), headers);
}

boost::asio::awaitable<void> App::messages(http::Request& req, http::ResponseWriter& res, RequestLog& log) {
  auto prepared = prepare(req, cfg_, anthropic::Endpoint::messages);
  if (!prepared) {
    log.error = prepared.error().message;
    co_await send_anthropic_error(res, prepared.error(), log.id);
    co_return;
  }
  auto& p = *prepared;
  log.client_model = p.route.client_model;
  log.deployment = p.route.deployment;
  log.stream = p.request.stream;
  for (auto& d : p.chat.dropped) spdlog::debug("{} not sent to Azure: {}", log.id, d);

  auto estimate = tokens::estimate_chat_request(p.chat.body);
  auto url = chat_completions_url(cfg_, p.route.deployment);
  std::string upstream_body = json::serialize(p.chat.body);
  auto answer = co_await call_azure(client_, cfg_, url, p.route.deployment, std::move(upstream_body));
  log.upstream_ms = log.since_start_ms();
  if (answer.error) {
    log.error = answer.error->message;
    co_await send_anthropic_error(res, *answer.error, log.id);
    co_return;
  }

  openai::chat::AnswerContext ctx{p.route.client_model, random_id("msg_"), &p.chat.names, estimate};
  openai::UpstreamContext uctx{p.route.deployment, cfg_.azure_endpoint};

  if (!p.request.stream) {
    auto body = co_await answer.response->read_all(64 << 20);
    if (auto* te = std::get_if<upstream::TransportError>(&body)) {
      auto e = openai::map_transport_error(*te, uctx);
      log.error = e.message;
      co_await send_anthropic_error(res, e, log.id);
      co_return;
    }
    boost::system::error_code ec;
    auto v = json::parse(std::get<std::string>(body), ec);
    if (ec) {
      auto e = Error::internal("Azure OpenAI answered with invalid JSON");
      log.error = e.message;
      co_await send_anthropic_error(res, e, log.id);
      co_return;
    }
    auto msg = openai::chat::to_anthropic_message(v, ctx);
    if (!msg) {
      log.error = msg.error().message;
      co_await send_anthropic_error(res, msg.error(), log.id);
      co_return;
    }
    if (auto* o = v.if_object(); o && o->contains("usage")) log_usage(log, openai::chat::parse_usage(&o->at("usage")));
    log.ttft_ms = log.since_start_ms();
    http::Headers headers{{"request-id", log.id}};
    std::string text = json::serialize(*msg);
    co_await res.send(200, "application/json", std::move(text), headers);
    co_return;
  }

  // Streaming: commit to 200 only now that Azure has said yes, so that every earlier failure
  // keeps its real HTTP status (Claude Code's retry and compaction logic depend on it).
  http::Headers stream_headers{{"request-id", log.id}};
  if (!co_await res.begin_stream(200, "text/event-stream; charset=utf-8", stream_headers)) co_return;
  AnthropicChatAdapter adapter(ctx, uctx, cfg_.validate_stream);
  auto result = co_await pump(std::move(answer.response), res, adapter, cfg_.ping_interval, log.start);
  log.ttft_ms = result.first_output_ms;
  if (result.client_gone) log.error = "client went away; upstream cancelled";
  if (adapter.translator.error()) log.error = adapter.translator.error()->message;
  log_usage(log, adapter.translator.usage());
  if (adapter.validator)
    for (auto& v : adapter.validator->finish()) spdlog::warn("{} stream grammar violation: {}", log.id, v);
}

}  // namespace agp::gateway
