// Prompt-token counting for a translated Chat Completions request body (the shape
// openai/chat/request.cpp produces), with the exact tokenizer where the text is known and
// documented estimates where Azure's rendering is not public:
//
//   exact      message text (string content and text parts), roles, names, tool-call
//              names and arguments, tool results, and the chat framing from OpenAI's
//              cookbook: 3 tokens per message, +1 per "name", +3 to prime the reply.
//   estimated  tool definitions: rendered the way the chat template renders them (the
//              TypeScript-like "namespace functions { type name = (_: {...}) => any; }"
//              block that OpenAI models see; see render_tools) and counted exactly, so only
//              the template's framing is a guess; tool-call framing (kToolCallFraming per
//              call); images by Azure's tile formula from the size in the image header
//              (PNG, JPEG, GIF, WebP) — low detail 85, else fit in 2048x2048, shortest side
//              at most 768, 170 per 512-px tile + 85 — 765 when the size is unknown (a
//              URL); PDFs by page count (kPdfTokensPerPage a page; the text of a PDF and its
//              page images are both billed, and neither is known without rendering it).
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tokens/tokenizer.hpp"

namespace agp::tokens {

inline constexpr std::int64_t kPerMessage = 3;
inline constexpr std::int64_t kPerName = 1;
inline constexpr std::int64_t kReplyPriming = 3;
inline constexpr std::int64_t kToolCallFraming = 6;      // estimate: "to=functions.x ... json" markers
inline constexpr std::int64_t kToolsFraming = 10;        // estimate: system-message framing of the tools block
inline constexpr std::int64_t kPdfTokensPerPage = 1000;  // estimate: page text + page image

struct ChatCount {
  std::int64_t exact = 0;      // text and chat framing: equals what tiktoken gives
  std::int64_t estimated = 0;  // tools + images + PDFs + tool-call framing
  // Breakdown of `estimated` (and of the text within `exact`), for calibration and logs.
  std::int64_t text = 0, framing = 0, tools = 0, images = 0, files = 0;
  std::int64_t total() const { return exact + estimated; }
};

ChatCount count_chat_request_detailed(const boost::json::object& chat_body, Encoding enc);
std::int64_t count_chat_request(const boost::json::object& chat_body, Encoding enc);

// The tools block as the model sees it (approximately; see above). Exposed for tests.
std::string render_tools(const boost::json::array& tools);

// Images: the pixel size from a PNG/JPEG/GIF/WebP header, and Azure's token formula.
struct ImageSize {
  std::uint32_t width = 0, height = 0;
};
std::optional<ImageSize> image_size(std::string_view bytes);
std::optional<ImageSize> image_size_from_data_uri(std::string_view uri);  // data:image/...;base64,...
std::int64_t image_tokens(std::uint32_t width, std::uint32_t height, std::string_view detail);
std::int64_t pdf_page_count(std::string_view bytes);  // 0 when no page objects are visible
std::string base64_decode(std::string_view b64, std::size_t max_out = std::string::npos);

}  // namespace agp::tokens
