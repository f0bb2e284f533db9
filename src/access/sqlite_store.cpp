// The Store on one SQLite file (SQLiteCpp): WAL mode so readers never wait for the writer, and a
// busy timeout so the CLI and the proxy can write the same file.
#include "access/migrations.hpp"
#include "access/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <chrono>

namespace agp::access {

namespace {
std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) try
      : path_(path), db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db_.setBusyTimeout(5000);
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
  } catch (const SQLite::Exception& e) {
    throw StoreError("sqlite " + path + ": " + e.what());
  }

  int migrate() override {
    return guard([&] {
      db_.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      for (const auto& m : sqlite_migrations()) {
        // BEGIN IMMEDIATE takes the write lock first: two processes starting at once apply each
        // migration once (the second sees the version and skips it).
        db_.exec("BEGIN IMMEDIATE");
        try {
          if (version_now() < m.version) {
            db_.exec(std::string(m.sql));
            SQLite::Statement ins(db_, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
            ins.bind(1, m.version);
            ins.bind(2, static_cast<std::int64_t>(now_s()));
            ins.exec();
          }
          db_.exec("COMMIT");
        } catch (...) {
          db_.tryExec("ROLLBACK");
          throw;
        }
      }
      return version_now();
    });
  }

  int schema_version() override {
    return guard([&] {
      if (!db_.tableExists("schema_migrations")) return 0;
      return version_now();
    });
  }

  void create_key(const KeyRecord& k) override {
    guard([&] {
      SQLite::Statement q(db_,
                          "INSERT INTO api_keys (name, owner, key_hash, prefix, created_at, expires_at, daily_tokens,"
                          " monthly_tokens, rpm, tpm) VALUES (?,?,?,?,?,?,?,?,?,?)");
      q.bind(1, k.name);
      q.bind(2, k.owner);
      q.bind(3, k.key_hash);
      q.bind(4, k.prefix);
      q.bind(5, static_cast<std::int64_t>(k.created_at));
      q.bind(6, static_cast<std::int64_t>(k.expires_at));
      q.bind(7, static_cast<std::int64_t>(k.limits.daily_tokens));
      q.bind(8, static_cast<std::int64_t>(k.limits.monthly_tokens));
      q.bind(9, static_cast<std::int64_t>(k.limits.rpm));
      q.bind(10, static_cast<std::int64_t>(k.limits.tpm));
      try {
        q.exec();
      } catch (const SQLite::Exception& e) {
        if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY || e.getErrorCode() == SQLITE_CONSTRAINT)
          throw KeyExists("a key named '" + k.name + "' exists already");
        throw;
      }
      return 0;
    });
  }

  std::vector<KeyRecord> keys() override {
    return guard([&] {
      std::vector<KeyRecord> out;
      SQLite::Statement q(db_,
                          "SELECT name, owner, key_hash, prefix, created_at, expires_at, revoked_at, daily_tokens,"
                          " monthly_tokens, rpm, tpm FROM api_keys ORDER BY name");
      while (q.executeStep()) {
        KeyRecord k;
        k.name = q.getColumn(0).getString();
        k.owner = q.getColumn(1).getString();
        k.key_hash = q.getColumn(2).getString();
        k.prefix = q.getColumn(3).getString();
        k.created_at = q.getColumn(4).getInt64();
        k.expires_at = q.getColumn(5).getInt64();
        k.revoked_at = q.getColumn(6).getInt64();
        k.limits = {q.getColumn(7).getInt64(), q.getColumn(8).getInt64(), q.getColumn(9).getInt64(),
                    q.getColumn(10).getInt64()};
        out.push_back(std::move(k));
      }
      return out;
    });
  }

  bool revoke(const std::string& name, std::int64_t at) override {
    return guard([&] {
      SQLite::Statement q(db_, "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at = 0");
      q.bind(1, static_cast<std::int64_t>(at));
      q.bind(2, name);
      return q.exec() > 0;
    });
  }

  void insert_usage(const std::vector<UsageRow>& rows) override {
    guard([&] {
      SQLite::Transaction t(db_);
      SQLite::Statement q(db_,
                          "INSERT INTO usage (at_ms, key_name, session, client_model, deployment, input_tokens,"
                          " output_tokens, cached_tokens, reasoning_tokens, status, latency_ms, cost_usd)"
                          " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
      for (const auto& r : rows) {
        q.bind(1, static_cast<std::int64_t>(r.at_ms));
        q.bind(2, r.key_name);
        q.bind(3, r.session);
        q.bind(4, r.client_model);
        q.bind(5, r.deployment);
        q.bind(6, static_cast<std::int64_t>(r.input_tokens));
        q.bind(7, static_cast<std::int64_t>(r.output_tokens));
        q.bind(8, static_cast<std::int64_t>(r.cached_tokens));
        q.bind(9, static_cast<std::int64_t>(r.reasoning_tokens));
        q.bind(10, r.status);
        q.bind(11, static_cast<std::int64_t>(r.latency_ms));
        q.bind(12, r.cost_usd);
        q.exec();
        q.reset();
      }
      t.commit();
      return 0;
    });
  }

  std::vector<UsageTotals> usage_since(std::int64_t since_ms) override {
    return guard([&] {
      std::vector<UsageTotals> out;
      SQLite::Statement q(db_,
                          "SELECT key_name, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cached_tokens),"
                          " SUM(reasoning_tokens), SUM(cost_usd) FROM usage WHERE at_ms >= ? GROUP BY key_name"
                          " ORDER BY key_name");
      q.bind(1, static_cast<std::int64_t>(since_ms));
      while (q.executeStep()) {
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                       q.getColumn(3).getInt64(), q.getColumn(4).getInt64(), q.getColumn(5).getInt64(),
                       q.getColumn(6).getDouble()});
      }
      return out;
    });
  }

  std::string describe() const override { return "sqlite " + path_; }

 private:
  int version_now() {
    SQLite::Statement q(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    q.executeStep();
    return q.getColumn(0).getInt();
  }
  template <typename F>
  auto guard(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const SQLite::Exception& e) {
      throw StoreError("sqlite " + path_ + ": " + e.what());
    }
  }

  std::string path_;
  SQLite::Database db_;
};
}  // namespace

std::unique_ptr<Store> open_sqlite(const std::string& path) { return std::make_unique<SqliteStore>(path); }

}  // namespace agp::access
