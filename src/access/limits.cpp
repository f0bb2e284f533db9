#include "access/limits.hpp"

#include <fmt/format.h>

namespace agp::access {

namespace chr = std::chrono;

SysTime minute_start(SysTime t) { return chr::floor<chr::minutes>(t); }
SysTime day_start(SysTime t) { return chr::floor<chr::days>(t); }
SysTime month_start(SysTime t) {
  chr::year_month_day ymd{chr::floor<chr::days>(t)};
  return chr::sys_days{ymd.year() / ymd.month() / 1};
}
SysTime next_minute(SysTime t) { return minute_start(t) + chr::minutes(1); }
SysTime next_day(SysTime t) { return day_start(t) + chr::days(1); }
SysTime next_month(SysTime t) {
  chr::year_month_day ymd{chr::floor<chr::days>(t)};
  auto first = ymd.year() / ymd.month() / 1;
  return chr::sys_days{first + chr::months(1)};
}
std::int64_t minute_index(SysTime t) { return chr::floor<chr::minutes>(t.time_since_epoch()).count(); }
std::int64_t day_index(SysTime t) { return chr::floor<chr::days>(t.time_since_epoch()).count(); }
std::int64_t month_index(SysTime t) {
  chr::year_month_day ymd{chr::floor<chr::days>(t)};
  return (static_cast<int>(ymd.year()) - 1970) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
}

std::optional<Exceeded> check(const KeyLimits& limits, const Used& used, SysTime now) {
  auto exceeded = [&](const char* what, std::int64_t allowed, std::int64_t u, SysTime resets) {
    auto secs = chr::ceil<chr::seconds>(resets - now).count();
    return Exceeded{what, allowed, u, resets, std::max<std::int64_t>(1, secs)};
  };
  if (limits.monthly_tokens > 0 && used.month_tokens >= limits.monthly_tokens)
    return exceeded("monthly token budget", limits.monthly_tokens, used.month_tokens, next_month(now));
  if (limits.daily_tokens > 0 && used.day_tokens >= limits.daily_tokens)
    return exceeded("daily token budget", limits.daily_tokens, used.day_tokens, next_day(now));
  if (limits.tpm > 0 && used.minute_tokens >= limits.tpm)
    return exceeded("tokens per minute", limits.tpm, used.minute_tokens, next_minute(now));
  if (limits.rpm > 0 && used.minute_requests >= limits.rpm)
    return exceeded("requests per minute", limits.rpm, used.minute_requests, next_minute(now));
  return std::nullopt;
}

std::string utc_string(SysTime t) {
  auto days = chr::floor<chr::days>(t);
  chr::year_month_day ymd{days};
  chr::hh_mm_ss hms{chr::floor<chr::seconds>(t - days)};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

std::string message(const std::string& key_name, const Exceeded& e) {
  const char* unit = e.limit == "requests per minute" ? "requests" : "tokens";
  return fmt::format("key '{}' is over its {} ({}/{} {}); it resets at {} (retry after {} s)", key_name, e.limit,
                     e.used, e.allowed, unit, utc_string(e.resets_at), e.retry_after_s);
}

}  // namespace agp::access
