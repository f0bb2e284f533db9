#include "tokens/vocab_blob.hpp"

// AGP_O200K_BLOB / AGP_CL100K_BLOB: absolute paths of the packed blobs (set by CMake,
// which also makes this file depend on them).
__asm__(
    ".section .rodata.agp_vocab,\"a\",@progbits\n"
    ".balign 16\n"
    "agp_vocab_o200k_begin:\n"
    ".incbin \"" AGP_O200K_BLOB
    "\"\n"
    "agp_vocab_o200k_end:\n"
    ".balign 16\n"
    "agp_vocab_cl100k_begin:\n"
    ".incbin \"" AGP_CL100K_BLOB
    "\"\n"
    "agp_vocab_cl100k_end:\n"
    ".previous\n");

extern "C" {
extern const unsigned char agp_vocab_o200k_begin[] __asm__("agp_vocab_o200k_begin");
extern const unsigned char agp_vocab_o200k_end[] __asm__("agp_vocab_o200k_end");
extern const unsigned char agp_vocab_cl100k_begin[] __asm__("agp_vocab_cl100k_begin");
extern const unsigned char agp_vocab_cl100k_end[] __asm__("agp_vocab_cl100k_end");
}

namespace agp::tokens {
std::span<const unsigned char> vocab_blob(Encoding e) {
  if (e == Encoding::o200k_base)
    return {agp_vocab_o200k_begin, static_cast<std::size_t>(agp_vocab_o200k_end - agp_vocab_o200k_begin)};
  return {agp_vocab_cl100k_begin, static_cast<std::size_t>(agp_vocab_cl100k_end - agp_vocab_cl100k_begin)};
}
}  // namespace agp::tokens
