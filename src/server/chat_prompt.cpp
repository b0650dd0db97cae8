#include "server/chat_prompt.h"

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

namespace holo::server {
namespace {

// Stands in for a message's content while the template renders; control bytes
// that no template emits on its own and no tokenizer merges across.
std::string marker(size_t i) { return "\x02holo-content-" + std::to_string(i) + "\x03"; }

void append(std::vector<int32_t>& out, const std::vector<int32_t>& more) {
    out.insert(out.end(), more.begin(), more.end());
}

}  // namespace

result<prompt_builder> make_prompt_builder(const gguf_file& f, const tokenizer& tok) {
    prompt_builder pb;
    const auto& sp = tok.specials();
    if (sp.bos >= 0) pb.bos_text = tok.token_to_piece(sp.bos);
    if (sp.eos >= 0) pb.eos_text = tok.token_to_piece(sp.eos);
    auto src = f.get_string("tokenizer.chat_template");
    if (src.ok() && src.value()) {
        auto t = chat_template::parse(*src.value());
        if (t.ok()) {
            pb.tmpl = std::move(t.value());
            pb.template_name = "gguf";
            return pb;
        }
        // A template we cannot parse: fall back to a built-in rather than refuse the model.
    }
    auto arch = f.get_string("general.architecture");
    const std::string a = arch.ok() && arch.value() ? *arch.value() : "";
    const std::string_view name =
        pick_builtin_template(a, [&](std::string_view piece) { return tok.find_token(piece) >= 0; });
    auto t = chat_template::builtin(name);
    if (!t.ok()) return error{"chat template: " + t.message()};
    pb.tmpl = std::move(t.value());
    pb.template_name = std::string(name);
    return pb;
}

result<std::vector<int32_t>> build_chat_prompt(const prompt_builder& pb, const tokenizer& tok,
                                               const nlohmann::json& messages) {
    HOLO_ASSERT(pb.tmpl.has_value(), "prompt_builder without a template");
    nlohmann::ordered_json msgs = nlohmann::ordered_json::array();
    std::vector<std::string> contents;
    for (const auto& m : messages) {
        contents.push_back(m.value("content", std::string()));
        msgs.push_back({{"role", m.value("role", std::string("user"))}, {"content", marker(contents.size() - 1)}});
    }
    render_options ro;
    ro.add_generation_prompt = true;
    ro.bos_token = pb.bos_text;
    ro.eos_token = pb.eos_text;
    auto text = pb.tmpl->render_json(msgs, ro);
    if (!text.ok()) return error{"chat template: " + text.message()};
    const std::string& s = text.value();

    // Split at the markers: template text may name special tokens, contents may not.
    std::vector<int32_t> out;
    size_t pos = 0;
    bool first = true;
    auto encode_template = [&](std::string_view part) {
        if (part.empty() && !first) return;
        // BOS only once, and only when the template did not write it itself.
        const bool add_bos = first && tok.specials().add_bos &&
                             !(pb.bos_text.size() && part.substr(0, pb.bos_text.size()) == pb.bos_text);
        append(out, tok.encode(part, add_bos, true));
        first = false;
    };
    while (pos <= s.size()) {
        size_t best = std::string::npos, which = 0;
        for (size_t i = 0; i < contents.size(); ++i) {
            size_t at = s.find(marker(i), pos);
            if (at < best) {
                best = at;
                which = i;
            }
        }
        if (best == std::string::npos) {
            encode_template(std::string_view(s).substr(pos));
            break;
        }
        encode_template(std::string_view(s).substr(pos, best - pos));
        append(out, tok.encode(contents[which], false, false));
        pos = best + marker(which).size();
    }
    return out;
}

std::vector<int32_t> build_text_prompt(const tokenizer& tok, const std::string& text) {
    return tok.encode(text, true, false);
}

}  // namespace holo::server
