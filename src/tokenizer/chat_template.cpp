// chat_template: the boundary where engine exceptions become error values.
#include "tokenizer/chat_template.h"

#include "tokenizer/jinja/lexer.h"

namespace holo {

namespace {

error describe(std::string_view source, const jinja::jinja_error& e, const char* stage) {
    std::string where = jinja::describe_position(source, e.pos);
    return error{std::string("chat template ") + stage + " error" + (where.empty() ? "" : " at " + where) + ": " +
                 e.message};
}

}  // namespace

result<chat_template> chat_template::parse(std::string_view source, int max_nesting) {
    try {
        auto p = std::make_shared<impl>();
        p->source = std::string(source);
        p->tree = jinja::parse(p->source, max_nesting);
        chat_template t;
        t.impl_ = std::move(p);
        return t;
    } catch (const jinja::jinja_error& e) {
        return describe(source, e, "syntax");
    }
}

const std::string& chat_template::source() const {
    static const std::string empty;
    return impl_ ? impl_->source : empty;
}

result<chat_template> chat_template::builtin(std::string_view name) {
    auto src = builtin_template_source(name);
    if (!src) {
        std::string known;
        for (auto n : builtin_template_names()) known += (known.empty() ? "" : ", ") + std::string(n);
        return error{"unknown built-in chat template '" + std::string(name) + "' (known: " + known + ")"};
    }
    return parse(*src);
}

result<std::string> chat_template::render(const std::vector<chat_message>& messages, const render_options& opts) const {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (auto& m : messages) {
        nlohmann::ordered_json j = nlohmann::ordered_json::object();
        j["role"] = m.role;
        if (m.content) j["content"] = *m.content;
        else j["content"] = nullptr;
        if (m.extra.is_object())
            for (auto& [k, v] : m.extra.items()) j[k] = v;
        list.push_back(std::move(j));
    }
    return render_json(list, opts);
}

result<std::string> chat_template::render_json(const nlohmann::ordered_json& messages,
                                               const render_options& opts) const {
    if (!impl_) return error{"chat template: empty template (nothing was parsed)"};
    if (!messages.is_array()) return error{"chat template: messages must be a JSON array"};
    try {
        jinja::dict globals;
        if (opts.extra.is_object())
            for (auto& [k, v] : opts.extra.items()) globals.set(k, jinja::value::from_json(v));
        globals.set("messages", jinja::value::from_json(messages));
        globals.set("add_generation_prompt", jinja::value::boolean(opts.add_generation_prompt));
        globals.set("bos_token", jinja::value::string(opts.bos_token));
        globals.set("eos_token", jinja::value::string(opts.eos_token));
        if (!opts.tools.is_null()) globals.set("tools", jinja::value::from_json(opts.tools));
        jinja::interpreter in(opts.limits);
        return in.render(impl_->tree, std::move(globals));
    } catch (const jinja::jinja_error& e) {
        return describe(impl_->source, e, "render");
    }
}

}  // namespace holo
