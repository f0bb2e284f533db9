// Per-deployment health for failover: requests in flight, cool-downs Azure asked for (a 429's
// retry-after is honoured by skipping the deployment, not by waiting), and a circuit breaker that
// opens after consecutive failures and lets one probe through after its cool-down. Thread-safe.
#pragma once

#include "config/team.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace agp::gateway {

class Health {
 public:
  using Clock = std::chrono::steady_clock;
  Health(int failures_to_open, std::chrono::seconds open_for) : failures_to_open_(failures_to_open), open_for_(open_for) {}

  // The candidates to try, in order: by priority, then by requests in flight per weight; those
  // cooling down or with an open circuit only after all others (they are tried last rather than
  // failing a request some deployment might still take).
  std::vector<config::Deployment> order(std::vector<config::Deployment> candidates);
  // True when the deployment may be asked now (not cooling down, circuit closed, or this is the
  // half-open probe — taken by this call).
  bool acquire(const std::string& deployment);
  double cooling_for(const std::string& deployment);  // seconds left of its cool-down, 0 = none

  // One of the deployment's `cap` in-flight slots (0 = no cap), given back with end(); false when
  // all are taken: the request goes to the route's next deployment, like one cooling down.
  bool take_slot(const std::string& deployment, int cap);
  void end(const std::string& deployment);
  void success(const std::string& deployment);
  // The attempt ended without an answer to judge by (the client left): a half-open probe is freed.
  void abandon(const std::string& deployment);
  // A failure that moves the request on; `cooldown_s` > 0 skips the deployment for that long.
  void failure(const std::string& deployment, double cooldown_s);

  enum class Circuit { closed, open, half_open };
  struct State {
    int in_flight = 0, consecutive_failures = 0;
    std::uint64_t full = 0;  // requests that found it at its max_in_flight
    Circuit circuit = Circuit::closed;
    Clock::time_point cool_until{}, open_until{};
    bool probing = false;
    std::uint64_t opens = 0, cool_downs = 0;  // since start, for metrics
  };
  std::map<std::string, State> snapshot() const;
  // The circuit as a request would find it at `now`: an open one whose time is up is half-open.
  static Circuit circuit_at(const State& s, Clock::time_point now);
  static const char* name(Circuit c);

 private:
  bool usable(State& s, Clock::time_point now, bool take_probe);
  mutable std::mutex mu_;
  std::map<std::string, State> states_;
  int failures_to_open_;
  std::chrono::seconds open_for_;
};

}  // namespace agp::gateway
