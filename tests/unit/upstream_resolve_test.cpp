// Name resolution within the connect deadline (upstream/resolve.hpp): a lookup that does not
// answer in time gives a clean error at the deadline, and the wait ends at once when the caller
// is cancelled (the client went away), though the lookup itself cannot be interrupted.
#include "upstream/resolve.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_upstream_resolve_test {

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using agp::TransportError;
using agp::TransportFailure;
using agp::upstream::Endpoints;

// A DNS server that answers after `delay` (offline, a lookup that hangs cannot be arranged
// otherwise). Like asio's resolver it ignores cancellation slots, and cancel() does not stop a
// lookup in progress.
struct SlowResolver {
  static inline std::chrono::milliseconds delay{0};
  explicit SlowResolver(const asio::any_io_executor& ex) : timer(ex) {}
  template <typename Handler>
  void async_resolve(const std::string&, const std::string&, Handler handler) {
    timer.expires_after(delay);
    timer.async_wait(
        [h = std::move(handler)](boost::system::error_code) mutable { h(boost::system::error_code{}, Endpoints{}); });
  }
  void cancel() {}
  asio::steady_timer timer;
};

struct Outcome {
  std::optional<TransportFailure> failure;  // nullopt: resolved
  std::string message;
  Clock::duration elapsed{};
};

template <typename Resolver>
Outcome resolve(const std::string& host, std::chrono::milliseconds budget,
                std::optional<std::chrono::milliseconds> cancel_after = std::nullopt) {
  asio::io_context ioc;
  asio::cancellation_signal leave;
  asio::steady_timer client(ioc);
  Outcome out;
  auto start = Clock::now();
  asio::co_spawn(ioc, agp::upstream::resolve_within<Resolver>(host, "443", start + budget),
                 asio::bind_cancellation_slot(leave.slot(), [&](std::exception_ptr e, auto r) {
                   out.elapsed = Clock::now() - start;
                   if (e) std::rethrow_exception(e);
                   if (auto* f = std::get_if<TransportError>(&r)) out.failure = f->what, out.message = f->detail;
                   client.cancel();
                 }));
  if (cancel_after) {
    client.expires_after(*cancel_after);
    client.async_wait([&](boost::system::error_code ec) {
      if (!ec) leave.emit(asio::cancellation_type::terminal);
    });
  }
  ioc.run();  // until the slow lookup's late answer too has come and gone
  return out;
}

TEST(UpstreamResolve, TheLookupSharesTheConnectDeadlineAndEndsWhenTheClientLeaves) {
  struct Row {
    const char* name;
    std::chrono::milliseconds answer_after, budget;
    std::optional<std::chrono::milliseconds> client_leaves_after;
    std::optional<TransportFailure> failure;
    std::string message;
    std::chrono::milliseconds at_least, at_most;
  };
  const Row rows[] = {
      {"answers in time", 10ms, 2000ms, std::nullopt, std::nullopt, "", 0ms, 1000ms},
      {"hangs past the deadline", 1500ms, 200ms, std::nullopt, TransportFailure::connect,
       "cannot resolve slow.example: timed out", 190ms, 1000ms},
      {"the client leaves while it hangs", 1500ms, 10000ms, 100ms, TransportFailure::cancelled,
       "resolving slow.example: cancelled", 90ms, 1000ms},
  };
  for (auto& row : rows) {
    SCOPED_TRACE(row.name);
    SlowResolver::delay = row.answer_after;
    auto got = resolve<SlowResolver>("slow.example", row.budget, row.client_leaves_after);
    EXPECT_EQ(got.failure, row.failure);
    EXPECT_EQ(got.message, row.message);
    EXPECT_GE(got.elapsed, row.at_least);
    EXPECT_LT(got.elapsed, row.at_most);
  }
}

TEST(UpstreamResolve, TheSystemResolverAnswersForLocalhost) {
  auto got = resolve<asio::ip::tcp::resolver>("localhost", 5000ms);
  EXPECT_EQ(got.failure, std::nullopt) << got.message;
}

}  // namespace

}  // namespace unit_upstream_resolve_test
