#include "gateway/relay.hpp"

#include "gateway/client_watch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agp::gateway {

namespace asio = boost::asio;
using Channel = asio::experimental::channel<void(boost::system::error_code, RelayPiece)>;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

struct Relay::State {
  State(asio::any_io_executor ex, std::unique_ptr<upstream::Response> r, std::chrono::milliseconds ping)
      : response(std::move(r)), channel(ex, 32), timer(ex), ping_interval(ping) {}
  std::unique_ptr<upstream::Response> response;
  Channel channel;
  asio::steady_timer timer;
  std::chrono::milliseconds ping_interval;
  std::chrono::steady_clock::time_point last_data = std::chrono::steady_clock::now();
  bool stopped = false;
  bool reader_done = false;
};

namespace {

asio::awaitable<void> read_loop(std::shared_ptr<Relay::State> s) {
  for (;;) {
    auto piece = co_await s->response->read_some();
    RelayPiece out;
    if (auto* e = std::get_if<upstream::TransportError>(&piece)) {
      out.kind = RelayPiece::error;
      out.failure = *e;
    } else if (std::get<std::string>(piece).empty()) {
      out.kind = RelayPiece::end;
    } else {
      out.kind = RelayPiece::data;
      out.bytes = std::move(std::get<std::string>(piece));
      s->last_data = std::chrono::steady_clock::now();
    }
    bool last = out.kind != RelayPiece::data;
    if (s->stopped) break;
    auto [ec] = co_await s->channel.async_send(boost::system::error_code{}, std::move(out), kAsTuple);
    if (ec || last) break;
  }
  s->reader_done = true;
  s->timer.cancel();
}

asio::awaitable<void> ping_loop(std::shared_ptr<Relay::State> s) {
  while (!s->stopped && !s->reader_done) {
    s->timer.expires_after(s->ping_interval);
    co_await s->timer.async_wait(kAsTuple);
    if (s->stopped || s->reader_done) break;
    if (std::chrono::steady_clock::now() - s->last_data < s->ping_interval) continue;
    RelayPiece p;
    p.kind = RelayPiece::ping;
    auto [sec] = co_await s->channel.async_send(boost::system::error_code{}, std::move(p), kAsTuple);
    if (sec) break;
    s->last_data = std::chrono::steady_clock::now();
  }
}

// Watches the client for the whole relay: when it leaves, the upstream is cancelled at once —
// also while the upstream is silent (a reasoning model thinking), when no write would notice.
// Runs on the connection's thread, like pump(); after `done` it touches nothing of the request.
struct ClientWatch {
  ClientWatch(http::ResponseWriter& r, std::shared_ptr<Relay> rl) : res(&r), relay(std::move(rl)) {}
  http::ResponseWriter* res;
  std::shared_ptr<Relay> relay;
  bool done = false, gone = false;
};

constexpr std::chrono::milliseconds kClientPoll{250};  // only for a client that pipelined a request

asio::awaitable<void> watch_client(std::shared_ptr<ClientWatch> w) {
  bool left = co_await until_client_leaves(*w->res, w->done, kClientPoll);
  if (left && !w->done) {
    w->gone = true;
    w->relay->stop();
  }
}

}  // namespace

asio::awaitable<std::shared_ptr<Relay>> Relay::start(std::unique_ptr<upstream::Response> response,
                                                     std::chrono::milliseconds ping_interval) {
  auto ex = co_await asio::this_coro::executor;
  auto s = std::make_shared<State>(ex, std::move(response), ping_interval);
  asio::co_spawn(ex, read_loop(s), asio::detached);
  asio::co_spawn(ex, ping_loop(s), asio::detached);
  co_return std::shared_ptr<Relay>(new Relay(s));
}

Relay::~Relay() { stop(); }

asio::awaitable<RelayPiece> Relay::next() {
  auto [ec, piece] = co_await s_->channel.async_receive(kAsTuple);
  if (ec) {
    RelayPiece p;
    p.kind = RelayPiece::error;
    p.failure = {upstream::TransportFailure::cancelled, ec.message(), false};
    co_return p;
  }
  co_return piece;
}

asio::awaitable<PumpResult> pump(std::unique_ptr<upstream::Response> response, http::ResponseWriter& res,
                                 StreamAdapter& adapter, std::chrono::milliseconds ping_interval,
                                 std::chrono::steady_clock::time_point t0, StreamTaps* taps) {
  PumpResult result;
  wire::SseParser sse;
  auto relay = co_await Relay::start(std::move(response), ping_interval);
  auto ex = co_await asio::this_coro::executor;
  auto watch = std::make_shared<ClientWatch>(res, relay);
  asio::co_spawn(ex, watch_client(watch), asio::detached);
  std::string out = adapter.start();
  if (taps) taps->client(out);
  bool ok = co_await res.write(out);
  while (ok && !adapter.ended()) {
    auto piece = co_await relay->next();
    if (watch->gone) break;  // the client left: nothing more to say, the upstream is closed
    out.clear();
    if (piece.kind == RelayPiece::ping) {
      out = adapter.ping();
      if (taps) taps->client(out);
      ok = co_await res.write(out);
      continue;
    }
    if (piece.kind == RelayPiece::error) {
      result.transport_failed = true;
      out = adapter.fail(piece.failure);
      if (taps) taps->client(out);
      ok = co_await res.write(out);
      break;
    }
    if (taps && piece.kind == RelayPiece::data) taps->upstream(piece.bytes);
    auto frames = piece.kind == RelayPiece::end ? sse.finish() : sse.feed(piece.bytes);
    if (sse.pending() > (16u << 20)) {
      upstream::TransportError e{upstream::TransportFailure::protocol, "an upstream stream frame exceeded 16 MB",
                                 false};
      out = adapter.fail(e);
      if (taps) taps->client(out);
      ok = co_await res.write(out);
      break;
    }
    for (auto& f : frames) {
      out += adapter.frame(f);
      if (adapter.ended()) break;
    }
    if (piece.kind == RelayPiece::end && !adapter.ended()) out += adapter.finish();
    if (!out.empty() && result.first_output_ms < 0)
      result.first_output_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (taps) taps->client(out);
    ok = co_await res.write(out);
  }
  watch->done = true;
  res.cancel_wait();  // nothing else is pending on the client's socket now
  relay->stop();
  result.client_gone = !res.alive() || watch->gone;
  co_await res.end_stream();
  co_return result;
}

void Relay::stop() {
  if (s_->stopped) return;
  s_->stopped = true;
  s_->timer.cancel();
  if (!s_->reader_done) s_->response->cancel();
  s_->channel.close();
}

}  // namespace agp::gateway
