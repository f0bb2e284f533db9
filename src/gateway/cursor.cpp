// Cursor and OpenAI-compatible clients: POST …/chat/completions → Azure Responses API, and the
// models list. gpt-high|gpt-medium|gpt-low|gpt-minimal pick the reasoning effort.
#include "config/routing.hpp"
#include "core/ids.hpp"
#include "gateway/app.hpp"
#include "gateway/azure_call.hpp"
#include "gateway/client_watch.hpp"
#include "gateway/relay.hpp"
#include "openai/azure_errors.hpp"
#include "openai/errors.hpp"
#include "openai/responses/from_chat.hpp"
#include "openai/responses/to_chat.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace agp::gateway {

namespace json = boost::json;

namespace {

constexpr std::string_view kEfforts[] = {"high", "medium", "low", "minimal"};

// Responses events → chat.completion.chunk frames, for pump().
struct ChunkAdapter final : StreamAdapter {
  ChunkAdapter(openai::responses::ToChatContext ctx, openai::UpstreamContext u)
      : stream(std::move(ctx)), upstream_ctx(std::move(u)) {}
  std::string start() override { return stream.start(); }
  std::string frame(const wire::SseFrame& f) override { return stream.feed(f.event, f.data); }
  std::string finish() override { return stream.finish(); }
  std::string fail(const upstream::TransportError& e) override {
    return stream.fail(openai::map_transport_error(e, upstream_ctx));
  }
  std::string ping() override { return ": ping\n\n"; }  // an SSE comment: OpenAI clients skip it
  bool ended() const override { return stream.ended(); }
  openai::responses::ChunkStream stream;
  openai::UpstreamContext upstream_ctx;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

boost::asio::awaitable<void> send_openai_error(http::ResponseWriter& res, const Error& e,
                                               const std::string& request_id) {
  http::Headers h{{"x-request-id", request_id}};
  if (e.retry_after) h.emplace_back("retry-after", *e.retry_after);
  std::string body = openai::error_json(e);
  co_await res.send(openai::error_status(e), "application/json", std::move(body), h);
}

boost::asio::awaitable<void> App::models(http::Request&, http::ResponseWriter& res) {
  json::array data;
  auto add = [&](std::string_view id) {
    for (auto& m : data)
      if (m.as_object().at("id").as_string() == id) return;
    data.push_back({{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "azure-gpt-proxy"}});
  };
  for (auto effort : kEfforts) add("gpt-" + std::string(effort));
  add(cfg_.cursor_deployment);
  add(cfg_.big_model);
  add(cfg_.small_model);
  std::string body = json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
  co_await res.send(200, "application/json", std::move(body));
}

boost::asio::awaitable<void> App::chat_completions(http::Request& req, http::ResponseWriter& res, RequestLog& log) {
  boost::system::error_code ec;
  auto parsed = json::parse(req.message.body(), ec);
  if (ec || !parsed.is_object()) {
    Error e = Error::invalid("request body is not a JSON object");
    log.error = e.message;
    co_await send_openai_error(res, e, log.id);
    co_return;
  }
  std::string model(parsed.get_object().contains("model") && parsed.get_object().at("model").is_string()
                        ? std::string_view(parsed.get_object().at("model").get_string())
                        : std::string_view{});
  openai::responses::FromChatOptions opts;
  opts.summary = cfg_.summary_level == "none" ? "" : cfg_.summary_level;
  bool effort_model = false;
  for (auto effort : kEfforts)
    if (model == "gpt-" + std::string(effort)) {
      opts.deployment = cfg_.cursor_deployment;
      opts.effort = std::string(effort);
      effort_model = true;
    }
  if (!effort_model) {
    auto route = config::route_model(model, cfg_);
    if (!route) {
      log.error = route.error().message;
      co_await send_openai_error(res, route.error(), log.id);
      co_return;
    }
    opts.deployment = route->deployment;
    opts.reasoning = route->reasoning;
  }
  log.client_model = model;
  log.deployment = opts.deployment;

  auto translated = openai::responses::from_chat_request(parsed, opts);
  if (!translated) {
    log.error = translated.error().message;
    co_await send_openai_error(res, translated.error(), log.id);
    co_return;
  }
  for (auto& d : translated->dropped) spdlog::debug("{} not sent to Azure (reasoning model): {}", log.id, d);
  log.stream = translated->stream;

  auto url = responses_url(cfg_);
  if (!url) {
    log.error = url.error().message;
    co_await send_openai_error(res, url.error(), log.id);
    co_return;
  }
  auto call = call_azure_within_limits(client_, cfg_, *url, opts.deployment, translated->body, "max_output_tokens",
                                       output_limits_);
  auto watched = co_await unless_client_leaves(std::move(call), res);
  log.upstream_ms = log.since_start_ms();
  if (!watched) {
    log.error = "client went away before Azure answered; upstream cancelled";
    res.abort();
    co_return;
  }
  auto answer = std::move(*watched);
  if (answer.error) {
    log.error = answer.error->message;
    co_await send_openai_error(res, *answer.error, log.id);
    co_return;
  }

  bool display_ok = true;
  openai::responses::ToChatContext ctx{model,
                                       random_id("chatcmpl-"),
                                       unix_now(),
                                       openai::responses::parse_reasoning_display(cfg_.reasoning_display, display_ok),
                                       translated->include_usage,
                                       {opts.deployment, cfg_.azure_endpoint}};
  openai::UpstreamContext uctx{opts.deployment, cfg_.azure_endpoint};
  auto record_usage = [&](const openai::responses::Usage& u) {
    log.tokens(u.seen, u.input_tokens, u.output_tokens, u.cached_tokens);
  };

  if (!translated->stream) {
    auto whole = co_await read_whole_answer(*answer.response, res, opts.deployment, cfg_);
    if (whole.client_gone) {
      log.error = "client went away while Azure answered; upstream cancelled";
      co_return;
    }
    if (whole.error) {
      log.error = whole.error->message;
      co_await send_openai_error(res, *whole.error, log.id);
      co_return;
    }
    auto& v = whole.json;
    auto completion = openai::responses::to_chat_completion(v, ctx);
    if (!completion) {
      log.error = completion.error().message;
      co_await send_openai_error(res, completion.error(), log.id);
      co_return;
    }
    if (v.is_object() && v.get_object().contains("usage"))
      record_usage(openai::responses::parse_usage(&v.get_object().at("usage")));
    log.ttft_ms = log.since_start_ms();
    std::string text = json::serialize(*completion);
    http::Headers headers{{"x-request-id", log.id}};
    co_await res.send(200, "application/json", std::move(text), headers);
    co_return;
  }

  http::Headers stream_headers{{"x-request-id", log.id}};
  if (!co_await res.begin_stream(200, "text/event-stream; charset=utf-8", stream_headers)) co_return;
  ChunkAdapter adapter(ctx, uctx);
  auto result = co_await pump(std::move(answer.response), res, adapter, cfg_.ping_interval, log.start);
  log.ttft_ms = result.first_output_ms;
  if (result.client_gone) log.error = "client went away; upstream cancelled";
  if (adapter.stream.error()) log.error = adapter.stream.error()->message;
  record_usage(adapter.stream.usage());
}

}  // namespace agp::gateway
