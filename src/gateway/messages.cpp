// POST /v1/messages and /v1/messages/count_tokens: validate, route, translate, call Azure
// (Chat Completions or the Responses API, per deployment), translate back — whole, or event
// by event with pings while Azure is silent.
#include "anthropic/content.hpp"
#include "anthropic/errors.hpp"
#include "anthropic/request.hpp"
#include "anthropic/stream_validator.hpp"
#include "config/routing.hpp"
#include "core/ids.hpp"
#include "gateway/app.hpp"
#include "gateway/azure_call.hpp"
#include "gateway/client_watch.hpp"
#include "gateway/recorder.hpp"
#include "gateway/relay.hpp"
#include "wire/sse.hpp"
#include "openai/azure_errors.hpp"
#include "openai/chat/request.hpp"
#include "openai/chat/response.hpp"
#include "openai/chat/stream.hpp"
#include "openai/responses/from_anthropic.hpp"
#include "openai/responses/to_anthropic.hpp"
#include "tokens/count.hpp"

#include <spdlog/spdlog.h>

namespace agp::gateway {

namespace json = boost::json;

namespace {

anthropic::Events feed_frame(openai::chat::StreamTranslator& t, const wire::SseFrame& f) { return t.feed_data(f.data); }
anthropic::Events feed_frame(openai::responses::AnthropicStream& t, const wire::SseFrame& f) {
  return t.feed(f.event, f.data);
}

// An upstream stream translator → Anthropic SSE, for pump().
template <typename Translator>
struct AnthropicAdapter final : StreamAdapter {
  template <typename Ctx>
  AnthropicAdapter(Ctx ctx, openai::UpstreamContext u, bool validate)
      : translator(std::move(ctx)), upstream_ctx(std::move(u)) {
    if (validate) validator.emplace();
  }
  std::string render(const anthropic::Events& events) {
    if (validator)
      for (auto& e : events) validator->feed(e);
    return anthropic::to_sse(events);
  }
  std::string start() override { return render(translator.start()); }
  std::string frame(const wire::SseFrame& f) override { return render(feed_frame(translator, f)); }
  std::string finish() override { return render(translator.finish()); }
  std::string fail(const upstream::TransportError& e) override {
    return render(translator.fail(openai::map_transport_error(e, upstream_ctx)));
  }
  std::string ping() override { return render({anthropic::Event{"ping", {{"type", "ping"}}}}); }
  bool ended() const override { return translator.ended(); }

  Translator translator;
  openai::UpstreamContext upstream_ctx;
  std::optional<anthropic::StreamValidator> validator;
};

void log_usage(RequestLog& log, const openai::chat::Usage& u) {
  log.tokens(u.seen, u.prompt_tokens, u.completion_tokens, u.cached_tokens);
}

void log_usage(RequestLog& log, const openai::responses::Usage& u) {
  log.tokens(u.seen, u.input_tokens, u.output_tokens, u.cached_tokens);
}

// Calls Azure and relays the answer: the whole message, or the stream through `Translator`.
template <typename Translator, typename Ctx, typename Convert>
boost::asio::awaitable<void> relay_answer(upstream::Client& client, const config::Config& cfg, std::string url,
                                          json::object body, std::string_view max_field, OutputLimits& limits,
                                          bool stream, Ctx ctx, Convert convert, http::ResponseWriter& res,
                                          RequestLog& log, Recorder* rec) {
  openai::UpstreamContext uctx{log.deployment, cfg.azure_endpoint};
  auto call = call_azure_within_limits(client, cfg, url, log.deployment, body, max_field, limits);
  auto watched = co_await unless_client_leaves(std::move(call), res);
  if (rec) rec->upstream_request(url, json::serialize(body));  // as last sent
  log.upstream_ms = log.since_start_ms();
  if (!watched) {
    log.error = "client went away before Azure answered; upstream cancelled";
    res.abort();
    co_return;
  }
  auto answer = std::move(*watched);
  if (rec) rec->meta()["upstream_status"] = answer.upstream_status;
  if (answer.error) {
    log.error = answer.error->message;
    if (rec) {
      rec->upstream(answer.error_body);
      if (!answer.retry_after.empty()) rec->meta()["retry_after"] = answer.retry_after;
      if (answer.upstream_status == 0) rec->transport_error(*answer.error);
      rec->client(anthropic::error_json(*answer.error, log.id));
    }
    co_await send_anthropic_error(res, *answer.error, log.id);
    co_return;
  }

  if (!stream) {
    auto whole = co_await read_whole_answer(*answer.response, res, log.deployment, cfg);
    if (whole.client_gone) {
      log.error = "client went away while Azure answered; upstream cancelled";
      co_return;
    }
    if (rec) rec->upstream(whole.raw);
    auto& v = whole.json;
    auto msg = whole.error ? Result<json::object>(*whole.error) : convert(v);
    if (!msg) {
      log.error = msg.error().message;
      co_await send_anthropic_error(res, msg.error(), log.id);
      co_return;
    }
    if (auto* u = v.is_object() ? v.get_object().if_contains("usage") : nullptr) {
      if constexpr (std::is_same_v<Translator, openai::chat::StreamTranslator>)
        log_usage(log, openai::chat::parse_usage(u));
      else
        log_usage(log, openai::responses::parse_usage(u));
    }
    log.ttft_ms = log.since_start_ms();
    std::string text = json::serialize(*msg);
    if (rec) rec->client(text);
    http::Headers headers{{"request-id", log.id}};
    co_await res.send(200, "application/json", std::move(text), headers);
    co_return;
  }

  // Streaming: commit to 200 only now that Azure has said yes, so that every earlier failure
  // keeps its real HTTP status (Claude Code's retry and compaction logic depend on it).
  http::Headers stream_headers{{"request-id", log.id}};
  if (!co_await res.begin_stream(200, "text/event-stream; charset=utf-8", stream_headers)) co_return;
  AnthropicAdapter<Translator> adapter(std::move(ctx), uctx, cfg.validate_stream);
  auto result = co_await pump(std::move(answer.response), res, adapter, cfg.ping_interval, log.start, rec);
  log.ttft_ms = result.first_output_ms;
  if (rec && result.transport_failed && adapter.translator.error()) rec->transport_error(*adapter.translator.error());
  if (result.client_gone) log.error = "client went away; upstream cancelled";
  if (adapter.translator.error()) log.error = adapter.translator.error()->message;
  log_usage(log, adapter.translator.usage());
  if (adapter.validator)
    for (auto& v : adapter.validator->finish()) spdlog::warn("{} stream grammar violation: {}", log.id, v);
}

}  // namespace

boost::asio::awaitable<void> App::count_tokens(http::Request& req, http::ResponseWriter& res, RequestLog& log) {
  auto parsed = anthropic::parse_request(req.message.body(), anthropic::Endpoint::count_tokens);
  auto route = parsed ? config::route_model(parsed->model, cfg_) : Result<config::Route>(parsed.error());
  if (!route) {
    log.error = route.error().message;
    co_await send_anthropic_error(res, route.error(), log.id);
    co_return;
  }
  log.client_model = route->client_model;
  log.deployment = route->deployment;
  openai::chat::Options opts{route->deployment, cfg_.azure_api_version, route->reasoning, cfg_.max_output_tokens};
  auto count = tokens::count_chat_request_detailed(openai::chat::to_chat_request(*parsed, opts).body,
                                                   tokens::encoding_for_model(route->deployment));
  auto n = calibration_.corrected(route->deployment, count);
  log.tokens_local = n;
  http::Headers headers{{"request-id", log.id}};
  json::object body{{"input_tokens", n}};
  std::string text = json::serialize(body);
  co_await res.send(200, "application/json", std::move(text), headers);
}

boost::asio::awaitable<void> App::messages(http::Request& req, http::ResponseWriter& res, RequestLog& log) {
  auto parsed = anthropic::parse_request(req.message.body(), anthropic::Endpoint::messages);
  if (parsed) {  // more tools than Azure takes, even without the deferred ones: say so before calling
    std::vector<std::string> unused;
    if (auto tools = anthropic::upstream_tools(parsed->tools, unused); !tools) parsed = tools.error();
  }
  auto route = parsed ? config::route_model(parsed->model, cfg_) : Result<config::Route>(parsed.error());
  if (!route) {
    log.error = route.error().message;
    co_await send_anthropic_error(res, route.error(), log.id);
    co_return;
  }
  auto& request = *parsed;
  log.client_model = route->client_model;
  log.deployment = route->deployment;
  log.stream = request.stream;

  bool emulate_stop = openai::chat::emulates_stop(request, route->reasoning);
  openai::chat::Options chat_opts{route->deployment, cfg_.azure_api_version, route->reasoning, cfg_.max_output_tokens,
                                  emulate_stop};
  auto chat = openai::chat::to_chat_request(request, chat_opts);
  auto rec = Recorder::open(cfg_.record_dir, log.id);
  auto message_id = random_id("msg_");
  auto count = tokens::count_chat_request_detailed(chat.body, tokens::encoding_for_model(route->deployment));
  auto estimate = calibration_.corrected(route->deployment, count);
  log.tokens_local = estimate;
  if (rec) {
    rec->client_request(req);
    auto& m = rec->meta();
    m["backend"] = route->responses ? "responses" : "chat";
    m["deployment"] = route->deployment;
    m["client_model"] = route->client_model;
    m["message_id"] = message_id;
    m["input_tokens_estimate"] = estimate;
    m["reasoning"] = route->reasoning;
    m["api_version"] = cfg_.azure_api_version;
    m["endpoint"] = cfg_.azure_endpoint;
    m["max_output_tokens"] = cfg_.max_output_tokens;
  }
  openai::UpstreamContext uctx{route->deployment, cfg_.azure_endpoint};

  if (!route->responses) {
    for (auto& d : chat.dropped) spdlog::debug("{} not sent to Azure: {}", log.id, d);
    openai::chat::AnswerContext ctx{route->client_model, message_id, &chat.names, estimate,
                                    emulate_stop ? request.stop_sequences : std::vector<std::string>{}};
    auto convert = [&ctx](const json::value& v) { return openai::chat::to_anthropic_message(v, ctx); };
    co_await relay_answer<openai::chat::StreamTranslator>(client_, cfg_, chat_completions_url(cfg_, route->deployment),
                                                          std::move(chat.body), "max_completion_tokens", output_limits_,
                                                          request.stream, ctx, convert, res, log, rec.get());
    // Azure counted exactly this body: learn from the difference.
    if (log.tokens_in > 0) log.count_error = calibration_.observe(route->deployment, count, log.tokens_in);
    co_return;
  }

  auto url = responses_url(cfg_);
  if (!url) {
    log.error = url.error().message;
    co_await send_anthropic_error(res, url.error(), log.id);
    co_return;
  }
  openai::responses::FromAnthropicOptions opts;
  opts.deployment = route->deployment;
  opts.reasoning = route->reasoning;
  opts.effort_override = route->tier == config::Route::Tier::big     ? cfg_.big_effort
                         : route->tier == config::Route::Tier::small ? cfg_.small_effort
                                                                     : std::string{};
  opts.summary = cfg_.summary_level == "none" ? "" : cfg_.summary_level;
  opts.max_output_tokens = cfg_.max_output_tokens;
  auto translated = openai::responses::from_anthropic_request(request, opts);
  if (rec) {
    rec->meta()["effort_override"] = opts.effort_override;
    rec->meta()["summary"] = opts.summary;
  }
  for (auto& d : translated.dropped) spdlog::debug("{} not sent to Azure: {}", log.id, d);
  openai::responses::ToAnthropicContext ctx{route->client_model,    message_id,
                                            &translated.names,      estimate,
                                            translated.thinking,    request.thinking.display == "omitted",
                                            request.stop_sequences, uctx};
  auto convert = [&ctx](const json::value& v) { return openai::responses::to_anthropic_message(v, ctx); };
  co_await relay_answer<openai::responses::AnthropicStream>(client_, cfg_, *url, std::move(translated.body),
                                                            "max_output_tokens", output_limits_, request.stream, ctx,
                                                            convert, res, log, rec.get());
}

}  // namespace agp::gateway
