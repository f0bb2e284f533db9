#include "gateway/health.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace agp::gateway {

bool Health::usable(State& s, Clock::time_point now, bool take_probe) {
  if (now < s.cool_until) return false;
  if (s.circuit == Circuit::open) {
    if (now < s.open_until) return false;
    s.circuit = Circuit::half_open;
    s.probing = false;
  }
  if (s.circuit == Circuit::half_open) {
    if (s.probing) return false;  // one probe at a time
    if (take_probe) s.probing = true;
  }
  return true;
}

bool Health::acquire(const std::string& deployment) {
  std::lock_guard lock(mu_);
  return usable(states_[deployment], Clock::now(), true);
}

double Health::cooling_for(const std::string& deployment) {
  std::lock_guard lock(mu_);
  auto left = states_[deployment].cool_until - Clock::now();
  return std::max(0.0, std::chrono::duration<double>(left).count());
}

std::vector<config::Deployment> Health::order(std::vector<config::Deployment> candidates) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  std::vector<std::pair<config::Deployment, bool>> ranked;
  for (auto& c : candidates) {
    auto& s = states_[c.name];
    ranked.emplace_back(std::move(c), usable(s, now, false));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second;  // usable first
    if (a.first.priority != b.first.priority) return a.first.priority < b.first.priority;
    double la = (states_[a.first.name].in_flight + 1.0) / a.first.weight;
    double lb = (states_[b.first.name].in_flight + 1.0) / b.first.weight;
    return la < lb;
  });
  std::vector<config::Deployment> out;
  for (auto& [d, ok] : ranked) out.push_back(std::move(d));
  return out;
}

bool Health::take_slot(const std::string& d, int cap) {
  std::lock_guard lock(mu_);
  auto& s = states_[d];
  if (cap > 0 && s.in_flight >= cap) {
    ++s.full;
    return false;
  }
  ++s.in_flight;
  return true;
}

void Health::end(const std::string& d) {
  std::lock_guard lock(mu_);
  auto& s = states_[d];
  if (s.in_flight > 0) --s.in_flight;
}

void Health::success(const std::string& d) {
  std::lock_guard lock(mu_);
  auto& s = states_[d];
  if (s.circuit != Circuit::closed) spdlog::info("deployment {}: circuit closed (probe succeeded)", d);
  s.circuit = Circuit::closed;
  s.probing = false;
  s.consecutive_failures = 0;
}

void Health::abandon(const std::string& d) {
  std::lock_guard lock(mu_);
  states_[d].probing = false;
}

void Health::failure(const std::string& d, double cooldown_s) {
  std::lock_guard lock(mu_);
  auto& s = states_[d];
  auto now = Clock::now();
  if (cooldown_s > 0) {
    s.cool_until = std::max(s.cool_until, now + std::chrono::milliseconds(static_cast<long>(cooldown_s * 1000)));
    ++s.cool_downs;
    spdlog::info("deployment {}: cooling down for {:.1f} s (Azure's retry-after)", d, cooldown_s);
  }
  ++s.consecutive_failures;
  bool reopen = s.circuit == Circuit::half_open;
  if (reopen || (s.circuit == Circuit::closed && s.consecutive_failures >= failures_to_open_)) {
    s.circuit = Circuit::open;
    s.open_until = now + open_for_;
    s.probing = false;
    ++s.opens;
    spdlog::warn("deployment {}: circuit open after {} consecutive failures; one probe in {} s", d,
                 s.consecutive_failures, open_for_.count());
  }
}

Health::Circuit Health::circuit_at(const State& s, Clock::time_point now) {
  if (s.circuit == Circuit::open) return now < s.open_until ? Circuit::open : Circuit::half_open;
  return s.circuit;
}

const char* Health::name(Circuit c) {
  return c == Circuit::open ? "open" : c == Circuit::half_open ? "half_open" : "closed";
}

std::map<std::string, Health::State> Health::snapshot() const {
  std::lock_guard lock(mu_);
  return states_;
}

}  // namespace agp::gateway
