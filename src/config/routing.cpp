#include "config/routing.hpp"

#include <algorithm>
#include <optional>
#include <cctype>

namespace agp::config {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

bool valid_deployment_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool is_reasoning_deployment(const std::string& deployment, const Config& config) {
  if (std::find(config.reasoning_deployments.begin(), config.reasoning_deployments.end(), deployment) !=
      config.reasoning_deployments.end())
    return true;
  auto d = lower(deployment);
  if (d.size() >= 2 && d[0] == 'o' && std::isdigit(static_cast<unsigned char>(d[1]))) return true;  // o1, o3, o4-mini
  return d.starts_with("gpt-5") || d.starts_with("gpt5") || d.find("codex") != std::string::npos;
}

bool uses_responses_api(const std::string& deployment, const Config& config) {
  return config.backend == "responses" || lower(deployment).find("codex") != std::string::npos;
}

bool serves_responses(const Deployment& d, const Config& config) {
  if (d.api == "responses") return true;
  if (d.api == "chat") return false;
  return uses_responses_api(d.deployment, config);
}

Result<Route> route_model(const std::string& model, const Config& config) {
  if (config.team) return route_model(model, config, *config.team);
  // A Config built by hand (tests) has no team yet: the environment's set-up.
  return route_model(model, config, team_from_env(config));
}

Result<Route> route_model(const std::string& model, const Config& config, const Team& team) {
  Route r;
  r.client_model = model;
  if (model.empty()) return Error::invalid("model: Field required");
  std::string name = model;
  for (std::string prefix : {"anthropic/", "openai/"})
    if (name.starts_with(prefix)) name = name.substr(prefix.size());
  auto l = lower(name);
  if (l.find("haiku") != std::string::npos)
    r.tier = Route::Tier::small;
  else if (l.find("sonnet") != std::string::npos || l.find("opus") != std::string::npos)
    r.tier = Route::Tier::big;
  auto ad_hoc = [&](const std::string& deployment) -> Result<Route> {
    // A deployment the configuration does not list, on the only endpoint (environment set-up).
    if (!valid_deployment_name(deployment))
      return Error{404, ErrorKind::not_found,
                   "model: '" + model + "' is not a known model or a valid Azure deployment name ([A-Za-z0-9._-], at most 64)",
                   {}};
    Deployment d;
    d.name = d.deployment = deployment;
    if (auto it = config.capabilities.find(deployment); it != config.capabilities.end()) d.capabilities = it->second;
    r.candidates.push_back(std::move(d));
    return r;
  };
  auto not_routed = [&] {
    return Error{404, ErrorKind::not_found,
                 "model: '" + model + "' matches no route of " + team.source + " and names no deployment there", {}};
  };
  // A deployment named directly: the configured one of that name, else (environment set-up only)
  // that Azure deployment on the one endpoint.
  auto by_name = [&](const std::string& dep) -> std::optional<Error> {
    if (auto* d = team.find_deployment(dep)) {
      r.candidates.push_back(*d);
      return std::nullopt;
    }
    if (team.from_file) return not_routed();
    if (auto ok = ad_hoc(dep); !ok) return ok.error();
    return std::nullopt;
  };
  if (name.starts_with("azure/")) {
    r.tier = Route::Tier::other;
    if (auto e = by_name(name.substr(6))) return *e;
  } else {
    for (auto& rule : team.routes)
      if (glob_match(rule.pattern, model) || glob_match(rule.pattern, name)) {
        for (auto i : rule.deployments) r.candidates.push_back(team.deployments[i]);
        break;
      }
    if (r.candidates.empty())
      if (auto e = by_name(name)) return *e;
  }
  auto& first = r.candidates.front();
  r.deployment = first.deployment;
  r.reasoning = is_reasoning_deployment(first.deployment, config);
  r.responses = serves_responses(first, config);
  return r;
}

}  // namespace agp::config
