#include "tokenizer/unicode_normalize.h"

#ifdef HOLO_HAVE_ICU
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <vector>
#endif

namespace holo {

#ifdef HOLO_HAVE_ICU

bool nfc_available() { return true; }

std::string nfc(std::string_view text) {
    // ASCII is always in NFC: skip the UTF-16 round trip for the common case.
    bool ascii = true;
    for (char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
    if (ascii) return std::string(text);
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2* norm = unorm2_getNFCInstance(&err);
    if (U_FAILURE(err)) return std::string(text);
    std::vector<UChar> wide(text.size() + 1);
    int32_t n_wide = 0;
    u_strFromUTF8(wide.data(), int32_t(wide.size()), &n_wide, text.data(), int32_t(text.size()), &err);
    if (U_FAILURE(err)) return std::string(text);
    if (unorm2_isNormalized(norm, wide.data(), n_wide, &err) && U_SUCCESS(err)) return std::string(text);
    err = U_ZERO_ERROR;
    // NFC never grows UTF-16 text by more than a factor of 3.
    std::vector<UChar> out(size_t(n_wide) * 3 + 1);
    const int32_t n_out = unorm2_normalize(norm, wide.data(), n_wide, out.data(), int32_t(out.size()), &err);
    if (U_FAILURE(err)) return std::string(text);
    std::string utf8(size_t(n_out) * 3 + 1, '\0');
    int32_t n_utf8 = 0;
    u_strToUTF8(utf8.data(), int32_t(utf8.size()), &n_utf8, out.data(), n_out, &err);
    if (U_FAILURE(err)) return std::string(text);
    utf8.resize(size_t(n_utf8));
    return utf8;
}

#else

bool nfc_available() { return false; }
std::string nfc(std::string_view text) { return std::string(text); }

#endif

}  // namespace holo
