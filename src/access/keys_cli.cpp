#include "access/keys_cli.hpp"

#include "access/key.hpp"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <regex>

namespace agp::access {

namespace chr = std::chrono;

std::optional<std::int64_t> parse_date(const std::string& s) {
  static const std::regex re(R"((\d{4})-(\d{2})-(\d{2}))");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  chr::year_month_day ymd{chr::year(std::stoi(m[1])), chr::month(std::stoi(m[2])), chr::day(std::stoi(m[3]))};
  if (!ymd.ok()) return std::nullopt;
  return chr::duration_cast<chr::seconds>(chr::sys_days(ymd).time_since_epoch()).count();
}

std::optional<std::int64_t> parse_since(const std::string& s, SysTime now) {
  if (auto d = parse_date(s)) return *d * 1000;
  static const std::regex re(R"((\d{1,6})([dhm]))");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  auto n = std::stoll(m[1]);
  chr::milliseconds back = m[2] == "d"   ? chr::milliseconds(chr::days(n))
                           : m[2] == "h" ? chr::milliseconds(chr::hours(n))
                                         : chr::milliseconds(chr::minutes(n));
  return chr::duration_cast<chr::milliseconds>((now - back).time_since_epoch()).count();
}

bool valid_key_name(const std::string& name) {
  static const std::regex re(R"([A-Za-z0-9._@-]{1,64})");
  return std::regex_match(name, re);
}

namespace {
std::string date_of(std::int64_t s) {
  if (s == 0) return "-";
  return utc_string(SysTime(chr::seconds(s))).substr(0, 10);
}
std::string limits_text(const KeyLimits& l) {
  std::string out;
  auto add = [&](const char* what, std::int64_t v) {
    if (v > 0) out += fmt::format("{}{}={}", out.empty() ? "" : " ", what, v);
  };
  add("daily_tokens", l.daily_tokens);
  add("monthly_tokens", l.monthly_tokens);
  add("rpm", l.rpm);
  add("tpm", l.tpm);
  return out.empty() ? "-" : out;
}
}  // namespace

Result<std::string> add_key(Store& store, const CreateKey& c, KeyRecord& k) {
  if (!valid_key_name(c.name))
    return Error::invalid("the name must be 1-64 of A-Z a-z 0-9 . _ @ - (got '" + c.name + "')");
  k = {};
  k.name = c.name;
  k.owner = c.owner;
  k.limits = c.limits;
  if (!c.expires.empty()) {
    auto d = parse_date(c.expires);
    if (!d) return Error::invalid("expires takes a date YYYY-MM-DD (got '" + c.expires + "')");
    k.expires_at = *d;
  }
  auto key = generate_key();
  k.key_hash = key_hash(key);
  k.prefix = display_prefix(key);
  k.created_at = unix_now();
  try {
    store.create_key(k);
  } catch (const KeyExists& e) {
    return Error{409, ErrorKind::invalid_request, e.what(), {}};
  }
  return key;
}

int create_key(Store& store, const CreateKey& c, std::ostream& out, std::ostream& err) {
  KeyRecord k;
  Result<std::string> made = std::string();
  try {
    made = add_key(store, c, k);
  } catch (const StoreError& e) {
    err << "keys create: " << e.what() << "\n";
    return 1;
  }
  if (!made) {
    err << "keys create: " << made.error().message << "\n";
    return made.error().status == 409 ? 1 : 2;
  }
  out << "created key '" << k.name << "'" << (k.owner.empty() ? "" : " for " + k.owner)
      << (k.expires_at ? ", expires " + date_of(k.expires_at) + " 00:00 UTC" : "")
      << ", limits: " << limits_text(k.limits)
      << "\nthe key is shown only now; the database keeps its SHA-256. Claude Code: ANTHROPIC_AUTH_TOKEN=<key>; "
         "Cursor: the OpenAI API key.\n"
      << *made << "\n";
  return 0;
}

int list_keys(Store& store, std::ostream& out) {
  auto keys = store.keys();
  out << fmt::format("{:<24} {:<20} {:<10} {:<10} {:<10} {:<10} {}\n", "NAME", "OWNER", "PREFIX", "CREATED", "EXPIRES",
                     "REVOKED", "LIMITS");
  for (auto& k : keys)
    out << fmt::format("{:<24} {:<20} {:<10} {:<10} {:<10} {:<10} {}\n", k.name, k.owner.empty() ? "-" : k.owner,
                       k.prefix + "…", date_of(k.created_at), date_of(k.expires_at), date_of(k.revoked_at),
                       limits_text(k.limits));
  return 0;
}

int revoke_key(Store& store, const std::string& name, std::ostream& out, std::ostream& err) {
  try {
    if (!store.revoke(name, unix_now())) {
      err << "keys revoke: no active key named '" << name << "'\n";
      return 1;
    }
  } catch (const StoreError& e) {
    err << "keys revoke: " << e.what() << "\n";
    return 1;
  }
  out << "revoked key '" << name << "': every proxy refuses it within KEY_REFRESH_MS (default 2 s)\n";
  return 0;
}

boost::json::value keys_json(Store& store) {
  boost::json::array arr;
  for (auto& k : store.keys()) {
    arr.push_back(boost::json::object{{"name", k.name},
                                      {"owner", k.owner},
                                      {"prefix", k.prefix},
                                      {"created_at", k.created_at},
                                      {"expires_at", k.expires_at},
                                      {"revoked_at", k.revoked_at},
                                      {"daily_tokens", k.limits.daily_tokens},
                                      {"monthly_tokens", k.limits.monthly_tokens},
                                      {"rpm", k.limits.rpm},
                                      {"tpm", k.limits.tpm}});
  }
  return arr;
}

boost::json::value usage_json(Store& store, std::int64_t since_ms) {
  boost::json::array arr;
  for (auto& u : store.usage_since(since_ms))
    arr.push_back(boost::json::object{{"key", u.key_name},
                                      {"requests", u.requests},
                                      {"input_tokens", u.input_tokens},
                                      {"output_tokens", u.output_tokens},
                                      {"cached_tokens", u.cached_tokens},
                                      {"reasoning_tokens", u.reasoning_tokens},
                                      {"cost", u.cost_usd}});
  return arr;
}

int usage_report(Store& store, const std::string& since, bool json, std::ostream& out, std::ostream& err) {
  auto since_ms = parse_since(since, chr::system_clock::now());
  if (!since_ms) {
    err << "keys usage: --since takes 7d, 24h, 30m or YYYY-MM-DD (got '" << since << "')\n";
    return 2;
  }
  try {
    if (json) {
      out << boost::json::serialize(usage_json(store, *since_ms)) << "\n";
      return 0;
    }
    out << "usage since " << utc_string(SysTime(chr::milliseconds(*since_ms))) << "\n";
    out << fmt::format("{:<24} {:>9} {:>13} {:>13} {:>13} {:>10}\n", "KEY", "REQUESTS", "INPUT_TOKENS", "OUTPUT_TOKENS",
                       "CACHED_TOKENS", "COST_USD");
    for (auto& u : store.usage_since(*since_ms))
      out << fmt::format("{:<24} {:>9} {:>13} {:>13} {:>13} {:>10.4f}\n", u.key_name, u.requests, u.input_tokens,
                         u.output_tokens, u.cached_tokens, u.cost_usd);
  } catch (const StoreError& e) {
    err << "keys usage: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace agp::access
