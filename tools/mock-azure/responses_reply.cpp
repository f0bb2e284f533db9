#include "responses_reply.hpp"

#include "chat_reply.hpp"
#include "responses_validate.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>

namespace mock {

namespace json = boost::json;
using std::string;
using std::string_view;

namespace {


json::value echo(const json::object& body, string_view key, json::value fallback) {
  auto v = body.if_contains(key);
  return v && !v->is_null() ? *v : fallback;
}

// Role of an input item as the rules see it.
string item_role(const json::value& item) {
  auto o = item.if_object();
  if (!o) return "assistant";
  auto t = o->if_contains("type");
  string_view type = t && t->is_string() ? string_view(t->as_string()) : "message";
  if (type == "function_call_output") return "tool";
  if (type != "message") return "assistant";
  auto r = o->if_contains("role");
  return r && r->is_string() && r->as_string() == "user" ? "user" : "assistant";
}

json::object usage_json(const ResponsesPlan& p) {
  return json::object{{"input_tokens", p.input_tokens},
                      {"input_tokens_details", json::object{{"cached_tokens", p.cached_tokens}}},
                      {"output_tokens", p.output_tokens},
                      {"output_tokens_details", json::object{{"reasoning_tokens", p.reasoning_tokens}}},
                      {"total_tokens", p.input_tokens + p.output_tokens}};
}

json::object summary_part(string_view text) { return json::object{{"type", "summary_text"}, {"text", text}}; }

json::object text_part(string_view text) {
  return json::object{
      {"type", "output_text"}, {"text", text}, {"annotations", json::array{}}, {"logprobs", json::array{}}};
}

json::object reasoning_item(const ResponsesPlan& p, bool done) {
  json::array summary;
  if (done && !p.reasoning_summary->empty()) summary.push_back(summary_part(*p.reasoning_summary));
  json::object item{{"type", "reasoning"}, {"id", p.reasoning_id}, {"summary", std::move(summary)}};
  if (done && p.encrypted_content) item["encrypted_content"] = *p.encrypted_content;
  return item;
}

json::object message_item(const ResponsesPlan& p, bool done, bool last) {
  json::array content;
  if (done) content.push_back(text_part(p.text));
  return json::object{{"type", "message"},
                      {"id", p.message_id},
                      {"role", "assistant"},
                      {"status", !done                  ? "in_progress"
                                 : last && p.incomplete ? "incomplete"
                                                        : "completed"},
                      {"content", std::move(content)}};
}

json::object call_item(const ResponsesPlan& p, std::size_t i, bool done, bool last) {
  const ToolCallSpec& tc = p.tool_calls[i];
  return json::object{{"type", "function_call"},
                      {"id", p.item_ids[i]},
                      {"call_id", tc.id},
                      {"name", tc.name},
                      {"arguments", done ? tc.arguments : string()},
                      {"status", !done                  ? "in_progress"
                                 : last && p.incomplete ? "incomplete"
                                                        : "completed"}};
}

json::array final_output(const ResponsesPlan& p) {
  json::array out;
  std::size_t last = (p.reasoning_summary ? 1 : 0) + (p.has_text ? 1 : 0) + p.tool_calls.size();
  std::size_t n = 0;
  if (p.reasoning_summary) out.push_back(reasoning_item(p, true)), ++n;
  if (p.has_text) out.push_back(message_item(p, true, ++n == last));
  for (std::size_t i = 0; i < p.tool_calls.size(); ++i) out.push_back(call_item(p, i, true, ++n == last));
  return out;
}

json::object response_object(const ResponsesPlan& p, string_view status, bool final) {
  json::object o = p.base;
  o["status"] = status;
  if (final) {
    o["output"] = final_output(p);
    o["usage"] = usage_json(p);
    if (p.incomplete) o["incomplete_details"] = json::object{{"reason", "max_output_tokens"}};
    if (p.failed) o["error"] = json::object{{"code", "server_error"}, {"message", *p.failed}};
  }
  return o;
}

string final_status(const ResponsesPlan& p) { return p.failed ? "failed" : p.incomplete ? "incomplete" : "completed"; }

}  // namespace

std::string responses_last_role(const json::object& body) {
  auto in = body.if_contains("input");
  if (!in) return {};
  if (in->is_string()) return "user";
  auto a = in->if_array();
  if (!a || a->empty()) return {};
  return item_role(a->back());
}

std::string responses_last_user_text(const json::object& body) {
  auto in = body.if_contains("input");
  if (!in) return {};
  if (auto s = in->if_string()) return string(*s);
  auto a = in->if_array();
  if (!a) return {};
  for (auto it = a->rbegin(); it != a->rend(); ++it) {
    if (item_role(*it) != "user") continue;
    auto c = it->as_object().if_contains("content");
    if (!c) return {};
    if (auto s = c->if_string()) return string(*s);
    string out;
    if (auto parts = c->if_array())
      for (auto& part : *parts) {
        auto po = part.if_object();
        auto ty = po ? po->if_contains("type") : nullptr;
        auto tx = po ? po->if_contains("text") : nullptr;
        if (!ty || !ty->is_string() || ty->as_string() != "input_text" || !tx || !tx->is_string()) continue;
        if (!out.empty()) out += '\n';
        out.append(tx->as_string().data(), tx->as_string().size());
      }
    return out;
  }
  return {};
}

ResponsesPlan make_responses_plan(const Respond& r, const json::object& body, string_view deployment,
                                  bool reasoning_model, std::size_t body_bytes) {
  ResponsesPlan p;
  auto created =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  json::object reasoning{{"effort", nullptr}, {"summary", nullptr}};
  if (reasoning_model) {
    reasoning["effort"] = "medium";
    if (auto rq = body.if_contains("reasoning"); rq && rq->is_object()) {
      auto& ro = rq->as_object();
      if (auto e = ro.if_contains("effort"); e && e->is_string()) reasoning["effort"] = *e;
      for (const char* k : {"generate_summary", "summary"})
        if (auto s = ro.if_contains(k); s && s->is_string()) reasoning["summary"] = *s;
    }
  }
  p.base = json::object{
      {"id", "resp_" + random_alnum(48)},
      {"object", "response"},
      {"created_at", created},
      {"status", "in_progress"},
      {"background", false},
      {"error", nullptr},
      {"incomplete_details", nullptr},
      {"instructions", echo(body, "instructions", nullptr)},
      {"max_output_tokens", echo(body, "max_output_tokens", nullptr)},
      {"model", string(deployment) + "-2025-01-01"},
      {"output", json::array{}},
      {"parallel_tool_calls", echo(body, "parallel_tool_calls", true)},
      {"previous_response_id", nullptr},
      {"prompt_cache_key", echo(body, "prompt_cache_key", nullptr)},
      {"reasoning", std::move(reasoning)},
      {"safety_identifier", echo(body, "safety_identifier", nullptr)},
      {"service_tier", "default"},
      {"store", echo(body, "store", false)},
      {"temperature", echo(body, "temperature", 1)},
      {"text", echo(body, "text", json::object{{"format", json::object{{"type", "text"}}}, {"verbosity", "medium"}})},
      {"tool_choice", echo(body, "tool_choice", "auto")},
      {"tools", echo(body, "tools", json::array{})},
      {"top_p", echo(body, "top_p", 1)},
      {"truncation", echo(body, "truncation", "disabled")},
      {"usage", nullptr},
      {"user", echo(body, "user", nullptr)},
      {"metadata", echo(body, "metadata", json::object{})}};

  p.reasoning_summary = r.reasoning_summary;
  if (!p.reasoning_summary && !r.reasoning_content.empty()) p.reasoning_summary = r.reasoning_content;
  if (p.reasoning_summary) {
    p.reasoning_id = "rs_" + random_alnum(48);
    if (r.encrypted_content)
      p.encrypted_content = r.encrypted_content;
    else if (responses_includes(body, "reasoning.encrypted_content"))
      p.encrypted_content = "enc_" + random_alnum(64);
  }
  p.tool_calls = r.tool_calls;
  for (auto& tc : p.tool_calls) {
    if (tc.id.empty()) tc.id = "call_" + random_alnum(24);
    p.item_ids.push_back("fc_" + random_alnum(48));
  }
  p.incomplete = r.incomplete;
  p.failed = r.failed;
  p.error_event = r.error_event;
  if (r.text) {
    p.has_text = true;
    p.text = *r.text;
  } else if (p.tool_calls.empty() && !p.failed && !p.error_event) {
    p.has_text = true;
    p.text = "mock reply: " + utf8_prefix(responses_last_user_text(body), 200);
  }
  if (p.has_text) p.message_id = "msg_" + random_alnum(48);

  std::size_t out_bytes = p.text.size();
  for (auto& tc : p.tool_calls) out_bytes += tc.name.size() + tc.arguments.size();
  std::int64_t reasoning_default = p.reasoning_summary ? ceil4(p.reasoning_summary->size()) : 0;
  p.input_tokens = r.prompt_tokens.value_or(static_cast<std::int64_t>(body_bytes / 4));
  p.cached_tokens = std::min(r.cached_tokens, p.input_tokens);
  p.reasoning_tokens = r.reasoning_tokens.value_or(reasoning_default);
  p.output_tokens = r.completion_tokens.value_or(ceil4(out_bytes) + p.reasoning_tokens);
  if (r.completion_tokens && !r.reasoning_tokens) p.reasoning_tokens = std::min(p.reasoning_tokens, p.output_tokens);
  p.chunk_size = r.chunk_size;
  return p;
}

std::pair<unsigned, std::string> render_responses_json(const ResponsesPlan& p) {
  if (p.error_event) {
    json::object e{
        {"message", *p.error_event}, {"type", "requests"}, {"param", nullptr}, {"code", "rate_limit_exceeded"}};
    return {429, json::serialize(json::object{{"error", std::move(e)}})};
  }
  if (p.failed) {
    json::object e{{"message", *p.failed}, {"type", "server_error"}, {"param", nullptr}, {"code", "server_error"}};
    return {500, json::serialize(json::object{{"error", std::move(e)}})};
  }
  return {200, json::serialize(response_object(p, final_status(p), true))};
}

std::vector<std::string> render_responses_stream(const ResponsesPlan& p) {
  std::vector<string> frames;
  std::int64_t seq = 0;
  auto emit = [&](string_view type, json::object fields) {
    json::object o{{"type", type}, {"sequence_number", seq++}};
    for (auto& kv : fields) o[kv.key()] = std::move(kv.value());
    frames.push_back("event: " + string(type) + "\ndata: " + json::serialize(o) + "\n\n");
  };
  emit("response.created", {{"response", response_object(p, "in_progress", false)}});
  emit("response.in_progress", {{"response", response_object(p, "in_progress", false)}});

  std::int64_t index = 0;
  std::size_t count = (p.reasoning_summary ? 1 : 0) + (p.has_text ? 1 : 0) + p.tool_calls.size();
  if (p.reasoning_summary) {
    const string& id = p.reasoning_id;
    const string& text = *p.reasoning_summary;
    emit("response.output_item.added", {{"output_index", index}, {"item", reasoning_item(p, false)}});
    if (!text.empty()) {
      json::object where{{"item_id", id}, {"output_index", index}, {"summary_index", 0}};
      auto with = [&](json::object extra) {
        json::object o = where;
        for (auto& kv : extra) o[kv.key()] = std::move(kv.value());
        return o;
      };
      emit("response.reasoning_summary_part.added", with({{"part", summary_part("")}}));
      for (auto& piece : split_utf8(text, p.chunk_size))
        emit("response.reasoning_summary_text.delta", with({{"delta", piece}}));
      emit("response.reasoning_summary_text.done", with({{"text", text}}));
      emit("response.reasoning_summary_part.done", with({{"part", summary_part(text)}}));
    }
    emit("response.output_item.done", {{"output_index", index}, {"item", reasoning_item(p, true)}});
    ++index;
  }
  if (p.has_text) {
    bool last = static_cast<std::size_t>(index) + 1 == count;
    json::object where{{"item_id", p.message_id}, {"output_index", index}, {"content_index", 0}};
    auto with = [&](json::object extra) {
      json::object o = where;
      for (auto& kv : extra) o[kv.key()] = std::move(kv.value());
      return o;
    };
    emit("response.output_item.added", {{"output_index", index}, {"item", message_item(p, false, last)}});
    emit("response.content_part.added", with({{"part", text_part("")}}));
    for (auto& piece : split_utf8(p.text, p.chunk_size))
      emit("response.output_text.delta", with({{"delta", piece}, {"logprobs", json::array{}}}));
    emit("response.output_text.done", with({{"text", p.text}, {"logprobs", json::array{}}}));
    emit("response.content_part.done", with({{"part", text_part(p.text)}}));
    emit("response.output_item.done", {{"output_index", index}, {"item", message_item(p, true, last)}});
    ++index;
  }
  for (std::size_t i = 0; i < p.tool_calls.size(); ++i) {
    bool last = static_cast<std::size_t>(index) + 1 == count;
    const ToolCallSpec& tc = p.tool_calls[i];
    emit("response.output_item.added", {{"output_index", index}, {"item", call_item(p, i, false, last)}});
    for (auto& piece : split_utf8(tc.arguments, p.chunk_size))
      emit("response.function_call_arguments.delta",
           {{"item_id", p.item_ids[i]}, {"output_index", index}, {"delta", piece}});
    emit("response.function_call_arguments.done",
         {{"item_id", p.item_ids[i]}, {"output_index", index}, {"name", tc.name}, {"arguments", tc.arguments}});
    emit("response.output_item.done", {{"output_index", index}, {"item", call_item(p, i, true, last)}});
    ++index;
  }

  if (p.error_event) {
    emit("error", {{"code", "rate_limit_exceeded"}, {"message", *p.error_event}, {"param", nullptr}});
    return frames;
  }
  string status = final_status(p);
  emit("response." + status, {{"response", response_object(p, status, true)}});
  return frames;
}

}  // namespace mock
