// The admin API, /admin/…: keys and usage over HTTP behind ADMIN_TOKEN (see admin_routes.cpp).
#pragma once

#include "config/config.hpp"
#include "gateway/app.hpp"
#include "http/server.hpp"

#include <boost/asio/awaitable.hpp>

namespace agp::access {
class Access;
}

namespace agp::gateway {

// 404 without cfg.admin_token or without `access` (no database); 401 without the admin token.
boost::asio::awaitable<void> admin_route(const config::Config& cfg, access::Access* access, http::Request& req,
                                         http::ResponseWriter& res, RequestLog& log);

}  // namespace agp::gateway
