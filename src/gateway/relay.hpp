// Relays an upstream body as it arrives, interleaved with keep-alive ticks while the
// upstream is silent. Two producers (reader, pinger) feed one channel; the handler is the
// only writer to the client, so pings never race with data. Protocol-free.
#pragma once

#include "upstream/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace agp::gateway {

struct RelayPiece {
  enum Kind { data, ping, end, error } kind = end;
  std::string bytes;
  upstream::TransportError failure;
};

class Relay {
 public:
  // Starts reading `response` on the current executor.
  static boost::asio::awaitable<std::shared_ptr<Relay>> start(std::unique_ptr<upstream::Response> response,
                                                              std::chrono::milliseconds ping_interval);
  ~Relay();
  boost::asio::awaitable<RelayPiece> next();
  // Stops both producers and cancels the upstream if it has not finished. Idempotent.
  void stop();

  struct State;

 private:
  explicit Relay(std::shared_ptr<State> s) : s_(std::move(s)) {}
  std::shared_ptr<State> s_;
};

}  // namespace agp::gateway
