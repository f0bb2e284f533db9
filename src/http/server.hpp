// Protocol-free HTTP/1.1 server: one coroutine per connection, keep-alive, limits,
// complete or streamed (chunked) responses. It knows nothing about Anthropic or OpenAI.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "http/admission.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agp::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  bhttp::request<bhttp::string_body> message;
  std::string remote;  // "ip:port" of the peer, for logs
  Permit body_bytes;   // the body's share of the buffered-bytes budget, held while the request is
                       // handled, or until release()

  // Frees the body (its bytes go back to the budget) and the header fields once nothing needs them
  // any more: a stream open for minutes holds neither. The request line stays.
  void release() {
    std::string().swap(message.body());
    body_bytes.reset();
    message.clear();
  }
  std::string_view target_path() const;  // target without the query
  std::string_view query() const;        // after '?', or ""
  std::string_view header(std::string_view name) const;
};

// How long a client may take. A request has started once its first byte arrived; one that does
// not complete in time is answered 408 and its connection closed (RFC 9110 §15.5.9).
struct Limits {
  std::size_t max_body_bytes = 32 * 1024 * 1024;  // Anthropic's own limit
  std::size_t max_header_bytes = 64 * 1024;
  // The whole header block, from its first byte (from the accept for a new connection): a client
  // trickling it a byte at a time does not extend it.
  std::chrono::seconds header_timeout{10};
  // The body: no byte for this long, or fewer than body_min_rate bytes/s on average after a head
  // start of this long, is a stalled upload.
  std::chrono::seconds body_timeout{10};
  std::uint64_t body_min_rate = 4096;  // bytes/s; 0 = only the silence rule
  // A kept-alive connection idle this long between requests is closed (no answer: none is due).
  std::chrono::seconds keepalive_timeout{75};
  std::chrono::seconds write_timeout{60};  // one write may take this long
};

// Why the server answers by itself, before (or instead of) the handler.
enum class Refusal { malformed, headers_too_large, body_too_large, timeout, overloaded, unauthorized, internal };
// Such an answer: a JSON body in the shape of the request's route, and its headers.
struct Rejection {
  unsigned status = 500;
  std::string body;
  Headers headers;
};
// Renders a refusal for the request's target ("" when its header could not be read).
using Refuser = std::function<Rejection(std::string_view target, Refusal why, const std::string& message)>;
// Looks at a request's header before its body is read: a rejection (e.g. a wrong token) is sent
// without the body being kept, so a client that may not ask cannot make the proxy buffer one.
using Screen = std::function<std::optional<Rejection>(const bhttp::request_header<>& header)>;

// The connections a process may hold given its file-descriptor limit (each client may need an
// upstream socket too).
std::size_t connection_limit_from_fds();

// A response head as Beast's serializer writes it ("HTTP/1.1 200 OK", then each field as
// "Name: value" in the order set, each line ended by CRLF, then an empty line), in one piece.
std::string render_head(const bhttp::response_header<>& h);

// What a handler writes to. Either one complete response (send) or a chunked
// stream (begin_stream, write, end_stream). After a failed write the client is gone:
// `alive()` turns false and the handler should stop work (and cancel upstream).
class ResponseWriter {
 public:
  ResponseWriter(beast::tcp_stream& stream, const Request& req, const Limits& limits);

  asio::awaitable<void> send(unsigned status, std::string_view content_type, std::string body,
                             const Headers& extra = {});
  asio::awaitable<bool> begin_stream(unsigned status, std::string_view content_type, const Headers& extra = {});
  asio::awaitable<bool> write(std::string_view data);
  asio::awaitable<void> end_stream();

  // Drops the connection with a TCP reset (fault injection, or a peer that must not linger).
  void abort();
  // Holds an admission permit (the request's MAX_IN_FLIGHT slot, a stream's MAX_STREAMS slot)
  // until the answer is out: it is given up just before the answer's last write (or an abort),
  // so a client that acts on the answer — its next request, on any connection — never finds
  // the slot still taken. At most two are held; the writer's end gives them up too.
  void hold_until_answered(Permit p);
  // What the client's side of the connection holds now (non-blocking check): nothing (it waits
  // for the answer), its close or reset, or bytes (a pipelined request).
  enum class Peer { waiting, closed, sent_more };
  Peer peer_state();
  // True when the peer has already closed or reset the connection (non-blocking check).
  bool peer_closed() { return peer_state() == Peer::closed; }
  // Calls `on_ready(ec)` once the connection has something to read (the client's close or reset,
  // or bytes), or with operation_aborted after cancel_wait(); on the connection's thread. No timer
  // and no system call while it waits: ten thousand open streams watch their clients for nothing.
  // Check peer_state() first — readiness that came before the wait began is not reported again —
  // and only then wait: a connection's socket and its handler run on one thread, so nothing can
  // arrive unseen between the two.
  template <typename F>
  void async_wait_readable(F&& on_ready) {
    stream_.socket().async_wait(asio::ip::tcp::socket::wait_read, std::forward<F>(on_ready));
  }
  // Ends a pending async_wait_readable (operation_aborted). Only while no read or write of the
  // response is pending: it cancels every operation on the socket.
  void cancel_wait() {
    boost::system::error_code ec;
    stream_.socket().cancel(ec);
  }
  asio::any_io_executor executor() { return stream_.get_executor(); }

  bool started() const { return started_; }
  bool finished() const { return finished_; }
  bool alive() const { return alive_; }
  unsigned status() const { return status_; }
  std::uint64_t bytes_written() const { return bytes_; }
  bool keep_alive() const { return keep_alive_; }

 private:
  beast::tcp_stream& stream_;
  const Limits& limits_;
  unsigned version_;
  bool keep_alive_;
  bool head_;
  bool started_ = false;
  bool finished_ = false;
  bool alive_ = true;
  unsigned status_ = 0;
  std::uint64_t bytes_ = 0;
  std::array<Permit, 2> until_answered_;
  void answered();  // gives up what hold_until_answered holds
};

using Handler = std::function<asio::awaitable<void>(Request&, ResponseWriter&)>;

struct ServerOptions {
  Limits limits;
  Refuser refuse;                        // default: a generic JSON error
  Screen screen;                         // default: every request's body is read
  std::shared_ptr<Admission> admission;  // default: no caps but the file-descriptor limit
};

class Server {
 public:
  // One io_context run by any number of threads: a strand per connection.
  Server(asio::io_context& ioc, asio::ip::tcp::endpoint endpoint, Handler handler, ServerOptions options = {});
  // One io_context per thread, each run by exactly one thread: the acceptor runs on the first,
  // and each accepted connection is handed, round robin, to the next io_context, where it stays.
  Server(std::vector<asio::io_context*> iocs, asio::ip::tcp::endpoint endpoint, Handler handler,
         ServerOptions options = {});
  ~Server();
  // Binds and listens; throws std::system_error at start-up if the address is taken.
  void start();
  // Stops accepting (on the acceptor's own strand: safe from any thread); connections being
  // served go on.
  void stop();
  asio::ip::tcp::endpoint local_endpoint() const;
  // Requests whose handler is running now (for a graceful drain).
  std::size_t in_flight() const;
  // The caps and counts the server shares with the handler (for metrics).
  const Admission& admission() const;

  // Shared by the accept loop and every connection coroutine. A coroutine still suspended when
  // the io_context stops is destroyed by ~io_context, after this Server: it keeps the state (and
  // so the handler and what the handler owns) alive until then.
  struct State;

 private:
  asio::ip::tcp::endpoint endpoint_;
  std::shared_ptr<State> s_;
};

}  // namespace agp::http
