// The Anthropic front end: POST /v1/messages (through the one exchange flow) and
// /v1/messages/count_tokens (the same preparation, counted instead of sent).
#include "anthropic/content.hpp"
#include "anthropic/request.hpp"
#include "config/routing.hpp"
#include "core/ids.hpp"
#include "gateway/app.hpp"
#include "gateway/client_watch.hpp"
#include "ops/logging.hpp"

#include <spdlog/spdlog.h>

namespace agp::gateway {

namespace json = boost::json;

exchange::Target target_for(const config::Config& cfg, const config::Team& team, config::Route::Tier tier,
                            const config::Deployment& d) {
  exchange::Target t;
  t.deployment = d.deployment;
  t.encoding = d.encoding;
  t.backend = config::serves_responses(d, cfg) ? exchange::Backend::responses : exchange::Backend::chat;
  t.reasoning = config::is_reasoning_deployment(d.deployment, cfg);
  t.api_version = team.endpoints[d.endpoint].api_version;
  t.effort_override = tier == config::Route::Tier::big     ? cfg.big_effort
                      : tier == config::Route::Tier::small ? cfg.small_effort
                                                           : std::string{};
  t.summary = cfg.summary_level == "none" ? "" : cfg.summary_level;
  t.max_output_tokens = cfg.max_output_tokens;
  return t;
}

namespace {
// The route of a parsed request (or why there is none), noted in the request log.
template <class Parsed>
Result<config::Route> route_of(Result<Parsed>& parsed, const config::Config& cfg, const config::Team& team,
                               RequestLog& log) {
  auto route = parsed ? config::route_model(parsed->model, cfg, team) : Result<config::Route>(parsed.error());
  if (!route) {
    log.error = route.error().message;
    return route;
  }
  log.client_model = route->client_model;
  log.deployment = route->deployment;
  log.deployment_id = route->candidates.front().name;
  return route;
}
}  // namespace

exchange::Target App::target_for(const config::Team& team, const config::Route& route,
                                  const config::Deployment& d) const {
  return gateway::target_for(cfg_, team, route.tier, d);
}

boost::asio::awaitable<void> App::count_tokens(http::Request& req, http::ResponseWriter& res, RequestLog& log) {
  auto parsed = anthropic::parse_request(req.message.body(), anthropic::Endpoint::count_tokens);
  auto team = this->team();
  auto route = route_of(parsed, cfg_, *team, log);
  if (!route) {
    co_await send_anthropic_error(res, route.error(), log.id);
    co_return;
  }
  if (route->candidates.front().api == "anthropic") {
    // Claude on AI Foundry counts its own tokens: the request goes to its count_tokens endpoint.
    auto& c = route->candidates.front();
    const auto& endpoint = team->endpoints[c.endpoint];
    auto extra = passthrough_headers(req, c);
    std::string body = passthrough_body(req.message.body(), c.deployment);
    openai::UpstreamContext ctx{c.deployment, endpoint.url};
    std::string url = endpoint.url + "/anthropic/v1/messages/count_tokens";
    auto call = call_azure(client_, tokens_, cfg_, endpoint, url, ctx, std::move(body), cfg_.upstream_retries, log.id, extra,
                           true);
    auto watched = co_await unless_client_leaves(std::move(call), res);
    co_await relay_passthrough(std::move(watched), false, res, log);
    co_return;
  }
  auto n = estimate_prompt(*parsed, target_for(*team, *route, route->candidates.front()), nullptr, nullptr);
  log.tokens_local = n;
  http::Headers headers = id_headers(exchange::Front::anthropic, log.id);
  std::string text = json::serialize(json::object{{"input_tokens", n}});
  co_await res.send(200, "application/json", std::move(text), headers);
}

Result<std::unique_ptr<App::ExchangeCall>> App::messages_call(http::Request& req, RequestLog& log) {
  exchange::ClientRequest client{exchange::Front::anthropic, req.message.body(),
                                 std::string(req.header("x-claude-code-session-id")),
                                 std::string(req.header("anthropic-beta"))};
  if (!client.betas.empty()) ops::request_log(spdlog::level::debug, log.id, "anthropic-beta: {}", client.betas);
  auto parsed = exchange::parse_client_request(client);
  if (parsed) {  // more tools than Azure takes, even without the deferred ones: say so before calling
    std::vector<std::string> unused;
    if (auto tools = anthropic::upstream_tools(parsed->tools, unused); !tools) parsed = tools.error();
  }
  auto team = this->team();
  auto route = route_of(parsed, cfg_, *team, log);
  if (!route) return route.error();
  auto call = std::make_unique<ExchangeCall>();
  call->conv = std::make_shared<const conv::Conversation>(std::move(*parsed));
  call->spec.front = exchange::Front::anthropic;
  call->spec.answer_id = random_id("msg_");
  call->candidates = std::move(route->candidates);
  call->target_for = [this, team, tier = route->tier](const config::Deployment& d) {
    return gateway::target_for(cfg_, *team, tier, d);
  };
  call->team = std::move(team);
  return call;
}

}  // namespace agp::gateway
