#include "config/routing.hpp"

#include <algorithm>
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

Result<Route> route_model(const std::string& model, const Config& config) {
  Route r;
  r.client_model = model;
  if (model.empty()) return Error::invalid("model: Field required");
  std::string name = model;
  for (std::string prefix : {"anthropic/", "openai/"})
    if (name.starts_with(prefix)) name = name.substr(prefix.size());
  auto l = lower(name);
  if (name.starts_with("azure/")) {
    r.deployment = name.substr(6);
  } else if (l.find("haiku") != std::string::npos) {
    r.deployment = config.small_model;
    r.tier = Route::Tier::small;
  } else if (l.find("sonnet") != std::string::npos || l.find("opus") != std::string::npos) {
    r.deployment = config.big_model;
    r.tier = Route::Tier::big;
  } else {
    r.deployment = name;
  }
  if (!valid_deployment_name(r.deployment))
    return Error{
        404,
        ErrorKind::not_found,
        "model: '" + model + "' is not a known model or a valid Azure deployment name ([A-Za-z0-9._-], at most 64)",
        {}};
  r.reasoning = is_reasoning_deployment(r.deployment, config);
  r.responses = uses_responses_api(r.deployment, config);
  return r;
}

}  // namespace agp::config
