// libFuzzer target for the model store's name and digest grammar (the Ollama
// path-traversal class): whatever the bytes, an accepted name has parts that are
// safe to join into a path (no "..", no '/', no NUL, no leading '.'), re-parses to
// itself, and an accepted digest is "sha256:" + 64 lowercase hex digits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/model_name.h"

namespace {

void require(bool ok) {
    if (!ok) std::abort();  // a finding
}

void check_part(const std::string& part, bool allow_upper) {
    require(!part.empty());
    require(part.find("..") == std::string::npos);
    require(part[0] != '.' && part[0] != '-');
    for (char c : part) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
                        (allow_upper && c >= 'A' && c <= 'Z');
        require(ok);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto name = holo::server::parse_model_name(text);
    if (name) {
        check_part(name->ns, false);
        check_part(name->model, false);
        check_part(name->tag, true);
        auto again = holo::server::parse_model_name(name->str());
        require(again.ok());
        require(again->ns == name->ns && again->model == name->model && again->tag == name->tag);
    } else {
        require(!name.message().empty());
    }
    if (holo::server::is_valid_digest(text)) {
        require(size == 71 && text.starts_with("sha256:"));
        for (char c : text.substr(7)) require((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    // Imported file names must fold into the grammar (or be empty).
    const std::string folded = holo::server::name_from_filename(text);
    if (!folded.empty()) {
        auto n = holo::server::parse_model_name(folded);
        (void)n;  // may legitimately be too long; must only not crash
    }
    return 0;
}
