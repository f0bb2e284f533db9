#include "openai/azure_errors.hpp"

#include "core/json_util.hpp"

#include <fmt/format.h>

#include <cctype>
#include <regex>

namespace agp::openai {

namespace {

std::string context_length_message(const std::string& msg, const UpstreamContext& ctx) {
  // "maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens"
  // "... However, you requested 35969 tokens (9969 in the messages, 26000 in the completion)"
  static const std::regex kMax(R"(maximum context length is (\d+) tokens)");
  static const std::regex kGot(R"(resulted in (\d+) tokens|you requested (\d+) tokens)");
  std::smatch m1, m2;
  if (std::regex_search(msg, m1, kMax) && std::regex_search(msg, m2, kGot)) {
    std::string got = m2[1].matched ? m2[1].str() : m2[2].str();
    return fmt::format("prompt is too long: {} tokens > {} maximum", got, m1[1].str());
  }
  // "Your input exceeds the context window of this model." (Responses API): our own numbers.
  if (ctx.prompt_tokens > 0 && ctx.context_window > 0)
    return fmt::format("prompt is too long: {} tokens > {} maximum (counted by the proxy; Azure: {})",
                       std::max(ctx.prompt_tokens, ctx.context_window + 1), ctx.context_window, msg);
  if (ctx.prompt_tokens > 0)
    return fmt::format("prompt is too long: about {} tokens, more than deployment {} takes (Azure: {})",
                       ctx.prompt_tokens, ctx.deployment, msg);
  return "prompt is too long: " + msg;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool looks_like_html(std::string_view body) {
  auto start = body.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && body[start] == '<';
}

// Text without its tags, whitespace collapsed, at most 200 characters.
std::string text_of_markup(std::string_view html) {
  std::string out;
  bool in_tag = false, space = false;
  for (char c : html) {
    if (c == '<') in_tag = true;
    if (!in_tag) {
      bool ws = std::isspace(static_cast<unsigned char>(c)) != 0;
      if (ws && !out.empty()) space = true;
      if (!ws) {
        if (space) out += ' ';
        out += c;
        space = false;
      }
    }
    if (c == '>') in_tag = false;
    if (out.size() >= 200) break;
  }
  return out;
}

// The text between <tag …> and </tag>, or "".
std::string element_text(std::string_view body, std::string_view tag) {
  std::string low = lower(body);
  std::string open_tag("<"), close_tag("</");
  open_tag.append(tag);
  close_tag.append(tag);
  auto open = low.find(open_tag);
  if (open == std::string::npos) return "";
  auto begin = low.find('>', open);
  auto end = low.find(close_tag, begin);
  if (begin == std::string::npos || end == std::string::npos) return "";
  return text_of_markup(body.substr(begin + 1, end - begin - 1));
}

}  // namespace

std::string wait_named_in(const std::string& msg) {
  static const std::regex kRetry(R"(retry after (\d+) second)", std::regex::icase);
  static const std::regex kClock(R"(in (?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}))");  // [d.]hh:mm:ss
  static const std::regex kAgain(R"(try again in ((?:\d+ (?:days?|hours?|minutes?|seconds?)(?:,? and |, | )?)+))",
                                 std::regex::icase);
  static const std::regex kPart(R"((\d+) (day|hour|minute|second))", std::regex::icase);
  std::smatch m;
  if (std::regex_search(msg, m, kRetry)) return m[1].str();
  if (std::regex_search(msg, m, kClock)) {
    long days = m[1].matched ? std::stol(m[1].str()) : 0;
    return std::to_string(((days * 24 + std::stol(m[2].str())) * 60 + std::stol(m[3].str())) * 60 + std::stol(m[4].str()));
  }
  if (!std::regex_search(msg, m, kAgain)) return "";
  std::string parts = m[1].str();
  long total = 0;
  for (std::sregex_iterator it(parts.begin(), parts.end(), kPart), end; it != end; ++it) {
    auto unit = lower((*it)[2].str());
    long n = std::stol((*it)[1].str());
    total += unit == "day" ? n * 86400 : unit == "hour" ? n * 3600 : unit == "minute" ? n * 60 : n;
  }
  return std::to_string(total);
}

bool is_quota_exhausted(unsigned status, std::string_view message) {
  if (status != 403) return false;
  auto m = lower(message);
  return m.find("quota") != std::string::npos &&
         (m.find("exceeded") != std::string::npos || m.find("out of") != std::string::npos ||
          m.find("replenished") != std::string::npos);
}

std::string body_summary(std::string_view body) {
  if (looks_like_html(body)) {
    std::string text = element_text(body, "title");
    if (text.empty()) text = element_text(body, "h1");
    if (text.empty()) text = text_of_markup(body);
    return fmt::format("an HTML page ({}), not Azure's JSON: a gateway or proxy in front of Azure answered", text);
  }
  std::string text(body.substr(0, 300));
  for (auto& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

bool content_type_fits(std::string_view content_type, bool stream) {
  if (content_type.empty()) return true;
  std::string t = lower(content_type);
  if (stream) return t.starts_with("text/event-stream");
  return t.starts_with("application/json") || (t.starts_with("application/") && t.find("+json") != std::string::npos);
}

Error unexpected_content_type(unsigned status, std::string_view content_type, bool stream, std::string_view body,
                              const UpstreamContext& ctx) {
  std::string what = body_summary(body);
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (!ec && v.is_object() && find(v.get_object(), "error"))  // an error object under a 2xx status
    what = map_azure_error(500, body, "", ctx).message;
  return Error::internal(fmt::format(
      "Azure OpenAI deployment '{}' answered HTTP {} with content-type {} instead of {}: {}", ctx.deployment, status,
      content_type, stream ? "text/event-stream" : "application/json", what));
}

std::optional<std::int64_t> output_limit_from_error(std::string_view body) {
  static const std::regex kLimit(R"(supports at most (\d{1,9}) (?:completion|output) tokens)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(body.begin(), body.end(), m, kLimit)) return std::nullopt;
  return std::stoll(m[1].str());
}

std::optional<Capability> capability_from_error(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  const json::object* err = nullptr;
  if (!ec && v.is_object()) err = find_object(v.get_object(), "error");
  if (!err) return std::nullopt;
  std::string message(find_string(*err, "message").value_or(""));
  std::string param(find_string(*err, "param").value_or(""));
  auto has = [&](std::string_view s) { return message.find(s) != std::string::npos; };
  Capability c;
  if (auto limit = output_limit_from_error(message)) {
    c.max_output_tokens = *limit;
    return c;
  }
  // "Function tools with reasoning_effort are not supported for gpt-5.4 in /v1/chat/completions.
  // Please use /v1/responses instead."
  if (has("Function tools with reasoning_effort are not supported")) {
    c.chat_tools_with_reasoning = false;
    return c;
  }
  if (has("Encrypted content is not supported") ||
      (param == "include" && has("reasoning.encrypted_content")) || has("Reasoning input items can only be provided")) {
    c.encrypted_reasoning = false;
    return c;
  }
  bool effort_param = param == "reasoning_effort" || param == "reasoning.effort" || has("'reasoning_effort'") ||
                      has("'reasoning.effort'");
  // "Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. Supported values are:
  // 'none', 'low', 'medium', and 'high'." / "Invalid value: 'none'. Supported values are: …"
  if (auto at = message.find("Supported values are:"); effort_param && at != std::string::npos) {
    static const std::regex kQuoted(R"('([a-z]+)')");
    auto tail = message.substr(at);
    for (std::sregex_iterator it(tail.begin(), tail.end(), kQuoted), end; it != end; ++it)
      c.efforts.push_back((*it)[1].str());
    if (!c.efforts.empty()) return c;
  }
  // "Unrecognized request argument supplied: reasoning_effort" (a chat model), and the Responses
  // API's "Unsupported parameter: 'reasoning.effort' is not supported with this model."
  if (has("Unrecognized request argument supplied: reasoning_effort") ||
      (has("Unsupported parameter") && (effort_param || has("'reasoning.summary'")))) {
    c.reasoning = false;
    return c;
  }
  if (has("Unrecognized request argument supplied: prompt_cache_key") ||
      (has("Unsupported parameter") && has("'prompt_cache_key'"))) {
    c.prompt_cache_key = false;
    return c;
  }
  if (has("Unsupported parameter") && (has("'temperature'") || has("'top_p'"))) {
    c.sampling = false;
    return c;
  }
  if (has("Unsupported value") && (param == "temperature" || param == "top_p" || has("'temperature'"))) {
    c.sampling = false;
    return c;
  }
  return std::nullopt;
}

std::string filtered_categories(const json::value* results) {
  std::string out;
  auto* o = results ? results->if_object() : nullptr;
  if (!o) return out;
  for (auto& [name, v] : *o) {
    auto* r = v.if_object();
    if (!r) continue;
    auto filtered = find_bool(*r, "filtered");
    if (filtered && *filtered) {
      if (!out.empty()) out += ", ";
      out += std::string(name);
      if (auto sev = find_string(*r, "severity"); sev && *sev != "safe") out += " (" + std::string(*sev) + ")";
    }
  }
  return out;
}

Error map_azure_error(unsigned status, std::string_view body, std::string_view retry_after,
                      const UpstreamContext& ctx) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  std::string code, message;
  const json::value* filter_results = nullptr;
  if (!ec && v.is_object()) {
    const json::object* err = find_object(v.get_object(), "error");
    if (!err) err = &v.get_object();
    if (auto* c = find(*err, "code")) {
      if (c->is_string())
        code = std::string(c->get_string());
      else if (c->is_int64())
        code = std::to_string(c->get_int64());
    }
    if (auto m = find_string(*err, "message")) message = std::string(*m);
    if (auto* inner = find_object(*err, "innererror")) filter_results = find(*inner, "content_filter_result");
  }
  if (message.empty()) message = body_summary(body);
  if (message.empty()) message = fmt::format("HTTP {}", status);

  if (status == 400 || status == 413 || status == 422) {
    if (code == "context_length_exceeded" || message.find("maximum context length") != std::string::npos)
      return Error::invalid(context_length_message(message, ctx));
    if (code == "content_filter") {
      auto cats = filtered_categories(filter_results);
      return Error::invalid(fmt::format(
          "Azure OpenAI's content filter blocked the prompt{}. Rephrase the request or ask your Azure admin about the "
          "deployment's content filter policy.",
          cats.empty() ? "" : " (categories: " + cats + ")"));
    }
    return Error::invalid(fmt::format("Azure OpenAI rejected the request: {}", message));
  }
  if (is_quota_exhausted(status, message)) {
    Error e{429,
            ErrorKind::rate_limit,
            fmt::format("The API Management token quota in front of Azure deployment '{}' is spent: {} It renews at "
                        "the end of its period; your APIM admin can raise it.",
                        ctx.deployment, message),
            {}};
    std::string ra(retry_after);
    if (ra.empty()) ra = wait_named_in(message);
    if (!ra.empty()) e.retry_after = ra;
    return e;
  }
  if (status == 401 || status == 403)
    return Error{500,
                 ErrorKind::upstream_auth,
                 fmt::format("Azure OpenAI rejected the proxy's credentials (HTTP {}): {} {}", status, message,
                             ctx.auth.empty() ? "Check AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT of the proxy."
                                              : ctx.auth),
                 {}};
  if (status == 404) {
    if (code == "DeploymentNotFound")
      return {404,
              ErrorKind::not_found,
              fmt::format("Azure deployment '{}' was not found at {}: {}", ctx.deployment, ctx.endpoint, message),
              {}};
    return {404,
            ErrorKind::not_found,
            fmt::format("Azure OpenAI answered 404 for deployment '{}' at {} ({}). Check the deployment name and "
                        "AZURE_API_VERSION.",
                        ctx.deployment, ctx.endpoint, message),
            {}};
  }
  if (status == 429) {
    Error e{429,
            ErrorKind::rate_limit,
            fmt::format("Azure OpenAI rate limit for deployment '{}': {}", ctx.deployment, message),
            {}};
    std::string ra(retry_after);
    if (ra.empty()) ra = wait_named_in(message);
    if (!ra.empty()) e.retry_after = ra;
    return e;
  }
  if (status == 408 || status == 504)
    return {504, ErrorKind::upstream_timeout, fmt::format("Azure OpenAI timed out (HTTP {}): {}", status, message), {}};
  if (status == 503 || status == 529)
    return {529, ErrorKind::overloaded, fmt::format("Azure OpenAI is overloaded (HTTP {}): {}", status, message), {}};
  if (status >= 500) return Error::internal(fmt::format("Azure OpenAI failed (HTTP {}): {}", status, message));
  return Error::invalid(fmt::format("Azure OpenAI answered HTTP {}: {}", status, message));
}

Error map_transport_error(const upstream::TransportError& e, const UpstreamContext& ctx) {
  using upstream::TransportFailure;
  const std::string& detail = e.detail;
  switch (e.what) {
    case TransportFailure::connect:
      return Error::internal(fmt::format("cannot reach Azure OpenAI at {}: {}", ctx.endpoint, detail));
    case TransportFailure::tls:
      return Error::internal(fmt::format("TLS to Azure OpenAI at {} failed: {}", ctx.endpoint, detail));
    case TransportFailure::first_byte_timeout:
      return {504,
              ErrorKind::upstream_timeout,
              fmt::format("Azure OpenAI deployment '{}' did not answer in time ({})", ctx.deployment, detail),
              {}};
    case TransportFailure::idle_timeout:
      return {504,
              ErrorKind::upstream_timeout,
              fmt::format("Azure OpenAI deployment '{}' stalled mid-answer ({})", ctx.deployment, detail),
              {}};
    case TransportFailure::reset:
      return {529,
              ErrorKind::overloaded,
              fmt::format("the connection to Azure OpenAI broke mid-answer ({}); try again", detail),
              {}};
    case TransportFailure::protocol:
      return Error::internal(fmt::format("Azure OpenAI sent a malformed answer: {}", detail));
    case TransportFailure::cancelled:
      return Error::internal("the request was cancelled");
  }
  return Error::internal(detail);
}

}  // namespace agp::openai
