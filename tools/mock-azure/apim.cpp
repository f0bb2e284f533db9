#include "apim.hpp"

#include <string>

namespace mock {

namespace {

// APIM's policy answers are {"statusCode": N, "message": …}, not Azure OpenAI's error envelope.
std::string apim_body(unsigned status, const std::string& message) {
  return R"({ "statusCode": )" + std::to_string(status) + R"(, "message": ")" + message + R"(" })";
}

}  // namespace

std::optional<Refusal> check_subscription(const ApimConfig& c, std::string_view presented, bool present) {
  if (!present)
    return Refusal{401,
                   apim_body(401, "Access denied due to missing subscription key. Make sure to include subscription key "
                                  "when making requests to an API."),
                   0};
  if (presented != c.key)
    return Refusal{401,
                   apim_body(401, "Access denied due to invalid subscription key. Make sure to provide a valid key for "
                                  "an active subscription."),
                   0};
  return std::nullopt;
}

std::optional<Refusal> TokenLimits::refuse(const ApimConfig& c) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  auto period = std::chrono::seconds(c.quota_period);
  while (now - period_start_ >= period) {
    period_start_ += period;
    quota_used_ = 0;
  }
  if (c.token_quota > 0 && quota_used_ >= c.token_quota) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(period - (now - period_start_)).count() + 1;
    std::string when = std::to_string(left / 60) + " minutes and " + std::to_string(left % 60) + " seconds";
    return Refusal{403, apim_body(403, "Token quota is exceeded. Try again in " + when + "."), left};
  }
  while (!minute_.empty() && now - minute_.front().first >= std::chrono::minutes(1)) minute_.pop_front();
  std::int64_t used = 0;
  for (auto& [at, n] : minute_) used += n;
  if (c.tokens_per_minute > 0 && used >= c.tokens_per_minute) {
    auto left =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::minutes(1) - (now - minute_.front().first)).count() + 1;
    return Refusal{429, apim_body(429, "Token limit is exceeded. Try again in " + std::to_string(left) + " seconds."),
                   left};
  }
  return std::nullopt;
}

void TokenLimits::consume(std::int64_t tokens) {
  std::lock_guard lock(mu_);
  quota_used_ += tokens;
  minute_.emplace_back(Clock::now(), tokens);
}

void TokenLimits::reset() {
  std::lock_guard lock(mu_);
  quota_used_ = 0;
  period_start_ = Clock::now();
  minute_.clear();
}

}  // namespace mock
