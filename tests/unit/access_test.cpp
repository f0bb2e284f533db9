// Team access: key format and hash, limit arithmetic and reset times, the SQLite store and its
// migrations (from a v1 schema written here by hand), and Access's cache and usage writer.
#include "access/access.hpp"
#include "access/key.hpp"
#include "access/keys_cli.hpp"
#include "access/limits.hpp"
#include "access/store.hpp"
#include "core/ids.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_access_test {

using namespace agp::access;
namespace chr = std::chrono;

namespace {
SysTime at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return chr::sys_days{chr::year(y) / chr::month(m) / chr::day(d)} + chr::hours(hh) + chr::minutes(mm) +
         chr::seconds(ss);
}

struct TempDb {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / agp::random_id("agp-access-test-", 10);
  TempDb() { std::filesystem::create_directories(dir); }
  ~TempDb() { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "team.db").string(); }
};
}  // namespace

TEST(AccessKey, FormatHashAndPrefix) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto k = generate_key();
    EXPECT_TRUE(k.starts_with("agp-")) << k;
    EXPECT_EQ(k.size(), 4u + 43u);
    EXPECT_TRUE(looks_like_key(k)) << k;
    seen.insert(k);
  }
  EXPECT_EQ(seen.size(), 200u);
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(key_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(display_prefix("agp-AbCdEfGh"), "agp-AbCd");
}

TEST(AccessKey, LooksLikeKeyTable) {
  struct Row {
    std::string token;
    bool ok;
  } rows[] = {
      {"agp-" + std::string(43, 'a'), true},        {"agp-" + std::string(42, 'a'), false},
      {"agp-" + std::string(44, 'a'), false},       {"agx-" + std::string(43, 'a'), false},
      {"agp-" + std::string(42, 'a') + "-", false}, {"", false},
  };
  for (auto& r : rows) EXPECT_EQ(looks_like_key(r.token), r.ok) << r.token;
}

TEST(AccessLimits, ResetTimes) {
  auto t = at(2026, 12, 31, 23, 59, 30);
  EXPECT_EQ(next_minute(t), at(2027, 1, 1, 0, 0, 0));
  EXPECT_EQ(next_day(t), at(2027, 1, 1));
  EXPECT_EQ(next_month(t), at(2027, 1, 1));
  EXPECT_EQ(month_start(t), at(2026, 12, 1));
  EXPECT_EQ(next_month(at(2028, 2, 29, 12)), at(2028, 3, 1));
  EXPECT_EQ(month_index(at(1970, 1, 5)), 0);
  EXPECT_EQ(month_index(at(1971, 3, 5)), 14);
  EXPECT_EQ(utc_string(at(2026, 12, 3, 7, 8, 9)), "2026-12-03 07:08:09 UTC");
}

TEST(AccessLimits, CheckTable) {
  auto now = at(2026, 12, 2, 15, 50, 20);
  struct Row {
    const char* name;
    KeyLimits limits;
    Used used;
    const char* limit;  // nullptr = admitted
    SysTime resets;
    std::int64_t retry_after;
  } rows[] = {
      {"no limits", {}, {1000000, 1000000, 1000, 1000000}, nullptr, {}, 0},
      {"under every limit", {100, 1000, 10, 50}, {99, 999, 9, 49}, nullptr, {}, 0},
      {"daily at the limit", {100, 0, 0, 0}, {100, 100, 0, 0}, "daily token budget", at(2026, 12, 3), 29380},
      {"monthly past the limit", {0, 1000, 0, 0}, {5, 1001, 0, 0}, "monthly token budget", at(2027, 1, 1), 2534980},
      {"rpm at the limit", {0, 0, 3, 0}, {0, 0, 3, 0}, "requests per minute", at(2026, 12, 2, 15, 51), 40},
      {"tpm past the limit", {0, 0, 0, 50}, {0, 0, 0, 51}, "tokens per minute", at(2026, 12, 2, 15, 51), 40},
      {"monthly before daily", {10, 10, 0, 0}, {10, 10, 0, 0}, "monthly token budget", at(2027, 1, 1), 2534980},
  };
  for (auto& r : rows) {
    auto e = check(r.limits, r.used, now);
    if (!r.limit) {
      EXPECT_FALSE(e) << r.name;
      continue;
    }
    ASSERT_TRUE(e) << r.name;
    EXPECT_EQ(e->limit, r.limit) << r.name;
    EXPECT_EQ(e->resets_at, r.resets) << r.name;
    EXPECT_EQ(e->retry_after_s, r.retry_after) << r.name;
  }
  auto e = check({100, 0, 0, 0}, {120, 120, 0, 0}, now);
  EXPECT_EQ(message("alice", *e),
            "key 'alice' is over its daily token budget (120/100 tokens); it resets at 2026-12-03 00:00:00 UTC "
            "(retry after 29380 s)");
}

TEST(AccessCli, ParseDateAndSince) {
  EXPECT_EQ(parse_date("2026-12-03"), 1796256000);  // date -u -d 2026-12-03 +%s
  EXPECT_FALSE(parse_date("2026-13-03"));
  EXPECT_FALSE(parse_date("tomorrow"));
  auto now = at(2026, 12, 2, 12);
  EXPECT_EQ(parse_since("7d", now),
            chr::duration_cast<chr::milliseconds>((now - chr::days(7)).time_since_epoch()).count());
  EXPECT_EQ(parse_since("30m", now),
            chr::duration_cast<chr::milliseconds>((now - chr::minutes(30)).time_since_epoch()).count());
  EXPECT_FALSE(parse_since("7w", now));
  EXPECT_TRUE(valid_key_name("ci-nightly.build_2@team"));
  EXPECT_FALSE(valid_key_name("has space"));
  EXPECT_FALSE(valid_key_name(""));
}

TEST(AccessStore, SqliteFreshMigrationKeysUsage) {
  TempDb db;
  auto store = open_store("sqlite://" + db.path());
  EXPECT_EQ(store->schema_version(), 0);
  EXPECT_EQ(store->migrate(), 2);
  EXPECT_EQ(store->migrate(), 2);  // applied once
  KeyRecord k{"alice", "alice@example.com", key_hash("agp-x"), "agp-x", 100, 0, 0, {10, 20, 3, 4}};
  store->create_key(k);
  EXPECT_THROW(store->create_key(k), StoreError);
  auto keys = store->keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].owner, "alice@example.com");
  EXPECT_EQ(keys[0].limits.tpm, 4);
  EXPECT_TRUE(store->revoke("alice", 200));
  EXPECT_FALSE(store->revoke("alice", 300));  // already revoked
  EXPECT_EQ(store->keys()[0].revoked_at, 200);
  store->insert_usage({{1000, "alice", "s1", "claude", "dep", 10, 5, 2, 1, 200, 7, 0.5},
                       {2000, "alice", "s1", "claude", "dep", 20, 6, 3, 0, 200, 8, 0.25},
                       {3000, "bob", "", "gpt", "dep", 1, 1, 0, 0, 429, 1, 0}});
  auto totals = store->usage_since(1500);
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].key_name, "alice");
  EXPECT_EQ(totals[0].requests, 1);
  EXPECT_EQ(totals[0].input_tokens, 20);
  auto all = store->usage_since(0);
  EXPECT_EQ(all[0].input_tokens, 30);
  EXPECT_EQ(all[0].output_tokens, 11);
  EXPECT_EQ(all[0].cached_tokens, 5);
  EXPECT_DOUBLE_EQ(all[0].cost_usd, 0.75);
}

TEST(AccessStore, SqliteUpgradesAHandWrittenV1Schema) {
  TempDb db;
  {
    SQLite::Database d(db.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    d.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);"
        "INSERT INTO schema_migrations VALUES (1, 0);"
        "CREATE TABLE api_keys (name TEXT PRIMARY KEY, owner TEXT NOT NULL DEFAULT '', key_hash TEXT NOT NULL UNIQUE,"
        " prefix TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE usage (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, key_name TEXT NOT NULL,"
        " session TEXT NOT NULL DEFAULT '', client_model TEXT NOT NULL DEFAULT '', deployment TEXT NOT NULL DEFAULT '',"
        " input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,"
        " cached_tokens INTEGER NOT NULL DEFAULT 0, reasoning_tokens INTEGER NOT NULL DEFAULT 0,"
        " status INTEGER NOT NULL DEFAULT 0, latency_ms INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO api_keys (name, owner, key_hash, prefix, created_at) VALUES ('old', 'o', 'h1', 'agp-old1', 5);"
        "INSERT INTO usage (at_ms, key_name, input_tokens, output_tokens) VALUES (10, 'old', 7, 3);");
  }
  auto store = open_store("sqlite://" + db.path());
  EXPECT_EQ(store->schema_version(), 1);
  EXPECT_EQ(store->migrate(), 2);
  auto keys = store->keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].name, "old");
  EXPECT_EQ(keys[0].key_hash, "h1");
  EXPECT_EQ(keys[0].expires_at, 0);
  EXPECT_EQ(keys[0].limits.daily_tokens, 0);
  auto u = store->usage_since(0);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].input_tokens, 7);
  EXPECT_EQ(u[0].output_tokens, 3);
  EXPECT_DOUBLE_EQ(u[0].cost_usd, 0);
}

TEST(AccessStore, BadUrlsAreRefused) {
  EXPECT_THROW(open_store("sqlite://relative.db"), StoreError);
  EXPECT_THROW(open_store("mysql://x"), StoreError);
  EXPECT_EQ(redact_url("postgresql://u:secret@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(redact_url("postgresql://u@h/db"), "postgresql://u@h/db");
}

TEST(AccessCli, CreatePrintsTheKeyAloneOnTheLastLine) {
  TempDb db;
  auto store = open_store("sqlite://" + db.path());
  store->migrate();
  std::ostringstream out, err;
  ASSERT_EQ(create_key(*store, {"alice", "a@x", "2027-01-01", {100, 0, 0, 0}}, out, err), 0) << err.str();
  auto text = out.str();
  ASSERT_TRUE(text.ends_with("\n"));
  auto last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  last.pop_back();
  EXPECT_TRUE(looks_like_key(last)) << last;
  auto keys = store->keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key_hash, key_hash(last));
  EXPECT_EQ(keys[0].expires_at, 1798761600);  // date -u -d 2027-01-01 +%s
  std::ostringstream list;
  list_keys(*store, list);
  EXPECT_EQ(list.str().find(last.substr(8)), std::string::npos) << "the list shows more than the prefix";
  EXPECT_EQ(list.str().find(keys[0].key_hash), std::string::npos);
  std::ostringstream out2, err2;
  EXPECT_EQ(create_key(*store, {"alice", "", "", {}}, out2, err2), 1);
  EXPECT_NE(err2.str().find("exists already"), std::string::npos);
}

TEST(AccessCache, KeysUsageAndRevokeThroughTheWorker) {
  TempDb db;
  auto url = "sqlite://" + db.path();
  auto admin = open_store(url);
  admin->migrate();
  auto key = generate_key();
  admin->create_key({"alice", "", key_hash(key), display_prefix(key), 1, 0, 0, {0, 0, 2, 0}});
  Options o;
  o.shared_token = "shared-secret";
  o.refresh = chr::milliseconds(100);
  o.flush_every = chr::milliseconds(50);
  Access a(open_store(url), o);
  auto now = chr::system_clock::now();
  EXPECT_EQ(a.identify(key, now), "alice");
  EXPECT_EQ(a.identify("shared-secret", now), "(shared token)");
  EXPECT_EQ(a.identify(generate_key(), now), "");
  EXPECT_EQ(a.identify("", now), "");
  // requests per minute: 2 admitted, the third refused with the limit's name.
  auto t = minute_start(now) + chr::seconds(10);
  EXPECT_EQ(a.admit(key, true, t).verdict, Admission::Verdict::ok);
  EXPECT_EQ(a.admit(key, false, t).verdict, Admission::Verdict::ok);  // not counted
  EXPECT_EQ(a.admit(key, true, t).verdict, Admission::Verdict::ok);
  auto third = a.admit(key, true, t);
  ASSERT_EQ(third.verdict, Admission::Verdict::limited);
  EXPECT_EQ(third.exceeded->limit, "requests per minute");
  EXPECT_EQ(third.exceeded->retry_after_s, 50);
  EXPECT_EQ(a.admit(key, true, t + chr::minutes(1)).verdict, Admission::Verdict::ok);  // the next minute

  agp::ops::RequestRecord r;
  r.key_name = "alice";
  r.endpoint = "/v1/messages";
  r.tokens_in = 11;
  r.tokens_out = 4;
  r.tokens_cached = 3;
  r.status = 200;
  a.observe(r);
  r.endpoint = "/health";  // not a model request: not accounted
  a.observe(r);
  for (int i = 0; i < 50 && admin->usage_since(0).empty(); ++i) std::this_thread::sleep_for(chr::milliseconds(20));
  auto u = admin->usage_since(0);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].requests, 1);
  EXPECT_EQ(u[0].input_tokens, 11);
  EXPECT_EQ(u[0].cached_tokens, 3);

  ASSERT_TRUE(admin->revoke("alice", 5));
  for (int i = 0; i < 50 && !a.identify(key, chr::system_clock::now()).empty(); ++i)
    std::this_thread::sleep_for(chr::milliseconds(20));
  EXPECT_EQ(a.identify(key, chr::system_clock::now()), "");
}

TEST(AccessCache, DailyBudgetCountsUnflushedAndWrittenUsage) {
  TempDb db;
  auto url = "sqlite://" + db.path();
  auto admin = open_store(url);
  admin->migrate();
  auto key = generate_key();
  admin->create_key({"bob", "", key_hash(key), display_prefix(key), 1, 0, 0, {100, 0, 0, 0}});
  Options o;
  o.refresh = chr::milliseconds(60000);  // no refresh during the test: the counters do the work
  o.flush_every = chr::milliseconds(60000);
  o.flush_rows = 1;  // … except that each row is written at once
  Access a(open_store(url), o);
  agp::ops::RequestRecord r;
  r.key_name = "bob";
  r.endpoint = "/v1/chat/completions";
  r.tokens_in = 60;
  r.tokens_out = 30;
  a.observe(r);
  EXPECT_EQ(a.admit(key, true, chr::system_clock::now()).verdict, Admission::Verdict::ok);  // 90 < 100
  r.tokens_in = 5;
  r.tokens_out = 5;
  a.observe(r);
  for (int i = 0; i < 100 && a.buffered_rows() > 0; ++i) std::this_thread::sleep_for(chr::milliseconds(10));
  auto d = a.admit(key, true, chr::system_clock::now());
  ASSERT_EQ(d.verdict, Admission::Verdict::limited);  // 100 of 100, before and after the write
  EXPECT_EQ(d.exceeded->limit, "daily token budget");
  EXPECT_EQ(d.exceeded->used, 100);
}

TEST(AccessCache, ExpiredKeyIsRefused) {
  TempDb db;
  auto url = "sqlite://" + db.path();
  auto admin = open_store(url);
  admin->migrate();
  auto key = generate_key();
  auto expires = chr::duration_cast<chr::seconds>(at(2026, 1, 1).time_since_epoch()).count();
  admin->create_key({"old", "", key_hash(key), display_prefix(key), 1, expires, 0, {}});
  Access a(open_store(url), {});
  EXPECT_EQ(a.identify(key, at(2025, 12, 31, 23, 59, 59)), "old");
  EXPECT_EQ(a.identify(key, at(2026, 1, 1)), "");
}

}  // namespace unit_access_test
