#include "handler.hpp"

#include "chat_reply.hpp"
#include "form.hpp"
#include "demo.hpp"
#include "responses_reply.hpp"
#include "responses_validate.hpp"
#include "validate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <tuple>

namespace mock {

namespace asio = boost::asio;
namespace json = boost::json;
using agp::http::Headers;
using agp::http::Request;
using agp::http::ResponseWriter;
using std::string;
using std::string_view;

namespace {

constexpr string_view kJson = "application/json";
const Headers kNoHeaders;
const string kNotFound = R"({"error":{"code":"404","message":"Resource not found"}})";
const string kUnauthorized =
    R"({"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}})";
const string kKeyAuthDisabled =
    R"({"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled for this resource."}})";
const string kApimNotFound = R"({ "statusCode": 404, "message": "Resource not found" })";
const string kDeploymentNotFound =
    R"({"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."}})";
const string kBadJson =
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble "
    "figuring out how to fix this, please contact us through our help center at help.openai.com.)";

asio::awaitable<void> sleep_ms(std::int64_t ms) {
  if (ms <= 0) co_return;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

string lower(string_view s) {
  string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool valid_deployment_name(string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool contains(const std::vector<string>& v, string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

bool is_reasoning(const MockConfig& c, string_view dep) {
  if (auto it = c.model_limits.find(string(dep)); it != c.model_limits.end() && it->second.contains("no_reasoning"))
    return false;  // e.g. gpt-5-chat: the name of a reasoning family, a chat model
  if (!c.reasoning_deployments.empty()) return contains(c.reasoning_deployments, dep);
  return (dep.size() >= 2 && dep[0] == 'o' && dep[1] >= '0' && dep[1] <= '9') || dep.starts_with("gpt-5");
}

enum class ResponsesVersion { ok, too_old, unknown };

// The dated Responses path takes any YYYY-MM-DD[-preview] version from 2025-03-01-preview on.
ResponsesVersion responses_version(string_view v) {
  auto digits = [&](std::size_t from, std::size_t n) {
    return std::all_of(v.begin() + from, v.begin() + from + n, [](char c) { return c >= '0' && c <= '9'; });
  };
  bool dated = v.size() >= 10 && digits(0, 4) && v[4] == '-' && digits(5, 2) && v[7] == '-' && digits(8, 2);
  if (!dated || (v.size() != 10 && v.substr(10) != "-preview")) return ResponsesVersion::unknown;
  return v.substr(0, 10) < "2025-03-01" ? ResponsesVersion::too_old : ResponsesVersion::ok;
}

json::object headers_json(const Request& req) {
  json::object h;
  for (auto& f : req.message) {
    string name = lower(string_view(f.name_string().data(), f.name_string().size()));
    string value(f.value().data(), f.value().size());
    if (name == "api-key" || name == "authorization" || name == "ocp-apim-subscription-key") value = "<redacted>";
    if (auto existing = h.if_contains(name); existing && existing->is_string())
      value = string(existing->as_string()) + ", " + value;
    h[name] = value;
  }
  return h;
}

Headers azure_headers(const std::vector<std::pair<string, string>>& extra = {}) {
  string id = random_alnum(8) + "-" + random_alnum(4) + "-" + random_alnum(4) + "-" + random_alnum(12);
  Headers h{{"apim-request-id", id},
            {"x-request-id", id},
            {"x-ms-region", "Mock Region"},
            {"x-ratelimit-remaining-requests", "99"},
            {"x-ratelimit-remaining-tokens", "99000"}};
  // A rule's header replaces Azure's own of the same name (a scripted apim-request-id, say).
  for (auto& kv : extra) {
    auto same = std::find_if(h.begin(), h.end(), [&](auto& d) { return lower(d.first) == lower(kv.first); });
    if (same != h.end())
      same->second = kv.second;
    else
      h.push_back(kv);
  }
  return h;
}

// ---- control API ----

asio::awaitable<void> handle_control(MockState& st, Request& req, ResponseWriter& w, string_view path) {
  auto method = req.message.method();
  if (path == "/_mock/rules" && method == agp::http::bhttp::verb::post) {
    boost::system::error_code ec;
    json::value v = json::parse(req.message.body(), ec);
    const json::array* arr = nullptr;
    if (!ec) {
      if (auto o = v.if_object(); o && o->if_contains("rules"))
        arr = o->at("rules").if_array();
      else
        arr = v.if_array();
    }
    if (!arr) {
      co_await w.send(400, kJson, R"({"ok":false,"error":"expected {\"rules\":[...]}"})", kNoHeaders);
      co_return;
    }
    std::vector<Rule> rules;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      Rule r;
      string err;
      if (!parse_rule((*arr)[i], r, err)) {
        json::object e{{"ok", false}, {"error", "rules[" + std::to_string(i) + "]: " + err}};
        string out = json::serialize(e);
        co_await w.send(400, kJson, std::move(out), kNoHeaders);
        co_return;
      }
      rules.push_back(std::move(r));
    }
    st.rules.add(std::move(rules));
    co_await w.send(200, kJson, R"({"ok":true})", kNoHeaders);
  } else if (path == "/_mock/reset" && method == agp::http::bhttp::verb::post) {
    st.rules.clear();
    st.log.clear();
    st.entra->clear_log();
    st.limits.reset();
    ++st.reset_generation;
    co_await w.send(200, kJson, R"({"ok":true})", kNoHeaders);
  } else if (path == "/_mock/tokens" && method == agp::http::bhttp::verb::get) {
    string out = st.entra->log_json();
    co_await w.send(200, kJson, std::move(out), kNoHeaders);
  } else if (path == "/_mock/tokens/revoke" && method == agp::http::bhttp::verb::post) {
    st.entra->revoke_all();  // every token issued so far is refused from now on
    co_await w.send(200, kJson, R"({"ok":true})", kNoHeaders);
  } else if (path == "/_mock/requests" && method == agp::http::bhttp::verb::get) {
    string out = st.log.to_json();
    co_await w.send(200, kJson, std::move(out), kNoHeaders);
  } else {
    co_await w.send(404, kJson, kNotFound, kNoHeaders);
  }
}

// ---- chat completions ----

struct ChatContext {
  MockState& st;
  Request& req;
  ResponseWriter& w;
  RequestLog::Entry entry;
};

// GCC 12 mishandles non-trivial temporaries inside co_await expressions: callers pass only named
// values or plain prvalues taken by value.
asio::awaitable<void> answer(ChatContext& c, unsigned status, string body, Headers extra) {
  c.st.log.set_status(c.entry, status);
  co_await c.w.send(status, kJson, std::move(body), extra);
}

asio::awaitable<void> answer(ChatContext& c, unsigned status, string body) {
  Headers headers = azure_headers();
  co_await answer(c, status, std::move(body), std::move(headers));
}

asio::awaitable<void> reject(ChatContext& c, ApiError e) {
  string body = error_body(e);
  co_await answer(c, e.status, std::move(body));
}

// Faults drop the connection with a TCP reset (ResponseWriter::abort), no complete answer.
asio::awaitable<void> hang(ChatContext& c) {
  unsigned gen = c.st.reset_generation.load();
  auto until = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (std::chrono::steady_clock::now() < until && !c.w.peer_closed() && gen == c.st.reset_generation.load() &&
         !c.st.stopping.load())
    co_await sleep_ms(200);
  c.w.abort();
}

// stall_mid_stream: a few frames, then silence (a reasoning model thinking) until the client of
// the mock — the proxy — closes the connection; the log says when, so a test can tell that the
// proxy let go of the upstream without waiting for the next chunk.
asio::awaitable<void> stall(ChatContext& c) {
  auto t0 = std::chrono::steady_clock::now();
  unsigned gen = c.st.reset_generation.load();
  auto until = t0 + std::chrono::minutes(10);
  while (std::chrono::steady_clock::now() < until && !c.w.peer_closed() && gen == c.st.reset_generation.load() &&
         !c.st.stopping.load())
    co_await sleep_ms(20);
  if (c.w.peer_closed()) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    c.st.log.set_field(c.entry, "peer_closed_after_stall_ms", std::to_string(ms));
  }
  c.w.abort();
}

// A raw answer (rules' respond.raw): the bytes a broken upstream or a gateway in front of Azure
// would send, piece by piece, then the end the rule asks for.
asio::awaitable<void> send_raw(ChatContext& c, const Respond& r, bool streaming, const Headers& headers) {
  unsigned status = r.status != 0 ? r.status : 200;
  string type = !r.content_type.empty() ? r.content_type
                : streaming              ? string("text/event-stream; charset=utf-8")
                                         : string(kJson);
  c.st.log.set_status(c.entry, status);
  if (!co_await c.w.begin_stream(status, type, headers)) co_return;
  for (std::size_t i = 0; i < r.raw->size(); ++i) {
    for (std::size_t n = 0; n < (i == r.repeat_piece ? r.repeat_times : 1); ++n) {
      if (i > 0 || n > 0) co_await sleep_ms(r.chunk_delay_ms);
      if (!co_await c.w.write((*r.raw)[i])) co_return;
    }
  }
  if (r.raw_end == "reset") {
    c.w.abort();
    co_return;
  }
  if (r.raw_end == "stall") co_return co_await stall(c);
  co_await c.w.end_stream();
}

asio::awaitable<void> reply(ChatContext& c, const Respond& r, const json::object& body, string_view deployment,
                            bool responses, bool reasoning_model) {
  co_await sleep_ms(r.delay_ms);
  if (r.fault == "reset_before_headers") {
    c.w.abort();
    co_return;
  }
  Headers headers = azure_headers(r.headers);
  if (r.raw) {
    auto raw_stream = body.if_contains("stream");
    bool raw_streaming = raw_stream && raw_stream->is_bool() && raw_stream->as_bool();
    co_return co_await send_raw(c, r, raw_streaming, headers);
  }
  if (r.status != 0 && r.status != 200) {
    string err_body = !r.error ? R"({"error":{"code":")" + std::to_string(r.status) + R"(","message":"mock error"}})"
                      : r.error->if_string() ? string(r.error->as_string())
                                             : json::serialize(*r.error);
    co_await answer(c, r.status, std::move(err_body), headers);
    co_return;
  }
  auto stream = body.if_contains("stream");
  bool streaming = stream && stream->is_bool() && stream->as_bool();
  std::size_t body_bytes = c.req.message.body().size();
  std::optional<ReplyPlan> chat_plan;
  std::optional<ResponsesPlan> responses_plan;
  if (responses)
    responses_plan = make_responses_plan(r, body, deployment, reasoning_model, body_bytes);
  else
    chat_plan = make_plan(r, body, deployment, body_bytes);
  if (!c.st.config.apim.key.empty())  // APIM's token-limit policy counts what the answer's usage says
    c.st.limits.consume(responses ? responses_plan->input_tokens + responses_plan->output_tokens
                                  : chat_plan->prompt_tokens + chat_plan->completion_tokens);
  if (!streaming) {
    unsigned status = 200;
    string text;
    if (responses)
      std::tie(status, text) = render_responses_json(*responses_plan);
    else
      text = render_json(*chat_plan);
    if (r.fault.empty() || status != 200) co_return co_await answer(c, status, std::move(text), headers);
    c.st.log.set_status(c.entry, 200);
    if (!co_await c.w.begin_stream(200, kJson, headers)) co_return;
    if (r.fault == "hang") co_return co_await hang(c);
    co_await c.w.write(string_view(text).substr(0, text.size() / 2));
    c.w.abort();
    co_return;
  }
  bool include_usage = false;
  if (auto so = body.if_contains("stream_options"); so && so->is_object())
    if (auto iu = so->as_object().if_contains("include_usage"); iu && iu->is_bool()) include_usage = iu->as_bool();
  auto frames = responses ? render_responses_stream(*responses_plan) : render_stream(*chat_plan, include_usage);
  c.st.log.set_status(c.entry, 200);
  if (!co_await c.w.begin_stream(200, "text/event-stream; charset=utf-8", headers)) co_return;
  if (r.fault == "hang") co_return co_await hang(c);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (r.fault == "reset_mid_stream" && i >= 3) {
      c.w.abort();
      co_return;
    }
    if (r.fault == "stall_mid_stream" && i >= 3) co_return co_await stall(c);
    if (i > 0) co_await sleep_ms(r.chunk_delay_ms);
    if (!co_await c.w.write(frames[i])) co_return;
  }
  co_await c.w.end_stream();
}

string token_refused(const string& audience) {
  return R"({"statusCode": 401, "message": "Unauthorized. Access token is missing, invalid, audience is incorrect ()" +
         audience + R"(), or have expired."})";
}

// The resource's check of the caller, or APIM's when APIM is in front (it then reaches the resource
// with its own identity). An accepted Entra ID token's serial goes into the request log.
std::optional<Refusal> refuse_credentials(MockState& st, const Request& req, bool v1, const RequestLog::Entry& entry) {
  const MockConfig& cfg = st.config;
  if (!cfg.apim.key.empty()) {
    string_view presented = req.header(cfg.apim.header);
    if (auto r = check_subscription(cfg.apim, presented, !presented.empty())) return r;
    return st.limits.refuse(cfg.apim);
  }
  bool keys = contains(cfg.auth, "key"), entra = contains(cfg.auth, "entra");
  string_view key = req.header("api-key"), auth = req.header("authorization");
  bool bearer = auth.size() > 7 && lower(auth.substr(0, 7)) == "bearer ";
  string_view token = bearer ? auth.substr(7) : string_view{};
  if (!key.empty()) {
    if (!keys) return Refusal{403, kKeyAuthDisabled, 0};
    if (key == cfg.api_key) return std::nullopt;
    return Refusal{401, kUnauthorized, 0};
  }
  if (bearer && keys && v1 && token == cfg.api_key) return std::nullopt;
  if (!entra) return Refusal{401, kUnauthorized, 0};
  auto check = bearer ? st.entra->check(token) : TokenCheck{std::nullopt, "no bearer token"};
  if (check.token) {
    st.log.set_field(entry, "bearer_serial", std::to_string(check.token->serial));
    st.log.set_field(entry, "principal", check.token->principal);
    return std::nullopt;
  }
  st.log.set_field(entry, "bearer_refused", check.refusal);
  return Refusal{401, token_refused(st.entra->config().audiences.at(0)), 0};
}

// Chat Completions (dated deployments path, v1) and Responses (v1, dated /openai/responses).
asio::awaitable<void> handle_api(MockState& st, Request& req, ResponseWriter& w, string_view path) {
  const MockConfig& cfg = st.config;
  boost::system::error_code ec;
  json::value parsed = json::parse(req.message.body(), ec);
  std::optional<string> api_version = query_param(req.query(), "api-version");
  bool responses = path == "/openai/v1/responses" || path == "/openai/responses";
  json::object entry{{"method", string(req.message.method_string())},
                     {"path", string(path)},
                     {"query", string(req.query())},
                     {"api", responses ? "responses" : "chat"},
                     {"deployment", ""},
                     {"api_version", api_version ? json::value(*api_version) : json::value(nullptr)},
                     {"headers", headers_json(req)},
                     {"body", ec ? json::value(req.message.body()) : parsed}};
  ChatContext c{st, req, w, {}};

  constexpr string_view kDeployPrefix = "/openai/deployments/";
  constexpr string_view kChatSuffix = "/chat/completions";
  bool v1 = path == "/openai/v1/chat/completions" || path == "/openai/v1/responses";
  bool dated_responses = path == "/openai/responses";
  bool model_in_body = v1 || dated_responses;  // else the deployment is in the path
  string deployment;
  if (!model_in_body) {
    if (path.starts_with(kDeployPrefix) && path.ends_with(kChatSuffix) &&
        path.size() > kDeployPrefix.size() + kChatSuffix.size())
      deployment =
          url_decode(path.substr(kDeployPrefix.size(), path.size() - kDeployPrefix.size() - kChatSuffix.size()));
    entry["deployment"] = deployment;
  }
  c.entry = st.log.append(std::move(entry));

  bool post = req.message.method() == agp::http::bhttp::verb::post;
  if ((!model_in_body && (deployment.empty() || deployment.find('/') != string::npos)) || !post)
    co_return co_await answer(c, 404, kNotFound);
  if (dated_responses) {
    ResponsesVersion rv = api_version ? responses_version(*api_version) : ResponsesVersion::unknown;
    if (rv == ResponsesVersion::unknown) co_return co_await answer(c, 404, kNotFound);
    if (rv == ResponsesVersion::too_old) {
      string too_old = json::serialize(
          json::object{{"error", json::object{{"code", "BadRequest"},
                                              {"message",
                                               "Azure OpenAI Responses API is enabled only for api-version "
                                               "2025-03-01-preview and later"}}}});
      co_return co_await answer(c, 400, std::move(too_old));
    }
  } else if (!v1 && (!api_version || !contains(cfg.api_versions, *api_version))) {
    co_return co_await answer(c, 404, kNotFound);
  }

  if (auto refusal = refuse_credentials(st, req, v1, c.entry)) {
    Headers headers = azure_headers();
    if (refusal->retry_after > 0) headers.emplace_back("retry-after", std::to_string(refusal->retry_after));
    string refusal_body = refusal->body;
    co_return co_await answer(c, refusal->status, std::move(refusal_body), std::move(headers));
  }

  if (!model_in_body &&
      (!valid_deployment_name(deployment) || (!cfg.deployments.empty() && !contains(cfg.deployments, deployment))))
    co_return co_await answer(c, 404, kDeploymentNotFound);
  const json::object* body = ec ? nullptr : parsed.if_object();
  if (!body) {
    ApiError e{400, kBadJson, std::nullopt, std::nullopt};
    co_return co_await reject(c, e);
  }
  if (model_in_body) {
    auto m = body->if_contains("model");
    auto ms = m ? m->if_string() : nullptr;
    if (!ms) {
      ApiError e{400, "Missing required parameter: 'model'.", "model", "missing_required_parameter"};
      co_return co_await reject(c, e);
    }
    deployment = string(*ms);
    st.log.set_field(c.entry, "deployment", deployment);
    if (!valid_deployment_name(deployment) || (!cfg.deployments.empty() && !contains(cfg.deployments, deployment)))
      co_return co_await answer(c, 404, kDeploymentNotFound);
  }
  bool reasoning_model = is_reasoning(cfg, deployment);
  std::optional<ApiError> invalid_request =
      responses ? validate_responses(*body, reasoning_model) : validate_chat(*body, reasoning_model);
  if (!invalid_request)
    if (auto it = cfg.model_limits.find(string(deployment)); it != cfg.model_limits.end())
      invalid_request = check_model_limits(*body, responses, deployment, it->second);
  if (invalid_request) {
    ApiError err = *invalid_request;
    co_return co_await reject(c, err);
  }
  if (auto t = body->if_contains("truncation"); responses && t && t->is_string())
    st.log.set_field(c.entry, "truncation", string(t->as_string()));
  string role = responses ? responses_last_role(*body) : last_role(*body);
  std::optional<Respond> rule = st.rules.take(MatchInput{deployment, role, req.message.body()});
  Respond respond = rule                        ? std::move(*rule)
                    : cfg.scenario == "demo" ? demo_respond(*body, responses)
                                             : Respond{};
  co_await reply(c, respond, *body, deployment, responses, reasoning_model);
}

}  // namespace

asio::awaitable<void> handle(MockState& st, Request& req, ResponseWriter& w) {
  string_view path = req.target_path();
  if (path == "/health") {
    co_await w.send(200, kJson, R"({"status":"ok"})", kNoHeaders);
  } else if (path.starts_with("/_mock/")) {
    co_await handle_control(st, req, w, path);
  } else if (st.entra->serves(path)) {
    auto answered = st.entra->answer(req, path);
    string body = std::move(answered.second);
    co_await w.send(answered.first, kJson, std::move(body), kNoHeaders);
  } else if (auto& prefix = st.config.apim.path_prefix; !prefix.empty() && !path.starts_with(prefix + "/")) {
    co_await w.send(404, kJson, kApimNotFound, kNoHeaders);  // APIM: no API at this path
  } else {
    if (!prefix.empty()) path.remove_prefix(prefix.size());
    co_await handle_api(st, req, w, path);
  }
}

}  // namespace mock
