// The token cache against a fake authority whose fetch takes a while: a burst of callers on
// several threads shares one fetch; the token is reused, renewed in the background inside its
// renewal window (callers get the old one meanwhile), fetched anew once expired or refused; a
// failure reaches every waiter and is not asked again at once; a caller that leaves strands nobody.
#include "auth/token_cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_auth_token_cache_test {

namespace {

namespace asio = boost::asio;
using namespace agp::auth;
using namespace std::chrono_literals;

struct FakeClock {
  std::atomic<long> seconds{1'800'000'000};
  Clock::time_point operator()() const { return Clock::time_point(std::chrono::seconds(seconds.load())); }
};

struct FakeAuthority {
  FakeClock& clock;
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
  asio::awaitable<agp::Result<Token>> fetch(const Credential&) {
    int n = ++calls;
    asio::steady_timer t(co_await asio::this_coro::executor, 20ms);  // the authority takes its time
    co_await t.async_wait(asio::use_awaitable);
    if (fail) co_return agp::Error{500, agp::ErrorKind::upstream_auth, "AADSTS7000215: Invalid client secret", {}};
    auto now = clock();
    co_return schedule("tok-" + std::to_string(n), now, now + 60s);
  }
};

struct Fixture {
  FakeClock clock;
  FakeAuthority authority{clock};
  TokenCache cache{[this](const Credential& c) { return authority.fetch(c); }, [this] { return clock(); }, 5000ms};
  Credential cred;

  // `n` concurrent callers on `threads` threads; each one's token, or "error: …".
  std::vector<std::string> burst(int n, int threads = 4) {
    asio::io_context ioc(threads);
    std::mutex mu;
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
      asio::co_spawn(
          ioc,
          [&]() -> asio::awaitable<void> {
            auto r = co_await cache.bearer(cred);
            std::lock_guard lock(mu);
            out.push_back(r ? r.value() : "error: " + r.error().message);
          },
          asio::detached);
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    return out;
  }
  std::string one() { return burst(1, 1).at(0); }
};

TEST(TokenCache, TwentyConcurrentCallersShareOneFetch) {
  Fixture f;
  auto got = f.burst(20);
  ASSERT_EQ(got.size(), 20u);
  for (auto& t : got) EXPECT_EQ(t, "tok-1");
  EXPECT_EQ(f.authority.calls, 1);
  EXPECT_EQ(f.cache.fetches(), 1u);
  EXPECT_EQ(f.one(), "tok-1");  // cached
  EXPECT_EQ(f.authority.calls, 1);
}

TEST(TokenCache, RenewedInTheBackgroundThenFetchedWhenExpired) {
  Fixture f;
  EXPECT_EQ(f.one(), "tok-1");
  f.clock.seconds += 31;  // a 60 s token is renewed after 30 s
  EXPECT_EQ(f.one(), "tok-1");  // answered at once with the token in hand; the renewal runs behind it
  EXPECT_EQ(f.authority.calls, 2);
  EXPECT_EQ(f.one(), "tok-2");
  f.clock.seconds += 61;  // expired: the caller waits for a new one
  EXPECT_EQ(f.one(), "tok-3");
  EXPECT_EQ(f.authority.calls, 3);
}

TEST(TokenCache, ARefusedTokenIsDroppedOnce) {
  Fixture f;
  EXPECT_EQ(f.one(), "tok-1");
  f.cache.reject(f.cred, "tok-0");  // an older token: the cached one stays
  EXPECT_EQ(f.one(), "tok-1");
  f.cache.reject(f.cred, "tok-1");
  auto got = f.burst(10);  // every request that got the 401 asks again: one fetch
  for (auto& t : got) EXPECT_EQ(t, "tok-2");
  EXPECT_EQ(f.authority.calls, 2);
}

TEST(TokenCache, AFailureReachesEveryWaiterAndIsNotAskedAgainAtOnce) {
  Fixture f;
  f.authority.fail = true;
  auto got = f.burst(5);
  for (auto& t : got) EXPECT_NE(t.find("AADSTS7000215"), std::string::npos) << t;
  EXPECT_EQ(f.authority.calls, 1);
  EXPECT_NE(f.one().find("AADSTS7000215"), std::string::npos);
  EXPECT_EQ(f.authority.calls, 1);  // within 5 s of the failure: answered from memory
  f.authority.fail = false;
  f.clock.seconds += 6;
  EXPECT_EQ(f.one(), "tok-2");
}

TEST(TokenCache, EachCredentialAndScopeHasItsOwnToken) {
  Fixture f;
  EXPECT_EQ(f.one(), "tok-1");
  f.cred.scope = "https://ai.azure.com/.default";
  EXPECT_EQ(f.one(), "tok-2");
  f.cred.scope = std::string(kCognitiveServicesScope);
  EXPECT_EQ(f.one(), "tok-1");
}

TEST(TokenCache, ACallerThatLeavesStrandsNobody) {
  using namespace asio::experimental::awaitable_operators;
  Fixture f;
  asio::io_context ioc;
  std::string patient;
  bool impatient_gave_up = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 5ms);  // leaves before the 20 ms fetch ends
        auto r = co_await (f.cache.bearer(f.cred) || t.async_wait(asio::use_awaitable));
        impatient_gave_up = r.index() == 1;
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto r = co_await f.cache.bearer(f.cred);
        patient = r ? r.value() : r.error().message;
      },
      asio::detached);
  ioc.run();
  EXPECT_TRUE(impatient_gave_up);
  EXPECT_EQ(patient, "tok-1");
  EXPECT_EQ(f.authority.calls, 1);
}

}  // namespace

}  // namespace unit_auth_token_cache_test
