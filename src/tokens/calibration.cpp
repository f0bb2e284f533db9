#include "tokens/calibration.hpp"

#include <algorithm>
#include <cmath>

namespace agp::tokens {

namespace {
constexpr double kAlpha = 0.2;  // weight of a new observation in the running averages
}

double Calibration::observe(const std::string& deployment, const ChatCount& local, std::int64_t azure) {
  if (azure <= 0) return 0;
  std::lock_guard lock(mu_);
  auto& s = by_deployment_[deployment];
  double reported = static_cast<double>(local.exact) + static_cast<double>(local.estimated) * s.factor;
  double error = (reported - static_cast<double>(azure)) / static_cast<double>(azure);
  s.mean_abs_error = s.samples == 0 ? std::abs(error) : (1 - kAlpha) * s.mean_abs_error + kAlpha * std::abs(error);
  ++s.samples;
  // Only the estimated part learns, and only when it is large enough to explain the gap.
  if (local.estimated > 0) {
    double wanted =
        (static_cast<double>(azure) - static_cast<double>(local.exact)) / static_cast<double>(local.estimated);
    wanted = std::clamp(wanted, 0.25, 4.0);
    s.factor = (1 - kAlpha) * s.factor + kAlpha * wanted;
  }
  return error;
}

std::int64_t Calibration::corrected(const std::string& deployment, const ChatCount& local) const {
  std::lock_guard lock(mu_);
  auto it = by_deployment_.find(deployment);
  double factor = it == by_deployment_.end() ? 1.0 : it->second.factor;
  return local.exact + static_cast<std::int64_t>(std::llround(static_cast<double>(local.estimated) * factor));
}

Calibration::Stats Calibration::stats(const std::string& deployment) const {
  std::lock_guard lock(mu_);
  auto it = by_deployment_.find(deployment);
  return it == by_deployment_.end() ? Stats{} : it->second;
}

std::int64_t Calibration::quick(const std::string& deployment, std::size_t body_bytes) const {
  std::lock_guard lock(mu_);
  auto it = tokens_per_byte_.find(deployment);
  double ratio = it == tokens_per_byte_.end() ? 0.25 : it->second;
  return static_cast<std::int64_t>(static_cast<double>(body_bytes) * ratio + 0.5);
}

void Calibration::observe_bytes(const std::string& deployment, std::size_t body_bytes, std::int64_t azure_prompt_tokens) {
  if (body_bytes == 0 || azure_prompt_tokens <= 0) return;
  double r = static_cast<double>(azure_prompt_tokens) / static_cast<double>(body_bytes);
  std::lock_guard lock(mu_);
  auto [it, fresh] = tokens_per_byte_.try_emplace(deployment, r);
  if (!fresh) it->second = 0.8 * it->second + 0.2 * r;  // a running average that follows the traffic
}

}  // namespace agp::tokens
