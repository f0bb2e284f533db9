#include "request_log.hpp"

#include <boost/json/serialize.hpp>

namespace mock {

RequestLog::Entry RequestLog::append(boost::json::object entry) {
  entry["status"] = 0;
  auto e = std::make_shared<boost::json::object>(std::move(entry));
  std::lock_guard lock(mu_);
  entries_.push_back(e);
  return e;
}

void RequestLog::set_status(const Entry& e, unsigned status) {
  std::lock_guard lock(mu_);
  (*e)["status"] = status;
}

void RequestLog::set_field(const Entry& e, std::string_view key, std::string value) {
  std::lock_guard lock(mu_);
  (*e)[key] = value;
}

void RequestLog::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

std::string RequestLog::to_json() {
  boost::json::array arr;
  {
    std::lock_guard lock(mu_);
    for (auto& e : entries_) arr.push_back(*e);
  }
  boost::json::object root;
  root["requests"] = std::move(arr);
  return boost::json::serialize(root);
}

}  // namespace mock
