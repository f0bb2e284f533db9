// HTTP(S) client for the upstream: keep-alive pool per host, TLS with certificate and
// host-name verification (system CA store) and SNI, connect (lookup included) / first-byte / idle timeouts,
// bodies read incrementally so streams are relayed as they arrive. Protocol-free.
#pragma once

#include "core/transport_error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace agp::upstream {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

struct Url {
  bool tls = true;
  std::string host;
  std::string port;
  std::string target;  // path + query
  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};
// Parses an absolute http(s) URL; false if it is not one.
bool parse_url(const std::string& text, Url& out);

struct Timeouts {
  std::chrono::seconds connect{10};
  std::chrono::seconds first_byte{600};
  std::chrono::seconds idle{300};
};

template <typename T>
using Outcome = std::variant<T, TransportError>;

class Connection;

// Idle keep-alive connections, shared by all threads.
class Pool {
 public:
  explicit Pool(std::size_t max_idle_per_host = 64, std::chrono::seconds max_idle_age = std::chrono::seconds(50));
  ~Pool();
  std::unique_ptr<Connection> take(const std::string& key);
  void put(const std::string& key, std::unique_ptr<Connection> c);
  std::size_t idle_count();

 private:
  struct Idle {
    std::unique_ptr<Connection> conn;
    std::chrono::steady_clock::time_point since;
  };
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<Idle>> idle_;
  std::size_t max_idle_;
  std::chrono::seconds max_age_;
};

// One response being read. Destroying it returns a cleanly finished connection to the pool
// and closes any other (which also cancels the upstream request).
class Response {
 public:
  Response(std::unique_ptr<Connection> conn, Pool& pool, std::string key, Timeouts timeouts);
  ~Response();
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;

  unsigned status() const;
  std::string header(std::string_view name) const;
  // Next piece of the body as it arrives; empty string = body complete.
  asio::awaitable<Outcome<std::string>> read_some();
  // The whole body, up to `limit` bytes.
  asio::awaitable<Outcome<std::string>> read_all(std::size_t limit);
  bool done() const;
  // Whether the rest of the body is already in the read buffer (a small answer that came with its
  // head): read_some and read_all then finish without waiting on the network.
  bool buffered_whole() const;
  // Frees the header fields once nothing reads them any more (a relayed stream: Azure's twenty-odd
  // headers would stay for its whole life); status() stays, header() then finds nothing.
  void release_headers();
  // Closes the connection now: the upstream sees the request cancelled.
  void cancel();

 private:
  friend class Client;
  std::unique_ptr<Connection> conn_;
  Pool& pool_;
  std::string key_;
  Timeouts timeouts_;
};

struct Request {
  bhttp::verb method = bhttp::verb::post;
  Url url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The answer is read whole (not a stream): its head is read with a buffer that also holds a
  // small answer's body, so that it arrives in one read. A stream's head is read with a small one
  // (ten thousand open streams each keep their read buffer).
  bool whole_answer = false;
};

// An outbound HTTP proxy reached with CONNECT (corporate networks).
struct ProxySettings {
  std::string url;                    // http://[user:password@]host:port; "" = connect directly
  std::vector<std::string> no_proxy;  // hosts and domain suffixes to reach directly; "*" = all
};
// Whether `host` is reached directly under these NO_PROXY entries.
bool bypasses_proxy(std::string_view host, const std::vector<std::string>& no_proxy);

struct TlsSettings {
  bool verify = true;   // false only with AZURE_VERIFY_TLS=false / --insecure-tls
  std::string ca_file;  // PEM certificates trusted besides the system store (a corporate CA); "" = none
};

class Client {
 public:
  // Throws std::runtime_error when `tls.ca_file` holds no usable certificate.
  explicit Client(TlsSettings tls = {}, ProxySettings proxy = {});
  // Sends the request and reads the response header. A pooled connection that turns out to
  // be stale is replaced by a fresh one transparently.
  asio::awaitable<Outcome<std::unique_ptr<Response>>> send(const Request& req, Timeouts timeouts);
  Pool& pool() { return pool_; }

 private:
  asio::awaitable<Outcome<std::unique_ptr<Connection>>> connect(const Url& url, Timeouts timeouts);
  asio::awaitable<Outcome<std::unique_ptr<Response>>> exchange(std::unique_ptr<Connection> conn, const Request& req,
                                                               Timeouts timeouts);
  asio::ssl::context ssl_;
  Pool pool_;
  ProxySettings proxy_;
  Url proxy_url_;           // parsed proxy_.url
  std::string proxy_auth_;  // "Basic …" from the URL's user info, or ""
};

}  // namespace agp::upstream
