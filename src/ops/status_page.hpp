// The status page (src/ops/status_page.html): one self-contained HTML file, embedded at build
// time, that polls /status.json.
#pragma once

#include <string_view>

namespace agp::ops {

extern const std::string_view kStatusPageHtml;

}  // namespace agp::ops
