#include "gateway/azure_call.hpp"

#include "gateway/client_watch.hpp"
#include "openai/azure_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <spdlog/spdlog.h>

#include <charconv>

namespace agp::gateway {

namespace asio = boost::asio;

std::string chat_completions_url(const config::Config& cfg, const std::string& deployment) {
  if (cfg.api_version_is_v1()) return cfg.azure_endpoint + "/openai/v1/chat/completions";
  // Deployment names are validated to [A-Za-z0-9._-], but encode anyway: the URL is ours.
  return cfg.azure_endpoint + "/openai/deployments/" + boost::urls::encode(deployment, boost::urls::unreserved_chars) +
         "/chat/completions?api-version=" + cfg.azure_api_version;
}

Result<std::string> responses_url(const config::Config& cfg) {
  auto v = cfg.responses_api_version();
  if (v == "v1") return cfg.azure_endpoint + "/openai/v1/responses";
  if (!cfg.responses_api_available())
    return Error::internal("the Responses API needs api-version 2025-03-01-preview or later, or v1; the proxy uses " +
                           v + " (set AZURE_RESPONSES_API_VERSION=v1)");
  return cfg.azure_endpoint + "/openai/responses?api-version=" + v;
}

namespace {

// Seconds to wait before a retry, or -1 when the answer says not to retry soon.
double retry_delay(const std::string& retry_after_ms, const std::string& retry_after, int attempt) {
  double backoff = 0.25 * (1 << attempt);
  double v = 0;
  if (!retry_after_ms.empty()) {
    auto [p, ec] = std::from_chars(retry_after_ms.data(), retry_after_ms.data() + retry_after_ms.size(), v);
    if (ec == std::errc{}) return v / 1000.0 <= 10 ? std::max(v / 1000.0, 0.0) : -1;
  }
  if (!retry_after.empty()) {
    auto [p, ec] = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), v);
    if (ec == std::errc{}) return v <= 10 ? std::max(v, 0.0) : -1;  // Azure sometimes says 86400: give up
  }
  return backoff;
}

asio::awaitable<void> sleep_for(double seconds) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

asio::awaitable<AzureAnswer> call_azure(upstream::Client& client, const config::Config& cfg, const std::string& url,
                                        const openai::UpstreamContext& ctx, std::string body) {
  AzureAnswer answer;
  const auto& deployment = ctx.deployment;
  upstream::Request req;
  if (!upstream::parse_url(url, req.url)) {
    answer.error = Error::internal("the Azure URL '" + url + "' is malformed");
    co_return answer;
  }
  req.headers = {{"api-key", cfg.azure_api_key},
                 {"content-type", "application/json"},
                 {"accept", "application/json, text/event-stream"}};
  req.body = std::move(body);
  upstream::Timeouts timeouts{cfg.connect_timeout, cfg.first_byte_timeout, cfg.idle_timeout};

  for (int attempt = 0;; ++attempt) {
    answer.attempts = attempt + 1;
    bool last = attempt >= cfg.upstream_retries;
    auto out = co_await client.send(req, timeouts);
    if (auto* te = std::get_if<upstream::TransportError>(&out)) {
      bool retryable = te->what == upstream::TransportFailure::connect || te->what == upstream::TransportFailure::reset;
      if (!last && retryable) {
        spdlog::warn("upstream {}: {} (attempt {}), retrying", deployment, te->detail, attempt + 1);
        co_await sleep_for(0.25 * (1 << attempt));
        continue;
      }
      answer.error = openai::map_transport_error(*te, ctx);
      co_return answer;
    }
    auto resp = std::move(std::get<std::unique_ptr<upstream::Response>>(out));
    answer.upstream_status = resp->status();
    if (answer.upstream_status >= 200 && answer.upstream_status < 300) {
      answer.response = std::move(resp);
      co_return answer;
    }
    auto err_body = co_await resp->read_all(1 << 20);
    std::string text = std::holds_alternative<std::string>(err_body) ? std::get<std::string>(err_body) : std::string{};
    std::string ra = resp->header("retry-after"), ra_ms = resp->header("retry-after-ms");
    unsigned s = answer.upstream_status;
    bool retryable = s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
    double delay = retryable && !last ? retry_delay(ra_ms, ra, attempt) : -1;
    if (delay >= 0) {
      spdlog::warn("upstream {}: HTTP {} (attempt {}), retrying in {:.2f} s", deployment, s, attempt + 1, delay);
      resp.reset();
      co_await sleep_for(delay);
      continue;
    }
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
