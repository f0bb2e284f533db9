// Reading an upstream body (upstream::Response::read_some): every byte arrives once and in
// order whatever the pace of the upstream, and a body that is already waiting in the socket (a
// whole answer sent at once) comes in pieces of up to 16 KB, not in pieces of the small buffer
// a waiting stream keeps (each piece is one pass through the relay and one write to the client).
#include "upstream/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <string>
#include <thread>
#include <vector>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_upstream_read_test {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

// A one-request HTTP server on 127.0.0.1: reads the request head, answers 200 with `body`
// (content-length, or chunked: one chunk per write), written in `writes` equal parts `pause` apart.
asio::awaitable<void> serve_once(tcp::acceptor& acc, std::string body, int writes, std::chrono::milliseconds pause,
                                 bool chunked, bool together = false) {
  auto sock = co_await acc.async_accept(use_awaitable);
  asio::streambuf head;
  co_await asio::async_read_until(sock, head, "\r\n\r\n", use_awaitable);
  std::string res = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\napim-request-id: 1234\r\n" +
                    (chunked ? std::string("transfer-encoding: chunked\r\n")
                             : "content-length: " + std::to_string(body.size()) + "\r\n") +
                    "\r\n";
  if (together) {  // the head and the whole body in one write: one segment on loopback
    res += body;
    body.clear();
  }
  co_await asio::async_write(sock, asio::buffer(res), use_awaitable);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const std::size_t part = (body.size() + writes - 1) / writes;
  for (std::size_t at = 0; at < body.size(); at += part) {
    if (at > 0) {
      timer.expires_after(pause);
      co_await timer.async_wait(use_awaitable);
    }
    std::string piece = body.substr(at, part);
    if (chunked) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      piece = size + piece + "\r\n";
    }
    co_await asio::async_write(sock, asio::buffer(piece), use_awaitable);
  }
  if (chunked) co_await asio::async_write(sock, asio::buffer(std::string("0\r\n\r\n")), use_awaitable);
  boost::system::error_code ec;
  sock.shutdown(tcp::socket::shutdown_send, ec);
}

struct Read {
  unsigned status = 0;
  std::string body;
  std::vector<std::size_t> pieces;
  std::string error;
  bool buffered_whole = false;  // right after the head was read
};

// `relayed`: as pump() does, the header fields are released before the body is read.
Read fetch(std::string body, int writes, std::chrono::milliseconds pause, std::chrono::milliseconds before_reading,
           bool chunked = false, bool relayed = false, bool whole_answer = false, bool together = false) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  asio::co_spawn(ioc, serve_once(acc, body, writes, pause, chunked, together), asio::detached);
  agp::upstream::Client client;
  Read out;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        agp::upstream::Request req;
        req.method = agp::upstream::bhttp::verb::post;
        req.url = {false, "127.0.0.1", std::to_string(acc.local_endpoint().port()), "/stream"};
        req.body = "{}";
        req.whole_answer = whole_answer;
        auto sent = co_await client.send(req, {});
        if (auto* e = std::get_if<agp::TransportError>(&sent)) {
          out.error = e->detail;
          co_return;
        }
        auto response = std::move(std::get<0>(sent));
        out.buffered_whole = response->buffered_whole();
        if (response->header("apim-request-id") != "1234") out.error = "no header before release";
        if (relayed) response->release_headers();
        out.status = response->status();
        asio::steady_timer wait(co_await asio::this_coro::executor);
        wait.expires_after(before_reading);  // the upstream has sent it all meanwhile (a burst)
        co_await wait.async_wait(use_awaitable);
        for (;;) {
          auto piece = co_await response->read_some();
          if (auto* e = std::get_if<agp::TransportError>(&piece)) {
            out.error = e->detail;
            co_return;
          }
          auto& bytes = std::get<std::string>(piece);
          if (bytes.empty()) co_return;
          out.pieces.push_back(bytes.size());
          out.body += bytes;
        }
      },
      asio::detached);
  ioc.run();
  return out;
}

std::string sse_body(std::size_t bytes) {
  std::string body;
  for (int i = 0; body.size() < bytes; ++i) body += "data: {\"choices\":[{\"delta\":{\"content\":\"token" + std::to_string(i) + "\"}}]}\n\n";
  body.resize(bytes);
  return body;
}

}  // namespace

TEST(UpstreamRead, ABodyAlreadyWaitingComesInPiecesOfUpTo16KB) {
  const auto body = sse_body(100 * 1024);
  auto r = fetch(body, 1, std::chrono::milliseconds(0), std::chrono::milliseconds(100));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.body, body);
  for (auto n : r.pieces) EXPECT_LE(n, 16u * 1024);
  // 100 KB in pieces of 16 KB is 7; the small buffer alone would take a hundred or more.
  EXPECT_LE(r.pieces.size(), 10u) << "pieces: " << r.pieces.size();
}

TEST(UpstreamRead, ADrippingBodyArrivesWholeAndInOrder) {
  const auto body = sse_body(40 * 1024 + 123);
  auto r = fetch(body, 40, std::chrono::milliseconds(2), std::chrono::milliseconds(0));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.body, body);
  for (auto n : r.pieces) EXPECT_LE(n, 16u * 1024);
}

// A relayed stream frees Azure's header fields before reading its body: the body, chunked or
// not, still arrives whole (the parser keeps what it needs in its own state).
TEST(UpstreamRead, TheBodyReadsWholeAfterTheHeadersAreReleased) {
  const auto body = sse_body(30 * 1024 + 7);
  for (bool chunked : {false, true}) {
    auto r = fetch(body, 12, std::chrono::milliseconds(1), std::chrono::milliseconds(0), chunked, true);
    ASSERT_EQ(r.error, "") << (chunked ? "chunked" : "content-length");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, body) << (chunked ? "chunked" : "content-length");
  }
}

// A whole answer (not a stream) has its head read with a buffer that holds a small answer's body
// too: sent with its head, the body is then already there, and reads without waiting on the
// network; a stream's head is read with the small buffer, which holds only the head.
TEST(UpstreamRead, ASmallWholeAnswerComesWithItsHead) {
  const auto body = sse_body(6 * 1024 + 5);
  using ms = std::chrono::milliseconds;
  auto whole = fetch(body, 1, ms(0), ms(0), false, false, /*whole_answer=*/true, /*together=*/true);
  ASSERT_EQ(whole.error, "");
  EXPECT_TRUE(whole.buffered_whole);
  EXPECT_EQ(whole.body, body);
  auto stream = fetch(body, 1, ms(0), ms(0), false, false, /*whole_answer=*/false, /*together=*/true);
  ASSERT_EQ(stream.error, "");
  EXPECT_FALSE(stream.buffered_whole);
  EXPECT_EQ(stream.body, body);
  // A chunked body's end is not known from its head: never taken as buffered whole.
  auto chunked = fetch(body, 3, ms(1), ms(0), true, false, /*whole_answer=*/true);
  ASSERT_EQ(chunked.error, "");
  EXPECT_FALSE(chunked.buffered_whole);
  EXPECT_EQ(chunked.body, body);
  // Larger than the head's buffer: part of it is still to come.
  const auto large = sse_body(40 * 1024);
  auto big = fetch(large, 1, ms(0), ms(0), false, false, /*whole_answer=*/true, /*together=*/true);
  ASSERT_EQ(big.error, "");
  EXPECT_FALSE(big.buffered_whole);
  EXPECT_EQ(big.body, large);
}

}  // namespace unit_upstream_read_test
