// The schema, as numbered migrations per SQL dialect: version N is applied once, in order, and
// recorded in schema_migrations. Add a migration at the end; never edit one that has shipped.
#pragma once

#include <span>
#include <string_view>

namespace agp::access {

struct Migration {
  int version;
  std::string_view what;
  std::string_view sql;  // statements separated by ';'
};

std::span<const Migration> sqlite_migrations();
std::span<const Migration> postgres_migrations();

}  // namespace agp::access
