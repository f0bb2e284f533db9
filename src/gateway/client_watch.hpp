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
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (res.peer_closed()) co_return;
  }
}

// `op`'s result, or nullopt when the client left first (and `op` was cancelled).
template <typename T>
boost::asio::awaitable<std::optional<T>> unless_client_leaves(boost::asio::awaitable<T> op, http::ResponseWriter& res,
                                                              std::chrono::milliseconds poll = std::chrono::milliseconds(500)) {
  using namespace boost::asio::experimental::awaitable_operators;
  auto watcher = client_gone(res, poll);
  auto result = co_await (std::move(op) || std::move(watcher));
  if (result.index() == 0) co_return std::move(std::get<0>(result));
  co_return std::nullopt;
}

}  // namespace agp::gateway
