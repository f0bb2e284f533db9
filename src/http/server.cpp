// Beast/Asio coroutine HTTP/1.1 server: read, hand to the handler, repeat while keep-alive.
#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <spdlog/spdlog.h>

#include <charconv>

#include <sys/resource.h>
#include <sys/socket.h>
#include <cerrno>

namespace agp::http {

using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kAsTuple = asio::as_tuple(use_awaitable);

std::string error_json_for(unsigned status) {
  // Generic protocol-neutral answer for requests the server rejects before a handler sees them.
  const char* msg = status == 413   ? "request body too large"
                    : status == 431 ? "request headers too large"
                    : status == 500 ? "the request could not be handled"
                                    : "malformed HTTP request";
  const char* type = status == 413 ? "request_too_large" : status == 500 ? "api_error" : "invalid_request_error";
  return std::string(R"({"type":"error","error":{"type":")") + type + R"(","message":")" + msg + R"("}})";
}
}  // namespace

std::string_view Request::target_path() const {
  std::string_view t = message.target();
  auto q = t.find('?');
  return q == std::string_view::npos ? t : t.substr(0, q);
}

std::string_view Request::query() const {
  std::string_view t = message.target();
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

std::string_view Request::header(std::string_view name) const {
  auto it = message.find(beast::string_view(name.data(), name.size()));
  if (it == message.end()) return {};
  auto v = it->value();
  return {v.data(), v.size()};
}

ResponseWriter::ResponseWriter(beast::tcp_stream& stream, const Request& req, const Limits& limits)
    : stream_(stream),
      limits_(limits),
      version_(req.message.version()),
      keep_alive_(req.message.keep_alive()),
      head_(req.message.method() == bhttp::verb::head) {}

asio::awaitable<void> ResponseWriter::send(unsigned status, std::string_view content_type, std::string body,
                                           const Headers& extra) {
  if (started_) co_return;
  started_ = finished_ = true;
  status_ = status;
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version_};
  res.set(bhttp::field::server, "azure-gpt-proxy");
  res.set(bhttp::field::content_type, beast::string_view(content_type.data(), content_type.size()));
  for (auto& [k, v] : extra) res.set(k, v);
  res.keep_alive(keep_alive_);
  bytes_ += body.size();
  res.body() = std::move(body);
  res.prepare_payload();
  if (head_) {
    // HEAD: headers only, with the length a GET would have had.
    bhttp::response<bhttp::empty_body> hres{res.result(), version_};
    hres.base() = res.base();
    stream_.expires_after(limits_.write_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream_, hres, kAsTuple);
    if (ec) alive_ = false;
    co_return;
  }
  stream_.expires_after(limits_.write_timeout);
  auto [ec, n] = co_await bhttp::async_write(stream_, res, kAsTuple);
  if (ec) alive_ = false;
}

void ResponseWriter::abort() {
  boost::system::error_code ec;
  stream_.socket().set_option(asio::socket_base::linger(true, 0), ec);
  stream_.socket().close(ec);
  alive_ = false;
  finished_ = started_ = true;
}

bool ResponseWriter::peer_closed() {
  auto& sock = stream_.socket();
  if (!sock.is_open()) return true;
  char byte;
  int n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK;
}

asio::awaitable<bool> ResponseWriter::begin_stream(unsigned status, std::string_view content_type,
                                                   const Headers& extra) {
  if (started_) co_return alive_;
  started_ = true;
  status_ = status;
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), version_};
  res.set(bhttp::field::server, "azure-gpt-proxy");
  res.set(bhttp::field::content_type, beast::string_view(content_type.data(), content_type.size()));
  res.set(bhttp::field::cache_control, "no-cache");
  res.set("X-Accel-Buffering", "no");
  for (auto& [k, v] : extra) res.set(k, v);
  res.keep_alive(keep_alive_);
  res.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> sr{res};
  stream_.expires_after(limits_.write_timeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream_, sr, kAsTuple);
  if (ec) alive_ = false;
  co_return alive_;
}

asio::awaitable<bool> ResponseWriter::write(std::string_view data) {
  if (!alive_ || finished_ || data.empty()) co_return alive_;
  bytes_ += data.size();
  stream_.expires_after(limits_.write_timeout);
  auto chunk = bhttp::make_chunk(asio::const_buffer(data.data(), data.size()));
  auto [ec, n] = co_await asio::async_write(stream_, chunk, kAsTuple);
  if (ec) alive_ = false;
  co_return alive_;
}

asio::awaitable<void> ResponseWriter::end_stream() {
  if (finished_) co_return;
  finished_ = true;
  if (!alive_) co_return;
  stream_.expires_after(limits_.write_timeout);
  auto last = bhttp::make_chunk_last();
  auto [ec, n] = co_await asio::async_write(stream_, last, kAsTuple);
  if (ec) alive_ = false;
}

struct Server::State {
  State(asio::io_context& ioc, Handler h, Limits l)
      : ioc(ioc), acceptor(asio::make_strand(ioc)), handler(std::move(h)), limits(l) {}
  asio::io_context& ioc;  // outlives every state: it is the one destroying the last coroutines
  tcp::acceptor acceptor;
  Handler handler;
  Limits limits;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
};

namespace {
asio::awaitable<void> serve(std::shared_ptr<Server::State> s, tcp::socket socket);

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> s) {
  asio::steady_timer pause(s->acceptor.get_executor());
  std::size_t max = s->limits.max_connections;
  if (max == 0) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
      max = 4096;
    else if (rl.rlim_cur > 256)
      max = static_cast<std::size_t>(rl.rlim_cur) - 128;  // room for upstream sockets, files
    else
      max = std::max<std::size_t>(static_cast<std::size_t>(rl.rlim_cur) / 2, 1);  // each client may need an upstream
  }
  auto last_warning = std::chrono::steady_clock::time_point{};
  int failures = 0;
  for (;;) {
    if (s->connections >= max) {  // at capacity: let connections finish before taking more
      pause.expires_after(std::chrono::milliseconds(20));
      co_await pause.async_wait(kAsTuple);
      if (!s->acceptor.is_open()) co_return;
      continue;
    }
    auto [ec, socket] = co_await s->acceptor.async_accept(asio::make_strand(s->ioc), kAsTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !s->acceptor.is_open()) co_return;
      // e.g. EMFILE: keep serving the connections we have, back off, and do not flood the log.
      auto now = std::chrono::steady_clock::now();
      if (now - last_warning > std::chrono::seconds(5)) {
        spdlog::warn("accept failed: {} ({} connections open)", ec.message(), s->connections.load());
        last_warning = now;
      }
      failures = std::min(failures + 1, 6);
      pause.expires_after(std::chrono::milliseconds(10 << failures));
      co_await pause.async_wait(kAsTuple);
      continue;
    }
    failures = 0;
    auto ex = socket.get_executor();
    asio::co_spawn(ex, serve(s, std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("connection ended by an unexpected exception: {}", ex.what());
      }
    });
  }
}
}  // namespace

Server::Server(asio::io_context& ioc, tcp::endpoint endpoint, Handler handler, Limits limits)
    : ioc_(ioc), endpoint_(endpoint), s_(std::make_shared<State>(ioc, std::move(handler), limits)) {}

Server::~Server() {
  s_->stopping = true;
  boost::system::error_code ec;
  s_->acceptor.close(ec);  // the io_context is stopped or never ran: no accept is in progress
}

void Server::start() {
  auto& a = s_->acceptor;
  a.open(endpoint_.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(endpoint_);
  a.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(a.get_executor(), accept_loop(s_), asio::detached);
}

void Server::stop() {
  s_->stopping = true;
  asio::post(s_->acceptor.get_executor(), [s = s_] {
    boost::system::error_code ec;
    s->acceptor.close(ec);
  });
}

tcp::endpoint Server::local_endpoint() const { return s_->acceptor.local_endpoint(); }

std::size_t Server::in_flight() const { return s_->in_flight.load(); }

namespace {

asio::awaitable<void> serve(std::shared_ptr<Server::State> s, tcp::socket socket) {
  struct Open {  // counted while the connection is open
    std::atomic<std::size_t>& n;
    explicit Open(std::atomic<std::size_t>& c) : n(c) { ++n; }
    ~Open() { --n; }
  } open(s->connections);
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::string remote;
  if (auto ep = socket.remote_endpoint(ignored); !ignored)
    remote = ep.address().to_string() + ":" + std::to_string(ep.port());
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(s->limits.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(s->limits.max_header_bytes));
    stream.expires_after(first ? s->limits.read_timeout : s->limits.idle_timeout);
    // Wait for the header (idle keep-alive may take long), then give the body its own budget.
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
    if (!hec && !parser.is_done()) {
      auto& h = parser.get();
      if (auto e = h.find(bhttp::field::expect); e != h.end() && beast::iequals(e->value(), "100-continue")) {
        // curl and others wait for this before sending a body over 1 KB.
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, h.version()};
        stream.expires_after(s->limits.write_timeout);
        co_await bhttp::async_write(stream, cont, kAsTuple);
      }
      stream.expires_after(s->limits.read_timeout);
      auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
      hec = bec;
    }
    first = false;
    if (hec) {
      if (hec == bhttp::error::end_of_stream || hec == asio::error::eof || hec == beast::error::timeout ||
          hec == asio::error::connection_reset || hec == asio::error::operation_aborted)
        break;
      // Malformed or too large: answer once, then close.
      unsigned status = hec == bhttp::error::body_limit ? 413 : hec == bhttp::error::header_limit ? 431 : 400;
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
      res.set(bhttp::field::content_type, "application/json");
      res.set(bhttp::field::connection, "close");
      res.body() = error_json_for(status);
      res.prepare_payload();
      stream.expires_after(s->limits.write_timeout);
      co_await bhttp::async_write(stream, res, kAsTuple);
      break;
    }
    Request req{parser.release(), remote};
    ResponseWriter writer(stream, req, s->limits);
    {
      struct InFlight {  // counted while the handler runs, whatever way it leaves
        std::atomic<std::size_t>& n;
        explicit InFlight(std::atomic<std::size_t>& c) : n(c) { ++n; }
        ~InFlight() { --n; }
      } counted(s->in_flight);
      co_await s->handler(req, writer);
    }
    if (writer.started() && !writer.finished()) co_await writer.end_stream();
    if (!writer.started()) {
      std::string body = error_json_for(500);  // named: see the note in gateway/app.cpp
      co_await writer.send(500, "application/json", std::move(body));
    }
    if (!writer.alive() || !writer.keep_alive() || s->stopping) break;  // draining: no keep-alive
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

}  // namespace

}  // namespace agp::http
