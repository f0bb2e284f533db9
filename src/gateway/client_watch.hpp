// Cancels upstream work when the client goes away before the answer starts: the operation
// races a watcher of the client socket; if the watcher wins, the operation is
// cancelled (Beast ops honour cancellation), which closes its upstream connection.
#pragma once

#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>
#include <variant>

namespace agp::gateway {

// Completes with true when the client has closed (or reset) its connection, with false when
// `done` turned true or the coroutine was cancelled. It waits for the socket to become readable:
// no timer and no system call while the client waits quietly for its answer. Only a client that
// sent more bytes meanwhile (a pipelined request, readable until it is read) is polled every `poll`.
// `done` is checked at every wake-up before the writer is touched: once it is true, the writer
// may be gone.
inline boost::asio::awaitable<bool> until_client_leaves(http::ResponseWriter& res, const bool& done,
                                                        std::chrono::milliseconds poll) {
  using Peer = http::ResponseWriter::Peer;
  std::optional<boost::asio::steady_timer> timer;
  for (;;) {
    // Cancelled (the work finished first): return now. Awaiting again in a cancelled coroutine
    // throws (an exception per request, seen in a profile).
    auto cs = co_await boost::asio::this_coro::cancellation_state;
    if (done || cs.cancelled() != boost::asio::cancellation_type::none) co_return false;
    auto peer = res.peer_state();
    if (peer == Peer::closed) co_return true;
    if (peer == Peer::waiting) {
      boost::system::error_code ec = co_await res.wait_readable();
      if (ec) co_return false;  // cancelled
      continue;
    }
    if (!timer) timer.emplace(co_await boost::asio::this_coro::executor);
    timer->expires_after(poll);
    auto [ec] = co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) co_return false;
  }
}

// Completes when the client has closed its connection (or when cancelled: under `||`).
inline boost::asio::awaitable<void> client_gone(http::ResponseWriter& res, std::chrono::milliseconds poll) {
  static constexpr bool never = false;
  co_await until_client_leaves(res, never, poll);
}

// The operation's result in a box: awaitable_operators' `||` flattens a std::variant result
// into its own variant, which would make a variant T's alternatives indistinguishable from
// "the watcher won". A box is never flattened.
template <typename T>
struct Boxed {
  T value;
};

template <typename T>
boost::asio::awaitable<Boxed<T>> boxed(boost::asio::awaitable<T> op) {
  // Named steps, no co_await inside an initializer: GCC 12 miscompiles those.
  T value = co_await std::move(op);
  Boxed<T> box{std::move(value)};
  co_return box;
}

// `op`'s result, or nullopt when the client left first (and `op` was cancelled).
template <typename T>
boost::asio::awaitable<std::optional<T>> unless_client_leaves(
    boost::asio::awaitable<T> op, http::ResponseWriter& res,
    std::chrono::milliseconds poll = std::chrono::milliseconds(500)) {
  using namespace boost::asio::experimental::awaitable_operators;
  auto work = boxed(std::move(op));
  auto watcher = client_gone(res, poll);
  auto result = co_await (std::move(work) || std::move(watcher));
  static_assert(std::variant_size_v<decltype(result)> == 2, "the box must keep the result one alternative");
  if (auto* done = std::get_if<0>(&result)) co_return std::move(done->value);
  co_return std::nullopt;
}

}  // namespace agp::gateway
