// The team database: keys (stored as hashes) and usage rows, behind one interface with a SQLite
// and a PostgreSQL implementation; one schema, versioned migrations (schema_migrations table).
// A Store is used from one thread at a time (the access worker, or the CLI); it throws StoreError.
#pragma once

#include "access/limits.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace agp::access {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// create_key: the name is taken.
struct KeyExists : StoreError {
  using StoreError::StoreError;
};

// Times are unix seconds (keys) and unix milliseconds (usage); 0 = not set.
struct KeyRecord {
  std::string name, owner, key_hash, prefix;
  std::int64_t created_at = 0, expires_at = 0, revoked_at = 0;
  KeyLimits limits;
};

// One request's usage: never prompt text.
struct UsageRow {
  std::int64_t at_ms = 0;
  std::string key_name, session, client_model, deployment;
  std::int64_t input_tokens = 0, output_tokens = 0, cached_tokens = 0, reasoning_tokens = 0;
  int status = 0;
  std::int64_t latency_ms = 0;
  double cost_usd = 0;
};

struct UsageTotals {
  std::string key_name;
  std::int64_t requests = 0, input_tokens = 0, output_tokens = 0, cached_tokens = 0, reasoning_tokens = 0;
  double cost_usd = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Applies the migrations newer than the database's version (in one transaction each) and
  // returns the version now; safe when several processes start at once.
  virtual int migrate() = 0;
  virtual int schema_version() = 0;
  // Throws KeyExists when the name is taken.
  virtual void create_key(const KeyRecord& k) = 0;
  virtual std::vector<KeyRecord> keys() = 0;
  // false when there is no unrevoked key of that name.
  virtual bool revoke(const std::string& name, std::int64_t at) = 0;
  virtual void insert_usage(const std::vector<UsageRow>& rows) = 0;
  // Per key, the usage at or after since_ms.
  virtual std::vector<UsageTotals> usage_since(std::int64_t since_ms) = 0;
  // "sqlite /path/file.db" / "postgresql 127.0.0.1:5432/db" (no password).
  virtual std::string describe() const = 0;
};

// sqlite:///abs/path/file.db or postgresql://… (postgres:// too). Throws StoreError.
std::unique_ptr<Store> open_store(const std::string& url);
std::unique_ptr<Store> open_sqlite(const std::string& path);
std::unique_ptr<Store> open_postgres(const std::string& url);
// The URL with any password replaced by ***, for logs.
std::string redact_url(const std::string& url);

}  // namespace agp::access
