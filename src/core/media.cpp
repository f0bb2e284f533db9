#include "core/media.hpp"

#include <cstring>
#include <string>

namespace agp::media {

namespace {

int value_of(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// The first bytes of valid base64 data (enough for a file signature).
std::string head(std::string_view data, std::size_t bytes) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : data) {
    int v = value_of(c);
    if (v < 0 || out.size() >= bytes) break;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

bool valid_base64(std::string_view data) {
  std::size_t n = data.size();
  std::size_t pad = 0;
  while (pad < 2 && pad < n && data[n - 1 - pad] == '=') ++pad;
  for (std::size_t i = 0; i + pad < n; ++i)
    if (value_of(static_cast<unsigned char>(data[i])) < 0) return false;
  if (pad > 0) return n % 4 == 0;
  return n % 4 != 1;
}

std::string_view sniffed_image_type(std::string_view data) {
  std::string h = head(data, 12);
  auto starts = [&](const char* sig, std::size_t len, std::size_t at = 0) {
    return h.size() >= at + len && std::memcmp(h.data() + at, sig, len) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (starts("\xFF\xD8\xFF", 3)) return "image/jpeg";
  if (starts("GIF87a", 6) || starts("GIF89a", 6)) return "image/gif";
  if (starts("RIFF", 4) && starts("WEBP", 4, 8)) return "image/webp";
  return "";
}

bool supported_image_type(std::string_view t) {
  return t == "image/jpeg" || t == "image/png" || t == "image/gif" || t == "image/webp";
}

}  // namespace agp::media
