#include "tokenizer/vocab.h"

#include "gguf/gguf_file.h"

namespace holo {

namespace {

class kv_lookup {
public:
    kv_lookup(const std::vector<gguf_kv>& kv, std::string_view source) : kv_(kv), source_(source) {}
    const gguf_value* find(std::string_view key) const {
        for (const auto& e : kv_) {
            if (e.key == key) return &e.value;
        }
        return nullptr;
    }
    error fail(std::string_view key, const std::string& what) const {
        return error{std::string(source_) + ": " + std::string(key) + ": " + what};
    }
    result<const gguf_array*> array(std::string_view key, bool required) const {
        const gguf_value* v = find(key);
        if (!v) {
            if (required) return fail(key, "missing (the file has no vocabulary)");
            return static_cast<const gguf_array*>(nullptr);
        }
        const gguf_array* a = v->as_array();
        if (!a) return fail(key, std::string("expected an array, found ") + gguf_value_type_name(v->type));
        return a;
    }
    result<std::optional<std::string>> string(std::string_view key) const {
        const gguf_value* v = find(key);
        if (!v) return std::optional<std::string>();
        if (!v->as_string()) return fail(key, std::string("expected a string, found ") + gguf_value_type_name(v->type));
        return std::optional<std::string>(*v->as_string());
    }
    result<std::optional<bool>> boolean(std::string_view key) const {
        const gguf_value* v = find(key);
        if (!v) return std::optional<bool>();
        if (!v->as_bool()) return fail(key, std::string("expected a bool, found ") + gguf_value_type_name(v->type));
        return std::optional<bool>(*v->as_bool());
    }
    // A token id: any integer type, must name a token (or -1 in signed types for "none").
    result<void> id(std::string_view key, int32_t n_vocab, int32_t& out) const {
        const gguf_value* v = find(key);
        if (!v) return ok();
        auto i = v->as_int();
        if (!i || v->type == gguf_value_type::float32 || v->type == gguf_value_type::float64 ||
            v->type == gguf_value_type::boolean) {
            return fail(key, std::string("expected an integer token id, found ") + gguf_value_type_name(v->type));
        }
        if (*i == -1) return ok();
        if (*i < 0 || *i >= n_vocab) {
            return fail(key, "token id " + std::to_string(*i) + " is out of range (the vocabulary has " +
                                 std::to_string(n_vocab) + " tokens)");
        }
        out = static_cast<int32_t>(*i);
        return ok();
    }

private:
    const std::vector<gguf_kv>& kv_;
    std::string_view source_;
};

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

int parse_byte_token(std::string_view t) {
    if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
    const int hi = hex_digit(t[3]), lo = hex_digit(t[4]);
    if (hi < 0 || lo < 0) return -1;
    return hi * 16 + lo;
}

result<vocab> load_vocab(const std::vector<gguf_kv>& metadata, std::string_view source) {
    kv_lookup kv(metadata, source);
    vocab v;
    v.source = std::string(source);

    auto model = kv.string("tokenizer.ggml.model");
    if (!model.ok()) return model.err();
    if (!model->has_value()) return kv.fail("tokenizer.ggml.model", "missing (the file has no vocabulary)");
    if (**model == "gpt2") {
        v.model = vocab_model::bpe;
    } else if (**model == "llama") {
        v.model = vocab_model::spm;
    } else {
        return kv.fail("tokenizer.ggml.model", "unsupported tokenizer model '" + **model +
                                                   "' (supported: gpt2 = byte-level BPE, llama = SentencePiece)");
    }
    auto pre = kv.string("tokenizer.ggml.pre");
    if (!pre.ok()) return pre.err();
    if (pre->has_value()) v.pre = **pre;

    auto tokens = kv.array("tokenizer.ggml.tokens", true);
    if (!tokens.ok()) return tokens.err();
    const gguf_array& ta = **tokens;
    if (ta.element_type != gguf_value_type::string) {
        return kv.fail("tokenizer.ggml.tokens", std::string("expected an array of strings, found an array of ") +
                                                     gguf_value_type_name(ta.element_type));
    }
    if (ta.items.empty()) return kv.fail("tokenizer.ggml.tokens", "is empty");
    if (ta.items.size() > size_t(INT32_MAX)) return kv.fail("tokenizer.ggml.tokens", "has too many entries");
    const auto n_vocab = static_cast<int32_t>(ta.items.size());
    v.tokens.reserve(ta.items.size());
    for (const auto& t : ta.items) {
        if (!t.as_string()) return kv.fail("tokenizer.ggml.tokens", "holds a value that is not a string");
        v.tokens.push_back(*t.as_string());
    }

    auto types = kv.array("tokenizer.ggml.token_type", false);
    if (!types.ok()) return types.err();
    v.kinds.assign(v.tokens.size(), token_kind::normal);
    if (*types) {
        const gguf_array& a = **types;
        if (a.items.size() != v.tokens.size()) {
            return kv.fail("tokenizer.ggml.token_type", "has " + std::to_string(a.items.size()) +
                                                            " entries but tokenizer.ggml.tokens has " +
                                                            std::to_string(v.tokens.size()));
        }
        for (size_t i = 0; i < a.items.size(); ++i) {
            auto t = a.items[i].as_int();
            if (!t || a.items[i].type == gguf_value_type::float32 || a.items[i].type == gguf_value_type::float64) {
                return kv.fail("tokenizer.ggml.token_type", "expected integers");
            }
            if (*t < 0 || *t > 6) {
                return kv.fail("tokenizer.ggml.token_type",
                               "token " + std::to_string(i) + " has unknown type " + std::to_string(*t));
            }
            v.kinds[i] = static_cast<token_kind>(*t);
            if (v.kinds[i] == token_kind::byte && parse_byte_token(v.tokens[i]) < 0) {
                return kv.fail("tokenizer.ggml.token_type", "token " + std::to_string(i) + " '" + v.tokens[i] +
                                                                "' is typed as a byte token but is not of the form <0xHH>");
            }
        }
    }

    auto scores = kv.array("tokenizer.ggml.scores", false);
    if (!scores.ok()) return scores.err();
    if (*scores) {
        const gguf_array& a = **scores;
        if (a.element_type != gguf_value_type::float32 && a.element_type != gguf_value_type::float64) {
            return kv.fail("tokenizer.ggml.scores", std::string("expected an array of f32, found an array of ") +
                                                        gguf_value_type_name(a.element_type));
        }
        if (a.items.size() != v.tokens.size()) {
            return kv.fail("tokenizer.ggml.scores", "has " + std::to_string(a.items.size()) +
                                                        " entries but tokenizer.ggml.tokens has " +
                                                        std::to_string(v.tokens.size()));
        }
        v.scores.reserve(a.items.size());
        for (const auto& s : a.items) v.scores.push_back(static_cast<float>(s.as_float().value_or(0.0)));
    } else if (v.model == vocab_model::spm) {
        return kv.fail("tokenizer.ggml.scores", "missing (a SentencePiece vocabulary merges by score)");
    }

    auto merges = kv.array("tokenizer.ggml.merges", false);
    if (!merges.ok()) return merges.err();
    if (*merges) {
        const gguf_array& a = **merges;
        if (a.element_type != gguf_value_type::string) {
            return kv.fail("tokenizer.ggml.merges", std::string("expected an array of strings, found an array of ") +
                                                        gguf_value_type_name(a.element_type));
        }
        v.merges.reserve(a.items.size());
        for (size_t i = 0; i < a.items.size(); ++i) {
            const std::string* s = a.items[i].as_string();
            if (!s) return kv.fail("tokenizer.ggml.merges", "holds a value that is not a string");
            const size_t sp = s->find(' ', 1);
            if (sp == std::string::npos || sp + 1 >= s->size()) {
                return kv.fail("tokenizer.ggml.merges",
                               "merge " + std::to_string(i) + " '" + *s + "' is not of the form 'left right'");
            }
            v.merges.push_back(*s);
        }
    } else if (v.model == vocab_model::bpe) {
        return kv.fail("tokenizer.ggml.merges", "missing (a byte-level BPE vocabulary needs its merges)");
    }

    special_tokens& sp = v.specials;
    HOLO_TRY(kv.id("tokenizer.ggml.bos_token_id", n_vocab, sp.bos));
    HOLO_TRY(kv.id("tokenizer.ggml.eos_token_id", n_vocab, sp.eos));
    HOLO_TRY(kv.id("tokenizer.ggml.eot_token_id", n_vocab, sp.eot));
    HOLO_TRY(kv.id("tokenizer.ggml.padding_token_id", n_vocab, sp.pad));
    HOLO_TRY(kv.id("tokenizer.ggml.unknown_token_id", n_vocab, sp.unk));

    // Defaults follow the model family (SentencePiece vocabularies start with BOS).
    sp.add_bos = v.model == vocab_model::spm && sp.bos >= 0;
    v.add_space_prefix = v.model == vocab_model::spm;
    auto add_bos = kv.boolean("tokenizer.ggml.add_bos_token");
    if (!add_bos.ok()) return add_bos.err();
    if (add_bos->has_value()) sp.add_bos = **add_bos;
    auto add_eos = kv.boolean("tokenizer.ggml.add_eos_token");
    if (!add_eos.ok()) return add_eos.err();
    if (add_eos->has_value()) sp.add_eos = **add_eos;
    auto add_space = kv.boolean("tokenizer.ggml.add_space_prefix");
    if (!add_space.ok()) return add_space.err();
    if (add_space->has_value()) v.add_space_prefix = **add_space;

    if (sp.add_bos && sp.bos < 0) {
        return kv.fail("tokenizer.ggml.add_bos_token", "is true but tokenizer.ggml.bos_token_id is missing");
    }
    if (sp.add_eos && sp.eos < 0) {
        return kv.fail("tokenizer.ggml.add_eos_token", "is true but tokenizer.ggml.eos_token_id is missing");
    }
    return v;
}

}  // namespace holo
