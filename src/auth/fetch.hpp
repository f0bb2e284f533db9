// Fetching one Entra ID token over HTTP: from the authority through the upstream client (its TLS
// verification and outbound proxy apply), from a managed identity endpoint directly (it lives on
// the host: IMDS's link-local address, App Service's loopback one). Usable outside any request
// (a `doctor` command): the error names the credential, Entra's code and what to check.
#pragma once

#include "auth/credential.hpp"
#include "core/error.hpp"
#include "upstream/client.hpp"

#include <boost/asio/awaitable.hpp>

namespace agp::auth {

boost::asio::awaitable<Result<Token>> fetch_token(upstream::Client& authority, upstream::Client& local,
                                                  const Credential& c);

}  // namespace agp::auth
