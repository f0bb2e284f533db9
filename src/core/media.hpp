// What the proxy checks of inline media before it goes upstream: base64 that decodes, and an
// image whose bytes say what the client's media type says (Azure answers a mismatch with a vague
// 400 about the image; Anthropic names it). Pure; both front ends use it.
#pragma once

#include <string_view>

namespace agp::media {

// RFC 4648 base64: the standard alphabet, '=' padding only at the end (optional), no whitespace.
bool valid_base64(std::string_view data);

// "image/png", "image/jpeg", "image/gif" or "image/webp" as the first bytes of base64 `data` say;
// "" when they name none of these (too short, or another format).
std::string_view sniffed_image_type(std::string_view data);

// The image media types both APIs take inline.
bool supported_image_type(std::string_view media_type);

}  // namespace agp::media
