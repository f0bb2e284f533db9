// Entra ID tokens for the upstream: fetched once per credential and scope, cached, renewed in the
// background before they expire, and fetched by one request however many wait (single flight).
// The fetch itself is given (auth/fetch.hpp in the proxy, a fake in the tests).
#pragma once

#include "auth/credential.hpp"
#include "core/error.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace agp::auth {

class TokenCache {
 public:
  using Fetch = std::function<boost::asio::awaitable<Result<Token>>(const Credential&)>;
  using Now = std::function<Clock::time_point()>;
  // A failed fetch is answered from memory for `retry_after_failure`, so a broken credential is
  // not asked again by every request of a burst.
  explicit TokenCache(Fetch fetch, Now now = Clock::now,
                      std::chrono::milliseconds retry_after_failure = std::chrono::seconds(5));
  ~TokenCache();
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  // A token to send: the cached one while it is usable (a background fetch starts once it is in
  // its renewal window), else the result of the one fetch in flight for this credential.
  boost::asio::awaitable<Result<std::string>> bearer(const Credential& c);
  // Azure refused `token` (401): it is dropped, unless a newer one replaced it already.
  void reject(const Credential& c, const std::string& token);
  std::uint64_t fetches() const;  // fetches started, for tests and logs

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace agp::auth
