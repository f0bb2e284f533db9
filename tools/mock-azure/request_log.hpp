// Log of every request the mock saw (for GET /_mock/requests), in arrival order.
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mock {

class RequestLog {
 public:
  using Entry = std::shared_ptr<boost::json::object>;
  // Appends an entry (status 0 until set_status) and returns it.
  Entry append(boost::json::object entry);
  void set_status(const Entry& e, unsigned status);
  void set_field(const Entry& e, std::string_view key, std::string value);
  void clear();
  std::string to_json();  // {"requests":[...]}

 private:
  std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace mock
