#include "openai/responses/common.hpp"

#include "core/json_util.hpp"
#include "openai/azure_errors.hpp"

namespace agp::openai::responses {

answer::Usage parse_usage(const json::value* usage) {
  answer::Usage u;
  auto* o = usage ? usage->if_object() : nullptr;
  if (!o) return u;
  u.seen = true;
  u.input = find_int(*o, "input_tokens").value_or(0);
  u.output = find_int(*o, "output_tokens").value_or(0);
  if (auto* d = find_object(*o, "input_tokens_details")) u.cached = find_int(*d, "cached_tokens").value_or(0);
  if (auto* d = find_object(*o, "output_tokens_details")) u.reasoning = find_int(*d, "reasoning_tokens").value_or(0);
  return u;
}

Error failure_error(const json::object& e, const UpstreamContext& ctx) {
  std::string code(find_string(e, "code").value_or(""));
  unsigned status = 500;
  if (code == "rate_limit_exceeded")
    status = 429;
  else if (code == "context_length_exceeded" || code == "invalid_prompt" || code == "content_filter" ||
           code.starts_with("invalid_image") || code.starts_with("image_"))
    status = 400;
  json::object wrapped{
      {"error", json::object{{"code", code}, {"message", find_string(e, "message").value_or("the response failed")}}}};
  return map_azure_error(status, json::serialize(wrapped), "", ctx);
}

}  // namespace agp::openai::responses
