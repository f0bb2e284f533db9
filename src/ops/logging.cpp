#include "ops/logging.hpp"

#include "ops/metrics.hpp"

#include <boost/json.hpp>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <cmath>
#include <ctime>

namespace agp::ops {

namespace json = boost::json;

namespace {

std::atomic<LogFormat> g_format{LogFormat::text};
constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v";

// One JSON object a line: {"ts":"…Z","level":"info", then the payload's members, or "msg":"…"}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto t = msg.time;
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[40];
    std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    auto level = spdlog::level::to_string_view(msg.level);
    fmt::format_to(std::back_inserter(dest), R"({{"ts":"{}.{:03}Z","level":"{}",)", std::string_view(stamp, n), ms,
                   std::string_view(level.data(), level.size()));
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!payload.empty() && payload.front() == kJsonMembers) {
      payload.remove_prefix(1);
      dest.append(payload.data(), payload.data() + payload.size());
    } else {
      std::string text = json::serialize(json::string(payload));
      dest.append(std::string_view(R"("msg":)"));
      dest.append(text.data(), text.data() + text.size());
    }
    dest.append(std::string_view("}\n"));
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

// The members of `o` without its braces, marked for the JSON formatter.
std::string members(const json::object& o) {
  std::string s = json::serialize(o);
  std::string out(1, kJsonMembers);
  out.append(s, 1, s.size() - 2);
  return out;
}

std::string events_text(const std::vector<UpstreamEvent>& events) {
  std::string out;
  for (auto& e : events) {
    if (!out.empty()) out += ',';
    out += e.deployment;
    out += ':';
    out += e.reason;
  }
  return out;
}

json::array events_json(const std::vector<UpstreamEvent>& events) {
  json::array a;
  for (auto& e : events) a.push_back({{"deployment", e.deployment}, {"reason", e.reason}});
  return a;
}

// A value in double quotes, escaped as label values are: one line stays one.
std::string quoted(std::string_view v) {
  std::string out = "\"";
  out += escape_label_value(v);
  out += '"';
  return out;
}

spdlog::level::level_enum level_of(const RequestRecord& r) {
  if (r.quiet) return spdlog::level::debug;
  return r.status >= 500 ? spdlog::level::warn : spdlog::level::info;
}

void write_text_line(const RequestRecord& r, spdlog::level::level_enum level) {
  if (r.quiet) {
    spdlog::log(level, "{} {} status={}", r.id, r.route, r.status);
    return;
  }
  auto num = [](std::int64_t v) { return v < 0 ? std::string("-") : std::to_string(v); };
  auto ms = [](double v) { return v < 0 ? std::string("-") : fmt::format("{:.0f}ms", v); };
  std::string line = fmt::format("{} {} {} status={}", r.id, r.route, r.remote, r.status);
  if (!r.client_model.empty()) line += fmt::format(" model={}->{}", r.client_model, r.deployment);
  if (r.stream) line += " stream";
  line += fmt::format(" upstream={} ttft={} total={} tokens_in={} out={} cached={}", ms(r.upstream_ms), ms(r.ttft_ms),
                      ms(r.total_ms), num(r.tokens_in), num(r.tokens_out), num(r.tokens_cached));
  if (r.tokens_reasoning > 0) line += fmt::format(" reasoning={}", r.tokens_reasoning);
  if (r.tokens_local >= 0)
    line += fmt::format(" local={}", r.tokens_local);
  else if (r.tokens_quick >= 0)
    line += fmt::format(" est={}", r.tokens_quick);
  if (r.count_error) line += fmt::format(" count_err={:+.1f}%", *r.count_error * 100);
  line += fmt::format(" bytes={}", r.bytes_out);
  if (!r.azure_request_id.empty()) line += " azure_request_id=" + r.azure_request_id;
  for (auto [name, events] : {std::pair{"retries", &r.retries}, std::pair{"failovers", &r.failovers},
                              std::pair{"resends", &r.resends}})
    if (!events->empty()) line += fmt::format(" {}={}", name, events_text(*events));
  if (!r.error.empty()) line += " error=" + quoted(r.error);
  spdlog::log(level, "{}", line);
}

void write_json_line(const RequestRecord& r, spdlog::level::level_enum level) {
  json::object o{{"msg", "request"}, {"request_id", r.id}, {"route", r.route}, {"status", r.status}};
  if (!r.quiet) {
    o["remote"] = r.remote;
    if (!r.client_model.empty()) {
      o["client_model"] = r.client_model;
      o["deployment"] = r.deployment;
    }
    o["stream"] = r.stream;
    auto ms = [&](const char* key, double v) {  // whole milliseconds
      if (v >= 0) o[key] = static_cast<std::int64_t>(std::llround(v));
    };
    ms("upstream_ms", r.upstream_ms);
    ms("ttft_ms", r.ttft_ms);
    ms("total_ms", r.total_ms);
    auto count = [&](const char* key, std::int64_t v) {
      if (v >= 0) o[key] = v;
    };
    count("tokens_in", r.tokens_in);
    count("tokens_out", r.tokens_out);
    count("tokens_cached", r.tokens_cached);
    count("tokens_reasoning", r.tokens_reasoning);
    count("tokens_local", r.tokens_local);
    count("tokens_estimate", r.tokens_quick);
    if (r.count_error) o["count_error"] = *r.count_error;
    o["bytes"] = r.bytes_out;
    if (!r.azure_request_id.empty()) o["azure_request_id"] = r.azure_request_id;
    if (!r.retries.empty()) o["retries"] = events_json(r.retries);
    if (!r.failovers.empty()) o["failovers"] = events_json(r.failovers);
    if (!r.resends.empty()) o["resends"] = events_json(r.resends);
    if (!r.error.empty()) o["error"] = r.error;
  }
  spdlog::log(level, "{}", members(o));
}

}  // namespace

void start_logging(std::size_t queue_messages) {
  spdlog::init_thread_pool(queue_messages, 1);
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::async_logger>("azure-gpt-proxy", std::move(sink), spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern(kTextPattern);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
}

void set_log_format(LogFormat f) {
  g_format = f;
  if (f == LogFormat::json)
    spdlog::default_logger()->set_formatter(std::make_unique<JsonFormatter>());
  else
    spdlog::default_logger()->set_pattern(kTextPattern);
}

LogFormat log_format() { return g_format.load(); }

void stop_logging() { spdlog::shutdown(); }

std::uint64_t log_messages_dropped() {
  auto pool = spdlog::thread_pool();
  return pool ? pool->overrun_counter() : 0;
}

void log_for_request(spdlog::level::level_enum level, const std::string& id, const std::string& message) {
  if (log_format() == LogFormat::json)
    spdlog::log(level, "{}", members(json::object{{"request_id", id}, {"msg", message}}));
  else
    spdlog::log(level, "{} {}", id, message);
}

void write_request_line(const RequestRecord& r) {
  auto level = level_of(r);
  if (!spdlog::should_log(level)) return;
  if (log_format() == LogFormat::json)
    write_json_line(r, level);
  else
    write_text_line(r, level);
}

}  // namespace agp::ops
