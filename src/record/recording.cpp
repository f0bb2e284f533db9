#include "record/recording.hpp"

#include "anthropic/errors.hpp"
#include "anthropic/events.hpp"
#include "anthropic/request.hpp"
#include "core/json_util.hpp"
#include "wire/sse.hpp"
#include "openai/azure_errors.hpp"
#include "openai/chat/request.hpp"
#include "openai/chat/response.hpp"
#include "openai/chat/stream.hpp"
#include "openai/responses/from_anthropic.hpp"
#include "openai/responses/to_anthropic.hpp"

#include <fstream>
#include <sstream>

namespace agp::record {

namespace {

std::optional<std::string> slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<json::object> read_object(const std::filesystem::path& p) {
  auto text = slurp(p);
  if (!text) return Error::invalid("recording: cannot read " + p.string());
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  if (ec || !v.is_object()) return Error::invalid("recording: " + p.string() + " is not a JSON object");
  return v.get_object();
}

// The error the client got for a transport failure, as meta.json recorded it.
Error recorded_error(const json::object& te) {
  return Error{static_cast<unsigned>(find_int(te, "status").value_or(500)),
               static_cast<ErrorKind>(find_int(te, "kind").value_or(static_cast<int>(ErrorKind::api))),
               std::string(find_string(te, "message").value_or("")),
               {}};
}

template <typename Translator, typename Feed>
std::string run_stream(Translator& t, std::string_view bytes, Feed feed, const json::object& meta) {
  anthropic::Events events = t.start();
  wire::SseParser sse;
  auto take = [&](std::vector<wire::SseFrame> frames) {
    for (auto& f : frames) {
      if (t.ended()) break;
      auto more = feed(t, f);
      events.insert(events.end(), more.begin(), more.end());
    }
  };
  take(sse.feed(bytes));
  take(sse.finish());
  if (!t.ended()) {
    // The live exchange ended with a transport failure: replay it as recorded.
    anthropic::Events more;
    if (auto* te = find_object(meta, "transport_error"))
      more = t.fail(recorded_error(*te));
    else
      more = t.finish();
    events.insert(events.end(), more.begin(), more.end());
  }
  return anthropic::to_sse(events);
}

}  // namespace

bool is_secret_header(std::string_view name) {
  std::string n(name);
  for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return n == "authorization" || n == "x-api-key" || n == "api-key" || n == "cookie" || n == "proxy-authorization";
}

Result<Recording> load(const std::filesystem::path& dir) {
  Recording r;
  auto meta = read_object(dir / "meta.json");
  if (!meta) return meta.error();
  r.meta = std::move(*meta);
  auto req = read_object(dir / "client_request.json");
  if (!req) return req.error();
  r.client_request = std::move(*req);
  auto up = slurp(dir / "upstream_response");
  auto down = slurp(dir / "client_response");
  if (!up || !down) return Error::invalid("recording: " + dir.string() + " lacks upstream_response or client_response");
  r.upstream_response = std::move(*up);
  r.client_response = std::move(*down);
  return r;
}

std::string without_pings(std::string_view sse) {
  wire::SseParser p;
  auto frames = p.feed(sse);
  auto tail = p.finish();
  frames.insert(frames.end(), tail.begin(), tail.end());
  std::string out;
  for (auto& f : frames)
    if (f.event != "ping") out += wire::format_sse(f.event, f.data);
  return out;
}

Result<std::string> replay(const Recording& r) {
  const auto& m = r.meta;
  auto* body = find(r.client_request, "body");
  if (!body) return Error::invalid("recording: client_request.json has no body");
  auto parsed = anthropic::parse_request(*body);
  if (!parsed) return parsed.error();
  std::string backend(find_string(m, "backend").value_or("chat"));
  std::string deployment(find_string(m, "deployment").value_or(""));
  std::string message_id(find_string(m, "message_id").value_or(""));
  std::string client_model(find_string(m, "client_model").value_or(parsed->model));
  auto estimate = find_int(m, "input_tokens_estimate").value_or(0);
  bool reasoning = find_bool(m, "reasoning").value_or(false);
  bool stream = parsed->stream;
  openai::UpstreamContext uctx{deployment, std::string(find_string(m, "endpoint").value_or(""))};

  // No answer at all (connect failure, timeout): the client got the recorded error.
  if (find_int(m, "upstream_status").value_or(0) == 0)
    if (auto* te = find_object(m, "transport_error"))
      return anthropic::error_json(recorded_error(*te), find_string(m, "request_id").value_or(""));

  // Azure said no: the client got the mapped error.
  if (auto status = find_int(m, "upstream_status"); status && (*status < 200 || *status >= 300)) {
    auto e = openai::map_azure_error(static_cast<unsigned>(*status), r.upstream_response,
                                     find_string(m, "retry_after").value_or(""), uctx);
    return anthropic::error_json(e, find_string(m, "request_id").value_or(""));
  }

  if (backend == "chat") {
    bool emulate_stop = openai::chat::emulates_stop(*parsed, reasoning);
    openai::chat::Options opts{deployment, std::string(find_string(m, "api_version").value_or("")), reasoning,
                               find_int(m, "max_output_tokens").value_or(0), emulate_stop};
    auto chat = openai::chat::to_chat_request(*parsed, opts);
    openai::chat::AnswerContext ctx{client_model, message_id, &chat.names, estimate,
                                    emulate_stop ? parsed->stop_sequences : std::vector<std::string>{}};
    if (!stream) {
      boost::system::error_code ec;
      auto v = json::parse(r.upstream_response, ec);
      if (ec) return Error::invalid("recording: upstream_response is not JSON");
      auto msg = openai::chat::to_anthropic_message(v, ctx);
      if (!msg) return msg.error();
      return json::serialize(*msg);
    }
    openai::chat::StreamTranslator t(ctx);
    return run_stream(
        t, r.upstream_response,
        [](openai::chat::StreamTranslator& tr, const wire::SseFrame& f) { return tr.feed_data(f.data); }, m);
  }

  openai::responses::FromAnthropicOptions opts;
  opts.deployment = deployment;
  opts.reasoning = reasoning;
  opts.effort_override = std::string(find_string(m, "effort_override").value_or(""));
  opts.summary = std::string(find_string(m, "summary").value_or("detailed"));
  opts.max_output_tokens = find_int(m, "max_output_tokens").value_or(0);
  auto translated = openai::responses::from_anthropic_request(*parsed, opts);
  openai::responses::ToAnthropicContext ctx{client_model,           message_id,
                                            &translated.names,      estimate,
                                            translated.thinking,    parsed->thinking.display == "omitted",
                                            parsed->stop_sequences, uctx};
  if (!stream) {
    boost::system::error_code ec;
    auto v = json::parse(r.upstream_response, ec);
    if (ec) return Error::invalid("recording: upstream_response is not JSON");
    auto msg = openai::responses::to_anthropic_message(v, ctx);
    if (!msg) return msg.error();
    return json::serialize(*msg);
  }
  openai::responses::AnthropicStream t(ctx);
  return run_stream(
      t, r.upstream_response,
      [](openai::responses::AnthropicStream& tr, const wire::SseFrame& f) { return tr.feed(f.event, f.data); }, m);
}

}  // namespace agp::record
