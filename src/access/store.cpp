#include "access/store.hpp"

namespace agp::access {

std::unique_ptr<Store> open_store(const std::string& url) {
  if (url.starts_with("sqlite://")) {
    auto path = url.substr(9);
    if (path.empty() || path[0] != '/')
      throw StoreError("DATABASE_URL " + url + ": use sqlite:///absolute/path/file.db (three slashes)");
    return open_sqlite(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return open_postgres(url);
  throw StoreError("DATABASE_URL " + redact_url(url) + ": expected sqlite:///path/file.db or postgresql://…");
}

std::string redact_url(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace agp::access
