#include "gateway/recorder.hpp"

#include "record/recording.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace agp::gateway {

namespace json = boost::json;
namespace fs = std::filesystem;

std::unique_ptr<Recorder> Recorder::open(const std::string& dir, const std::string& request_id) {
  if (dir.empty()) return nullptr;
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  // The id may be the client's own x-request-id: only safe characters reach the folder's name.
  std::string safe_id = request_id;
  for (char& c : safe_id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  std::string folder = std::string(stamp) + "-";
  folder += safe_id;
  auto r = std::unique_ptr<Recorder>(new Recorder((fs::path(dir) / folder).string()));
  r->meta_["request_id"] = request_id;
  return r;
}

void Recorder::client_request(const http::Request& req) {
  json::object headers;
  for (auto& f : req.message) {
    std::string name(f.name_string());
    headers[name] = record::is_secret_header(name) ? std::string("<redacted>") : std::string(f.value());
  }
  boost::system::error_code ec;
  auto body = json::parse(req.message.body(), ec);
  client_request_ = {{"method", std::string(req.message.method_string())},
                     {"target", std::string(req.message.target())},
                     {"headers", std::move(headers)},
                     {"body", ec ? json::value(req.message.body()) : std::move(body)}};
}

void Recorder::upstream_request(const std::string& url, const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  upstream_request_ = {{"url", url}, {"body", ec ? json::value(body) : std::move(v)}};
}

void Recorder::transport_error(const Error& e) {
  meta_["transport_error"] = {{"status", e.status}, {"kind", static_cast<int>(e.kind)}, {"message", e.message}};
}

Recorder::~Recorder() {
  // Written under a temporary name and renamed, so a recording folder is always complete.
  std::error_code ec;
  std::string partial = folder_ + ".partial";
  fs::create_directories(partial, ec);
  if (ec) {
    spdlog::warn("cannot write recording {}: {}", folder_, ec.message());
    return;
  }
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream out(fs::path(partial) / name, std::ios::binary);
    out << text;
  };
  write("meta.json", json::serialize(meta_));
  write("client_request.json", json::serialize(client_request_));
  write("upstream_request.json", json::serialize(upstream_request_));
  write("upstream_response", upstream_);
  write("client_response", client_);
  fs::rename(partial, folder_, ec);
  if (ec) {
    spdlog::warn("cannot write recording {}: {}", folder_, ec.message());
    return;
  }
  spdlog::info("recorded {}", folder_);
}

}  // namespace agp::gateway
