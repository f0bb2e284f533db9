// Cancels upstream work when the client goes away before or while its answer is made: a watch of
// the client's socket runs beside the work and, when the client has closed, ends it (an upstream
// call is cancelled through its cancellation slot — Beast ops honour it — which closes its
// upstream connection; a relay cancels its upstream read).
#pragma once

#include "http/server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

namespace agp::gateway {

// Watches the client's side of a connection with plain callbacks: no coroutine and no timer while
// the client waits quietly for its answer (the socket's readiness wakes it). Only a client that
// sent more bytes meanwhile (a pipelined request, readable until it is read) is polled every
// `poll`. Calls `gone` once, on the connection's thread, when the client has closed or reset
// the connection. After stop() nothing of the writer is touched and `gone` is not called.
class ClientWatch : public std::enable_shared_from_this<ClientWatch> {
 public:
  static std::shared_ptr<ClientWatch> start(http::ResponseWriter& res, std::chrono::milliseconds poll,
                                            std::function<void()> gone);
  ClientWatch(http::ResponseWriter& res, std::chrono::milliseconds poll, std::function<void()> gone)
      : res_(&res), poll_(poll), gone_(std::move(gone)) {}
  // Ends the watch. Only while no read or write of the response is pending (it cancels the
  // socket's pending wait, and with it every operation on the socket).
  void stop();
  bool left() const { return left_; }

 private:
  void check();

  http::ResponseWriter* res_;
  std::chrono::milliseconds poll_;
  std::function<void()> gone_;
  std::unique_ptr<boost::asio::steady_timer> timer_;  // only for a client that pipelined a request
  bool stopped_ = false;
  bool waiting_ = false;  // a wait on the socket is pending
  bool left_ = false;
};

// `op`'s result, or nullopt when the client left first (and `op` was cancelled). The operation
// runs as its own coroutine whose cancellation slot the watch's `gone` signals; `op`'s own
// exceptions reach the caller.
template <typename T>
boost::asio::awaitable<std::optional<T>> unless_client_leaves(
    boost::asio::awaitable<T> op, http::ResponseWriter& res,
    std::chrono::milliseconds poll = std::chrono::milliseconds(500)) {
  namespace asio = boost::asio;
  asio::cancellation_signal cancel;
  auto watch = ClientWatch::start(res, poll, [&cancel] { cancel.emit(asio::cancellation_type::all); });
  // Gone already: the signal has no operation to cancel yet, so `op` is not started at all.
  if (watch->left()) co_return std::nullopt;
  auto ex = co_await asio::this_coro::executor;
  std::optional<T> out;
  std::exception_ptr failed;
  try {
    // Named steps, no co_await inside an initializer: GCC 12 miscompiles those.
    auto run = asio::co_spawn(ex, std::move(op), asio::bind_cancellation_slot(cancel.slot(), asio::use_awaitable));
    T value = co_await std::move(run);
    out.emplace(std::move(value));
  } catch (...) {
    failed = std::current_exception();
  }
  const bool left = watch->left();
  watch->stop();
  if (left) co_return std::nullopt;  // cancelled: whatever it returned or threw was the cancellation
  if (failed) std::rethrow_exception(failed);
  co_return out;
}

}  // namespace agp::gateway
