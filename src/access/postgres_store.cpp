// The Store on PostgreSQL (libpqxx), for several replicas sharing one database. A lost
// connection is opened again on the next call, so the proxy rides out a database restart.
#include "access/migrations.hpp"
#include "access/store.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <optional>

namespace agp::access {

namespace {

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::string url) : url_(std::move(url)) {
    guard([&] { return (conn(), 0); });
  }

  int migrate() override {
    return guard([&] {
      {
        pqxx::work w(conn());
        // One migrator at a time across replicas: the lock is held until the transaction ends.
        w.exec("SELECT pg_advisory_xact_lock(171717)");
        w.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
        int have = w.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0].as<int>();
        for (const auto& m : postgres_migrations()) {
          if (m.version <= have) continue;
          w.exec(std::string(m.sql));
          w.exec_params("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", m.version, unix_now());
        }
        w.commit();
      }
      return version_now();
    });
  }

  int schema_version() override {
    return guard([&] {
      pqxx::work w(conn());
      auto exists = w.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>();
      if (!exists) return 0;
      return w.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0].as<int>();
    });
  }

  void create_key(const KeyRecord& k) override {
    guard([&] {
      pqxx::work w(conn());
      try {
        w.exec_params(
            "INSERT INTO api_keys (name, owner, key_hash, prefix, created_at, expires_at, daily_tokens, monthly_tokens,"
            " rpm, tpm) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
            k.name, k.owner, k.key_hash, k.prefix, k.created_at, k.expires_at, k.limits.daily_tokens,
            k.limits.monthly_tokens, k.limits.rpm, k.limits.tpm);
      } catch (const pqxx::unique_violation&) {
        throw KeyExists("a key named '" + k.name + "' exists already");
      }
      w.commit();
      return 0;
    });
  }

  std::vector<KeyRecord> keys() override {
    return guard([&] {
      pqxx::read_transaction w(conn());
      std::vector<KeyRecord> out;
      for (const auto& row : w.exec("SELECT name, owner, key_hash, prefix, created_at, expires_at, revoked_at,"
                                    " daily_tokens, monthly_tokens, rpm, tpm FROM api_keys ORDER BY name")) {
        KeyRecord k;
        k.name = row[0].as<std::string>();
        k.owner = row[1].as<std::string>();
        k.key_hash = row[2].as<std::string>();
        k.prefix = row[3].as<std::string>();
        k.created_at = row[4].as<std::int64_t>();
        k.expires_at = row[5].as<std::int64_t>();
        k.revoked_at = row[6].as<std::int64_t>();
        k.limits = {row[7].as<std::int64_t>(), row[8].as<std::int64_t>(), row[9].as<std::int64_t>(),
                    row[10].as<std::int64_t>()};
        out.push_back(std::move(k));
      }
      return out;
    });
  }

  bool revoke(const std::string& name, std::int64_t at) override {
    return guard([&] {
      pqxx::work w(conn());
      auto r = w.exec_params("UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at = 0", at, name);
      w.commit();
      return r.affected_rows() > 0;
    });
  }

  void insert_usage(const std::vector<UsageRow>& rows) override {
    guard([&] {
      pqxx::work w(conn());
      for (const auto& r : rows)
        w.exec_params(
            "INSERT INTO usage (at_ms, key_name, session, client_model, deployment, input_tokens, output_tokens,"
            " cached_tokens, reasoning_tokens, status, latency_ms, cost_usd) VALUES "
            "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
            r.at_ms, r.key_name, r.session, r.client_model, r.deployment, r.input_tokens, r.output_tokens,
            r.cached_tokens, r.reasoning_tokens, r.status, r.latency_ms, r.cost_usd);
      w.commit();
      return 0;
    });
  }

  std::vector<UsageTotals> usage_since(std::int64_t since_ms) override {
    return guard([&] {
      pqxx::read_transaction w(conn());
      std::vector<UsageTotals> out;
      for (const auto& row : w.exec_params(
               "SELECT key_name, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cached_tokens),"
               " SUM(reasoning_tokens), SUM(cost_usd) FROM usage WHERE at_ms >= $1 GROUP BY key_name ORDER BY key_name",
               since_ms))
        out.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>(), row[2].as<std::int64_t>(),
                       row[3].as<std::int64_t>(), row[4].as<std::int64_t>(), row[5].as<std::int64_t>(),
                       row[6].as<double>()});
      return out;
    });
  }

  std::string describe() const override { return "postgresql " + redact_url(url_); }

 private:
  pqxx::connection& conn() {
    if (!conn_ || !conn_->is_open()) {
      conn_.reset();
      conn_.emplace(url_);
    }
    return *conn_;
  }
  int version_now() {
    pqxx::read_transaction w(conn());
    return w.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0].as<int>();
  }
  template <typename F>
  auto guard(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const StoreError&) {
      throw;
    } catch (const pqxx::broken_connection& e) {
      conn_.reset();  // opened again on the next call
      throw StoreError("postgresql " + redact_url(url_) + ": connection lost: " + e.what());
    } catch (const std::exception& e) {
      if (conn_ && !conn_->is_open()) conn_.reset();
      throw StoreError("postgresql " + redact_url(url_) + ": " + e.what());
    }
  }

  std::string url_;
  std::optional<pqxx::connection> conn_;
};
}  // namespace

std::unique_ptr<Store> open_postgres(const std::string& url) { return std::make_unique<PostgresStore>(url); }

}  // namespace agp::access
