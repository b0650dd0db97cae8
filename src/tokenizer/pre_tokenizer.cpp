#include "tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <utility>

namespace holo {

namespace {

// White space as the reference tokenizers (JavaScript's \s) see it; PCRE2's \s
// leaves out U+FEFF, so the patterns spell the class out.
#define HOLO_WS "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"
#define HOLO_S "[" HOLO_WS "]"
#define HOLO_NS "[^" HOLO_WS "]"
// The contraction alternatives are spelled without (?i) on purpose: the reference
// matches 's and 'S but not Unicode case variants (e.g. U+017F long s).
#define HOLO_CONTRACTIONS "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"

// Qwen2 and Llama 3 differ only in how many digits a number token takes.
#define HOLO_LLAMA3_LIKE(DIGITS)                                                                            \
    HOLO_CONTRACTIONS "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}" DIGITS " ?[^" HOLO_WS "\\p{L}\\p{N}]+[\\r\\n]*|" \
        HOLO_S "*[\\r\\n]+|" HOLO_S "+(?!" HOLO_NS ")|" HOLO_S "+"

struct named_patterns {
    const char* name;
    std::vector<const char*> patterns;
};

const std::vector<named_patterns>& pattern_table() {
    static const std::vector<named_patterns> table = {
        {"qwen2", {HOLO_LLAMA3_LIKE("|")}},
        {"llama-bpe", {HOLO_LLAMA3_LIKE("{1,3}|")}},
        {"deepseek-v3",
         {"\\p{N}{1,3}", "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+",
          "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| "
          "?[\\p{P}\\p{S}]+[\\r\\n]*|" HOLO_S "*[\\r\\n]+|" HOLO_S "+(?!" HOLO_NS ")|" HOLO_S "+"}},
        {"gpt-2",
         {"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" HOLO_WS "\\p{L}\\p{N}]+|" HOLO_S "+(?!" HOLO_NS ")|" HOLO_S
          "+"}},
        {"default",
         {"[\\p{P}\\$\\+<=>\\^~\\|]+",
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" HOLO_WS "\\p{L}\\p{N}]+|" HOLO_S "+(?!" HOLO_NS ")",
          "\\p{N}+", "[0-9][0-9][0-9]"}},
    };
    return table;
}

// Names other converters write for the same rules.
std::string_view canonical_name(std::string_view pre) {
    if (pre == "qwen35" || pre == "deepseek-r1-qwen" || pre == "qwen") return "qwen2";
    if (pre == "llama3" || pre == "smaug-bpe" || pre == "dbrx" || pre == "llama-v3") return "llama-bpe";
    if (pre == "deepseek-v3" || pre == "deepseek3-llm" || pre == "hunyuan-dense") return "deepseek-v3";
    if (pre == "gpt2" || pre == "starcoder" || pre == "refact" || pre == "olmo" || pre == "jina-es" ||
        pre == "jina-de" || pre == "jina-v2-es" || pre == "jina-v2-de")
        return "gpt-2";
    if (pre.empty()) return "default";
    return pre;
}

struct code_deleter {
    void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};

}  // namespace

struct pre_tokenizer::impl {
    std::vector<std::unique_ptr<pcre2_code, code_deleter>> stages;
};

pre_tokenizer::pre_tokenizer() : impl_(std::make_unique<impl>()) {}
pre_tokenizer::pre_tokenizer(pre_tokenizer&&) noexcept = default;
pre_tokenizer& pre_tokenizer::operator=(pre_tokenizer&&) noexcept = default;
pre_tokenizer::~pre_tokenizer() = default;

std::vector<std::string> pre_tokenizer::supported_names() {
    std::vector<std::string> names;
    for (const auto& e : pattern_table()) names.emplace_back(e.name);
    return names;
}

result<pre_tokenizer> pre_tokenizer::from_patterns(const std::vector<std::string>& patterns) {
    pre_tokenizer p;
    for (const auto& pat : patterns) {
        int code = 0;
        PCRE2_SIZE at = 0;
        pcre2_code* c = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pat.data()), pat.size(), PCRE2_UTF | PCRE2_UCP,
                                      &code, &at, nullptr);
        if (!c) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof(msg));
            return error{"pre-tokenizer pattern '" + pat + "': " + reinterpret_cast<const char*>(msg) +
                         " at offset " + std::to_string(at)};
        }
        // JIT is an optimization only: when it is unavailable the interpreter runs.
        pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
        p.impl_->stages.emplace_back(c);
    }
    return p;
}

result<pre_tokenizer> pre_tokenizer::for_name(std::string_view pre) {
    const std::string_view name = canonical_name(pre);
    for (const auto& e : pattern_table()) {
        if (name == e.name) return from_patterns(std::vector<std::string>(e.patterns.begin(), e.patterns.end()));
    }
    std::string known;
    for (const auto& n : supported_names()) known += (known.empty() ? "" : ", ") + n;
    return error{"unsupported pre-tokenizer '" + std::string(pre) + "' (supported: " + known + ")"};
}

void pre_tokenizer::split(std::string_view text, std::vector<text_span>& out) const {
    if (text.empty()) return;
    std::vector<text_span> cur{{0, text.size()}}, next;
    for (const auto& stage : impl_->stages) {
        pcre2_match_data* md = pcre2_match_data_create_from_pattern(stage.get(), nullptr);
        HOLO_ASSERT(md != nullptr, "out of memory creating PCRE2 match data");
        next.clear();
        for (const text_span& piece : cur) {
            const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data() + piece.offset);
            size_t pos = 0, gap_start = 0;
            while (pos < piece.length) {
                const int rc = pcre2_match(stage.get(), subject, piece.length, pos, PCRE2_NO_UTF_CHECK, md, nullptr);
                if (rc < 0) break;  // no further match (or a resource limit: the rest stays one piece)
                const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
                size_t mb = ov[0], me = ov[1];
                if (me == mb) {  // empty match: step over one character
                    pos = me + 1;
                    while (pos < piece.length && (subject[pos] & 0xC0) == 0x80) ++pos;
                    continue;
                }
                if (mb > gap_start) next.push_back({piece.offset + gap_start, mb - gap_start});
                next.push_back({piece.offset + mb, me - mb});
                pos = gap_start = me;
            }
            if (gap_start < piece.length) next.push_back({piece.offset + gap_start, piece.length - gap_start});
        }
        pcre2_match_data_free(md);
        std::swap(cur, next);
    }
    out.insert(out.end(), cur.begin(), cur.end());
}

}  // namespace holo
