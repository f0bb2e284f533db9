#include "upstream/client.hpp"

#include "upstream/resolve.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <unordered_map>

namespace agp::upstream {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kIdleReadBuffer = 2 * 1024;  // what a waiting stream may keep
}  // namespace

// One upstream connection, plain or TLS, with the parser state of the current response.
class Connection {
 public:
  using Plain = beast::tcp_stream;
  using Tls = beast::ssl_stream<beast::tcp_stream>;

  explicit Connection(std::unique_ptr<Plain> s) : plain_(std::move(s)) {}
  explicit Connection(std::unique_ptr<Tls> s) : tls_(std::move(s)) {}

  beast::tcp_stream& lowest() { return plain_ ? *plain_ : beast::get_lowest_layer(*tls_); }

  template <typename F>
  auto with_stream(F&& f) {
    return plain_ ? f(*plain_) : f(*tls_);
  }

  void close() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }
  bool is_open() { return lowest().socket().is_open(); }

  beast::flat_buffer buffer;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser;
  bool failed = false;

 private:
  std::unique_ptr<Plain> plain_;
  std::unique_ptr<Tls> tls_;
};

namespace {
bool parse_url_uncached(const std::string& text, Url& out) {
  auto u = boost::urls::parse_absolute_uri(text);
  if (!u) return false;
  if (u->scheme() == "https")
    out.tls = true;
  else if (u->scheme() == "http")
    out.tls = false;
  else
    return false;
  out.host = std::string(u->host());
  if (out.host.empty()) return false;
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  out.port = u->has_port() ? std::string(u->port()) : (out.tls ? "443" : "80");
  std::string target(u->encoded_path());
  if (target.empty()) target = "/";
  if (u->has_query()) target += "?" + std::string(u->encoded_query());
  out.target = target;
  return true;
}
}  // namespace

bool parse_url(const std::string& text, Url& out) {
  // Every request parses one of the same few URLs (its deployment's): each thread keeps the ones
  // it parsed (2% of the proxy's CPU at 2 KB requests was Boost.URL's parse). Bounded: a thread
  // that has seen more than kKept different URLs starts over.
  constexpr std::size_t kKept = 256;
  thread_local std::unordered_map<std::string, Url> parsed;
  if (auto it = parsed.find(text); it != parsed.end()) {
    out = it->second;
    return true;
  }
  if (!parse_url_uncached(text, out)) return false;
  if (parsed.size() >= kKept) parsed.clear();
  parsed.emplace(text, out);
  return true;
}

Pool::Pool(std::size_t max_idle_per_host, std::chrono::seconds max_idle_age)
    : max_idle_(max_idle_per_host), max_age_(max_idle_age) {}
Pool::~Pool() = default;

std::unique_ptr<Connection> Pool::take(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto now = std::chrono::steady_clock::now();
  while (!it->second.empty()) {
    Idle idle = std::move(it->second.back());
    it->second.pop_back();
    if (now - idle.since < max_age_ && idle.conn->is_open()) return std::move(idle.conn);
    idle.conn->close();
  }
  return nullptr;
}

void Pool::put(const std::string& key, std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  auto& v = idle_[key];
  if (v.size() >= max_idle_) {
    c->close();
    return;
  }
  v.push_back({std::move(c), std::chrono::steady_clock::now()});
}

std::size_t Pool::idle_count() {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (auto& [k, v] : idle_) n += v.size();
  return n;
}

Response::Response(std::unique_ptr<Connection> conn, Pool& pool, std::string key, Timeouts timeouts)
    : conn_(std::move(conn)), pool_(pool), key_(std::move(key)), timeouts_(timeouts) {}

Response::~Response() {
  if (!conn_) return;
  // Pooled only when the answer was read to its end and nothing more arrived behind it.
  if (!conn_->failed && conn_->parser && conn_->parser->is_done() && conn_->parser->keep_alive() && conn_->is_open() &&
      conn_->buffer.size() == 0) {
    conn_->parser.reset();
    pool_.put(key_, std::move(conn_));
  } else {
    conn_->close();
  }
}

unsigned Response::status() const { return conn_->parser->get().result_int(); }

std::string Response::header(std::string_view name) const {
  auto& h = conn_->parser->get();
  auto it = h.find(beast::string_view(name.data(), name.size()));
  return it == h.end() ? std::string{} : std::string(it->value());
}

bool Response::done() const { return !conn_ || !conn_->parser || conn_->parser->is_done(); }

void Response::release_headers() {
  // The parser keeps what the body needs (chunking, length, keep-alive) in its own state.
  if (conn_ && conn_->parser) conn_->parser->get().clear();
}

void Response::cancel() {
  if (!conn_) return;
  conn_->failed = true;
  conn_->close();
}

bool Response::buffered_whole() const {
  if (done()) return true;
  if (!conn_ || !conn_->parser) return false;
  auto left = conn_->parser->content_length_remaining();
  return left && *left <= conn_->buffer.size();
}

asio::awaitable<Outcome<std::string>> Response::read_some() {
  if (done()) co_return std::string{};
  auto& p = *conn_->parser;
  // Two steps, so that a read waiting for a slow upstream holds no body buffer (16 KB per open
  // stream was a third of its memory): first with no body buffer, which waits until bytes are in
  // the connection's small read buffer (the parser then asks for a body buffer: need_buffer), then
  // into a piece of just the size of what arrived.
  std::string out;
  for (;;) {
    const std::size_t ready = conn_->buffer.size();
    if (ready == 0) {
      // The read buffer follows the stream: bytes already waiting in the socket (a burst, or a
      // whole answer sent at once) are read in one piece of up to kReadChunk, not in pieces of
      // the small buffer (each piece is a pass through the relay and a write to the client); a
      // stream that waits gives the large buffer back.
      boost::system::error_code aec;
      const std::size_t waiting = conn_->lowest().socket().available(aec);
      if (!aec && waiting > 0)
        conn_->buffer.reserve(std::min(kReadChunk, waiting));
      else if (conn_->buffer.capacity() > kIdleReadBuffer)
        conn_->buffer.shrink_to_fit();
    }
    if (ready > 0) out.resize(std::min(kReadChunk, std::max<std::size_t>(ready, 512)));
    p.get().body().data = ready > 0 ? out.data() : nullptr;
    p.get().body().size = ready > 0 ? out.size() : 0;
    conn_->lowest().expires_after(timeouts_.idle);
    auto [ec, n] =
        co_await conn_->with_stream([&](auto& s) { return bhttp::async_read_some(s, conn_->buffer, p, kAsTuple); });
    if (ec == bhttp::error::need_buffer) ec = {};
    std::size_t got = ready > 0 ? out.size() - p.get().body().size : 0;
    if (ec) {
      conn_->failed = true;
      if (ec == beast::error::timeout)
        co_return TransportError{TransportFailure::idle_timeout,
                                 "no data for " + std::to_string(timeouts_.idle.count()) + " s", false};
      if (ec == asio::error::operation_aborted)
        co_return TransportError{TransportFailure::cancelled, ec.message(), false};
      co_return TransportError{TransportFailure::reset, ec.message(), false};
    }
    if (got > 0 || p.is_done()) {
      out.resize(got);
      co_return out;
    }
  }
}

asio::awaitable<Outcome<std::string>> Response::read_all(std::size_t limit) {
  std::string body;
  for (;;) {
    auto piece = co_await read_some();
    if (auto* e = std::get_if<TransportError>(&piece)) co_return *e;
    auto& s = std::get<std::string>(piece);
    if (s.empty()) co_return body;
    body += s;
    if (body.size() > limit) {
      cancel();
      co_return TransportError{TransportFailure::protocol, "answer larger than " + std::to_string(limit) + " bytes",
                               false};
    }
  }
}

bool bypasses_proxy(std::string_view host, const std::vector<std::string>& no_proxy) {
  for (std::string_view entry : no_proxy) {
    if (entry == "*") return true;
    if (entry.starts_with(".")) entry.remove_prefix(1);
    if (entry.empty()) continue;
    if (host == entry) return true;
    if (host.size() > entry.size() && host.ends_with(entry) && host[host.size() - entry.size() - 1] == '.') return true;
  }
  return false;
}

namespace {
// The trusted CAs, built once per CA file and shared by every client of the process (the proxy
// has three: Azure, the token authority, the local identity endpoints). Loading a bundle parses
// all ~140 of its certificates into memory (1.2 MB, ~15 ms each time); the hashed directory
// (/etc/ssl/certs, kept by update-ca-certificates) is read lazily instead, one CA when a handshake
// needs it. SSL_CERT_FILE / SSL_CERT_DIR naming other places, or a directory without hash links,
// take OpenSSL's usual default paths (the bundle, loaded once).
// SSL_CERT_FILE / SSL_CERT_DIR unset, or naming OpenSSL's own defaults by another path (as
// images that export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt do).
bool names_default(const char* env_name, const char* default_path) {
  const char* v = std::getenv(env_name);
  if (!v) return true;
  if (!default_path) return false;
  std::error_code e1, e2;
  auto a = std::filesystem::weakly_canonical(v, e1), b = std::filesystem::weakly_canonical(default_path, e2);
  return !e1 && !e2 && a == b;
}

X509_STORE* new_store(const std::string& ca_file) {
  X509_STORE* store = X509_STORE_new();
  if (!store) throw std::runtime_error("OpenSSL: X509_STORE_new failed");
  const char* dir = X509_get_default_cert_dir();
  bool hashed = false;
  if (dir && names_default(X509_get_default_cert_file_env(), X509_get_default_cert_file()) &&
      names_default(X509_get_default_cert_dir_env(), dir)) {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
      auto name = it->path().filename().string();  // e.g. 4042bcee.0
      if (name.size() == 10 && name[8] == '.' && name.find_first_not_of("0123456789abcdef") == 8) {
        hashed = true;
        break;
      }
    }
  }
  if (!hashed || X509_STORE_load_path(store, dir) != 1) X509_STORE_set_default_paths(store);
  if (!ca_file.empty() && X509_STORE_load_file(store, ca_file.c_str()) != 1) {
    const char* why = ERR_reason_error_string(ERR_get_error());
    ERR_clear_error();
    X509_STORE_free(store);
    throw std::runtime_error("the CA file '" + ca_file + "' (AZURE_CA_FILE / --ca-file) holds no PEM certificate: " +
                             (why ? why : "unreadable"));
  }
  return store;
}

X509_STORE* shared_store(const std::string& ca_file) {
  static std::mutex mutex;
  static auto& stores = *new std::map<std::string, X509_STORE*>;  // kept to the end of the process
  std::lock_guard lock(mutex);
  auto& store = stores[ca_file];
  if (!store) store = new_store(ca_file);
  return store;
}
}  // namespace

Client::Client(TlsSettings tls, ProxySettings proxy) : ssl_(ssl::context::tls_client), proxy_(std::move(proxy)) {
  if (!proxy_.url.empty()) {
    if (!parse_url(proxy_.url, proxy_url_)) throw std::invalid_argument("the outbound proxy URL is malformed");
    auto u = boost::urls::parse_absolute_uri(proxy_.url);
    if (u && u->has_userinfo()) {
      std::string creds = std::string(u->user()) + ":" + std::string(u->password());
      std::string b64(beast::detail::base64::encoded_size(creds.size()), '\0');
      b64.resize(beast::detail::base64::encode(b64.data(), creds.data(), creds.size()));
      proxy_auth_ = "Basic " + b64;
    }
  }
  SSL_CTX_set1_cert_store(ssl_.native_handle(), shared_store(tls.ca_file));
  ssl_.set_verify_mode(tls.verify ? ssl::verify_peer : ssl::verify_none);
  ssl_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
}

// Idle connections are kept per host and per io_context: with one io_context per thread, a
// request reuses a connection of its own thread, whose completions need no hand-over.
static std::string pool_key(const Url& url, const asio::any_io_executor& ex) {
  auto& context = asio::query(ex, asio::execution::context);
  return url.key() + "#" + std::to_string(reinterpret_cast<std::uintptr_t>(&context));
}

asio::awaitable<Outcome<std::unique_ptr<Connection>>> Client::connect(const Url& url, Timeouts timeouts) {
  auto ex = co_await asio::this_coro::executor;
  bool tunnel = !proxy_url_.host.empty() && !bypasses_proxy(url.host, proxy_.no_proxy);
  const std::string& host = tunnel ? proxy_url_.host : url.host;
  const std::string& port = tunnel ? proxy_url_.port : url.port;
  // One deadline for the lookup and the TCP connect: CONNECT_TIMEOUT bounds both together.
  auto deadline = std::chrono::steady_clock::now() + timeouts.connect;
  auto resolved = co_await resolve_within(host, port, deadline);
  if (auto* e = std::get_if<TransportError>(&resolved)) co_return *e;
  auto tcp_stream = std::make_unique<beast::tcp_stream>(ex);
  tcp_stream->expires_at(deadline);
  auto [cec, ep] = co_await tcp_stream->async_connect(std::get<Endpoints>(resolved), kAsTuple);
  if (cec) {
    auto what = cec == beast::error::timeout ? "timed out" : cec.message();
    co_return TransportError{TransportFailure::connect, std::string(tunnel ? "connect to proxy " : "connect to ") +
                                                            host + ":" + port + " " + what};
  }
  tcp_stream->socket().set_option(tcp::no_delay(true));
  if (tunnel) {
    // CONNECT host:port through the proxy; afterwards the stream is a raw tunnel to the target.
    bhttp::request<bhttp::empty_body> connect_req{bhttp::verb::connect, url.host + ":" + url.port, 11};
    connect_req.set(bhttp::field::host, url.host + ":" + url.port);
    if (!proxy_auth_.empty()) connect_req.set(bhttp::field::proxy_authorization, proxy_auth_);
    auto [wec, wn] = co_await bhttp::async_write(*tcp_stream, connect_req, kAsTuple);
    bhttp::response_parser<bhttp::empty_body> answer;
    answer.skip(true);  // a CONNECT answer has no body
    beast::flat_buffer buf;
    boost::system::error_code hec = wec;
    if (!hec) std::tie(hec, std::ignore) = co_await bhttp::async_read_header(*tcp_stream, buf, answer, kAsTuple);
    if (hec)
      co_return TransportError{TransportFailure::connect,
                               "proxy " + host + ":" + port + " CONNECT failed: " + hec.message()};
    if (answer.get().result_int() != 200)
      co_return TransportError{TransportFailure::connect, "proxy " + host + ":" + port + " refused CONNECT to " +
                                                              url.host + ": HTTP " +
                                                              std::to_string(answer.get().result_int())};
  }
  if (!url.tls) co_return std::make_unique<Connection>(std::move(tcp_stream));

  auto tls = std::make_unique<Connection::Tls>(std::move(*tcp_stream), ssl_);
  if (!SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str()))
    co_return TransportError{TransportFailure::tls, "cannot set SNI for " + url.host};
  tls->set_verify_callback(ssl::host_name_verification(url.host));
  beast::get_lowest_layer(*tls).expires_after(timeouts.connect);
  auto [hec] = co_await tls->async_handshake(ssl::stream_base::client, kAsTuple);
  if (hec) co_return TransportError{TransportFailure::tls, "TLS handshake with " + url.host + ": " + hec.message()};
  co_return std::make_unique<Connection>(std::move(tls));
}

asio::awaitable<Outcome<std::unique_ptr<Response>>> Client::exchange(std::unique_ptr<Connection> conn,
                                                                     const Request& req, Timeouts timeouts) {
  // The body is sent from the caller's string, not copied into the message (50 KB for a Claude
  // Code turn; a retry on a fresh connection sends it again from the same string).
  bhttp::request<bhttp::span_body<const char>> msg{req.method, req.url.target, 11};
  bool default_port = req.url.port == (req.url.tls ? "443" : "80");
  msg.set(bhttp::field::host, default_port ? req.url.host : req.url.host + ":" + req.url.port);
  msg.set(bhttp::field::user_agent, "azure-gpt-proxy/" AGP_VERSION);
  msg.set(bhttp::field::accept_encoding, "identity");
  for (auto& [k, v] : req.headers) msg.set(k, v);
  msg.keep_alive(true);
  msg.body() = {req.body.data(), req.body.size()};
  msg.prepare_payload();

  conn->lowest().expires_after(timeouts.connect + std::chrono::seconds(30));
  auto [wec, wn] = co_await conn->with_stream([&](auto& s) { return bhttp::async_write(s, msg, kAsTuple); });
  if (wec) {
    conn->close();
    co_return TransportError{TransportFailure::reset, "sending the request: " + wec.message()};
  }
  boost::system::error_code rec;
  if (req.whole_answer && conn->buffer.capacity() < kReadChunk) conn->buffer.reserve(kReadChunk);
  for (int interim = 0;; ++interim) {
    conn->parser.emplace();
    conn->parser->body_limit(boost::none);  // streams are unbounded; read_all applies its own limit
    conn->lowest().expires_after(timeouts.first_byte);
    std::tie(rec, std::ignore) = co_await conn->with_stream(
        [&](auto& s) { return bhttp::async_read_header(s, conn->buffer, *conn->parser, kAsTuple); });
    // 1xx answers are interim: the real one follows on the same connection.
    if (rec || conn->parser->get().result_int() >= 200 || conn->parser->get().result_int() == 101 || interim > 8) break;
  }
  if (rec) {
    conn->close();
    if (rec == beast::error::timeout)
      co_return TransportError{TransportFailure::first_byte_timeout,
                               "no answer in " + std::to_string(timeouts.first_byte.count()) + " s"};
    co_return TransportError{TransportFailure::reset, "reading the answer: " + rec.message()};
  }
  auto ex = co_await asio::this_coro::executor;
  co_return std::make_unique<Response>(std::move(conn), pool_, pool_key(req.url, ex), timeouts);
}

asio::awaitable<Outcome<std::unique_ptr<Response>>> Client::send(const Request& req, Timeouts timeouts) {
  // A pooled connection may have been closed by the server while idle: on a failure before
  // any answer byte, retry once on a fresh connection.
  auto ex = co_await asio::this_coro::executor;
  if (auto pooled = pool_.take(pool_key(req.url, ex))) {
    auto r = co_await exchange(std::move(pooled), req, timeouts);
    if (std::holds_alternative<std::unique_ptr<Response>>(r)) co_return r;
    auto& e = std::get<TransportError>(r);
    if (e.what != TransportFailure::reset) co_return r;
  }
  auto conn = co_await connect(req.url, timeouts);
  if (auto* e = std::get_if<TransportError>(&conn)) co_return *e;
  co_return co_await exchange(std::move(std::get<std::unique_ptr<Connection>>(conn)), req, timeouts);
}

}  // namespace agp::upstream
