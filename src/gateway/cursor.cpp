// Cursor and OpenAI-compatible clients: POST …/chat/completions → Azure Responses API, and the
// models list. gpt-high|gpt-medium|gpt-low|gpt-minimal pick the reasoning effort.
#include "config/routing.hpp"
#include "core/ids.hpp"
#include "gateway/app.hpp"
#include "gateway/azure_call.hpp"
#include "openai/errors.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace agp::gateway {

namespace json = boost::json;

namespace {

constexpr std::string_view kEfforts[] = {"high", "medium", "low", "minimal"};

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
  exchange::ClientRequest client{exchange::Front::openai_chat, req.message.body(), {}};
  auto parsed = exchange::parse_client_request(client);
  if (!parsed) {
    log.error = parsed.error().message;
    co_await send_openai_error(res, parsed.error(), log.id);
    co_return;
  }
  auto& conv = *parsed;
  exchange::Target target;
  bool effort_model = false;
  for (auto effort : kEfforts)
    if (conv.model == "gpt-" + std::string(effort)) {
      target.deployment = cfg_.cursor_deployment;
      target.reasoning = true;
      conv.effort = std::string(effort);
      effort_model = true;
    }
  if (!effort_model) {
    auto route = config::route_model(conv.model, cfg_);
    if (!route) {
      log.error = route.error().message;
      co_await send_openai_error(res, route.error(), log.id);
      co_return;
    }
    target.deployment = route->deployment;
    target.reasoning = route->reasoning;
  }
  // Cursor's models are served by the Responses API (reasoning summaries, newest models).
  target.backend = exchange::Backend::responses;
  target.api_version = cfg_.azure_api_version;
  target.summary = cfg_.summary_level == "none" ? "" : cfg_.summary_level;
  target.max_output_tokens = cfg_.max_output_tokens;
  log.client_model = conv.model;
  log.deployment = target.deployment;

  exchange::Spec spec;
  spec.front = exchange::Front::openai_chat;
  spec.target = std::move(target);
  spec.answer_id = random_id("chatcmpl-");
  spec.created = unix_now();
  bool display_ok = true;
  spec.display = openai::chat::parse_reasoning_display(cfg_.reasoning_display, display_ok);
  spec.upstream = {spec.target.deployment, cfg_.azure_endpoint};
  co_await run_exchange(req, std::move(conv), std::move(spec), res, log);
}

}  // namespace agp::gateway
