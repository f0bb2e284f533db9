// The Store on PostgreSQL, for several replicas sharing one database. A lost connection is opened
// again on the next call, so the proxy rides out a database restart.
//
// libpq's C API, loaded with dlopen when a postgresql:// DATABASE_URL is first opened: libpq brings
// some twenty libraries with it (Kerberos, LDAP, SASL, GnuTLS, p11-kit…) whose mapped pages,
// relocations and constructors cost a proxy that has no database about 3.5 MB of its idle memory
// and a part of its start-up, and which a binary linked with it needs installed even then.
#include "access/migrations.hpp"
#include "access/store.hpp"

#include <dlfcn.h>
#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <type_traits>
#include <utility>

namespace agp::access {

namespace {

// The libpq calls the store makes, resolved once.
struct Pq {
  decltype(&::PQconnectdb) connectdb;
  decltype(&::PQstatus) status;
  decltype(&::PQerrorMessage) error_message;
  decltype(&::PQfinish) finish;
  decltype(&::PQsetNoticeProcessor) set_notice_processor;
  decltype(&::PQexec) exec;
  decltype(&::PQexecParams) exec_params;
  decltype(&::PQresultStatus) result_status;
  decltype(&::PQresultErrorMessage) result_error_message;
  decltype(&::PQresultErrorField) result_error_field;
  decltype(&::PQclear) clear;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQcmdTuples) cmd_tuples;
};

const Pq& pq() {
  static Pq lib;
  static std::string failed;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* why = dlerror();
      failed = std::string("cannot load libpq (Debian package libpq5): ") + (why ? why : "dlopen failed");
      return;
    }
    auto sym = [&](auto& fn, const char* name) {
      if (!failed.empty()) return;
      void* p = dlsym(h, name);
      if (!p) failed = std::string("libpq.so.5 has no ") + name;
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
    };
    sym(lib.connectdb, "PQconnectdb");
    sym(lib.status, "PQstatus");
    sym(lib.error_message, "PQerrorMessage");
    sym(lib.finish, "PQfinish");
    sym(lib.set_notice_processor, "PQsetNoticeProcessor");
    sym(lib.exec, "PQexec");
    sym(lib.exec_params, "PQexecParams");
    sym(lib.result_status, "PQresultStatus");
    sym(lib.result_error_message, "PQresultErrorMessage");
    sym(lib.result_error_field, "PQresultErrorField");
    sym(lib.clear, "PQclear");
    sym(lib.ntuples, "PQntuples");
    sym(lib.getvalue, "PQgetvalue");
    sym(lib.getisnull, "PQgetisnull");
    sym(lib.cmd_tuples, "PQcmdTuples");
  });
  if (!failed.empty()) throw StoreError(failed);
  return lib;
}

// libpq's messages end in a newline.
std::string trimmed(const char* s) {
  std::string m = s ? s : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// The connection failed or went away (libpq reports the status, or SQLSTATE class 08).
struct ConnectionLost : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct UniqueViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A query's result, cleared on destruction; values read as text (libpq's text format).
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r) {}
  Rows(Rows&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  Rows& operator=(Rows&&) = delete;
  ~Rows() {
    if (r_) pq().clear(r_);
  }
  int size() const { return pq().ntuples(r_); }
  std::string_view text(int row, int col) const {
    if (pq().getisnull(r_, row, col)) return {};
    return pq().getvalue(r_, row, col);
  }
  std::int64_t i64(int row, int col) const { return number<std::int64_t>(row, col); }
  double f64(int row, int col) const { return number<double>(row, col); }
  bool boolean(int row, int col) const { return text(row, col) == "t"; }
  long affected() const {
    const char* n = pq().cmd_tuples(r_);
    return n && *n ? std::strtol(n, nullptr, 10) : 0;
  }

 private:
  template <typename N>
  N number(int row, int col) const {
    auto t = text(row, col);
    N v = 0;
    if (!t.empty() && std::from_chars(t.data(), t.data() + t.size(), v).ec != std::errc{})
      throw std::runtime_error("not a number: " + std::string(t));
    return v;
  }

  PGresult* r_;
};

// A query parameter in libpq's text format.
std::string param(const std::string& s) { return s; }
std::string param(double d) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, d).ptr;  // the shortest text that reads back the same
  return {buf, end};
}
template <typename I>
  requires std::is_integral_v<I>
std::string param(I i) {
  return std::to_string(i);
}

class Connection {
 public:
  explicit Connection(const std::string& url) : c_(pq().connectdb(url.c_str())) {
    if (!c_) throw ConnectionLost("out of memory");
    if (pq().status(c_) != CONNECTION_OK) {
      auto why = trimmed(pq().error_message(c_));
      pq().finish(c_);
      throw ConnectionLost(why);
    }
    // The migrations' notices ("relation … already exists, skipping") are of no use to anyone.
    pq().set_notice_processor(c_, [](void*, const char*) {}, nullptr);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { pq().finish(c_); }

  bool ok() const { return pq().status(c_) == CONNECTION_OK; }

  Rows exec(const char* sql) { return checked(pq().exec(c_, sql)); }

  template <typename... A>
  Rows exec(const char* sql, const A&... args) {
    std::string texts[] = {param(args)...};
    const char* values[sizeof...(A)];
    for (std::size_t i = 0; i < sizeof...(A); ++i) values[i] = texts[i].c_str();
    return checked(pq().exec_params(c_, sql, static_cast<int>(sizeof...(A)), nullptr, values, nullptr, nullptr, 0));
  }

 private:
  Rows checked(PGresult* r) {
    Rows rows(r);
    auto st = r ? pq().result_status(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return rows;
    std::string why = trimmed(r ? pq().result_error_message(r) : nullptr);
    if (why.empty()) why = trimmed(pq().error_message(c_));
    const char* state = r ? pq().result_error_field(r, PG_DIAG_SQLSTATE) : nullptr;
    if (!ok() || (state && std::strncmp(state, "08", 2) == 0)) throw ConnectionLost(why);
    if (state && std::strcmp(state, "23505") == 0) throw UniqueViolation(why);
    throw std::runtime_error(why);
  }

  PGconn* c_;
};

// BEGIN … COMMIT; rolled back when left without commit() (an exception on the way).
class Transaction {
 public:
  Transaction(Connection& c, bool read_only) : c_(c) { c_.exec(read_only ? "BEGIN READ ONLY" : "BEGIN"); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (open_ && c_.ok()) {
      try {
        c_.exec("ROLLBACK");
      } catch (...) {  // the error that brought us here is the one to report
      }
    }
  }
  template <typename... A>
  Rows exec(const char* sql, const A&... args) {
    return c_.exec(sql, args...);
  }
  void commit() {
    c_.exec("COMMIT");
    open_ = false;
  }

 private:
  Connection& c_;
  bool open_ = true;
};

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::string url) : url_(std::move(url)) {
    guard([&] { return (conn(), 0); });
  }

  int migrate() override {
    return guard([&] {
      Transaction w(conn(), false);
      // One migrator at a time across replicas: the lock is held until the transaction ends.
      w.exec("SELECT pg_advisory_xact_lock(171717)");
      w.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
      auto have = w.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").i64(0, 0);
      for (const auto& m : postgres_migrations()) {
        if (m.version <= have) continue;
        w.exec(std::string(m.sql).c_str());
        w.exec("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", m.version, unix_now());
      }
      auto now = w.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").i64(0, 0);
      w.commit();
      return static_cast<int>(now);
    });
  }

  int schema_version() override {
    return guard([&] {
      Transaction w(conn(), true);
      if (!w.exec("SELECT to_regclass('schema_migrations') IS NOT NULL").boolean(0, 0)) return 0;
      return static_cast<int>(w.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").i64(0, 0));
    });
  }

  void create_key(const KeyRecord& k) override {
    guard([&] {
      try {
        conn().exec(
            "INSERT INTO api_keys (name, owner, key_hash, prefix, created_at, expires_at, daily_tokens, monthly_tokens,"
            " rpm, tpm) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
            k.name, k.owner, k.key_hash, k.prefix, k.created_at, k.expires_at, k.limits.daily_tokens,
            k.limits.monthly_tokens, k.limits.rpm, k.limits.tpm);
      } catch (const UniqueViolation&) {
        throw KeyExists("a key named '" + k.name + "' exists already");
      }
      return 0;
    });
  }

  std::vector<KeyRecord> keys() override {
    return guard([&] {
      auto rows = conn().exec(
          "SELECT name, owner, key_hash, prefix, created_at, expires_at, revoked_at,"
          " daily_tokens, monthly_tokens, rpm, tpm FROM api_keys ORDER BY name");
      std::vector<KeyRecord> out;
      out.reserve(static_cast<std::size_t>(rows.size()));
      for (int i = 0; i < rows.size(); ++i) {
        KeyRecord k;
        k.name = rows.text(i, 0);
        k.owner = rows.text(i, 1);
        k.key_hash = rows.text(i, 2);
        k.prefix = rows.text(i, 3);
        k.created_at = rows.i64(i, 4);
        k.expires_at = rows.i64(i, 5);
        k.revoked_at = rows.i64(i, 6);
        k.limits = {rows.i64(i, 7), rows.i64(i, 8), rows.i64(i, 9), rows.i64(i, 10)};
        out.push_back(std::move(k));
      }
      return out;
    });
  }

  bool revoke(const std::string& name, std::int64_t at) override {
    return guard([&] {
      return conn().exec("UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at = 0", at, name).affected() >
             0;
    });
  }

  void insert_usage(const std::vector<UsageRow>& rows) override {
    guard([&] {
      Transaction w(conn(), false);
      for (const auto& r : rows)
        w.exec(
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
      auto rows = conn().exec(
          "SELECT key_name, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cached_tokens),"
          " SUM(reasoning_tokens), SUM(cost_usd) FROM usage WHERE at_ms >= $1 GROUP BY key_name ORDER BY key_name",
          since_ms);
      std::vector<UsageTotals> out;
      for (int i = 0; i < rows.size(); ++i)
        out.push_back({std::string(rows.text(i, 0)), rows.i64(i, 1), rows.i64(i, 2), rows.i64(i, 3), rows.i64(i, 4),
                       rows.i64(i, 5), rows.f64(i, 6)});
      return out;
    });
  }

  std::string describe() const override { return "postgresql " + redact_url(url_); }

 private:
  Connection& conn() {
    if (!conn_ || !conn_->ok()) {
      conn_.reset();
      conn_ = std::make_unique<Connection>(url_);
    }
    return *conn_;
  }
  template <typename F>
  auto guard(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const StoreError&) {
      throw;
    } catch (const ConnectionLost& e) {
      conn_.reset();  // opened again on the next call
      throw StoreError("postgresql " + redact_url(url_) + ": connection lost: " + e.what());
    } catch (const std::exception& e) {
      if (conn_ && !conn_->ok()) conn_.reset();
      throw StoreError("postgresql " + redact_url(url_) + ": " + e.what());
    }
  }

  std::string url_;
  std::unique_ptr<Connection> conn_;
};
}  // namespace

std::unique_ptr<Store> open_postgres(const std::string& url) { return std::make_unique<PostgresStore>(url); }

}  // namespace agp::access
