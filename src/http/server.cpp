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
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>

#include <sys/resource.h>
#include <sys/socket.h>
#include <cerrno>

namespace agp::http {

using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kAsTuple = asio::as_tuple(use_awaitable);
}  // namespace

std::string render_head(const bhttp::response_header<>& h) {
  std::string out;
  out.reserve(256);
  const unsigned v = h.version(), code = h.result_int();
  const char line[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + v / 10), '.', static_cast<char>('0' + v % 10),
                       ' ', static_cast<char>('0' + code / 100 % 10), static_cast<char>('0' + code / 10 % 10),
                       static_cast<char>('0' + code % 10), ' '};
  out.append(line, sizeof line);
  auto reason = h.reason();
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& f : h) {
    auto name = f.name_string();
    auto value = f.value();
    out.append(name.data(), name.size());
    out += ": ";
    out.append(value.data(), value.size());
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

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
  res.set(bhttp::field::content_type, beast::string_view(content_type.data(), content_type.size()));
  for (auto& [k, v] : extra) res.set(k, v);
  res.keep_alive(keep_alive_);
  bytes_ += body.size();
  res.body() = std::move(body);
  res.prepare_payload();
  answered();  // this is the answer's last write
  if (head_) {
    // HEAD: headers only, with the length a GET would have had.
    bhttp::response<bhttp::empty_body> hres{res.result(), version_};
    hres.base() = res.base();
    stream_.expires_after(limits_.write_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream_, hres, kAsTuple);
    if (ec) alive_ = false;
    co_return;
  }
  // The head in one buffer and the body as a second: one sendmsg of two pieces. Beast's
  // serializer walks a view of a dozen pieces (three per field) at every step of the write: ~3% of
  // the proxy's CPU at 2 KB requests.
  const std::string head = render_head(res.base());
  const std::array<asio::const_buffer, 2> pieces{asio::buffer(head), asio::buffer(res.body())};
  stream_.expires_after(limits_.write_timeout);
  auto [ec, n] = co_await asio::async_write(stream_, pieces, kAsTuple);
  if (ec) alive_ = false;
}

void ResponseWriter::hold_until_answered(Permit p) {
  for (auto& held : until_answered_)
    if (!held) {
      held = std::move(p);
      return;
    }
  // More than two: this one is given up now (the caller holds the others' answer anyway).
}

void ResponseWriter::answered() {
  for (auto& held : until_answered_) held.reset();
}

void ResponseWriter::abort() {
  answered();
  boost::system::error_code ec;
  stream_.socket().set_option(asio::socket_base::linger(true, 0), ec);
  stream_.socket().close(ec);
  alive_ = false;
  finished_ = started_ = true;
}

ResponseWriter::Peer ResponseWriter::peer_state() {
  auto& sock = stream_.socket();
  if (!sock.is_open()) return Peer::closed;
  char byte;
  int n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return Peer::sent_more;
  if (n == 0) return Peer::closed;
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? Peer::waiting : Peer::closed;
}

asio::awaitable<bool> ResponseWriter::begin_stream(unsigned status, std::string_view content_type,
                                                   const Headers& extra) {
  if (started_) co_return alive_;
  started_ = true;
  status_ = status;
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), version_};
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
  answered();  // the stream's last write
  if (!alive_) co_return;
  stream_.expires_after(limits_.write_timeout);
  auto last = bhttp::make_chunk_last();
  auto [ec, n] = co_await asio::async_write(stream_, last, kAsTuple);
  if (ec) alive_ = false;
}

struct Server::State {
  State(std::vector<asio::io_context*> iocs, Handler h, ServerOptions o)
      : iocs(std::move(iocs)),
        acceptor(asio::make_strand(*this->iocs.front())),
        handler(std::move(h)),
        limits(o.limits),
        refuse(std::move(o.refuse)),
        screen(std::move(o.screen)),
        admission(o.admission ? std::move(o.admission) : std::make_shared<Admission>()) {}
  // Each outlives every state: they are the ones destroying the last coroutines. A connection
  // lives on one of them; with one thread per io_context it needs no strand.
  std::vector<asio::io_context*> iocs;
  std::size_t next_ioc = 0;  // round robin, on the acceptor's strand
  tcp::acceptor acceptor;
  Handler handler;
  Limits limits;
  Refuser refuse;
  Screen screen;
  std::shared_ptr<Admission> admission;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<std::size_t> refusing{0};  // connections over the cap, being answered 503
  std::atomic<bool> stopping{false};
};

std::size_t connection_limit_from_fds() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 4096;
  if (rl.rlim_cur > 256) return static_cast<std::size_t>(rl.rlim_cur) - 128;  // room for upstream sockets, files
  return std::max<std::size_t>(static_cast<std::size_t>(rl.rlim_cur) / 2, 1);  // each client may need an upstream
}

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxRefusing = 64;          // over-cap connections answered at once; beyond, accept waits
constexpr std::uint64_t kBudgetStep = 64 * 1024;  // a body of unknown length takes budget in these steps
constexpr auto kLinger = std::chrono::seconds(1);

struct Counted {  // counted while alive, whatever way the scope is left
  std::atomic<std::size_t>& n;
  explicit Counted(std::atomic<std::size_t>& c) : n(c) { ++n; }
  ~Counted() { --n; }
};

asio::awaitable<void> serve(std::shared_ptr<Server::State> s, tcp::socket socket, Permit slot);

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> s) {
  asio::steady_timer pause(s->acceptor.get_executor());
  const std::size_t hard = connection_limit_from_fds();
  auto& connections = s->admission->connections;
  auto last_warning = std::chrono::steady_clock::time_point{};
  int failures = 0;
  for (;;) {
    // Over the cap a connection is still taken, to be told 503 in its protocol; when even those
    // are too many (or the descriptors run out) accepting waits and the kernel's backlog holds them.
    bool full = connections.cap() != 0 && connections.in_use() >= connections.cap();
    if (connections.in_use() + s->refusing >= hard || (full && s->refusing >= kMaxRefusing)) {
      pause.expires_after(std::chrono::milliseconds(20));
      co_await pause.async_wait(kAsTuple);
      if (!s->acceptor.is_open()) co_return;
      continue;
    }
    // One io_context per thread: the connection goes to the next one and stays there (no strand,
    // no cross-thread wake-ups); a single io_context run by every thread keeps a strand per
    // connection.
    auto& target = *s->iocs[s->next_ioc++ % s->iocs.size()];
    asio::any_io_executor conn_ex = s->iocs.size() > 1 ? asio::any_io_executor(target.get_executor())
                                                       : asio::any_io_executor(asio::make_strand(target));
    auto [ec, socket] = co_await s->acceptor.async_accept(conn_ex, kAsTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !s->acceptor.is_open()) co_return;
      // e.g. EMFILE: keep serving the connections we have, back off, and do not flood the log.
      auto now = std::chrono::steady_clock::now();
      if (now - last_warning > std::chrono::seconds(5)) {
        spdlog::warn("accept failed: {} ({} connections open)", ec.message(), connections.in_use());
        last_warning = now;
      }
      failures = std::min(failures + 1, 6);
      pause.expires_after(std::chrono::milliseconds(10 << failures));
      co_await pause.async_wait(kAsTuple);
      continue;
    }
    failures = 0;
    auto ex = socket.get_executor();
    Permit slot = connections.try_take();
    asio::co_spawn(ex, serve(s, std::move(socket), std::move(slot)), [](std::exception_ptr e) {
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

Server::Server(asio::io_context& ioc, tcp::endpoint endpoint, Handler handler, ServerOptions options)
    : Server(std::vector<asio::io_context*>{&ioc}, endpoint, std::move(handler), std::move(options)) {}

Server::Server(std::vector<asio::io_context*> iocs, tcp::endpoint endpoint, Handler handler, ServerOptions options)
    : endpoint_(endpoint), s_(std::make_shared<State>(std::move(iocs), std::move(handler), std::move(options))) {}

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

const Admission& Server::admission() const { return *s_->admission; }

namespace {

// A read deadline that, unlike tcp_stream's expiry (which closes the socket), only cancels the
// pending read: the connection stays open for the 408 that tells the client why.
class ReadDeadline {
 public:
  explicit ReadDeadline(beast::tcp_stream& stream)
      : timer_(stream.get_executor()), st_(std::make_shared<Shared>(Shared{&stream})) {}
  ~ReadDeadline() { st_->stream = nullptr; }  // a handler already queued finds nothing to cancel
  void at(Clock::time_point when) {
    auto gen = ++st_->gen;
    st_->expired = false;
    timer_.expires_at(when);
    timer_.async_wait([st = st_, gen](const boost::system::error_code& ec) {
      if (ec || gen != st->gen || !st->stream) return;
      st->expired = true;
      boost::system::error_code ignored;
      st->stream->socket().cancel(ignored);
    });
  }
  void clear() {
    ++st_->gen;
    timer_.cancel();
  }
  bool expired() const { return st_->expired; }

 private:
  struct Shared {
    beast::tcp_stream* stream;
    std::uint64_t gen = 0;
    bool expired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<Shared> st_;  // runs on the connection's strand, like the coroutine
};

using Parser = bhttp::request_parser<bhttp::string_body>;

std::string json_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

unsigned status_of(Refusal why) {
  switch (why) {
    case Refusal::malformed:
      return 400;
    case Refusal::unauthorized:
      return 401;
    case Refusal::timeout:
      return 408;
    case Refusal::body_too_large:
      return 413;
    case Refusal::headers_too_large:
      return 431;
    case Refusal::overloaded:
      return 503;
    case Refusal::internal:
      return 500;
  }
  return 400;
}

Rejection generic_rejection(Refusal why, const std::string& message) {
  // Protocol-neutral, for servers without a Refuser (the mock).
  const char* type = why == Refusal::body_too_large ? "request_too_large"
                     : why == Refusal::overloaded   ? "overloaded_error"
                     : why == Refusal::internal     ? "api_error"
                                                    : "invalid_request_error";
  std::string body = R"({"type":"error","error":{"type":")";
  body += type;
  body += R"(","message":")";
  body += json_escaped(message);
  body += R"("}})";
  return {status_of(why), std::move(body), {}};
}

// The target of a request whose header is incomplete ("" if not even the request line arrived):
// the parser has it once the request line was whole, else it is still in the buffer.
std::string partial_target(const Parser& parser, const beast::flat_buffer& buffer) {
  if (auto t = parser.get().target(); !t.empty()) return std::string(t);
  std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
  auto sp = data.find(' ');
  if (sp == std::string_view::npos) return {};
  auto end = data.find_first_of(" \r\n", sp + 1);
  if (end == std::string_view::npos) return {};
  return std::string(data.substr(sp + 1, end - sp - 1));
}

struct Refused {
  Refusal why;
  std::string message;
};

Rejection render(const Server::State& s, std::string_view target, const Refused& r) {
  return s.refuse ? s.refuse(target, r.why, r.message) : generic_rejection(r.why, r.message);
}

asio::awaitable<bool> send_rejection(beast::tcp_stream& stream, const Server::State& s, unsigned version,
                                     Rejection r, bool close) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::content_type, "application/json");
  for (auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(!close);
  res.body() = std::move(r.body);
  res.prepare_payload();
  stream.expires_after(s.limits.write_timeout);
  auto [ec, n] = co_await bhttp::async_write(stream, res, kAsTuple);
  co_return !ec;
}

// Closes after the last answer. With `linger`, what the client still sends is read and dropped
// for a moment first: closing with unread bytes would reset the connection, and a reset can
// destroy the answer before the client has read it.
asio::awaitable<void> close_connection(beast::tcp_stream& stream, bool linger) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (linger && stream.socket().is_open()) {
    std::array<char, 4096> sink;
    stream.expires_after(kLinger);
    for (;;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kAsTuple);
      if (ec) break;
    }
  }
  stream.close();
}

constexpr std::size_t kReadChunk = 16 * 1024;

// Waits on a kept-alive connection for the next request's first byte, holding no buffer meanwhile
// (one that grew for a large request is given back).
asio::awaitable<bool> next_request_starts(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                          ReadDeadline& deadline, std::chrono::seconds idle) {
  buffer.shrink_to_fit();
  deadline.at(Clock::now() + idle);
  auto [ec] = co_await stream.socket().async_wait(tcp::socket::wait_read, kAsTuple);
  deadline.clear();
  co_return !ec && !deadline.expired();
}

// A body may go silent for body_timeout at most, and past that head start must have averaged
// body_min_rate bytes/s.
Clock::time_point body_deadline(const Limits& l, Clock::time_point start, std::uint64_t got) {
  auto silence = Clock::now() + l.body_timeout;
  if (l.body_min_rate == 0) return silence;
  auto earned = start + l.body_timeout + std::chrono::milliseconds(got * 1000 / l.body_min_rate);
  return std::min(silence, earned);
}

enum class BodyEnd { done, closed, timeout, too_large, malformed };

// Reads the rest of the body. Kept bytes are taken from `budget` as they come (a body of unknown
// length); one the budget cannot take is dropped from then on and `keep` turns false. A body not
// kept is read only to keep the connection in step.
asio::awaitable<BodyEnd> read_body(beast::tcp_stream& stream, beast::flat_buffer& buffer, Parser& parser,
                                   const Limits& l, ReadDeadline& deadline, Permit& budget, bool& keep) {
  const auto start = Clock::now();
  std::uint64_t got = 0;
  auto& body = parser.get().body();
  while (!parser.is_done()) {
    deadline.at(body_deadline(l, start, got));
    std::size_t before = body.size();
    auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, parser, kAsTuple);
    deadline.clear();
    got += body.size() - before;
    if (keep && body.size() > budget.held() &&
        !budget.grow(std::max<std::uint64_t>(body.size() - budget.held(), kBudgetStep)))
      keep = false;
    if (!keep) {
      body.clear();
      body.shrink_to_fit();
      budget.reset();
    }
    if (deadline.expired()) co_return BodyEnd::timeout;
    if (ec == bhttp::error::body_limit) co_return BodyEnd::too_large;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted)
      co_return BodyEnd::closed;
    if (ec) co_return BodyEnd::malformed;
  }
  co_return BodyEnd::done;
}

std::string seconds(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

Refused header_timeout(const Limits& l) {
  return {Refusal::timeout, "the request's header did not arrive within " + seconds(l.header_timeout) +
                                " (HEADER_TIMEOUT); the connection is closed"};
}

Refused body_stalled(const Limits& l) {
  std::string rate = l.body_min_rate ? " or averaged under " + std::to_string(l.body_min_rate) + " bytes/s" : "";
  return {Refusal::timeout, "the request body stalled: no byte for " + seconds(l.body_timeout) + rate +
                                " (BODY_TIMEOUT, BODY_MIN_RATE); the connection is closed"};
}

Refused over_budget(const Admission& a) {
  return {Refusal::overloaded, "the proxy's memory budget for request bodies (BODY_BUDGET, " +
                                   std::to_string(a.buffered_bytes.cap() >> 20) +
                                   " MB) is in use; retry shortly"};
}

Refused too_large(const Limits& l, bool header) {
  if (header)
    return {Refusal::headers_too_large, "request headers larger than " + std::to_string(l.max_header_bytes) + " bytes"};
  return {Refusal::body_too_large, "request body too large: more than " + std::to_string(l.max_body_bytes) + " bytes"};
}

bool expects_continue(const bhttp::request<bhttp::string_body>& h) {
  auto e = h.find(bhttp::field::expect);
  return e != h.end() && beast::iequals(e->value(), "100-continue");
}

// What reading or answering one request leads to.
enum class Step { handle, next, close, close_lingering };

// One connection: read a request (header within header_timeout, body at body_min_rate), hand it to
// the handler, repeat while kept alive. A connection over MAX_CONNECTIONS (`slot` empty) gets one
// 529 / 503 and is closed.
class Connection {
 public:
  Connection(std::shared_ptr<Server::State> s, tcp::socket socket, Permit slot)
      : s_(std::move(s)), l_(s_->limits), slot_(std::move(slot)), stream_(std::move(socket)), deadline_(stream_) {
    if (!slot_) refusal_.emplace(s_->refusing);
    boost::system::error_code ignored;
    auto& sock = stream_.socket();
    sock.set_option(tcp::no_delay(true), ignored);
    if (auto ep = sock.remote_endpoint(ignored); !ignored)
      remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  asio::awaitable<void> run() {
    auto header_due = Clock::now() + l_.header_timeout;  // a new connection: its first header, from the accept
    Step step = Step::next;
    for (bool first = true; step == Step::next; first = false) {
      if (!first) {
        if (buffer_.size() == 0 && !co_await next_request_starts(stream_, buffer_, deadline_, l_.keepalive_timeout))
          break;
        header_due = Clock::now() + l_.header_timeout;
      }
      // Read in large pieces: from an empty buffer Beast reads 512 bytes at a time, growing it
      // read by read (a 2 KB request took 5 reads and as many reallocations).
      if (buffer_.capacity() < kReadChunk) buffer_.reserve(kReadChunk);
      Parser parser;
      parser.body_limit(l_.max_body_bytes);
      parser.header_limit(static_cast<std::uint32_t>(l_.max_header_bytes));
      step = co_await read_header(parser, header_due);
      Permit body_bytes;
      if (step == Step::handle) step = co_await read_body_or_refuse(parser, body_bytes);
      if (step == Step::handle) step = co_await handle(parser, std::move(body_bytes));
    }
    co_await close_connection(stream_, step == Step::close_lingering);
  }

 private:
  asio::awaitable<Step> read_header(Parser& parser, Clock::time_point due) {
    stream_.expires_never();
    deadline_.at(due);
    auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, parser, kAsTuple);
    deadline_.clear();
    if (!ec) co_return Step::handle;
    // A connection that never started a request, or that closed, just ends.
    std::optional<Refused> why;
    if (deadline_.expired()) {
      if (parser.got_some() || buffer_.size() > 0) why = header_timeout(l_);
    } else if (ec == bhttp::error::header_limit) {
      why = too_large(l_, true);
    } else if (ec == bhttp::error::body_limit) {  // a Content-Length over the limit, seen with the header
      why = too_large(l_, false);
    } else if (ec != bhttp::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
               ec != asio::error::operation_aborted) {
      why = Refused{Refusal::malformed, "malformed HTTP request"};
    }
    if (!why) co_return Step::close;
    if (why->why == Refusal::timeout) ++s_->admission->timeouts;
    co_return co_await refuse(11, render(*s_, partial_target(parser, buffer_), *why), true);
  }

  // What the request gets instead of the handler, decided before its body is kept: a refusal
  // (over the connection cap, the Screen's, or a body the budget cannot take), or its budget.
  std::optional<Rejection> admit(const Parser& parser, const std::string& target, Permit& body_bytes) const {
    if (!slot_)
      return render(*s_, target,
                    {Refusal::overloaded, "the proxy is at its connection limit (MAX_CONNECTIONS, " +
                                              std::to_string(s_->admission->connections.cap()) + "); retry shortly"});
    if (s_->screen && !parser.is_done())
      if (auto r = s_->screen(parser.get().base())) return r;
    body_bytes = s_->admission->buffered_bytes.try_take(parser.content_length().value_or(0));
    if (!body_bytes) return render(*s_, target, over_budget(*s_->admission));
    return std::nullopt;
  }

  // Reads the body (kept, or dropped when the request is refused) and sends the refusal if any.
  asio::awaitable<Step> read_body_or_refuse(Parser& parser, Permit& body_bytes) {
    const auto& head = parser.get();
    const std::string target(head.target());
    const unsigned version = head.version();
    auto rejected = admit(parser, target, body_bytes);
    if (!parser.is_done()) {
      bool keep = !rejected;
      if (expects_continue(head)) {
        // The client waits for this answer before it sends its body: a refused one need not come.
        if (rejected) co_return co_await refuse(version, std::move(*rejected), true);
        // curl and others wait for a 100 before sending a body over 1 KB.
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        stream_.expires_after(l_.write_timeout);
        co_await bhttp::async_write(stream_, cont, kAsTuple);
        stream_.expires_never();
      }
      auto end = co_await read_body(stream_, buffer_, parser, l_, deadline_, body_bytes, keep);
      if (end == BodyEnd::closed) co_return Step::close;
      if (end != BodyEnd::done) {
        if (end == BodyEnd::timeout) ++s_->admission->timeouts;
        auto why = end == BodyEnd::timeout     ? body_stalled(l_)
                   : end == BodyEnd::too_large ? too_large(l_, false)
                                               : Refused{Refusal::malformed, "malformed HTTP request body"};
        co_return co_await refuse(version, render(*s_, target, why), true);
      }
      if (!keep && !rejected) rejected = render(*s_, target, over_budget(*s_->admission));
    }
    if (!rejected) co_return Step::handle;
    co_return co_await refuse(version, std::move(*rejected), !slot_ || !head.keep_alive() || s_->stopping);
  }

  asio::awaitable<Step> refuse(unsigned version, Rejection r, bool close) {
    bool sent = co_await send_rejection(stream_, *s_, version, std::move(r), close);
    if (!sent) co_return Step::close;
    co_return close ? Step::close_lingering : Step::next;
  }

  asio::awaitable<Step> handle(Parser& parser, Permit body_bytes) {
    Request req{parser.release(), remote_, std::move(body_bytes)};
    // The read buffer is not needed while the answer is made (a stream may take minutes): ten
    // thousand open streams hold no read buffers.
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    ResponseWriter writer(stream_, req, l_);
    {
      Counted counted(s_->in_flight);
      co_await s_->handler(req, writer);
    }
    if (writer.started() && !writer.finished()) co_await writer.end_stream();
    if (!writer.started()) {
      Rejection r = render(*s_, req.message.target(), {Refusal::internal, "the request could not be handled"});
      co_await writer.send(r.status, "application/json", std::move(r.body), r.headers);
    }
    bool again = writer.alive() && writer.keep_alive() && !s_->stopping;  // draining: no keep-alive
    co_return again ? Step::next : Step::close;
  }

  std::shared_ptr<Server::State> s_;
  const Limits& l_;
  Permit slot_;
  std::optional<Counted> refusal_;
  std::string remote_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  ReadDeadline deadline_;
};

asio::awaitable<void> serve(std::shared_ptr<Server::State> s, tcp::socket socket, Permit slot) {
  Connection c(std::move(s), std::move(socket), std::move(slot));
  co_await c.run();
}

}  // namespace

}  // namespace agp::http
