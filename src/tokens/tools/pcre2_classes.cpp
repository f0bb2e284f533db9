// Dumps PCRE2's Unicode classes (the ones the split patterns use) for every code point, as
// one line per code point whose mask is non-zero: "<hex> <mask>". Used by
// gen_unicode_delta.mjs; not part of the build:
//   g++ -O2 -std=c++20 pcre2_classes.cpp -lpcre2-8 -o /tmp/pcre2_classes
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdio>
#include <string>

int main() {
  const char* classes[] = {"\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}", "\\p{M}", "\\p{N}", "\\p{L}"};
  pcre2_code* re[8];
  for (int i = 0; i < 8; ++i) {
    int err;
    PCRE2_SIZE off;
    std::string p = std::string("^") + classes[i];
    re[i] = pcre2_compile((PCRE2_SPTR)p.c_str(), p.size(), PCRE2_UTF | PCRE2_UCP, &err, &off, nullptr);
    pcre2_jit_compile(re[i], PCRE2_JIT_COMPLETE);
  }
  pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
  for (unsigned cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    unsigned char b[4];
    size_t n;
    if (cp < 0x80)
      b[0] = cp, n = 1;
    else if (cp < 0x800)
      b[0] = 0xC0 | cp >> 6, b[1] = 0x80 | (cp & 63), n = 2;
    else if (cp < 0x10000)
      b[0] = 0xE0 | cp >> 12, b[1] = 0x80 | ((cp >> 6) & 63), b[2] = 0x80 | (cp & 63), n = 3;
    else
      b[0] = 0xF0 | cp >> 18, b[1] = 0x80 | ((cp >> 12) & 63), b[2] = 0x80 | ((cp >> 6) & 63), b[3] = 0x80 | (cp & 63),
      n = 4;
    int mask = 0;
    for (int i = 0; i < 8; ++i)
      if (pcre2_jit_match(re[i], b, n, 0, 0, md, nullptr) >= 0) mask |= 1 << i;
    if (mask) std::printf("%x %d\n", cp, mask);
  }
}
