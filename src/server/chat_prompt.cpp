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

// Every string in v (keys too) encodes the same with and without special-token
// parsing: it cannot smuggle <|im_end|> and friends into the template's text.
template <class J>
result<void> no_special_text(const tokenizer& tok, const J& v, const char* what) {
    auto check = [&](const std::string& s) -> result<void> {
        if (tok.encode(s, false, true) != tok.encode(s, false, false)) {
            return error{std::string(what) + " contains the text of a special token: \"" + s.substr(0, 80) + "\""};
        }
        return ok();
    };
    if (v.is_string()) return check(v.template get<std::string>());
    if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            HOLO_TRY(check(it.key()));
            HOLO_TRY(no_special_text(tok, it.value(), what));
        }
    } else if (v.is_array()) {
        for (const auto& x : v) HOLO_TRY(no_special_text(tok, x, what));
    }
    return ok();
}

// The tools and the call format, for templates that do not present tools themselves.
std::string describe_tools(const nlohmann::ordered_json& tools) {
    // Short: every byte of it is prompt the model reads each turn.
    std::string s = "# Tools\nFunctions you may call:\n<tools>\n";
    for (const auto& t : tools) s += t.dump() + "\n";
    s += "</tools>\nTo call one, reply with <tool_call>\n{\"name\": <name>, \"arguments\": {<arguments>}}\n</tool_call>";
    return s;
}

std::string calls_as_text(const nlohmann::json& calls) {
    std::string s;
    for (const auto& c : calls) {
        nlohmann::ordered_json j = {{"name", c["function"]["name"]}, {"arguments", c["function"]["arguments"]}};
        s += (s.empty() ? "" : "\n") + std::string("<tool_call>\n") + j.dump() + "\n</tool_call>";
    }
    return s;
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
                                               const nlohmann::json& messages, const nlohmann::ordered_json& tools) {
    HOLO_ASSERT(pb.tmpl.has_value(), "prompt_builder without a template");
    const std::string& src = pb.tmpl->source();
    const bool knows_tools = src.find("tools") != std::string::npos;
    const bool knows_calls = src.find("tool_calls") != std::string::npos;
    const bool knows_tool_role = src.find("'tool'") != std::string::npos || src.find("\"tool\"") != std::string::npos;
    const bool has_tools = tools.is_array() && !tools.empty();
    if (has_tools && knows_tools) HOLO_TRY(no_special_text(tok, tools, "a tool definition"));

    nlohmann::ordered_json msgs = nlohmann::ordered_json::array();
    std::vector<std::string> contents;
    auto add = [&](const std::string& role, const nlohmann::json* content, nlohmann::ordered_json extra) {
        nlohmann::ordered_json m = {{"role", role}};
        if (content) {
            contents.push_back(content->get<std::string>());
            m["content"] = marker(contents.size() - 1);
        } else {
            m["content"] = nullptr;
        }
        for (auto it = extra.begin(); it != extra.end(); ++it) m[it.key()] = it.value();
        msgs.push_back(std::move(m));
    };
    if (has_tools && !knows_tools) {
        // Into the system turn (first message), or one of its own.
        const bool first_is_system = !messages.empty() && messages[0].value("role", "") == "system";
        std::string sys = describe_tools(tools);
        if (first_is_system && messages[0]["content"].is_string()) sys = messages[0]["content"].get<std::string>() + "\n\n" + sys;
        const nlohmann::json sys_json = sys;
        add("system", &sys_json, nlohmann::ordered_json::object());
    }
    for (size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        std::string role = m.value("role", std::string("user"));
        if (i == 0 && role == "system" && has_tools && !knows_tools) continue;  // merged above
        nlohmann::json content = m.contains("content") ? m["content"] : nlohmann::json("");
        nlohmann::ordered_json extra = nlohmann::ordered_json::object();
        if (auto tc = m.find("tool_calls"); tc != m.end()) {
            if (knows_calls) {
                HOLO_TRY(no_special_text(tok, *tc, "a tool call"));
                extra["tool_calls"] = nlohmann::ordered_json::parse(tc->dump());
            } else {
                const std::string text = (content.is_string() ? content.get<std::string>() + "\n" : std::string()) + calls_as_text(*tc);
                content = text;
            }
        }
        if (role == "tool" && !knows_tool_role) {
            role = "user";
            content = "<tool_response>\n" + (content.is_string() ? content.get<std::string>() : std::string()) + "\n</tool_response>";
        } else {
            for (const char* key : {"tool_call_id", "name"}) {
                if (!m.contains(key)) continue;
                HOLO_TRY(no_special_text(tok, m[key], "a message's tool_call_id or name"));
                extra[key] = m[key];
            }
        }
        add(role, content.is_string() ? &content : nullptr, std::move(extra));
    }
    render_options ro;
    if (has_tools && knows_tools) ro.tools = tools;
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
