// Budgets and rate limits of one key, as pure arithmetic: which limit a key is past, when that
// limit resets (UTC), and the 429 message and retry-after that say so. No clocks: `now` is given.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace agp::access {

using SysTime = std::chrono::system_clock::time_point;
// Seconds since the Unix epoch, as the store's columns hold times.
inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// 0 = no limit. Tokens are input + output tokens as Azure reported them (cached input included).
struct KeyLimits {
  std::int64_t daily_tokens = 0, monthly_tokens = 0, rpm = 0, tpm = 0;
  bool any() const { return daily_tokens > 0 || monthly_tokens > 0 || rpm > 0 || tpm > 0; }
};

// What a key has used so far in the current UTC day, UTC month and UTC minute (requests in this
// minute counted before the one being decided).
struct Used {
  std::int64_t day_tokens = 0, month_tokens = 0, minute_requests = 0, minute_tokens = 0;
};

struct Exceeded {
  std::string limit;  // "daily token budget", "monthly token budget", "requests per minute", "tokens per minute"
  std::int64_t allowed = 0, used = 0;
  SysTime resets_at;
  std::int64_t retry_after_s = 1;  // whole seconds until resets_at, at least 1
};

// Starts of the UTC minute / day / month containing `t`, and of the next ones.
SysTime minute_start(SysTime t);
SysTime day_start(SysTime t);
SysTime month_start(SysTime t);
SysTime next_minute(SysTime t);
SysTime next_day(SysTime t);
SysTime next_month(SysTime t);
// Whole minutes / days since the epoch, the index the per-minute and per-day counters use.
std::int64_t minute_index(SysTime t);
std::int64_t day_index(SysTime t);
std::int64_t month_index(SysTime t);  // months since 1970-01

// The first limit `used` is at or past (a request at the limit is refused), with the longest
// reset first when several are: a spent monthly budget is not fixed by the next minute.
std::optional<Exceeded> check(const KeyLimits& limits, const Used& used, SysTime now);
// "key 'alice' is over its daily token budget (120/100 tokens); it resets at 2026-12-03 00:00:00 UTC"
std::string message(const std::string& key_name, const Exceeded& e);
// "2026-12-03 00:00:00 UTC"
std::string utc_string(SysTime t);

}  // namespace agp::access
