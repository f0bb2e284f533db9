// The admin API, /admin/…, behind ADMIN_TOKEN (Authorization: Bearer): the keys CLI over HTTP.
// Off (404) without ADMIN_TOKEN or without a database. The database is read and written on the
// team access worker thread, never on the I/O thread; the new key is in the answer to POST once.
#include "gateway/admin_routes.hpp"
#include "access/key.hpp"
#include "access/keys_cli.hpp"

#include "access/access.hpp"
#include "gateway/app.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <exception>

namespace agp::gateway {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {
// What a job on the store answers: an HTTP status and a JSON body.
struct AdminReply {
  unsigned status = 200;
  json::value body;
};

// Runs `job` on the access worker and resumes the coroutine on its own executor with the reply.
asio::awaitable<AdminReply> on_worker(access::Access& a, std::function<AdminReply(access::Store&)> job) {
  auto ex = co_await asio::this_coro::executor;
  auto init = [&a, job = std::move(job), ex](auto handler) mutable {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    a.submit([job = std::move(job), h, ex](access::Store& store) {
      AdminReply r;
      try {
        r = job(store);
      } catch (const access::StoreError& e) {
        r = {503, json::object{{"error", std::string("database: ") + e.what()}}};
      } catch (const std::exception& e) {
        r = {500, json::object{{"error", e.what()}}};
      }
      asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
    });
  };
  AdminReply reply = co_await asio::async_initiate<decltype(asio::use_awaitable), void(AdminReply)>(
      std::move(init), asio::use_awaitable);
  co_return reply;
}

std::string query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    if (part.starts_with(name) && part.size() > name.size() && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// The body of POST /admin/keys: {"name", "owner"?, "daily_tokens"?, "monthly_tokens"?, "rpm"?, "tpm"?, "expires"?}.
std::optional<std::string> parse_create(std::string_view body, access::CreateKey& c) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return "the body must be a JSON object";
  auto& o = v.as_object();
  for (auto& [k, val] : o) {
    std::string key(k);
    if (key == "name" || key == "owner" || key == "expires") {
      if (!val.is_string()) return key + " must be a string";
      std::string s(val.as_string());
      (key == "name" ? c.name : key == "owner" ? c.owner : c.expires) = s;
    } else if (key == "daily_tokens" || key == "monthly_tokens" || key == "rpm" || key == "tpm") {
      if (!val.is_int64() || val.as_int64() < 0) return key + " must be a non-negative integer";
      auto n = val.as_int64();
      (key == "daily_tokens"     ? c.limits.daily_tokens
       : key == "monthly_tokens" ? c.limits.monthly_tokens
       : key == "rpm"            ? c.limits.rpm
                                 : c.limits.tpm) = n;
    } else {
      return "unknown field '" + key + "'";
    }
  }
  if (c.name.empty()) return "name is required";
  return std::nullopt;
}
}  // namespace

asio::awaitable<void> admin_route(const config::Config& cfg, access::Access* access, http::Request& req,
                                  http::ResponseWriter& res, RequestLog& log) {
  auto path = req.target_path();
  auto method = req.message.method();
  http::Headers headers = id_headers(exchange::Front::anthropic, log.id);
  headers.emplace_back("cache-control", "no-store");
  if (cfg.admin_token.empty() || !access) {
    Error e{404,
            ErrorKind::not_found,
            "no route for " + std::string(req.message.method_string()) + " " + std::string(path) +
                " (the admin API needs ADMIN_TOKEN and DATABASE_URL)",
            {}};
    co_await send_anthropic_error(res, e, log.id);
    co_return;
  }
  if (!bearer_is(req, cfg.admin_token)) {
    Error e{401, ErrorKind::authentication, "the admin API needs Authorization: Bearer <ADMIN_TOKEN of the proxy>", {}};
    co_await send_anthropic_error(res, e, log.id);
    co_return;
  }
  std::optional<AdminReply> reply;
  using verb = http::bhttp::verb;
  if (path == "/admin/keys" && method == verb::get) {
    std::function<AdminReply(access::Store&)> job = [](access::Store& s) {
      return AdminReply{200, access::keys_json(s)};
    };
    reply = co_await on_worker(*access, std::move(job));
  } else if (path == "/admin/keys" && method == verb::post) {
    access::CreateKey c;
    if (auto bad = parse_create(req.message.body(), c)) {
      reply = AdminReply{400, json::object{{"error", *bad}}};
    } else {
      std::function<AdminReply(access::Store&)> job = [c](access::Store& s) {
        access::KeyRecord k;
        auto made = access::add_key(s, c, k);
        if (!made) return AdminReply{made.error().status, json::object{{"error", made.error().message}}};
        return AdminReply{201, json::object{{"name", k.name},
                                            {"owner", k.owner},
                                            {"prefix", k.prefix},
                                            {"expires_at", k.expires_at},
                                            {"key", *made}}};
      };
      reply = co_await on_worker(*access, std::move(job));
      access->refresh_soon();
    }
  } else if (path.starts_with("/admin/keys/") && method == verb::delete_) {
    std::string name(path.substr(12));
    std::function<AdminReply(access::Store&)> job = [name](access::Store& s) {
      auto at = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
      if (!s.revoke(name, at.count()))
        return AdminReply{404, json::object{{"error", "no active key named '" + name + "'"}}};
      return AdminReply{200, json::object{{"revoked", name}}};
    };
    reply = co_await on_worker(*access, std::move(job));
    access->refresh_soon();
  } else if (path == "/admin/usage" && method == verb::get) {
    auto since = query_value(req.query(), "since");
    if (since.empty()) since = "7d";
    auto since_ms = access::parse_since(since, std::chrono::system_clock::now());
    if (!since_ms) {
      reply = AdminReply{400, json::object{{"error", "since takes 7d, 24h, 30m or YYYY-MM-DD"}}};
    } else {
      auto ms = *since_ms;
      std::function<AdminReply(access::Store&)> job = [ms](access::Store& s) {
        return AdminReply{200, access::usage_json(s, ms)};
      };
      reply = co_await on_worker(*access, std::move(job));
    }
  } else {
    Error e{404,
            ErrorKind::not_found,
            "no admin route for " + std::string(req.message.method_string()) + " " + std::string(path) +
                " (GET/POST /admin/keys, DELETE /admin/keys/NAME, GET /admin/usage?since=7d)",
            {}};
    co_await send_anthropic_error(res, e, log.id);
    co_return;
  }
  if (reply->status >= 400) log.error = "admin: status " + std::to_string(reply->status);
  std::string body = json::serialize(reply->body);
  co_await res.send(reply->status, "application/json", std::move(body), headers);
}

}  // namespace agp::gateway
