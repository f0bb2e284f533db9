#include "record/recording.hpp"

#include "anthropic/errors.hpp"
#include "anthropic/events.hpp"
#include "anthropic/request.hpp"
#include "core/json_util.hpp"
#include "exchange/flow.hpp"
#include "openai/azure_errors.hpp"
#include "openai/errors.hpp"
#include "wire/sse.hpp"

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

// The client bytes of a streamed answer: the recorded upstream frames through today's translation.
std::string run_stream(exchange::StreamTranslation& t, std::string_view bytes, const json::object& meta) {
  std::string out = t.start();
  wire::SseParser sse;
  auto take = [&](std::vector<wire::SseFrame> frames) {
    for (auto& f : frames) {
      if (t.ended()) break;
      out += t.frame(f);
    }
  };
  take(sse.feed(bytes));
  take(sse.finish());
  if (!t.ended()) {
    // The live exchange ended with a transport failure: replay it as recorded.
    if (auto* te = find_object(meta, "transport_error"))
      out += t.fail(recorded_error(*te));
    else
      out += t.finish();
  }
  return out;
}

std::string error_text(exchange::Front front, const Error& e, std::string_view request_id) {
  return front == exchange::Front::anthropic ? anthropic::error_json(e, std::string(request_id))
                                             : openai::error_json(e);
}

}  // namespace

bool is_secret_header(std::string_view name) {
  std::string n(name);
  for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return n == "authorization" || n == "x-api-key" || n == "api-key" || n == "cookie" || n == "proxy-authorization" ||
         n == "ocp-apim-subscription-key";
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

namespace {
std::vector<wire::SseFrame> frames_of(std::string_view sse) {
  wire::SseParser p;
  auto frames = p.feed(sse);
  auto tail = p.finish();
  frames.insert(frames.end(), tail.begin(), tail.end());
  std::erase_if(frames, [](const wire::SseFrame& f) { return f.event == "ping" || f.data == ": ping"; });
  return frames;
}

bool same_json(std::string_view a, std::string_view b) {
  boost::system::error_code ea, eb;
  auto va = json::parse(a, ea);
  auto vb = json::parse(b, eb);
  if (ea || eb) return a == b;  // [DONE] and other non-JSON data
  return va == vb;
}
}  // namespace

bool same_answer(std::string_view a, std::string_view b) {
  auto trimmed = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
    return s;
  };
  a = trimmed(a);
  b = trimmed(b);
  bool sse_a = a.starts_with("event:") || a.starts_with("data:"),
       sse_b = b.starts_with("event:") || b.starts_with("data:");
  if (sse_a != sse_b) return false;
  if (!sse_a) return same_json(a, b);
  auto fa = frames_of(a), fb = frames_of(b);
  if (fa.size() != fb.size()) return false;
  for (std::size_t i = 0; i < fa.size(); ++i)
    if (fa[i].event != fb[i].event || !same_json(fa[i].data, fb[i].data)) return false;
  return true;
}

Result<std::string> replay(const Recording& r) {
  const auto& m = r.meta;
  auto* body = find(r.client_request, "body");
  if (!body) return Error::invalid("recording: client_request.json has no body");
  auto spec = exchange::spec_from_json(m);
  std::string request_id(find_string(m, "request_id").value_or(""));

  // No answer at all (connect failure, timeout): the client got the recorded error.
  if (find_int(m, "upstream_status").value_or(0) == 0)
    if (auto* te = find_object(m, "transport_error")) return error_text(spec.front, recorded_error(*te), request_id);

  // Azure said no: the client got the mapped error.
  if (auto status = find_int(m, "upstream_status"); status && (*status < 200 || *status >= 300)) {
    auto e = openai::map_azure_error(static_cast<unsigned>(*status), r.upstream_response,
                                     find_string(m, "retry_after").value_or(""), spec.upstream);
    return error_text(spec.front, e, request_id);
  }

  std::string body_text = body->is_string() ? std::string(body->get_string()) : json::serialize(*body);
  exchange::ClientRequest req{spec.front, body_text, std::string(find_string(m, "session_id").value_or("")),
                              std::string(find_string(m, "anthropic_beta").value_or(""))};
  auto conv = exchange::parse_client_request(req);
  if (!conv) return conv.error();
  bool stream = conv->stream;
  auto x = exchange::make_exchange(std::move(*conv), spec);
  if (!stream) {
    boost::system::error_code ec;
    auto v = json::parse(r.upstream_response, ec);
    if (ec) return Error::invalid("recording: upstream_response is not JSON");
    auto whole = exchange::translate_whole(x->answer, v);
    if (!whole.message) return error_text(spec.front, whole.message.error(), request_id);
    return json::serialize(*whole.message);
  }
  exchange::StreamTranslation t(x->answer);
  return run_stream(t, r.upstream_response, m);
}

}  // namespace agp::record
