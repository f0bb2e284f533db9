// Name resolution bounded by the connect deadline and cancelled when the client goes away.
//
// asio's resolver runs getaddrinfo on a private thread that nothing can interrupt: its
// async_resolve ignores per-operation cancellation, and resolver.cancel() only stops lookups
// that have not started. A lookup that hangs (an unreachable DNS server) would hold the
// request past its connect timeout, and past the client's departure. So the coroutine does not
// wait for the lookup itself: it waits on a timer set to the deadline, which the lookup's
// completion cancels. The timer wait honours the coroutine's cancellation; a late answer from
// the lookup finds its state kept alive by its own handler, and is dropped.
#pragma once

#include "core/transport_error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <variant>

namespace agp::upstream {

using Endpoints = boost::asio::ip::tcp::resolver::results_type;

// host:port's addresses by `deadline`. Resolver is boost::asio::ip::tcp::resolver (a test's
// stand-in has the same constructor, async_resolve(host, port, handler) and cancel()).
template <typename Resolver = boost::asio::ip::tcp::resolver>
boost::asio::awaitable<std::variant<Endpoints, TransportError>> resolve_within(
    std::string host, std::string port, std::chrono::steady_clock::time_point deadline) {  // copies: they outlive suspension
  namespace asio = boost::asio;
  struct Lookup {
    Lookup(const asio::any_io_executor& ex, std::chrono::steady_clock::time_point at) : resolver(ex), wake(ex, at) {}
    Resolver resolver;
    asio::steady_timer wake;  // fires at the deadline unless the lookup's answer cancels it first
    boost::system::error_code ec;
    Endpoints endpoints;
    bool done = false;
  };
  auto lookup = std::make_shared<Lookup>(co_await asio::this_coro::executor, deadline);
  lookup->resolver.async_resolve(host, port, [lookup](const boost::system::error_code& ec, Endpoints endpoints) {
    lookup->ec = ec;
    lookup->endpoints = std::move(endpoints);
    lookup->done = true;
    lookup->wake.cancel();
  });
  auto [wait_ec] = co_await lookup->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  if (lookup->done) {
    if (lookup->ec)
      co_return TransportError{TransportFailure::connect, "cannot resolve " + host + ": " + lookup->ec.message()};
    co_return std::move(lookup->endpoints);
  }
  lookup->resolver.cancel();  // a lookup still queued behind a hanging one never starts
  if (wait_ec) co_return TransportError{TransportFailure::cancelled, "resolving " + host + ": cancelled"};
  co_return TransportError{TransportFailure::connect, "cannot resolve " + host + ": timed out"};
}

}  // namespace agp::upstream
