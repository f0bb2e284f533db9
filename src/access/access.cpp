#include "access/access.hpp"

#include "access/key.hpp"
#include "core/ids.hpp"

#include <spdlog/spdlog.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace agp::access {

namespace chr = std::chrono;

namespace {
std::int64_t unix_ms(SysTime t) { return chr::duration_cast<chr::milliseconds>(t.time_since_epoch()).count(); }
std::int64_t unix_s(SysTime t) { return chr::duration_cast<chr::seconds>(t.time_since_epoch()).count(); }
std::int64_t positive(std::int64_t v) { return v > 0 ? v : 0; }
std::int64_t budget_tokens(std::int64_t in, std::int64_t out) { return positive(in) + positive(out); }
bool accounted_route(std::string_view endpoint) {
  return endpoint == "/v1/messages" || endpoint == "/cursor/chat/completions" ||
         endpoint == "/cursor/v1/chat/completions" || endpoint == "/v1/chat/completions";
}
}  // namespace

std::string_view presented_token(std::string_view x_api_key, std::string_view authorization) {
  if (!x_api_key.empty()) return x_api_key;
  if (authorization.size() > 7 && (authorization.starts_with("Bearer ") || authorization.starts_with("bearer ")))
    return authorization.substr(7);
  return {};
}

Access::Access(std::unique_ptr<Store> store, Options options) : store_(std::move(store)), opt_(std::move(options)) {
  int version = store_->migrate();
  if (!refresh()) throw StoreError(store_->describe() + ": " + last_error_);
  spdlog::info("team access: {} (schema version {}), {} keys; shared token {}", store_->describe(), version,
               keys_.load()->size(), opt_.shared_token.empty() ? "off" : "on, counted as '(shared token)'");
  worker_ = std::thread([this] { run(); });
}

Access::~Access() { stop(chr::milliseconds(0)); }

const Access::Key* Access::find(std::string_view token, std::shared_ptr<const KeyMap>& hold) const {
  if (!looks_like_key(token)) return nullptr;
  hold = keys_.load();
  auto it = hold->find(key_hash(token));
  if (it == hold->end()) {
    request_refresh();  // a key created a moment ago, perhaps
    return nullptr;
  }
  return &it->second;
}

std::string Access::identify(std::string_view token, SysTime now) const {
  if (token.empty()) return {};
  if (!opt_.shared_token.empty() && constant_time_equal(token, opt_.shared_token)) return std::string(kSharedTokenName);
  std::shared_ptr<const KeyMap> hold;
  const Key* k = find(token, hold);
  if (!k || (k->expires_at > 0 && unix_s(now) >= k->expires_at)) return {};
  return k->name;
}

Admission Access::admit(std::string_view token, bool counted, SysTime now) {
  Admission a;
  if (token.empty()) return a;
  if (!opt_.shared_token.empty() && constant_time_equal(token, opt_.shared_token)) {
    a.verdict = Admission::Verdict::ok;
    a.key_name = kSharedTokenName;
    return a;
  }
  std::shared_ptr<const KeyMap> hold;
  const Key* k = find(token, hold);
  if (!k || (k->expires_at > 0 && unix_s(now) >= k->expires_at)) return a;
  a.key_name = k->name;
  a.verdict = Admission::Verdict::ok;
  if (!counted || !k->limits.any()) return a;
  std::lock_guard lk(mu_);
  auto& c = counters_for(k->name);
  auto minute = minute_index(now);
  if (c.minute != minute) {
    c.minute = minute;
    c.minute_requests = 0;
    c.minute_tokens = 0;
  }
  Used u;
  u.day_tokens = (c.db_day == day_index(now) ? c.db_day_tokens : 0) + c.unflushed_tokens;
  u.month_tokens = (c.db_month == month_index(now) ? c.db_month_tokens : 0) + c.unflushed_tokens;
  u.minute_requests = c.minute_requests;
  u.minute_tokens = c.minute_tokens;
  if (auto e = check(k->limits, u, now)) {
    a.verdict = Admission::Verdict::limited;
    a.message = message(k->name, *e);
    a.exceeded = std::move(e);
    return a;
  }
  ++c.minute_requests;
  return a;
}

Access::Counters& Access::counters_for(const std::string& name) {
  auto [it, made] = counters_.try_emplace(name);
  if (made) {
    it->second.db_day = totals_day_;
    it->second.db_month = totals_month_;
  }
  return it->second;
}

void Access::observe(const ops::RequestRecord& r) {
  if (r.key_name.empty() || !accounted_route(r.endpoint)) return;
  auto now = chr::system_clock::now();
  UsageRow row;
  row.at_ms = unix_ms(now);
  row.key_name = r.key_name;
  row.session = r.session;
  row.client_model = r.client_model;
  row.deployment = r.deployment;
  row.input_tokens = positive(r.tokens_in);
  row.output_tokens = positive(r.tokens_out);
  row.cached_tokens = positive(r.tokens_cached);
  row.reasoning_tokens = positive(r.tokens_reasoning);
  row.status = static_cast<int>(r.status);
  row.latency_ms = r.total_ms > 0 ? static_cast<std::int64_t>(r.total_ms) : 0;
  row.cost_usd = opt_.cost ? opt_.cost(r) : 0.0;
  auto tokens = budget_tokens(r.tokens_in, r.tokens_out);
  bool wake = false;
  {
    std::lock_guard lk(mu_);
    auto& c = counters_for(row.key_name);
    auto minute = minute_index(now);
    if (c.minute != minute) {
      c.minute = minute;
      c.minute_requests = 0;
      c.minute_tokens = 0;
    }
    c.minute_tokens += tokens;
    c.unflushed_tokens += tokens;
    ++c.unflushed_requests;
    pending_.push_back(std::move(row));
    wake = pending_.size() >= opt_.flush_rows;
  }
  if (wake) cv_.notify_one();
}

void Access::request_refresh() const {
  // At most one refresh a second for unknown keys: a client guessing keys cannot load the database.
  auto now = unix_ms(chr::system_clock::now());
  auto last = last_unknown_refresh_ms_.load();
  if (now - last < 1000 || !last_unknown_refresh_ms_.compare_exchange_strong(last, now)) return;
  {
    std::lock_guard lk(mu_);
    refresh_wanted_ = true;
  }
  cv_.notify_one();
}

void Access::submit(std::function<void(Store&)> job) {
  {
    std::lock_guard lk(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void Access::refresh_soon() const {
  {
    std::lock_guard lk(mu_);
    refresh_wanted_ = true;
  }
  cv_.notify_one();
}

void Access::run() {
  auto next_flush = chr::steady_clock::now() + opt_.flush_every;
  auto next_refresh = chr::steady_clock::now() + opt_.refresh;
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_until(lk, std::min(next_flush, next_refresh),
                   [&] { return stop_ || pending_.size() >= opt_.flush_rows || refresh_wanted_ || !jobs_.empty(); });
    if (stop_) break;
    if (!jobs_.empty()) {
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lk.unlock();
      job(*store_);
      job = nullptr;
      lk.lock();
      continue;
    }
    auto now = chr::steady_clock::now();
    bool do_flush = pending_.size() >= opt_.flush_rows || now >= next_flush;
    bool do_refresh = refresh_wanted_ || now >= next_refresh;
    refresh_wanted_ = false;
    lk.unlock();
    if (do_flush) {
      flush();
      next_flush = chr::steady_clock::now() + opt_.flush_every;
    }
    if (do_refresh) {
      refresh();
      next_refresh = chr::steady_clock::now() + opt_.refresh;
    }
    lk.lock();
  }
}

bool Access::flush() {
  {
    std::lock_guard lk(mu_);
    for (auto& r : pending_) retry_.push_back(std::move(r));
    pending_.clear();
    while (retry_.size() > opt_.max_buffered) {
      auto& r = retry_.front();
      auto& c = counters_for(r.key_name);
      c.unflushed_tokens -= budget_tokens(r.input_tokens, r.output_tokens);
      --c.unflushed_requests;
      retry_.pop_front();
      ++dropped_;
    }
  }
  retry_size_ = retry_.size();
  if (retry_.empty()) return true;
  std::vector<UsageRow> batch(retry_.begin(), retry_.end());
  try {
    store_->insert_usage(batch);
  } catch (const StoreError& e) {
    std::lock_guard lk(mu_);
    if (db_ok_.exchange(false) || last_error_ != e.what())
      spdlog::warn("team access: usage not written, {} rows kept in memory (up to {}): {}", batch.size(),
                   opt_.max_buffered, e.what());
    last_error_ = e.what();
    return false;
  }
  std::lock_guard lk(mu_);
  for (const auto& r : batch) {
    auto& c = counters_for(r.key_name);
    auto t = budget_tokens(r.input_tokens, r.output_tokens);
    c.unflushed_tokens -= t;
    --c.unflushed_requests;
    auto at = SysTime(chr::milliseconds(r.at_ms));
    if (c.db_day == day_index(at)) {
      c.db_day_tokens += t;
      ++c.db_day_requests;
    }
    if (c.db_month == month_index(at)) c.db_month_tokens += t;
  }
  retry_.clear();
  retry_size_ = 0;
  if (!db_ok_.exchange(true))
    spdlog::info("team access: database reachable again; {} usage rows written", batch.size());
  if (dropped_ > 0) {
    spdlog::error("team access: {} usage rows were dropped while the database was down (buffer full)", dropped_);
    dropped_ = 0;
  }
  return true;
}

bool Access::refresh() {
  try {
    auto now = chr::system_clock::now();
    auto records = store_->keys();
    auto day = store_->usage_since(unix_ms(day_start(now)));
    auto month = store_->usage_since(unix_ms(month_start(now)));
    auto map = std::make_shared<KeyMap>();
    for (auto& k : records)
      if (k.revoked_at == 0) map->emplace(k.key_hash, Key{k.name, k.expires_at, k.limits});
    keys_.store(std::move(map));
    std::lock_guard lk(mu_);
    totals_day_ = day_index(now);
    totals_month_ = month_index(now);
    for (auto& [name, c] : counters_) {
      c.db_day = day_index(now);
      c.db_month = month_index(now);
      c.db_day_tokens = c.db_day_requests = c.db_month_tokens = 0;
    }
    for (auto& t : day) {
      auto& c = counters_for(t.key_name);
      c.db_day = day_index(now);
      c.db_month = month_index(now);
      c.db_day_tokens = t.input_tokens + t.output_tokens;
      c.db_day_requests = t.requests;
    }
    for (auto& t : month) {
      auto& c = counters_for(t.key_name);
      c.db_day = day_index(now);
      c.db_month = month_index(now);
      c.db_month_tokens = t.input_tokens + t.output_tokens;
    }
    if (!db_ok_.exchange(true)) spdlog::info("team access: database reachable again (keys and totals read)");
    return true;
  } catch (const StoreError& e) {
    std::lock_guard lk(mu_);
    if (db_ok_.exchange(false) || last_error_ != e.what())
      spdlog::warn("team access: keys and budget totals not refreshed; the cached keys stay in use: {}", e.what());
    last_error_ = e.what();
    return false;
  }
}

void Access::stop(chr::milliseconds patience) {
  {
    std::lock_guard lk(mu_);
    if (stop_ && !worker_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_one();
  if (worker_.joinable()) worker_.join();
  std::size_t rows = 0;
  {
    std::lock_guard lk(mu_);
    rows = pending_.size() + retry_.size();
  }
  if (rows == 0) return;
  auto deadline = chr::steady_clock::now() + patience;
  while (!flush()) {
    if (chr::steady_clock::now() >= deadline) {
      spdlog::error("team access: {} usage rows lost at shutdown: the database is down", retry_.size());
      return;
    }
    std::this_thread::sleep_for(chr::milliseconds(200));
  }
  spdlog::info("team access: {} usage rows written at shutdown", rows);
}

std::size_t Access::buffered_rows() const {
  std::lock_guard lk(mu_);
  return pending_.size() + retry_size_.load();
}

boost::json::value Access::status_section(SysTime now) const {
  boost::json::object out;
  out["database"] = store_->describe();
  out["database_ok"] = db_ok_.load();
  auto keys = keys_.load();
  boost::json::array rows;
  std::lock_guard lk(mu_);
  out["buffered_usage_rows"] = pending_.size() + retry_size_.load();
  auto today = day_index(now);
  auto add = [&](const std::string& name, const KeyLimits* limits) {
    boost::json::object k;
    k["name"] = name;
    auto it = counters_.find(name);
    std::int64_t requests = 0, tokens = 0;
    if (it != counters_.end()) {
      const auto& c = it->second;
      requests = (c.db_day == today ? c.db_day_requests : 0) + c.unflushed_requests;
      tokens = (c.db_day == today ? c.db_day_tokens : 0) + c.unflushed_tokens;
    }
    k["requests_today"] = requests;
    k["tokens_today"] = tokens;
    if (limits) {
      k["daily_tokens"] = limits->daily_tokens;
      k["monthly_tokens"] = limits->monthly_tokens;
      k["rpm"] = limits->rpm;
      k["tpm"] = limits->tpm;
    }
    rows.push_back(std::move(k));
  };
  std::vector<std::pair<std::string, const KeyLimits*>> names;
  for (auto& [hash, k] : *keys) names.emplace_back(k.name, &k.limits);
  std::sort(names.begin(), names.end());
  if (!opt_.shared_token.empty()) add(std::string(kSharedTokenName), nullptr);
  for (auto& [name, limits] : names) add(name, limits);
  out["keys"] = std::move(rows);
  return out;
}

}  // namespace agp::access
