#include "gateway/relay.hpp"

#include "gateway/client_watch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agp::gateway {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// What pump() shares with the pinger. Both run on the connection's thread; once `done` is set the
// pinger touches nothing of the request (the writer, the upstream response and the adapter may
// be gone).
struct Relay {
  Relay(asio::any_io_executor ex, http::ResponseWriter& r, upstream::Response& up, StreamAdapter& a,
        std::chrono::milliseconds ping, StreamTaps* t)
      : ping_timer(ex), turn(ex), res(&r), upstream(&up), adapter(&a), taps(t), ping_interval(ping) {
    turn.expires_at(Clock::time_point::max());
  }
  asio::steady_timer ping_timer;
  asio::steady_timer turn;  // pump() waits on it while a ping's write ends (cancel() wakes it)
  http::ResponseWriter* res;
  upstream::Response* upstream;
  StreamAdapter* adapter;
  StreamTaps* taps;
  std::chrono::milliseconds ping_interval;
  Clock::time_point last_write = Clock::now();
  bool done = false;
  bool waiting_upstream = false;  // pump() waits for Azure: the client's side is free for a ping
  bool pinging = false;           // a ping is being written: pump() writes after it
  bool gone = false;              // the client left (seen by the watch, or a ping's write failed)
};

// Keep-alive pings while Azure is silent: a timer with a plain callback (no coroutine waits for
// them: an open stream holds no frame for its pings) checks every PING_INTERVAL; a ping is
// written only while pump() is waiting for Azure (so it never lands inside an event), and pump()
// waits for a ping's write to end before it writes again. No channel and no reader coroutine
// between Azure and the client: each piece goes from the upstream read straight to its
// translation and its write.
asio::awaitable<void> write_ping(std::shared_ptr<Relay> s);

void arm_ping(const std::shared_ptr<Relay>& s) {
  s->ping_timer.expires_after(s->ping_interval);
  s->ping_timer.async_wait([s](boost::system::error_code ec) {
    if (ec || s->done) return;
    if (!s->waiting_upstream || Clock::now() - s->last_write < s->ping_interval)
      arm_ping(s);
    else
      asio::co_spawn(s->ping_timer.get_executor(), write_ping(s), asio::detached);
  });
}

asio::awaitable<void> write_ping(std::shared_ptr<Relay> s) {
  std::string ping = s->adapter->ping();
  if (s->taps) s->taps->client(ping);
  s->pinging = true;
  bool ok = co_await s->res->write(ping);
  s->pinging = false;
  s->last_write = Clock::now();
  s->turn.cancel();  // pump() may be waiting for its turn
  if (s->done) co_return;
  if (!ok) {
    s->gone = true;
    s->upstream->cancel();  // pump() is waiting for Azure: this ends its read
    co_return;
  }
  arm_ping(s);
}

// The client is watched for the whole relay (ClientWatch: socket readiness, no coroutine): when
// it leaves, the upstream is cancelled at once — also while the upstream is silent (a reasoning
// model thinking), when no write would notice.
constexpr std::chrono::milliseconds kClientPoll{250};  // only for a client that pipelined a request

}  // namespace

asio::awaitable<PumpResult> pump(std::unique_ptr<upstream::Response> response, http::ResponseWriter& res,
                                 StreamAdapter& adapter, std::chrono::milliseconds ping_interval,
                                 std::chrono::steady_clock::time_point t0, StreamTaps* taps) {
  PumpResult result;
  response->release_headers();  // read before the stream began; the relay needs none of them
  wire::SseParser sse;
  auto ex = co_await asio::this_coro::executor;
  auto s = std::make_shared<Relay>(ex, res, *response, adapter, ping_interval, taps);
  auto watch = ClientWatch::start(res, kClientPoll, [relay = s.get()] {
    relay->gone = true;
    relay->upstream->cancel();  // stopped before the relay ends: relay and upstream are alive here
  });
  arm_ping(s);
  // One write site: each turn writes what the last piece produced, then reads the next one.
  std::string out = adapter.start();
  bool more = true;
  for (;;) {
    if (taps) taps->client(out);
    bool ok = co_await res.write(out);
    s->last_write = Clock::now();
    if (!ok || !more || adapter.ended() || s->gone) break;
    s->waiting_upstream = true;
    auto piece = co_await response->read_some();
    s->waiting_upstream = false;
    if (s->pinging) co_await s->turn.async_wait(kAsTuple);  // a ping's write ends first
    if (s->gone) break;  // the client left: nothing more to say, the upstream is closed
    out.clear();
    if (auto* e = std::get_if<upstream::TransportError>(&piece)) {
      result.transport_failed = true;
      out = adapter.fail(*e);
      more = false;
      continue;
    }
    auto& bytes = std::get<std::string>(piece);
    const bool end = bytes.empty();
    if (taps && !end) taps->upstream(bytes);
    auto frames = end ? sse.finish() : sse.feed(bytes);
    if (sse.pending() > (16u << 20)) {
      upstream::TransportError e{upstream::TransportFailure::protocol, "an upstream stream frame exceeded 16 MB",
                                 false};
      out = adapter.fail(e);
      more = false;
      continue;
    }
    for (auto& f : frames) {
      out += adapter.frame(f);
      if (adapter.ended()) break;
    }
    if (end) {
      if (!adapter.ended()) out += adapter.finish();
      more = false;
    }
    if (!out.empty() && result.first_output_ms < 0)
      result.first_output_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  s->done = true;
  s->ping_timer.cancel();
  watch->stop();  // its wait on the socket; nothing else is pending on the client's socket now
  if (!response->done()) response->cancel();  // the client left, or the answer ended early
  result.client_gone = !res.alive() || s->gone;
  co_await res.end_stream();
  co_return result;
}

}  // namespace agp::gateway
