// The packed vocabularies, embedded at build time by vocab_blob.cpp (.incbin of the blobs
// that agp_vocab_pack makes from the pinned, SHA-256-verified npm tiktoken encoders).
#pragma once

#include <span>

#include "tokens/tokenizer.hpp"

namespace agp::tokens {
std::span<const unsigned char> vocab_blob(Encoding e);
}
