// Image and PDF size sniffing for count.cpp: only headers are read, nothing is decoded.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "tokens/count.hpp"

namespace agp::tokens {

namespace {
std::uint32_t be16(const unsigned char* p) { return static_cast<std::uint32_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
std::uint32_t le16(const unsigned char* p) { return static_cast<std::uint32_t>(p[0] | p[1] << 8); }
std::uint32_t le24(const unsigned char* p) { return static_cast<std::uint32_t>(p[0] | p[1] << 8 | p[2] << 16); }

int b64(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}
}  // namespace

std::string base64_decode(std::string_view in, std::size_t max_out) {
  std::string out;
  out.reserve(std::min(max_out, in.size() / 4 * 3 + 3));
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    int v = b64(c);
    if (v < 0) {
      if (c == '=') break;
      continue;  // whitespace
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
      if (out.size() >= max_out) break;
    }
  }
  return out;
}

std::optional<ImageSize> image_size(std::string_view data) {
  auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  if (n >= 24 && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 && std::memcmp(p + 12, "IHDR", 4) == 0)
    return ImageSize{be32(p + 16), be32(p + 20)};
  if (n >= 10 && (std::memcmp(p, "GIF87a", 6) == 0 || std::memcmp(p, "GIF89a", 6) == 0))
    return ImageSize{le16(p + 6), le16(p + 8)};
  if (n >= 30 && std::memcmp(p, "RIFF", 4) == 0 && std::memcmp(p + 8, "WEBP", 4) == 0) {
    if (std::memcmp(p + 12, "VP8 ", 4) == 0 && p[23] == 0x9d && p[24] == 0x01 && p[25] == 0x2a)
      return ImageSize{le16(p + 26) & 0x3FFF, le16(p + 28) & 0x3FFF};
    if (std::memcmp(p + 12, "VP8L", 4) == 0 && p[20] == 0x2f) {
      std::uint32_t b = p[21] | p[22] << 8 | p[23] << 16 | static_cast<std::uint32_t>(p[24]) << 24;
      return ImageSize{(b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1};
    }
    if (std::memcmp(p + 12, "VP8X", 4) == 0) return ImageSize{le24(p + 24) + 1, le24(p + 27) + 1};
    return std::nullopt;
  }
  if (n >= 4 && p[0] == 0xFF && p[1] == 0xD8) {
    std::size_t i = 2;
    while (i + 4 <= n) {
      if (p[i] != 0xFF) return std::nullopt;
      unsigned char m = p[i + 1];
      if (m == 0xFF) {  // fill byte
        ++i;
        continue;
      }
      if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {  // markers without a length
        i += 2;
        continue;
      }
      std::uint32_t len = be16(p + i + 2);
      bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
      if (sof) {
        if (i + 9 > n) return std::nullopt;
        return ImageSize{be16(p + i + 7), be16(p + i + 5)};
      }
      if (m == 0xD9 || m == 0xDA) return std::nullopt;  // end, or scan data before any frame header
      i += 2 + len;
    }
  }
  return std::nullopt;
}

std::optional<ImageSize> image_size_from_data_uri(std::string_view uri) {
  if (!uri.starts_with("data:")) return std::nullopt;
  auto comma = uri.find(',');
  if (comma == std::string_view::npos || uri.substr(0, comma).find(";base64") == std::string_view::npos)
    return std::nullopt;
  std::string_view b = uri.substr(comma + 1);
  // Headers sit at the start; JPEG's frame header may follow a large EXIF block, so widen.
  for (std::size_t want : {std::size_t{64 * 1024}, std::string::npos}) {
    auto bytes = base64_decode(b, want);
    if (auto s = image_size(bytes)) return s;
    if (bytes.size() < want) break;
  }
  return std::nullopt;
}

std::int64_t image_tokens(std::uint32_t width, std::uint32_t height, std::string_view detail) {
  if (detail == "low") return 85;
  if (width == 0 || height == 0) return 85;
  double w = width, h = height;
  if (w > 2048 || h > 2048) {
    double s = 2048.0 / std::max(w, h);
    w = std::floor(w * s);
    h = std::floor(h * s);
  }
  if (std::min(w, h) > 768) {
    double s = 768.0 / std::min(w, h);
    w = std::floor(w * s);
    h = std::floor(h * s);
  }
  auto tiles = static_cast<std::int64_t>(std::ceil(w / 512.0) * std::ceil(h / 512.0));
  return 170 * tiles + 85;
}

std::int64_t pdf_page_count(std::string_view pdf) {
  // Count "/Type /Page" (not "/Pages") page objects; PDFs that keep them in compressed
  // object streams show none, and the caller falls back to a size-based guess.
  std::int64_t pages = 0;
  for (std::size_t i = pdf.find("/Type"); i != std::string_view::npos; i = pdf.find("/Type", i + 5)) {
    std::size_t j = i + 5;
    while (j < pdf.size() && (pdf[j] == ' ' || pdf[j] == '\r' || pdf[j] == '\n' || pdf[j] == '\t')) ++j;
    if (pdf.substr(j, 5) == "/Page" && (j + 5 >= pdf.size() || pdf[j + 5] != 's')) ++pages;
  }
  return pages;
}

}  // namespace agp::tokens
