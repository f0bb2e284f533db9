// Azure API Management in front of the mock: the subscription key in its header, a path prefix,
// and the token-limit policy (azure-openai-token-limit / llm-token-limit): a rate in tokens per
// minute (429) and a quota per period (403), with APIM's own answers and Retry-After.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mock {

struct ApimConfig {
  std::string key;                                 // --apim-key: "" = no APIM in front
  std::string header = "Ocp-Apim-Subscription-Key";  // --apim-header
  std::string path_prefix;                         // --path-prefix, e.g. /team-openai
  std::int64_t tokens_per_minute = 0;              // --apim-tokens-per-minute: 0 = no rate limit
  std::int64_t token_quota = 0;                    // --apim-token-quota: 0 = no quota
  std::int64_t quota_period = 3600;                // --apim-quota-period: seconds
};

struct Refusal {
  unsigned status;
  std::string body;
  std::int64_t retry_after;  // seconds, 0 = none
};

// APIM's 401 for a missing or wrong subscription key.
std::optional<Refusal> check_subscription(const ApimConfig& c, std::string_view presented, bool present);

class TokenLimits {
 public:
  // The policy's refusal of the next request, from the tokens consumed so far.
  std::optional<Refusal> refuse(const ApimConfig& c);
  void consume(std::int64_t tokens);
  void reset();

 private:
  using Clock = std::chrono::steady_clock;
  std::mutex mu_;
  std::int64_t quota_used_ = 0;
  Clock::time_point period_start_ = Clock::now();
  std::deque<std::pair<Clock::time_point, std::int64_t>> minute_;
};

}  // namespace mock
