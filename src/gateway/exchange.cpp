// The one exchange flow every front end goes through: prepare (exchange::make_exchange), call
// Azure within the learned limits, and relay the answer — whole, or streamed through pump() with
// pings and the client watched — translated by the exchange's answer pipeline. Errors reach the
// client in its front end's shape, before or after the stream has started.
#include "anthropic/errors.hpp"
#include "core/json_util.hpp"
#include "anthropic/stream_validator.hpp"
#include "core/model_family.hpp"
#include "gateway/app.hpp"
#include "gateway/azure_call.hpp"
#include "gateway/client_watch.hpp"
#include "gateway/recorder.hpp"
#include "gateway/refusals.hpp"
#include "gateway/relay.hpp"
#include "openai/azure_errors.hpp"
#include "openai/errors.hpp"
#include "ops/logging.hpp"
#include "tokens/count.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace agp::gateway {

namespace json = boost::json;

namespace {

// The exchange's answer translation, for pump().
struct TranslationAdapter final : StreamAdapter {
  TranslationAdapter(const exchange::AnswerOptions& o, bool validate) : t(o), upstream(o.upstream) {
    if (validate && o.front == exchange::Front::anthropic) validator.emplace();
  }
  std::string seen(std::string bytes) {
    if (validator)
      for (auto& e : t.last_events()) validator->feed(e);
    return bytes;
  }
  std::string start() override { return seen(t.start()); }
  std::string frame(const wire::SseFrame& f) override { return seen(t.frame(f)); }
  std::string finish() override { return seen(t.finish()); }
  std::string fail(const upstream::TransportError& e) override {
    return seen(t.fail(openai::map_transport_error(e, upstream)));
  }
  std::string ping() override { return t.ping(); }
  bool ended() const override { return t.ended(); }

  exchange::StreamTranslation t;
  openai::UpstreamContext upstream;
  std::optional<anthropic::StreamValidator> validator;
};

// Claude on AI Foundry answers in Anthropic's own protocol: its stream goes to the client as it
// came, frame by frame (only keep-alive pings are the proxy's).
struct PassthroughAdapter final : StreamAdapter {
  std::string start() override { return {}; }
  std::string frame(const wire::SseFrame& f) override {
    if (f.event == "message_stop" || f.event == "error") done = true;
    return wire::format_sse(f.event, f.data);
  }
  std::string finish() override { return {}; }
  std::string fail(const upstream::TransportError& e) override {
    done = true;
    Error err{502, ErrorKind::api, "the Anthropic endpoint's stream broke: " + e.detail, {}};
    return anthropic::to_sse(anthropic::Events{anthropic::error_event(err)});
  }
  std::string ping() override { return "event: ping\ndata: {\"type\":\"ping\"}\n\n"; }
  bool ended() const override { return done; }
  bool done = false;
};

}  // namespace

std::string passthrough_body(std::string_view client_body, const std::string& deployment) {
  boost::system::error_code ec;
  auto v = parse_json(client_body, ec);
  if (ec || !v.is_object()) return std::string(client_body);
  v.as_object()["model"] = deployment;
  return json::serialize(v);
}

http::Headers passthrough_headers(const http::Request& req, const config::Deployment& d) {
  http::Headers h(d.headers.begin(), d.headers.end());
  auto version = req.header("anthropic-version");
  h.emplace_back("anthropic-version", version.empty() ? "2023-06-01" : std::string(version));
  if (auto beta = req.header("anthropic-beta"); !beta.empty()) h.emplace_back("anthropic-beta", beta);
  return h;
}

boost::asio::awaitable<void> send_error(exchange::Front front, http::ResponseWriter& res, const Error& e,
                                        const std::string& request_id) {
  if (front == exchange::Front::anthropic)
    co_await send_anthropic_error(res, e, request_id);
  else
    co_await send_openai_error(res, e, request_id);
}

namespace {
tokens::Encoding encoding_of(const exchange::Target& t) {
  return t.encoding == "cl100k_base"  ? tokens::Encoding::cl100k_base
         : t.encoding == "o200k_base" ? tokens::Encoding::o200k_base
                                      : tokens::encoding_for_model(t.deployment);
}
}  // namespace

std::int64_t App::estimate_prompt(const conv::Conversation& c, const exchange::Target& t,
                                  const exchange::Prepared* chat_prepared, tokens::ChatCount* count) {
  // The count is of the Chat Completions body, which Azure bills exactly (see tokens/).
  exchange::Prepared local;
  if (!chat_prepared) {
    auto chat_target = t;
    chat_target.backend = exchange::Backend::chat;
    local = exchange::prepare(c, chat_target);
    chat_prepared = &local;
  }
  auto n = tokens::count_chat_request_detailed(chat_prepared->body, encoding_of(t));
  if (count) *count = n;
  return calibration_.corrected(t.deployment, n);
}

namespace {
// A 429, or API Management's 403 for a spent token quota (mapped to a rate limit).
bool rate_limited(const AzureAnswer& a) {
  return a.upstream_status == 429 || (a.error && a.error->kind == ErrorKind::rate_limit);
}

bool moves_on(const AzureAnswer& a) {
  if (a.response) return false;
  if (a.credential_failed) return true;  // this endpoint's credential; another endpoint may have its own
  if (a.upstream_status == 0) return a.transport && *a.transport != TransportFailure::cancelled;
  unsigned s = a.upstream_status;
  return rate_limited(a) || s == 500 || s == 502 || s == 503 || s == 504;
}

// Gives the deployment's in-flight slot (Health::take_slot) back when the attempt ends, however it ends.
struct InFlight {
  Health& health;
  std::string name;
  InFlight(Health& h, std::string n) : health(h), name(std::move(n)) {}
  ~InFlight() { health.end(name); }
};

// What an attempt on deployment `name` left for the request's record: its retries, Azure's id.
void note_attempt(RequestLog& log, const std::string& name, const std::optional<AzureAnswer>& a) {
  if (!a) return;
  for (auto& why : a->retried) log.retries.push_back({name, why});
  if (!a->azure_request_id.empty()) log.azure_request_id = a->azure_request_id;
}
}  // namespace

boost::asio::awaitable<std::unique_ptr<App::Called>> App::call_route(const http::Request& req,
                                                                    std::unique_ptr<ExchangeCall> call,
                                                                    http::ResponseWriter& res, RequestLog& log,
                                                                    Recorder* rec) {
  auto out = std::make_unique<Called>();
  out->spec = std::move(call->spec);
  auto& spec = out->spec;
  auto& x = out->x;
  auto& watched = out->watched;
  auto& count = out->count;
  auto& exact_count = out->exact_count;
  auto& passthrough = out->passthrough;
  const auto front = spec.front;
  const bool whole_answer = !call->conv->stream;  // read whole, not relayed as a stream (either backend)
  const bool counted = front == exchange::Front::anthropic;
  std::optional<InFlight> in_flight;
  const auto& team = *call->team;
  auto plan = health_.order(std::move(call->candidates));
  // Failover: while nothing has reached the client, a deployment that is rate-limited, failing or
  // unreachable hands the request to the next one of its route; one that asked to be left alone
  // (retry-after) is skipped by every request until then.
  int tried = 0;
  std::size_t busy = 0;  // deployments at their max_in_flight
  bool all_rate_limited = true;
  bool all_credential_failures = true;  // no deployment could even be asked: no Entra ID token
  double min_retry = -1;
  std::string failures;  // what each deployment said, for the client when all of them fail
  auto note = [&](const std::string& what) { failures += (failures.empty() ? "" : "; ") + what; };
  // A route of one deployment always asks it: there is nothing to fail over to, and Azure's own
  // answer is the truth (the environment-only set-up behaves as it always did).
  const bool sole = plan.size() == 1;
  const auto budget_end = log.start + cfg_.failover_budget;
  for (std::size_t ci = 0; ci < plan.size(); ++ci) {
    const auto& c = plan[ci];
    if (tried > 0 && std::chrono::steady_clock::now() > budget_end) {
      note("the failover budget (FAILOVER_BUDGET) ran out");
      all_rate_limited = all_credential_failures = false;
      break;
    }
    // A deployment at its max_in_flight is skipped like one cooling down (the route's next one
    // takes the request; all full: 529 / 503 at once).
    const int cap = c.max_in_flight > 0 ? c.max_in_flight : cfg_.deployment_max_in_flight;
    if (!health_.take_slot(c.name, cap)) {
      all_rate_limited = false;
      ++busy;
      note(c.name + " busy (max_in_flight " + std::to_string(cap) + ")");
      continue;
    }
    in_flight.emplace(health_, c.name);
    if (!sole && !health_.acquire(c.name)) {
      in_flight.reset();
      double left = health_.cooling_for(c.name);
      if (left > 0)
        min_retry = min_retry < 0 ? left : std::min(min_retry, left);
      else
        all_rate_limited = false;  // circuit open
      note(c.name + (left > 0 ? " cooling down" : " circuit open"));
      if (ci + 1 < plan.size()) log.failovers.push_back({c.name, left > 0 ? "cooling_down" : "circuit_open"});
      continue;
    }
    ++tried;
    out->deployment_key = c.name;
    const auto& endpoint = team.endpoints[c.endpoint];
    spec.target = call->target_for(c);
    spec.upstream = {c.deployment, endpoint.url};
    log.deployment = c.deployment;
    log.deployment_id = c.name;
    const bool last_candidate = ci + 1 == plan.size();
    http::Headers extra(c.headers.begin(), c.headers.end());
    passthrough = c.api == "anthropic";
    if (passthrough) {
      // Claude on AI Foundry speaks Anthropic's protocol: the request goes as the client sent it.
      if (front != exchange::Front::anthropic) {
        note(c.name + ": an Anthropic endpoint serves Anthropic clients only");
        all_rate_limited = all_credential_failures = false;
        passthrough = false;
        if (!last_candidate) log.failovers.push_back({c.name, "anthropic_endpoint"});
        continue;
      }
      extra = passthrough_headers(req, c);
      std::string url = endpoint.url + "/anthropic/v1/messages";
      openai::UpstreamContext pctx{c.deployment, endpoint.url};
      auto azure = call_azure(client_, tokens_, cfg_, endpoint, url, pctx, passthrough_body(req.message.body(), c.deployment),
                             last_candidate ? cfg_.upstream_retries : 0, log.id, extra, whole_answer);
      watched = co_await unless_client_leaves(std::move(azure), res);
      note_attempt(log, c.name, watched);
    } else {
    // Sent within what the deployment takes; a 400 that teaches a capability (a parameter or value
    // it refuses, tools with reasoning on Chat, an output limit) is learned and the request is
    // sent once more within it — at most three times, never for the same lesson twice.
    for (int attempt = 0;; ++attempt) {
      spec.target.caps = capabilities_.get(c.name);  // learned, then what configuration states on top
      spec.target.caps.merge(c.capabilities);
      x = exchange::make_exchange(call->conv, spec);
      if (attempt == 0 && tried == 1) {
        for (auto& d : x->prepared.dropped) ops::request_log(spdlog::level::debug, log.id, "not sent to Azure: {}", d);
        // The Anthropic front end reports an input estimate before Azure's usage arrives. The exact
        // count is a fifth of the proxy's CPU at 2 KB and nearly all of it at 50 KB, and Azure's usage
        // comes with every answer: it runs for one request in COUNT_SAMPLE (calibration and the
        // request log's count_err), the others get the body's bytes × the learned tokens per byte.
        // Until the deployment's vocabulary is built (in the background, on first need) the
        // request is estimated; the sample goes to the next one.
        // A Chat deployment's first kCalibrationWarmup answers are all counted, so that its
        // correction factor settles before sampling starts (the Responses API's are not compared).
        constexpr std::uint64_t kCalibrationWarmup = 8;
        if (counted && tokens::Tokenizer::ready(encoding_of(spec.target)) &&
            ((x->prepared.backend == exchange::Backend::chat &&
              calibration_.stats(spec.target.deployment).samples < kCalibrationWarmup) ||
             counted_requests_.fetch_add(1) % static_cast<std::uint64_t>(cfg_.count_sample) == 0)) {
          exact_count = true;
          bool chat = x->prepared.backend == exchange::Backend::chat;
          spec.input_tokens_estimate = estimate_prompt(*x->conv, spec.target, chat ? &x->prepared : nullptr, &count);
          log.tokens_local = spec.input_tokens_estimate;
        }
      }
      auto use_estimate = [&](std::int64_t n) {
        spec.input_tokens_estimate = n;
        x->answer.rules.input_tokens_estimate = n;
        x->answer.anthropic.input_tokens_estimate = n;
        x->answer.upstream.prompt_tokens = n;
      };
      use_estimate(spec.input_tokens_estimate);
      x->answer.upstream.context_window = c.context_window > 0 ? c.context_window : input_window_of(c.deployment);
      const bool chat = x->prepared.backend == exchange::Backend::chat;
      auto url = chat ? Result<std::string>(endpoint.chat_url(c.deployment)) : responses_url(endpoint);
      if (!url) {
        log.error = url.error().message;
        co_await send_error(front, res, url.error(), log.id);
        out->settled = true;
        co_return out;
      }
      http::Headers headers = extra;
      if (chat && !c.spillover.empty())
        if (auto* s = team.find_deployment(c.spillover)) headers.emplace_back("x-ms-spillover-deployment", s->deployment);
      std::string body = json::serialize(x->prepared.body);
      out->sent_bytes = body.size();
      if (counted && !exact_count && log.tokens_quick < 0) {  // the quick estimate, from the bytes sent
        use_estimate(calibration_.quick(c.name, out->sent_bytes));
        log.tokens_quick = spec.input_tokens_estimate;
      }
      if (cfg_.log_bodies) log_body(log, "upstream request to " + *url, body);
      // The recording keeps the body as sent; without one it is moved, not copied.
      auto azure = call_azure(client_, tokens_, cfg_, endpoint, *url, x->answer.upstream,
                             rec ? std::string(body) : std::move(body),
                             last_candidate ? cfg_.upstream_retries : 0, log.id, headers, whole_answer);
      watched = co_await unless_client_leaves(std::move(azure), res);
      note_attempt(log, c.name, watched);
      if (rec) rec->upstream_request(*url, body);  // as last sent
      if (!watched || watched->upstream_status != 400 || attempt >= 3) break;
      auto lesson = openai::capability_from_error(watched->error_body);
      if (!lesson) break;
      bool taught = capabilities_.learn(c.name, *lesson);
      // Resent when the deployment is now known to take less than this attempt was sent with,
      // whoever learned it: requests already in flight when another one learned the same lesson
      // got the same 400, and are resent too (found by team_keys_postgres under ASan).
      Capability now = capabilities_.get(c.name);
      now.merge(c.capabilities);
      if (Capability sent = spec.target.caps; !sent.merge(now)) break;
      log.resends.push_back({c.name, lesson->kind()});
      ops::request_log(spdlog::level::info, log.id, "deployment {} takes: {} ({}; resending within it)", c.name,
                       now.describe(), taught ? "learned from Azure's 400" : "learned meanwhile by another request");
    }
    }
    if (!watched) {  // the client left: nothing learned about the deployment
      health_.abandon(c.name);
      break;
    }
    if (!moves_on(*watched)) {
      health_.success(c.name);  // it answered (a 400 too): reachable and working
      break;
    }
    // 429 / 503 with a retry-after: a cool-down for everyone; other failures count for the circuit.
    const bool limited = rate_limited(*watched);
    double cool = (limited || watched->upstream_status == 503) ? watched->retry_after_s : 0;
    if (limited && cool < 0) cool = 1;  // a bare 429: a moment's rest
    health_.failure(c.name, cool);
    if (!limited) all_rate_limited = false;
    if (!watched->credential_failed) all_credential_failures = false;
    if (cool > 0) min_retry = min_retry < 0 ? cool : std::min(min_retry, cool);
    note(c.name + ": " + (watched->error ? watched->error->message : "failed"));
    if (!last_candidate) {
      log.failovers.push_back({c.name, failure_reason(watched->upstream_status, watched->transport)});
      ops::request_log(spdlog::level::warn, log.id, "deployment {} failed ({}); the route goes on", c.name,
                       watched->upstream_status ? std::to_string(watched->upstream_status) : "no answer");
    }
  }
  if (tried == 0 || (plan.size() > 1 && watched && moves_on(*watched))) {
    // Every deployment of the route is rate-limited, failing or resting: the truth, at once.
    Error e = all_rate_limited && min_retry >= 0
                  ? Error{429, ErrorKind::rate_limit,
                          "Every Azure deployment of this route is rate-limited (" + failures + ")",
                          std::to_string(static_cast<long>(std::ceil(min_retry)))}
              : all_credential_failures && tried > 0
                  ? Error{500, ErrorKind::upstream_auth,
                          "No Azure deployment of this route could be asked: the proxy has no Entra ID token (" +
                              failures + ")",
                          {}}
                  : Error{529, ErrorKind::overloaded,
                          "Every Azure deployment of this route failed, is unavailable or busy (" + failures + ")",
                          busy == plan.size() ? std::optional<std::string>("1") : std::nullopt};
    log.error = e.message;
    co_await send_error(front, res, e, log.id);
    out->settled = true;
    co_return out;
  }
  co_return out;
}

boost::asio::awaitable<void> send_error_owned(exchange::Front front, http::ResponseWriter& res, Error e,
                                              const std::string& request_id) {
  co_await send_error(front, res, e, request_id);
}

boost::asio::awaitable<void> App::exchange_flow(Dispatch::To to, exchange::Front front, http::Request& req,
                                                http::ResponseWriter& res, RequestLog& log) {
  auto parsed = to == Dispatch::To::messages ? messages_call(req, log) : chat_completions_call(req, log);
  if (!parsed) return send_error_owned(front, res, parsed.error(), log.id);
  return run_exchange(req, std::move(*parsed), res, log);
}

namespace {
// The recording's metadata of the call as last sent.
void record_call(Recorder& rec, const http::Request& req, const exchange::Spec& spec, const conv::Conversation& conv) {
  rec.client_request(req);
  auto& m = rec.meta();
  for (auto& [k, v] : exchange::spec_json(spec)) m[k] = v;
  m["client_model"] = conv.model;
  if (auto s = req.header("x-claude-code-session-id"); !s.empty()) m["session_id"] = s;
  if (auto b = req.header("anthropic-beta"); !b.empty()) m["anthropic_beta"] = b;
}

// MAX_STREAMS streams are open: the client's 529 / 503 (a plain function: its temporaries are
// in no coroutine frame).
boost::asio::awaitable<void> at_max_streams(exchange::Front front, http::ResponseWriter& res, const std::string& id,
                                            std::size_t cap) {
  return send_error_owned(front, res,
                          busy("the proxy has MAX_STREAMS (" + std::to_string(cap) + ") streams open; retry shortly"),
                          id);
}

// What the answer teaches the token estimates once it has ended (Azure's usage against the
// bytes sent, and against the exact count when this request was counted).
struct Lesson {
  std::string deployment_key, deployment;
  std::size_t sent_bytes = 0;
  bool exact_count = false, chat = false;
  tokens::ChatCount count;
};
}  // namespace

boost::asio::awaitable<bool> App::refused_answer(exchange::Front front, AzureAnswer& answer, bool stream,
                                                 const openai::UpstreamContext& uctx, http::ResponseWriter& res,
                                                 RequestLog& log, Recorder* rec) {
  if (rec) rec->meta()["upstream_status"] = answer.upstream_status;
  if (answer.error) {
    log.error = answer.error->message;
    if (cfg_.log_bodies) log_body(log, "Azure's error answer", answer.error_body);
    if (rec) {
      rec->upstream(answer.error_body);
      if (!answer.retry_after.empty()) rec->meta()["retry_after"] = answer.retry_after;
      if (answer.upstream_status == 0) rec->transport_error(*answer.error);
      rec->client(front == exchange::Front::anthropic ? anthropic::error_json(*answer.error, log.id)
                                                      : openai::error_json(*answer.error));
    }
    co_await send_error(front, res, *answer.error, log.id);
    co_return true;
  }
  auto wrong = co_await wrong_content_type(*answer.response, stream, uctx);
  if (!wrong) co_return false;
  log.error = wrong->message;
  if (rec)
    rec->client(front == exchange::Front::anthropic ? anthropic::error_json(*wrong, log.id)
                                                    : openai::error_json(*wrong));
  co_await send_error(front, res, *wrong, log.id);
  co_return true;
}

boost::asio::awaitable<void> App::run_exchange(http::Request& req, std::unique_ptr<ExchangeCall> call,
                                               http::ResponseWriter& res, RequestLog& log) {
  const auto front = call->spec.front;
  const bool stream = call->conv->stream;
  log.stream = stream;
  // A streamed answer holds one of MAX_STREAMS slots (they last minutes; the others leave room
  // for the short requests between them).
  http::Permit stream_slot;
  if (stream && !(stream_slot = admission_->streams.try_take())) {
    log.error = "at MAX_STREAMS";
    co_await at_max_streams(front, res, log.id, admission_->streams.cap());
    co_return;
  }
  if (stream_slot) res.hold_until_answered(std::move(stream_slot));  // free when the stream's end goes out
  auto rec = Recorder::open(cfg_.record_dir, log.id);
  // The candidates and the team go with call_route's frame: the answer needs neither.
  auto c = co_await call_route(req, std::move(call), res, log, rec.get());
  if (c->settled) co_return;
  if (c->passthrough) {
    co_await relay_passthrough(std::move(c->watched), stream, res, log);
    co_return;
  }
  if (rec) record_call(*rec, req, c->spec, *c->x->conv);
  log.upstream_ms = log.since_start_ms();
  if (!c->watched) {
    log.error = "client went away before Azure answered; upstream cancelled";
    res.abort();
    co_return;
  }
  if (co_await refused_answer(front, *c->watched, stream, c->x->answer.upstream, res, log, rec.get())) co_return;
  // The answer is translated with x->answer alone: the client's body and headers, its
  // conversation, the body sent to Azure and what choosing the deployment left go now (a 2 KB
  // request's were a fifth of an open stream's memory).
  auto x = std::move(c->x);
  auto response = std::move(c->watched->response);
  Lesson lesson{std::move(c->deployment_key), c->spec.target.deployment, c->sent_bytes, c->exact_count,
                x->prepared.backend == exchange::Backend::chat, c->count};
  c.reset();
  x->conv.reset();
  x->prepared.body = {};
  x->prepared.context_management = {};
  req.release();
  if (!stream)
    co_await answer_whole(*x, *response, res, log, rec.get());
  else
    co_await answer_stream(*x, std::move(response), res, log, rec.get());
  // Azure counted exactly the Chat body we counted: learn from the difference.
  if (log.tokens_in > 0) calibration_.observe_bytes(lesson.deployment_key, lesson.sent_bytes, log.tokens_in);
  if (lesson.exact_count && lesson.chat && log.tokens_in > 0)
    log.count_error = calibration_.observe(lesson.deployment, lesson.count, log.tokens_in);
}

boost::asio::awaitable<void> App::answer_whole(exchange::Exchange& x, upstream::Response& response,
                                               http::ResponseWriter& res, RequestLog& log, Recorder* rec) {
  const auto front = x.answer.front;
  auto whole = co_await read_whole_answer(response, res, x.answer.upstream, admission_->buffered_bytes);
  if (whole.client_gone) {
    log.error = "client went away while Azure answered; upstream cancelled";
    co_return;
  }
  if (rec) rec->upstream(whole.raw);
  if (cfg_.log_bodies) log_body(log, "Azure's answer", whole.raw);
  auto translated =
      whole.error ? exchange::WholeAnswer{*whole.error, {}} : exchange::translate_whole(x.answer, whole.json);
  auto& u = translated.usage;
  log.tokens(u.seen, u.input, u.output, u.cached, u.reasoning);
  if (!translated.message) {
    log.error = translated.message.error().message;
    if (rec)
      rec->client(front == exchange::Front::anthropic ? anthropic::error_json(translated.message.error(), log.id)
                                                      : openai::error_json(translated.message.error()));
    co_await send_error(front, res, translated.message.error(), log.id);
    co_return;
  }
  log.ttft_ms = log.since_start_ms();
  std::string text = json::serialize(*translated.message);
  if (rec) rec->client(text);
  if (cfg_.log_bodies) log_body(log, "answer to the client", text);
  http::Headers headers = id_headers(front, log.id);
  co_await res.send(200, "application/json", std::move(text), headers);
}

boost::asio::awaitable<void> App::answer_stream(exchange::Exchange& x, std::unique_ptr<upstream::Response> response,
                                                http::ResponseWriter& res, RequestLog& log, Recorder* rec) {
  // Commit to 200 only now that Azure has said yes, so that every earlier failure keeps its
  // real HTTP status (Claude Code's retry and compaction logic depend on it).
  // Named: GCC 12 destroys temporaries in a co_await expression twice.
  http::Headers stream_headers = id_headers(x.answer.front, log.id);
  if (!co_await res.begin_stream(200, "text/event-stream; charset=utf-8", stream_headers)) co_return;
  ops::StreamGauge streaming(metrics_.streams_in_flight());
  TranslationAdapter adapter(x.answer, cfg_.validate_stream);
  auto result = co_await pump(std::move(response), res, adapter, cfg_.ping_interval, log.start, rec);
  log.ttft_ms = result.first_output_ms;
  auto& err = adapter.t.error();
  if (rec && result.transport_failed && err) rec->transport_error(*err);
  if (result.client_gone) log.error = "client went away; upstream cancelled";
  if (err) log.error = err->message;
  auto& u = adapter.t.usage();
  log.tokens(u.seen, u.input, u.output, u.cached, u.reasoning);
  if (adapter.validator)
    for (auto& v : adapter.validator->finish())
      ops::request_log(spdlog::level::warn, log.id, "stream grammar violation: {}", v);
}

boost::asio::awaitable<void> App::relay_passthrough(std::optional<AzureAnswer> watched, bool stream,
                                                    http::ResponseWriter& res, RequestLog& log) {
  log.upstream_ms = log.since_start_ms();
  if (!watched) {
    log.error = "client went away before the Anthropic endpoint answered; upstream cancelled";
    res.abort();
    co_return;
  }
  http::Headers headers = id_headers(exchange::Front::anthropic, log.id);
  if (!watched->response) {
    if (watched->upstream_status == 0) {  // no answer at all: the proxy's own error
      log.error = watched->error ? watched->error->message : "no answer";
      co_await send_anthropic_error(res, watched->error ? *watched->error : Error::internal("no answer"), log.id);
      co_return;
    }
    // Anthropic's own error, as Anthropic sent it.
    log.error = watched->error_body.substr(0, 200);
    if (!watched->retry_after.empty()) headers.emplace_back("retry-after", watched->retry_after);
    std::string body = watched->error_body;
    co_await res.send(watched->upstream_status, "application/json", std::move(body), headers);
    co_return;
  }
  if (!stream) {
    openai::UpstreamContext ctx{log.deployment, ""};
    auto whole = co_await read_whole_answer(*watched->response, res, ctx, admission_->buffered_bytes);
    if (whole.client_gone) co_return;
    if (whole.error) {
      co_await send_anthropic_error(res, *whole.error, log.id);
      co_return;
    }
    if (auto* u = whole.json.is_object() ? whole.json.get_object().if_contains("usage") : nullptr; u && u->is_object()) {
      auto& o = u->get_object();
      auto num = [&](const char* k) { return o.contains(k) && o.at(k).is_int64() ? o.at(k).get_int64() : 0; };
      log.tokens(true, num("input_tokens") + num("cache_read_input_tokens"), num("output_tokens"),
                 num("cache_read_input_tokens"));
    }
    log.ttft_ms = log.since_start_ms();
    co_await res.send(200, "application/json", std::move(whole.raw), headers);
    co_return;
  }
  if (!co_await res.begin_stream(200, "text/event-stream; charset=utf-8", headers)) co_return;
  ops::StreamGauge streaming(metrics_.streams_in_flight());
  PassthroughAdapter adapter;
  auto result = co_await pump(std::move(watched->response), res, adapter, cfg_.ping_interval, log.start, nullptr);
  log.ttft_ms = result.first_output_ms;
  if (result.client_gone) log.error = "client went away; upstream cancelled";
}

}  // namespace agp::gateway
