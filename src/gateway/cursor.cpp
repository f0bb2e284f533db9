// Cursor and OpenAI-compatible clients: POST …/chat/completions → Azure Responses API, and the
// models list. gpt-high|gpt-medium|gpt-low|gpt-minimal pick the reasoning effort.
#include "config/routing.hpp"
#include "core/ids.hpp"
#include "gateway/app.hpp"
#include "gateway/azure_call.hpp"
#include "gateway/refusals.hpp"
#include "openai/errors.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <tuple>

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
  auto reply = error_reply(exchange::Front::openai_chat, e, request_id);
  co_await res.send(reply.status, "application/json", std::move(reply.body), reply.headers);
}

namespace {

std::string rfc3339(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// key=value pairs of a query string, percent-decoded.
std::vector<std::pair<std::string, std::string>> query_params(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  auto decode = [](std::string_view s) {
    std::string r;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        int v = 0;
        auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
        if (ec == std::errc{} && p == s.data() + i + 3) {
          r.push_back(static_cast<char>(v));
          i += 2;
          continue;
        }
      }
      r.push_back(s[i] == '+' ? ' ' : s[i]);
    }
    return r;
  };
  while (!q.empty()) {
    auto amp = q.find('&');
    auto kv = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    auto eq = kv.find('=');
    out.emplace_back(decode(kv.substr(0, eq)), eq == std::string_view::npos ? "" : decode(kv.substr(eq + 1)));
  }
  return out;
}

}  // namespace

// One list both protocols parse: Anthropic's (type, display_name, created_at, has_more,
// first_id, last_id — what Claude Code's gateway model discovery reads, keeping ids that contain
// "claude" or "anthropic") and OpenAI's (object, created, owned_by — what Cursor and the openai
// SDK read). Every entry is a model name the proxy routes.
boost::asio::awaitable<void> App::models(http::Request& req, http::ResponseWriter& res, const RequestLog& log) {
  static const std::int64_t started = unix_now();
  struct Entry {
    std::string id, display_name, description;
  };
  std::vector<Entry> entries;
  auto add = [&](std::string id, std::string display, std::string description) {
    for (auto& e : entries)
      if (e.id == id) return;
    entries.push_back({std::move(id), std::move(display), std::move(description)});
  };
  // Claude Code's own names route by family: the picker shows which Azure deployment answers.
  auto team_ptr = this->team();
  const auto& team = *team_ptr;
  for (auto [id, family] : {std::pair{"claude-opus-4-5", "Opus"}, std::pair{"claude-sonnet-4-5", "Sonnet"},
                            std::pair{"claude-haiku-4-5", "Haiku"}})
    if (auto r = config::route_model(id, cfg_, team); r && !r->candidates.empty()) {
      auto& d = r->candidates.front();
      add(id, std::string(family) + " → Azure " + d.name, "Served by the Azure OpenAI deployment " + d.name);
    }
  for (auto& d : team.deployments)
    add("anthropic/" + d.name, d.name + " (Azure OpenAI)", "The Azure OpenAI deployment " + d.name + ", named directly");
  if (!team.cursor.empty()) {
    auto& cursor = team.deployments[team.cursor.front()].name;
    for (auto effort : kEfforts)
      add("gpt-" + std::string(effort), "gpt-" + std::string(effort),
          "Reasoning effort " + std::string(effort) + " on " + cursor);
  }
  for (auto& d : team.deployments) add(d.name, d.name, "The Azure OpenAI deployment " + d.name);

  // Anthropic's pagination: limit (1–1000, default 20 when asked for by Anthropic clients), after_id / before_id.
  std::size_t limit = entries.size(), begin = 0, end = entries.size();
  auto index_of = [&](std::string_view id) {
    for (std::size_t i = 0; i < entries.size(); ++i)
      if (entries[i].id == id) return i;
    return entries.size();
  };
  for (auto& [key, value] : query_params(req.query())) {
    if (key == "limit") {
      std::size_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec == std::errc{} && n >= 1) limit = std::min<std::size_t>(n, 1000);
    } else if (key == "after_id") {
      begin = std::min(index_of(value) + 1, entries.size());
    } else if (key == "before_id") {
      end = index_of(value);
    }
  }
  json::array data;
  bool from_end = begin == 0 && end < entries.size();  // before_id pages backwards
  std::size_t first = from_end && end > limit ? end - limit : begin;
  std::size_t last = std::min(end, first + limit);
  for (std::size_t i = first; i < last; ++i) {
    auto& e = entries[i];
    data.push_back({{"type", "model"},
                    {"id", e.id},
                    {"display_name", e.display_name},
                    {"description", e.description},
                    {"created_at", rfc3339(started)},
                    {"object", "model"},
                    {"created", started},
                    {"owned_by", "azure-gpt-proxy"}});
  }
  json::object list{{"object", "list"}, {"data", std::move(data)}};
  list["has_more"] = from_end ? first > 0 : last < end;
  list["first_id"] = first < last ? json::value(entries[first].id) : json::value(nullptr);
  list["last_id"] = first < last ? json::value(entries[last - 1].id) : json::value(nullptr);
  std::string body = json::serialize(list);
  http::Headers headers = id_headers(exchange::Front::openai_chat, log.id);
  co_await res.send(200, "application/json", std::move(body), headers);
}

Result<std::unique_ptr<App::ExchangeCall>> App::chat_completions_call(http::Request& req, RequestLog& log) {
  exchange::ClientRequest client{exchange::Front::openai_chat, req.message.body(), {}};
  auto parsed = exchange::parse_client_request(client);
  if (!parsed) {
    log.error = parsed.error().message;
    return parsed.error();
  }
  auto& conv = *parsed;
  auto team = this->team();
  std::vector<config::Deployment> candidates;
  bool effort_model = false;  // gpt-high|medium|low|minimal: the cursor route, that effort
  for (auto effort : kEfforts)
    if (conv.model == "gpt-" + std::string(effort)) {
      for (auto i : team->cursor) candidates.push_back(team->deployments[i]);
      conv.effort = std::string(effort);
      effort_model = true;
    }
  if (effort_model && candidates.empty()) {
    Error e{404, ErrorKind::not_found, "model: '" + conv.model + "' needs a route named cursor in " + team->source, {}};
    log.error = e.message;
    return e;
  }
  if (!effort_model) {
    auto route = config::route_model(conv.model, cfg_, *team);
    if (!route) {
      log.error = route.error().message;
      return route.error();
    }
    candidates = std::move(route->candidates);
  }
  log.client_model = conv.model;
  log.deployment = candidates.front().deployment;
  log.deployment_id = candidates.front().name;
  auto for_candidate = [this, team, effort_model](const config::Deployment& d) {
    exchange::Target t;
    t.deployment = d.deployment;
    t.reasoning = effort_model || config::is_reasoning_deployment(d.deployment, cfg_);
    // Cursor's models are served by the Responses API (reasoning summaries, newest models),
    // unless the configuration says a deployment speaks only Chat Completions.
    t.backend = d.api == "chat" ? exchange::Backend::chat : exchange::Backend::responses;
    t.api_version = team->endpoints[d.endpoint].api_version;
    t.summary = cfg_.summary_level == "none" ? "" : cfg_.summary_level;
    t.max_output_tokens = cfg_.max_output_tokens;
    return t;
  };

  auto call = std::make_unique<ExchangeCall>();
  auto& spec = call->spec;
  spec.front = exchange::Front::openai_chat;
  spec.answer_id = random_id("chatcmpl-");
  spec.created = unix_now();
  bool display_ok = true;
  spec.display = openai::chat::parse_reasoning_display(cfg_.reasoning_display, display_ok);
  call->conv = std::make_shared<const conv::Conversation>(std::move(conv));
  call->candidates = std::move(candidates);
  call->target_for = std::move(for_candidate);
  call->team = std::move(team);
  return call;
}

}  // namespace agp::gateway
