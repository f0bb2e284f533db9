#include "gateway/azure_call.hpp"
#include "core/json_util.hpp"

#include "gateway/client_watch.hpp"
#include "gateway/refusals.hpp"
#include "openai/azure_errors.hpp"
#include "ops/logging.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <random>
#include <cmath>
#include <ctime>

namespace agp::gateway {

namespace asio = boost::asio;

Result<std::string> responses_url(const config::Endpoint& e) {
  auto url = e.responses_url();
  if (url.empty())
    return Error::internal("the Responses API needs api-version 2025-03-01-preview or later, or v1; endpoint " + e.name +
                           " uses " + e.responses_api_version() +
                           " (set AZURE_RESPONSES_API_VERSION=v1, or responses_api_version in the config file)");
  return url;
}

namespace {

// Exponential backoff with full jitter, so retries of many requests do not arrive together.
double backoff(int attempt) {
  static thread_local std::minstd_rand rng(std::random_device{}());
  double cap = 0.25 * (1 << std::min(attempt, 6));
  return std::uniform_real_distribution<double>(cap / 2, cap)(rng);
}

asio::awaitable<void> sleep_for(double seconds) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

double retry_after_seconds(std::string_view retry_after_ms, std::string_view x_ms_retry_after_ms,
                           std::string_view retry_after, std::chrono::system_clock::time_point now) {
  auto number = [](std::string_view s, double& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc{} && p == s.data() + s.size() && v >= 0;
  };
  double v = 0;
  if (!retry_after_ms.empty() && number(retry_after_ms, v)) return v / 1000.0;
  if (!x_ms_retry_after_ms.empty() && number(x_ms_retry_after_ms, v)) return v / 1000.0;
  if (retry_after.empty()) return -1;
  if (number(retry_after, v)) return v;
  // An HTTP date: "Wed, 21 Oct 2026 07:28:00 GMT".
  std::tm tm{};
  std::string text(retry_after);
  if (!strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return -1;
  auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  return std::max(0.0, std::chrono::duration<double>(at - now).count());
}

namespace {

// The endpoint's credential: its key, or the Entra ID token (in `bearer`, to reject it on a 401).
asio::awaitable<std::optional<Error>> add_credential(auth::TokenCache& tokens, const config::Endpoint& endpoint,
                                                     upstream::Request& req, std::string& bearer) {
  if (endpoint.auth == config::Auth::key) req.headers.emplace_back(endpoint.auth_header, endpoint.api_key);
  if (endpoint.auth != config::Auth::entra) co_return std::nullopt;
  auto token = co_await tokens.bearer(endpoint.credential);
  if (!token)
    co_return Error{500, ErrorKind::upstream_auth,
                    "no Entra ID token for endpoint " + endpoint.name + ": " + token.error().message, {}};
  bearer = std::move(token.value());
  std::erase_if(req.headers, [](auto& h) { return h.first == "authorization"; });
  req.headers.emplace_back("authorization", "Bearer " + bearer);
  co_return std::nullopt;
}

}  // namespace

std::string failure_reason(unsigned upstream_status, std::optional<TransportFailure> transport) {
  if (upstream_status != 0) return "http_" + std::to_string(upstream_status);
  return transport ? transport_failure_name(*transport) : "no_answer";
}

asio::awaitable<AzureAnswer> call_azure(upstream::Client& client, auth::TokenCache& tokens, const config::Config& cfg,
                                        const config::Endpoint& endpoint, const std::string& url,
                                        const openai::UpstreamContext& ctx_in, std::string body, int retries,
                                        const std::string& request_id, const http::Headers& extra,
                                        bool whole_answer) {
  AzureAnswer answer;
  auto ctx = ctx_in;
  ctx.auth = endpoint.auth_hint();
  const auto& deployment = ctx.deployment;
  upstream::Request req;
  if (!upstream::parse_url(url, req.url)) {
    answer.error = Error::internal("the Azure URL '" + url + "' is malformed");
    co_return answer;
  }
  req.headers = {{"content-type", "application/json"}, {"accept", "application/json, text/event-stream"}};
  std::string bearer;
  auto no_credential = co_await add_credential(tokens, endpoint, req, bearer);
  if (no_credential) {
    answer.error = std::move(no_credential);
    answer.credential_failed = true;
    co_return answer;
  }
  bool token_renewed = false;
  for (auto& h : endpoint.headers) req.headers.push_back(h);
  for (auto& h : extra) req.headers.push_back(h);
  req.body = std::move(body);
  req.whole_answer = whole_answer;
  upstream::Timeouts timeouts{cfg.connect_timeout, cfg.first_byte_timeout, cfg.idle_timeout};
  const double wait_cap = static_cast<double>(cfg.retry_wait_cap.count());

  for (int attempt = 0;; ++attempt) {
    answer.attempts = attempt + 1;
    bool last = attempt >= retries;
    auto out = co_await client.send(req, timeouts);
    if (auto* te = std::get_if<upstream::TransportError>(&out)) {
      bool retryable = te->what == upstream::TransportFailure::connect || te->what == upstream::TransportFailure::reset;
      if (!last && retryable) {
        ops::request_log(spdlog::level::warn, request_id, "upstream {}: {} (attempt {}), retrying", deployment,
                         te->detail, attempt + 1);
        answer.retried.push_back(transport_failure_name(te->what));
        co_await sleep_for(backoff(attempt));
        continue;
      }
      answer.error = openai::map_transport_error(*te, ctx);
      answer.transport = te->what;
      co_return answer;
    }
    auto resp = std::move(std::get<std::unique_ptr<upstream::Response>>(out));
    answer.upstream_status = resp->status();
    answer.azure_request_id = resp->header("apim-request-id");
    if (answer.azure_request_id.empty()) answer.azure_request_id = resp->header("x-request-id");
    if (answer.upstream_status >= 200 && answer.upstream_status < 300) {
      answer.response = std::move(resp);
      co_return answer;
    }
    if (answer.upstream_status == 401 && !bearer.empty() && !token_renewed) {
      // Revoked, or cached past a change on Azure's side: one fresh token, then Azure's word stands.
      token_renewed = true;
      spdlog::warn("upstream {}: Azure refused the Entra ID token (401); trying once more with a fresh one", deployment);
      tokens.reject(endpoint.credential, bearer);
      auto renewed = co_await add_credential(tokens, endpoint, req, bearer);
      if (!renewed) {
        resp.reset();
        --attempt;  // not one of the retries
        continue;
      }
    }
    auto err_body = co_await resp->read_all(1 << 20);
    std::string text = std::holds_alternative<std::string>(err_body) ? std::get<std::string>(err_body) : std::string{};
    std::string ra = resp->header("retry-after");
    answer.retry_after_s = retry_after_seconds(resp->header("retry-after-ms"), resp->header("x-ms-retry-after-ms"), ra,
                                               std::chrono::system_clock::now());
    unsigned s = answer.upstream_status;
    bool retryable = s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
    // The same deployment is asked again only after a short wait; a long retry-after is a cool-down.
    double delay = answer.retry_after_s >= 0 ? answer.retry_after_s : backoff(attempt);
    if (retryable && !last && delay <= wait_cap) {
      ops::request_log(spdlog::level::warn, request_id, "upstream {}: HTTP {} (attempt {}, azure_request_id={}), retrying in {:.2f} s",
                       deployment, s, attempt + 1, answer.azure_request_id, delay);
      answer.retried.push_back(failure_reason(s, std::nullopt));
      resp.reset();
      co_await sleep_for(delay);
      continue;
    }
    if (ra.empty() && answer.retry_after_s >= 0) ra = std::to_string(static_cast<long>(std::ceil(answer.retry_after_s)));
    answer.error = openai::map_azure_error(s, text, ra, ctx);
    if (answer.retry_after_s < 0 && answer.error->retry_after)  // a wait named only in the message (APIM)
      answer.retry_after_s = std::atof(answer.error->retry_after->c_str());
    answer.error_body = std::move(text);
    answer.retry_after = std::move(ra);
    co_return answer;
  }
}

namespace {
struct Counted {
  std::optional<upstream::TransportError> failure;
  bool over_budget = false;
};

// Appends the body to `into` as it arrives, each piece taken from `held` first.
asio::awaitable<Counted> read_counted(upstream::Response& response, std::string& into, http::Permit& held,
                                      std::size_t limit) {
  for (;;) {
    auto piece = co_await response.read_some();
    if (auto* e = std::get_if<upstream::TransportError>(&piece)) co_return Counted{*e, false};
    auto& bytes = std::get<std::string>(piece);
    if (bytes.empty()) co_return Counted{};
    if (!held.grow(bytes.size())) {
      response.cancel();
      co_return Counted{std::nullopt, true};
    }
    into += bytes;
    if (into.size() > limit) {
      response.cancel();
      co_return Counted{upstream::TransportError{upstream::TransportFailure::protocol,
                                                 "answer larger than " + std::to_string(limit) + " bytes", false},
                        false};
    }
  }
}
}  // namespace

asio::awaitable<std::optional<Error>> wrong_content_type(upstream::Response& response, bool stream,
                                                         const openai::UpstreamContext& ctx) {
  std::string type = response.header("content-type");
  if (openai::content_type_fits(type, stream)) co_return std::nullopt;
  std::string body;
  while (body.size() < (64u << 10)) {
    auto piece = co_await response.read_some();
    auto* bytes = std::get_if<std::string>(&piece);
    if (!bytes || bytes->empty()) break;  // the end, or a broken connection: what arrived is what it said
    body += *bytes;
  }
  response.cancel();
  co_return openai::unexpected_content_type(response.status(), type, stream, body, ctx);
}

asio::awaitable<WholeAnswer> read_whole_answer(upstream::Response& response, http::ResponseWriter& res,
                                               const openai::UpstreamContext& ctx, http::Limiter& budget) {
  WholeAnswer out;
  out.held = budget.try_take(0);
  auto read = read_counted(response, out.raw, out.held, 64 << 20);
  // An answer already whole in the read buffer (most small ones) is read without waiting on the
  // network: no watch of the client for it (each costs a peek at the socket and a wait set up).
  std::optional<Counted> counted;
  if (response.buffered_whole()) {
    auto now = co_await std::move(read);
    counted.emplace(std::move(now));
  } else {
    counted = co_await unless_client_leaves(std::move(read), res);
  }
  if (!counted) {
    out.client_gone = true;
    res.abort();
    co_return out;
  }
  if (counted->over_budget) {
    out.held.reset();
    out.raw = {};
    out.error = busy("the proxy's memory budget for buffered bodies (BODY_BUDGET, " +
                     std::to_string(budget.cap() >> 20) + " MB) is in use: Azure's answer could not be held; retry shortly");
    co_return out;
  }
  if (counted->failure) {
    out.error = openai::map_transport_error(*counted->failure, ctx);
    co_return out;
  }
  boost::system::error_code ec;
  out.json = parse_json(out.raw, ec);
  if (ec) out.error = Error::internal("Azure OpenAI answered with invalid JSON");
  co_return out;
}

}  // namespace agp::gateway
