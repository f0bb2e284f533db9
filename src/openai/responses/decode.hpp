// Azure Responses API answers → the neutral answer (pure): a decoder for the event stream and
// one for a whole response object. Reasoning items carry their id and encrypted content on.
#pragma once

#include "core/answer.hpp"
#include "openai/azure_errors.hpp"
#include "openai/responses/common.hpp"

#include <boost/json.hpp>

#include <string_view>

namespace agp::openai::responses {

class StreamDecoder {
 public:
  StreamDecoder(answer::Answer& answer, UpstreamContext upstream) : answer_(answer), upstream_(std::move(upstream)) {}
  void feed(std::string_view event, std::string_view data);  // one SSE frame
  void finish();                                             // the body ended

 private:
  answer::Answer& answer_;
  UpstreamContext upstream_;
};

// A whole response object.
void decode_response(const boost::json::value& response, answer::Answer& answer, const UpstreamContext& upstream);

}  // namespace agp::openai::responses
