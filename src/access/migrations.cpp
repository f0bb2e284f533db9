#include "access/migrations.hpp"

namespace agp::access {

namespace {
// v1: keys and usage rows (the first release of team access).
// v2: expiry and limits per key, cost per usage row, the index the budget totals read.
constexpr Migration kSqlite[] = {
    {1, "keys and usage",
     "CREATE TABLE api_keys (name TEXT PRIMARY KEY, owner TEXT NOT NULL DEFAULT '', key_hash TEXT NOT NULL UNIQUE,"
     " prefix TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE usage (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, key_name TEXT NOT NULL,"
     " session TEXT NOT NULL DEFAULT '', client_model TEXT NOT NULL DEFAULT '', deployment TEXT NOT NULL DEFAULT '',"
     " input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,"
     " cached_tokens INTEGER NOT NULL DEFAULT 0, reasoning_tokens INTEGER NOT NULL DEFAULT 0,"
     " status INTEGER NOT NULL DEFAULT 0, latency_ms INTEGER NOT NULL DEFAULT 0)"},
    {2, "key expiry and limits, usage cost, usage index",
     "ALTER TABLE api_keys ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE api_keys ADD COLUMN daily_tokens INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE api_keys ADD COLUMN monthly_tokens INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE api_keys ADD COLUMN rpm INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE api_keys ADD COLUMN tpm INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE usage ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;"
     "CREATE INDEX usage_at ON usage (at_ms)"},
};
constexpr Migration kPostgres[] = {
    {1, "keys and usage",
     "CREATE TABLE api_keys (name TEXT PRIMARY KEY, owner TEXT NOT NULL DEFAULT '', key_hash TEXT NOT NULL UNIQUE,"
     " prefix TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL DEFAULT 0);"
     "CREATE TABLE usage (id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, key_name TEXT NOT NULL,"
     " session TEXT NOT NULL DEFAULT '', client_model TEXT NOT NULL DEFAULT '', deployment TEXT NOT NULL DEFAULT '',"
     " input_tokens BIGINT NOT NULL DEFAULT 0, output_tokens BIGINT NOT NULL DEFAULT 0,"
     " cached_tokens BIGINT NOT NULL DEFAULT 0, reasoning_tokens BIGINT NOT NULL DEFAULT 0,"
     " status INTEGER NOT NULL DEFAULT 0, latency_ms BIGINT NOT NULL DEFAULT 0)"},
    {2, "key expiry and limits, usage cost, usage index",
     "ALTER TABLE api_keys ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE api_keys ADD COLUMN daily_tokens BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE api_keys ADD COLUMN monthly_tokens BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE api_keys ADD COLUMN rpm BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE api_keys ADD COLUMN tpm BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE usage ADD COLUMN cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0;"
     "CREATE INDEX usage_at ON usage (at_ms)"},
};
}  // namespace

std::span<const Migration> sqlite_migrations() { return kSqlite; }
std::span<const Migration> postgres_migrations() { return kPostgres; }

}  // namespace agp::access
