#include "anthropic/content.hpp"

namespace agp::anthropic {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool is_billing_header(std::string_view text) { return text.starts_with("x-anthropic-billing-header:"); }

std::string joined_text(const std::vector<Block>& blocks) {
  std::string out;
  for (auto& b : blocks) {
    if (b.type != BlockType::text || blank(b.text) || is_billing_header(b.text)) continue;
    if (!out.empty()) out += "\n\n";
    out += b.text;
  }
  return out;
}

std::string data_uri(const Source& s) { return "data:" + s.media_type + ";base64," + s.data; }

std::string url_of(const Source& s) { return s.type == "url" ? s.url : data_uri(s); }

}  // namespace agp::anthropic
