// Per-deployment model limits (--model-limits): what a real model on Azure refuses although the
// request is well-formed, answered with Azure's own error texts — a chat model that has no
// reasoning, gpt-5.1+ without effort "minimal", Foundry models without prompt_cache_key, gpt-5.x
// refusing tools with reasoning on Chat Completions, models without encrypted reasoning.
#pragma once

#include "validate.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace mock {

using ModelLimits = std::map<std::string, std::set<std::string>>;  // deployment → limits

// "dep=no_reasoning+no_cache_key,dep2=no_minimal"; false (and `err`) on an unknown limit.
bool parse_model_limits(const std::string& text, ModelLimits& out, std::string& err);

std::optional<ApiError> check_model_limits(const boost::json::object& body, bool responses,
                                           std::string_view deployment, const std::set<std::string>& limits);

}  // namespace mock
