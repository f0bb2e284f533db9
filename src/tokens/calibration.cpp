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

}  // namespace agp::tokens
