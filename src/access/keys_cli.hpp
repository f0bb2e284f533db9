// `azure-gpt-proxy keys …`: create, list, revoke keys and report usage, on the database of
// --database / DATABASE_URL. A new key is printed alone on the last line of the output.
#pragma once

#include "access/store.hpp"
#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace agp::access {

struct CreateKey {
  std::string name, owner, expires;  // expires: YYYY-MM-DD (the key stops at 00:00 UTC that day)
  KeyLimits limits;
};

// Unix seconds of YYYY-MM-DD 00:00 UTC; nullopt when malformed.
std::optional<std::int64_t> parse_date(const std::string& s);
// "7d", "24h", "30m" before `now`, or a date YYYY-MM-DD: unix milliseconds; nullopt when malformed.
std::optional<std::int64_t> parse_since(const std::string& s, SysTime now);
// A name is 1–64 of [A-Za-z0-9._@-] (it appears in logs and URLs).
bool valid_key_name(const std::string& name);

// Validates `c`, makes a key, stores its hash: the key (shown once), `out` filled; a 400 for bad
// input, 409 when the name is taken. Throws StoreError when the database fails.
Result<std::string> add_key(Store& store, const CreateKey& c, KeyRecord& out);

// Each returns the process exit code; errors go to `err`.
int create_key(Store& store, const CreateKey& c, std::ostream& out, std::ostream& err);
int list_keys(Store& store, std::ostream& out);
int revoke_key(Store& store, const std::string& name, std::ostream& out, std::ostream& err);
int usage_report(Store& store, const std::string& since, bool json, std::ostream& out, std::ostream& err);

// The same as JSON, for the admin API: the keys (no hashes), usage per key since `since_ms`.
boost::json::value keys_json(Store& store);
boost::json::value usage_json(Store& store, std::int64_t since_ms);

}  // namespace agp::access
