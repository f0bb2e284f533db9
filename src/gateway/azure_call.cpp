#include "gateway/azure_call.hpp"

#include "gateway/client_watch.hpp"
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

std::string failure_reason(unsigned upstream_status, std::optional<TransportFailure> transport) {
  if (upstream_status != 0) return "http_" + std::to_string(upstream_status);
  return transport ? transport_failure_name(*transport) : "no_answer";
}

asio::awaitable<AzureAnswer> call_azure(upstream::Client& client, const config::Config& cfg,
                                        const config::Endpoint& endpoint, const std::string& url,
                                        const openai::UpstreamContext& ctx, std::string body, int retries,
                                        const std::string& request_id, const http::Headers& extra) {
  AzureAnswer answer;
  const auto& deployment = ctx.deployment;
  upstream::Request req;
  if (!upstream::parse_url(url, req.url)) {
    answer.error = Error::internal("the Azure URL '" + url + "' is malformed");
    co_return answer;
  }
  req.headers = {{endpoint.auth_header, endpoint.api_key},
                 {"content-type", "application/json"},
                 {"accept", "application/json, text/event-stream"}};
  for (auto& h : endpoint.headers) req.headers.push_back(h);
  for (auto& h : extra) req.headers.push_back(h);
  req.body = std::move(body);
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
    answer.error_body = std::move(text);
    answer.retry_after = std::move(ra);
    co_return answer;
  }
}

asio::awaitable<WholeAnswer> read_whole_answer(upstream::Response& response, http::ResponseWriter& res,
                                               const openai::UpstreamContext& ctx) {
  WholeAnswer out;
  auto read = response.read_all(64 << 20);
  auto body_or_gone = co_await unless_client_leaves(std::move(read), res);
  if (!body_or_gone) {
    out.client_gone = true;
    res.abort();
    co_return out;
  }
  if (auto* te = std::get_if<upstream::TransportError>(&*body_or_gone)) {
    out.error = openai::map_transport_error(*te, ctx);
    co_return out;
  }
  out.raw = std::move(std::get<std::string>(*body_or_gone));
  boost::system::error_code ec;
  out.json = boost::json::parse(out.raw, ec);
  if (ec) out.error = Error::internal("Azure OpenAI answered with invalid JSON");
  co_return out;
}

}  // namespace agp::gateway
