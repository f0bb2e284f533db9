#include "chat_reply.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <random>

namespace mock {

namespace json = boost::json;
using std::string;

std::string random_alnum(std::size_t n) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> d(0, sizeof kChars - 2);
  string s;
  for (std::size_t i = 0; i < n; ++i) s += kChars[d(rng)];
  return s;
}

std::vector<string> split_utf8(std::string_view s, std::size_t size) {
  std::vector<string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = std::min(s.size(), pos + size);
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
    out.emplace_back(s.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

string utf8_prefix(std::string_view s, std::size_t n) {
  if (s.size() <= n) return string(s);
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return string(s.substr(0, n));
}

namespace {

json::object filter_results(const std::vector<string>& filtered, bool prompt) {
  json::object o;
  for (const char* c : {"hate", "self_harm", "sexual", "violence"}) {
    bool f = std::find(filtered.begin(), filtered.end(), c) != filtered.end();
    o[c] = json::object{{"filtered", f}, {"severity", f ? "high" : "safe"}};
  }
  if (prompt) o["jailbreak"] = json::object{{"filtered", false}, {"detected", false}};
  return o;
}

json::array prompt_filter_results() {
  return json::array{json::object{{"prompt_index", 0}, {"content_filter_results", filter_results({}, true)}}};
}

json::object usage_json(const ReplyPlan& p) {
  return json::object{{"prompt_tokens", p.prompt_tokens},
                      {"completion_tokens", p.completion_tokens},
                      {"total_tokens", p.prompt_tokens + p.completion_tokens},
                      {"prompt_tokens_details", json::object{{"cached_tokens", p.cached_tokens}, {"audio_tokens", 0}}},
                      {"completion_tokens_details", json::object{{"reasoning_tokens", p.reasoning_tokens},
                                                                 {"audio_tokens", 0},
                                                                 {"accepted_prediction_tokens", 0},
                                                                 {"rejected_prediction_tokens", 0}}}};
}


}  // namespace

std::string last_role(const json::object& body) {
  auto m = body.if_contains("messages");
  auto a = m ? m->if_array() : nullptr;
  if (!a || a->empty()) return {};
  auto o = a->back().if_object();
  auto r = o ? o->if_contains("role") : nullptr;
  auto rs = r ? r->if_string() : nullptr;
  return rs ? string(*rs) : string();
}

std::string last_user_text(const json::object& body) {
  auto m = body.if_contains("messages");
  auto a = m ? m->if_array() : nullptr;
  if (!a) return {};
  for (auto it = a->rbegin(); it != a->rend(); ++it) {
    auto o = it->if_object();
    auto r = o ? o->if_contains("role") : nullptr;
    if (!r || !r->is_string() || r->as_string() != "user") continue;
    auto c = o->if_contains("content");
    if (!c) return {};
    if (auto s = c->if_string()) return string(*s);
    string out;
    if (auto parts = c->if_array())
      for (auto& p : *parts) {
        auto po = p.if_object();
        auto t = po ? po->if_contains("text") : nullptr;
        if (!t || !t->is_string()) continue;
        if (!out.empty()) out += '\n';
        out.append(t->as_string().data(), t->as_string().size());
      }
    return out;
  }
  return {};
}

ReplyPlan make_plan(const Respond& r, const json::object& body, std::string_view deployment, std::size_t body_bytes) {
  ReplyPlan p;
  p.id = "chatcmpl-" + random_alnum(29);
  p.created =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  p.model = string(deployment) + "-2025-01-01";
  p.reasoning = r.reasoning_content;
  p.tool_calls = r.tool_calls;
  for (auto& tc : p.tool_calls)
    if (tc.id.empty()) tc.id = "call_" + random_alnum(24);
  if (r.text) {
    p.has_text = true;
    p.text = *r.text;
  } else if (p.tool_calls.empty()) {
    p.has_text = true;
    p.text = "mock reply: ";
    p.text += utf8_prefix(last_user_text(body), 200);
  }
  p.filter_categories = r.filter_categories;
  p.finish_reason = !r.finish_reason.empty()       ? r.finish_reason
                    : !p.tool_calls.empty()        ? "tool_calls"
                    : !r.filter_categories.empty() ? "content_filter"
                                                   : "stop";
  std::size_t out_bytes = p.text.size() + p.reasoning.size();
  for (auto& tc : p.tool_calls) out_bytes += tc.name.size() + tc.arguments.size();
  p.prompt_tokens = r.prompt_tokens.value_or(static_cast<std::int64_t>(body_bytes / 4));
  p.completion_tokens = r.completion_tokens.value_or(ceil4(out_bytes));
  p.cached_tokens = r.cached_tokens;
  p.reasoning_tokens = r.reasoning_tokens.value_or(std::min(p.completion_tokens, ceil4(p.reasoning.size())));
  p.chunk_size = r.chunk_size;
  p.async_filter = r.async_filter;
  return p;
}

std::string render_json(const ReplyPlan& p) {
  json::object msg{{"role", "assistant"},
                   {"content", p.has_text ? json::value(p.text) : json::value(nullptr)},
                   {"refusal", nullptr},
                   {"annotations", json::array{}}};
  if (!p.reasoning.empty()) msg["reasoning_content"] = p.reasoning;
  if (!p.tool_calls.empty()) {
    json::array calls;
    for (auto& tc : p.tool_calls)
      calls.push_back(json::object{{"id", tc.id},
                                   {"type", "function"},
                                   {"function", json::object{{"name", tc.name}, {"arguments", tc.arguments}}}});
    msg["tool_calls"] = std::move(calls);
  }
  json::object choice{{"index", 0},
                      {"finish_reason", p.finish_reason},
                      {"logprobs", nullptr},
                      {"content_filter_results", filter_results(p.filter_categories, false)},
                      {"message", std::move(msg)}};
  json::object root{{"id", p.id},
                    {"object", "chat.completion"},
                    {"created", p.created},
                    {"model", p.model},
                    {"system_fingerprint", "fp_mock"},
                    {"prompt_filter_results", prompt_filter_results()},
                    {"choices", json::array{std::move(choice)}},
                    {"usage", usage_json(p)}};
  return json::serialize(root);
}

std::vector<std::string> render_stream(const ReplyPlan& p, bool include_usage) {
  std::vector<string> frames;
  auto frame = [&](const json::object& o) { frames.push_back("data: " + json::serialize(o) + "\n\n"); };
  auto chunk = [&](json::object delta, json::value finish, json::object cfr) {
    json::object choice{{"content_filter_results", std::move(cfr)},
                        {"delta", std::move(delta)},
                        {"finish_reason", std::move(finish)},
                        {"index", 0},
                        {"logprobs", nullptr}};
    json::object o{
        {"choices", json::array{std::move(choice)}}, {"created", p.created},           {"id", p.id}, {"model", p.model},
        {"object", "chat.completion.chunk"},         {"system_fingerprint", "fp_mock"}};
    if (include_usage) o["usage"] = nullptr;
    frame(o);
  };
  // Async content filter: annotation chunks without a delta, covering the text so far.
  std::size_t filtered_upto = 0, emitted = 0, since_annotation = 0;
  auto annotation = [&] {
    json::object choice{
        {"content_filter_offsets",
         json::object{{"check_offset", filtered_upto}, {"start_offset", filtered_upto}, {"end_offset", emitted}}},
        {"content_filter_results", filter_results(p.filter_categories, false)},
        {"finish_reason", nullptr},
        {"index", 0}};
    frame(json::object{
        {"choices", json::array{std::move(choice)}}, {"created", 0}, {"id", ""}, {"model", ""}, {"object", ""}});
    filtered_upto = emitted;
    since_annotation = 0;
  };
  auto maybe_annotate = [&](std::size_t n) {
    emitted += n;
    if (p.async_filter && ++since_annotation >= 3) annotation();
  };

  frame(json::object{{"choices", json::array{}},
                     {"created", 0},
                     {"id", ""},
                     {"model", ""},
                     {"object", ""},
                     {"prompt_filter_results", prompt_filter_results()}});
  chunk(json::object{{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr, {});
  for (auto& piece : split_utf8(p.reasoning, p.chunk_size)) {
    chunk(json::object{{"reasoning_content", piece}}, nullptr, {});
    maybe_annotate(piece.size());
  }
  for (auto& piece : split_utf8(p.text, p.chunk_size)) {
    chunk(json::object{{"content", piece}}, nullptr, {});
    maybe_annotate(piece.size());
  }
  for (std::size_t i = 0; i < p.tool_calls.size(); ++i) {
    auto& tc = p.tool_calls[i];
    json::object first{{"index", i},
                       {"id", tc.id},
                       {"type", "function"},
                       {"function", json::object{{"name", tc.name}, {"arguments", ""}}}};
    chunk(json::object{{"tool_calls", json::array{std::move(first)}}}, nullptr, {});
    for (auto& piece : split_utf8(tc.arguments, p.chunk_size)) {
      json::object frag{{"index", i}, {"function", json::object{{"arguments", piece}}}};
      chunk(json::object{{"tool_calls", json::array{std::move(frag)}}}, nullptr, {});
      maybe_annotate(piece.size());
    }
  }
  json::object finish_cfr;
  if (!p.filter_categories.empty()) finish_cfr = filter_results(p.filter_categories, false);
  chunk(json::object{}, json::value(p.finish_reason), std::move(finish_cfr));
  if (p.async_filter) annotation();
  if (include_usage) {
    frame(json::object{{"choices", json::array{}},
                       {"created", p.created},
                       {"id", p.id},
                       {"model", p.model},
                       {"object", "chat.completion.chunk"},
                       {"system_fingerprint", "fp_mock"},
                       {"usage", usage_json(p)}});
  }
  frames.push_back("data: [DONE]\n\n");
  return frames;
}

}  // namespace mock
