// Cancels upstream work when the client goes away before the answer starts: the operation
// races a watcher that polls the client socket; if the watcher wins, the operation is
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

// Completes when the client has closed its connection.
inline boost::asio::awaitable<void> client_gone(http::ResponseWriter& res, std::chrono::milliseconds poll) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    timer.expires_after(poll);
    auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    // Cancelled because the work finished first: return now. Looping would co_await again in
    // a cancelled coroutine, which throws (an exception per request, seen in a profile).
    if (ec) co_return;
    if (res.peer_closed()) co_return;
  }
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
