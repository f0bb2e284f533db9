// Self-calibration of token counts: after each Chat Completions answer, compare Azure's
// prompt_tokens with the local count of the same request, and keep per deployment a running
// correction factor for the estimated parts (tool rendering, images, PDFs). The exact part
// (text and chat framing) is not corrected: where it is off, that is worth a log line.
#pragma once

#include "tokens/count.hpp"

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace agp::tokens {

class Calibration {
 public:
  struct Stats {
    double factor = 1.0;        // multiplies the estimated part
    double mean_abs_error = 0;  // of the uncorrected count, relative to Azure's, running average
    std::uint64_t samples = 0;
  };

  // Records one observation; returns the relative error of the local (corrected) count.
  double observe(const std::string& deployment, const ChatCount& local, std::int64_t azure_prompt_tokens);
  // The count to report: exact + estimated × the deployment's factor.
  std::int64_t corrected(const std::string& deployment, const ChatCount& local) const;
  Stats stats(const std::string& deployment) const;

  // The quick estimate for requests not counted exactly: the upstream body's bytes × the
  // deployment's tokens per byte, learned from Azure's prompt_tokens (a quarter until then).
  std::int64_t quick(const std::string& deployment, std::size_t body_bytes) const;
  void observe_bytes(const std::string& deployment, std::size_t body_bytes, std::int64_t azure_prompt_tokens);

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Stats> by_deployment_;
  std::unordered_map<std::string, double> tokens_per_byte_;
};

}  // namespace agp::tokens
