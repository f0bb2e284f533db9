#include "model_limits.hpp"

#include <boost/json.hpp>

namespace mock {

namespace json = boost::json;
using std::string;

namespace {
const std::set<string> kKnown = {"no_reasoning", "no_minimal", "no_cache_key", "tools_reasoning_responses_only",
                                 "no_encrypted"};

bool has_tools(const json::object& b) {
  auto t = b.if_contains("tools");
  return t && t->is_array() && !t->as_array().empty();
}

std::optional<string> effort_of(const json::object& b, bool responses) {
  const json::value* e = nullptr;
  if (!responses)
    e = b.if_contains("reasoning_effort");
  else if (auto r = b.if_contains("reasoning"); r && r->is_object())
    e = r->as_object().if_contains("effort");
  if (e && e->is_string()) return string(e->as_string());
  return std::nullopt;
}
}  // namespace

bool parse_model_limits(const string& text, ModelLimits& out, string& err) {
  std::string_view rest = text;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) return err = "expected dep=limit+limit", false;
    auto dep = string(item.substr(0, eq));
    std::string_view limits = item.substr(eq + 1);
    while (!limits.empty()) {
      auto plus = limits.find('+');
      string l(limits.substr(0, plus));
      limits = plus == std::string_view::npos ? std::string_view{} : limits.substr(plus + 1);
      if (!kKnown.contains(l)) return err = "unknown model limit '" + l + "'", false;
      out[dep].insert(l);
    }
  }
  return true;
}

std::optional<ApiError> check_model_limits(const json::object& b, bool responses, std::string_view deployment,
                                           const std::set<string>& limits) {
  if (limits.contains("no_cache_key") && b.contains("prompt_cache_key"))
    return ApiError{400, "Unrecognized request argument supplied: prompt_cache_key", std::nullopt,
                    string("unrecognized_request_argument")};
  auto effort = effort_of(b, responses);
  if (limits.contains("no_minimal") && effort && *effort == "minimal") {
    if (responses)
      return ApiError{400,
                      "Unsupported value: 'minimal' is not supported with the '" + string(deployment) +
                          "' model. Supported values are: 'none', 'low', 'medium', and 'high'.",
                      string("reasoning.effort"), string("unsupported_value")};
    return ApiError{400, "Invalid value: 'minimal'. Supported values are: 'low', 'medium', and 'high'.",
                    string("reasoning_effort"), string("invalid_value")};
  }
  if (limits.contains("tools_reasoning_responses_only") && !responses && has_tools(b) && effort && *effort != "none")
    return ApiError{400,
                    "Function tools with reasoning_effort are not supported for " + string(deployment) +
                        " in /v1/chat/completions. Please use /v1/responses instead.",
                    string("reasoning_effort"), std::nullopt};
  if (limits.contains("no_encrypted") && responses) {
    bool asks = false;
    if (auto inc = b.if_contains("include"); inc && inc->is_array())
      for (auto& v : inc->as_array()) asks |= v.is_string() && v.as_string() == "reasoning.encrypted_content";
    if (auto in = b.if_contains("input"); in && in->is_array())
      for (auto& item : in->as_array())
        if (auto o = item.if_object(); o && o->contains("encrypted_content")) asks = true;
    if (asks)
      return ApiError{400, "Encrypted content is not supported with this model.", string("include"), std::nullopt};
  }
  return std::nullopt;
}

}  // namespace mock
