// Model routing: which Azure deployment answers a client's model name, and what it can do.
#pragma once

#include "config/config.hpp"
#include "core/error.hpp"

#include <string>
#include <vector>

namespace agp::config {

struct Route {
  // The deployments to try, in the route's order (the gateway orders them by priority, health and
  // load); `deployment`, `reasoning` and `responses` describe the first.
  std::vector<Deployment> candidates;
  std::string deployment;
  std::string client_model;  // echoed back in answers
  bool reasoning = false;    // o-series / gpt-5 style: no temperature, developer role, reasoning_effort
  enum class Tier { small, big, other } tier = Tier::other;  // for BIG_EFFORT / SMALL_EFFORT
  bool responses = false;  // served by the Responses API (AZURE_BACKEND, or a Responses-only family)
};

// *haiku* → SMALL_MODEL; *sonnet* / *opus* → BIG_MODEL; azure/<d> → d; anthropic/ and
// openai/ prefixes stripped; anything else is a deployment name, validated so that no
// client can steer the upstream URL.
Result<Route> route_model(const std::string& model, const Config& config);
// The same against a given team (a reloaded configuration).
Result<Route> route_model(const std::string& model, const Config& config, const Team& team);

bool is_reasoning_deployment(const std::string& deployment, const Config& config);
// The deployment's `api`, else the model family's (AZURE_BACKEND, *codex*).
bool serves_responses(const Deployment& d, const Config& config);
// AZURE_BACKEND=responses, or a family that only speaks the Responses API (*codex*).
bool uses_responses_api(const std::string& deployment, const Config& config);
bool valid_deployment_name(const std::string& name);

}  // namespace agp::config
