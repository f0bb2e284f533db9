// --record DIR: writes one exchange as a recording folder (see record/recording.hpp).
// Secrets never reach the files: auth headers are redacted, the api-key is never seen here.
#pragma once

#include "core/error.hpp"
#include "gateway/relay.hpp"
#include "http/server.hpp"

#include <boost/json.hpp>

#include <memory>
#include <string>

namespace agp::gateway {

class Recorder final : public StreamTaps {
 public:
  // nullptr when recording is off.
  static std::unique_ptr<Recorder> open(const std::string& dir, const std::string& request_id);
  ~Recorder() override;  // writes the files

  void client_request(const http::Request& req);
  void upstream_request(const std::string& url, const std::string& body);
  boost::json::object& meta() { return meta_; }
  void upstream(std::string_view bytes) override { upstream_ += bytes; }
  void client(std::string_view bytes) override { client_ += bytes; }
  void transport_error(const Error& e);

 private:
  explicit Recorder(std::string folder) : folder_(std::move(folder)) {}
  std::string folder_;
  boost::json::object meta_, client_request_, upstream_request_;
  std::string upstream_, client_;
};

}  // namespace agp::gateway
