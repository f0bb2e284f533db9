// One error type for the whole request path: HTTP status + protocol-neutral kind + message.
// Each front end renders it in its own protocol's shape (see anthropic/errors.hpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace agp {

enum class ErrorKind {
  invalid_request,    // 400: the client's request is wrong
  authentication,     // 401: the client's token is wrong
  permission,         // 403
  not_found,          // 404
  request_too_large,  // 413
  rate_limit,         // 429
  api,                // 500: our fault, or upstream misconfiguration
  upstream_auth,      // 500: Azure rejected the proxy's own credentials (not the client's)
  upstream_timeout,   // 504
  overloaded,         // 529 (Anthropic) / 503
};

struct Error {
  unsigned status = 500;
  ErrorKind kind = ErrorKind::api;
  std::string message;
  std::optional<std::string> retry_after;  // seconds, passed on from upstream 429s
  // An invalid request's field path and error code, for OpenAI clients (error.param, error.code);
  // the message names the path too, which is all Anthropic's envelope has room for.
  std::string param, code;

  static Error invalid(std::string msg) { return {400, ErrorKind::invalid_request, std::move(msg), {}, {}, {}}; }
  static Error invalid(std::string msg, std::string param, std::string code) {
    return {400, ErrorKind::invalid_request, std::move(msg), {}, std::move(param), std::move(code)};
  }
  static Error internal(std::string msg) { return {500, ErrorKind::api, std::move(msg), {}, {}, {}}; }
};

// A value or an Error; the request path returns these instead of throwing.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace agp
