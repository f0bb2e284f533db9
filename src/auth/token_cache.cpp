#include "auth/token_cache.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace agp::auth {

namespace asio = boost::asio;

namespace {

// One wake-up per waiter. A channel with room for one message, so a fetch that finishes before
// its waiter started waiting is not missed; concurrent_channel may be sent to from any thread.
using Signal = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

struct Flight {
  std::optional<Result<Token>> result;  // set (under State::mu) before the waiters are woken
  std::vector<std::shared_ptr<Signal>> waiters;
};

struct Entry {
  std::optional<Token> token;
  std::shared_ptr<Flight> flight;  // the fetch in progress, if any
  std::optional<Error> failure;    // the last fetch failed: its error, until failed_until
  Clock::time_point failed_until;
};

}  // namespace

struct TokenCache::State {
  Fetch fetch;
  Now now;
  std::chrono::milliseconds retry_after_failure;
  std::mutex mu;
  std::unordered_map<std::string, Entry> entries;
  std::atomic<std::uint64_t> fetches{0};
};

namespace {

// Runs detached from any request, so a client that leaves never strands the others waiting.
asio::awaitable<void> run_flight(std::shared_ptr<TokenCache::State> st, Credential c, std::shared_ptr<Flight> f) {
  Result<Token> r = Error::internal("the token fetch did not finish");
  try {
    auto fetched = co_await st->fetch(c);
    r = std::move(fetched);
  } catch (const std::exception& e) {
    r = Error{500, ErrorKind::upstream_auth, std::string("the token fetch failed: ") + e.what(), {}};
  }
  std::vector<std::shared_ptr<Signal>> waiters;
  {
    std::lock_guard lock(st->mu);
    auto& e = st->entries[c.key()];
    e.flight.reset();
    if (r) {
      e.token = r.value();
      e.failure.reset();
    } else {
      e.failure = r.error();
      e.failed_until = st->now() + st->retry_after_failure;
    }
    f->result = r;
    waiters.swap(f->waiters);
  }
  for (auto& w : waiters) w->try_send(boost::system::error_code{});
}

}  // namespace

TokenCache::TokenCache(Fetch fetch, Now now, std::chrono::milliseconds retry_after_failure)
    : state_(std::make_shared<State>()) {
  state_->fetch = std::move(fetch);
  state_->now = std::move(now);
  state_->retry_after_failure = retry_after_failure;
}

TokenCache::~TokenCache() = default;

asio::awaitable<Result<std::string>> TokenCache::bearer(const Credential& c) {
  auto ex = co_await asio::this_coro::executor;
  auto& st = state_;
  std::shared_ptr<Flight> wait_for, start;
  std::shared_ptr<Signal> signal;
  std::optional<Result<std::string>> now_answer;
  {
    std::lock_guard lock(st->mu);
    auto& e = st->entries[c.key()];
    auto now = st->now();
    if (e.token && now < e.token->usable_until) {
      if (now >= e.token->refresh_at && !e.flight) start = e.flight = std::make_shared<Flight>();
      now_answer = e.token->value;
    } else if (!e.flight && e.failure && now < e.failed_until) {
      now_answer = *e.failure;
    } else {
      if (!e.flight) start = e.flight = std::make_shared<Flight>();
      wait_for = e.flight;
      signal = std::make_shared<Signal>(ex, 1);
      wait_for->waiters.push_back(signal);  // before the fetch starts: it may finish at once
    }
  }
  if (start) {  // outside the lock: co_spawn may run the fetch's first steps right here
    ++st->fetches;
    asio::co_spawn(ex, run_flight(st, c, start), asio::detached);
  }
  if (now_answer) co_return std::move(*now_answer);
  auto [ec] = co_await signal->async_receive(asio::as_tuple(asio::use_awaitable));
  if (ec) co_return Error::internal("cancelled while waiting for an Entra ID token");
  std::lock_guard lock(st->mu);
  const auto& r = *wait_for->result;
  if (!r) co_return r.error();
  co_return r.value().value;
}

void TokenCache::reject(const Credential& c, const std::string& token) {
  std::lock_guard lock(state_->mu);
  auto& e = state_->entries[c.key()];
  if (e.token && e.token->value == token) e.token.reset();
}

std::uint64_t TokenCache::fetches() const { return state_->fetches.load(); }

}  // namespace agp::auth
