// Team access: who is this client (a key from the in-memory cache, or the shared token), may they
// go on (budgets and rate limits), and what did their request use (usage rows, written in
// batches by a worker thread). The request path never waits for the database: keys and budget
// totals are refreshed from it every KEY_REFRESH_MS by the worker, usage is queued.
#pragma once

#include "access/limits.hpp"
#include "access/store.hpp"
#include "core/snapshot.hpp"
#include "ops/request_record.hpp"

#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace agp::access {

inline constexpr std::string_view kSharedTokenName = "(shared token)";

struct Options {
  std::string shared_token;                     // ANTHROPIC_AUTH_TOKEN: "" = keys only
  std::chrono::milliseconds refresh{2000};      // keys and budget totals read again this often
  std::chrono::milliseconds flush_every{1000};  // usage written at least this often …
  std::size_t flush_rows = 200;                 // … or as soon as this many rows wait
  std::size_t max_buffered = 100000;            // rows kept while the database is down; older ones dropped
  // The cost of a request in USD, from the deployment's price (0 when it has none).
  std::function<double(const ops::RequestRecord&)> cost;
};

// What admit() decided.
struct Admission {
  enum class Verdict { ok, unauthorized, limited } verdict = Verdict::unauthorized;
  std::string key_name;
  std::optional<Exceeded> exceeded;
  std::string message;  // the 429's message
};

class Access final : public ops::RequestObserver {
 public:
  // Migrates the database and loads the keys; throws StoreError when it cannot (start-up fails).
  Access(std::unique_ptr<Store> store, Options options);
  ~Access() override;
  Access(const Access&) = delete;
  Access& operator=(const Access&) = delete;

  // Who the token is (no limits checked): the key's name, or "" when unknown, revoked or expired.
  std::string identify(std::string_view token, SysTime now) const;
  // identify, then, for a request that reaches Azure (`counted`), the key's limits; an admitted
  // counted request counts against requests per minute.
  Admission admit(std::string_view token, bool counted, SysTime now);
  // A model request has ended: its usage is queued for the database (never blocks).
  void observe(const ops::RequestRecord& r) override;
  // Writes what is queued and stops the worker (graceful shutdown). Waits up to `patience` for a
  // database that is down.
  void stop(std::chrono::milliseconds patience = std::chrono::milliseconds(5000));

  // Runs `job` on the worker thread (the admin API's reads and writes); it must not throw.
  void submit(std::function<void(Store&)> job);
  // Reads keys and totals again on the worker's next turn (after the admin API changed a key).
  void refresh_soon() const;
  bool database_ok() const { return db_ok_.load(); }
  std::string database() const { return store_->describe(); }
  std::size_t buffered_rows() const;
  // The status page's section: per key, today's requests and tokens, its limits, and the database's state.
  boost::json::value status_section(SysTime now) const;

 private:
  struct Key {
    std::string name;
    std::int64_t expires_at = 0;  // unix s, 0 = never
    KeyLimits limits;
  };
  // Per key counters. Day/month totals are the database's (as of the last refresh, plus the
  // batches this replica wrote since) plus what this replica has not written yet.
  struct Counters {
    std::int64_t minute = -1, minute_requests = 0, minute_tokens = 0;
    std::int64_t db_day = -1, db_day_tokens = 0, db_day_requests = 0;
    std::int64_t db_month = -1, db_month_tokens = 0;
    std::int64_t unflushed_tokens = 0, unflushed_requests = 0;
  };
  using KeyMap = std::unordered_map<std::string, Key>;  // by key hash
  Counters& counters_for(const std::string& name);      // under mu_

  const Key* find(std::string_view token, std::shared_ptr<const KeyMap>& hold) const;
  void run();
  bool flush();    // true when the database took everything queued
  bool refresh();  // true when keys and totals were read
  void request_refresh() const;

  std::unique_ptr<Store> store_;
  Options opt_;
  Snapshot<const KeyMap> keys_;
  mutable std::mutex mu_;  // counters_, pending_, stop_, refresh_wanted_
  mutable std::condition_variable cv_;
  std::unordered_map<std::string, Counters> counters_;  // by key name
  std::int64_t totals_day_ = -1, totals_month_ = -1;    // of the last refresh
  std::deque<std::function<void(Store&)>> jobs_;        // queued by submit()
  std::vector<UsageRow> pending_;                       // queued by observe()
  std::deque<UsageRow> retry_;                          // worker only: rows a failed write kept
  bool stop_ = false;
  mutable bool refresh_wanted_ = false;
  mutable std::atomic<std::int64_t> last_unknown_refresh_ms_{0};
  std::atomic<bool> db_ok_{true};
  std::atomic<std::size_t> retry_size_{0};
  std::uint64_t dropped_ = 0;
  std::string last_error_;  // under mu_
  std::thread worker_;
};

// Authorization: Bearer <token> or x-api-key: <token>, as Claude Code and the OpenAI SDKs send it.
std::string_view presented_token(std::string_view x_api_key, std::string_view authorization);

}  // namespace agp::access
