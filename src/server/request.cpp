#include "server/request.h"

#include <cmath>
#include <cstdlib>

#include "server/request_structured.h"

namespace holo::server {
namespace {

using json = nlohmann::json;

std::string type_name(const json& v) { return v.type_name(); }

// A number in [lo, hi]; absent or null → nullopt.
result<std::optional<double>> get_number(const json& o, const char* key, double lo, double hi) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::optional<double>{};
    if (!it->is_number()) return error{std::string("'") + key + "' must be a number, not " + type_name(*it)};
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < lo || v > hi) {
        return error{std::string("'") + key + "' is " + it->dump() + "; it must be between " + json(lo).dump() +
                     " and " + json(hi).dump()};
    }
    return std::optional<double>{v};
}

// An integer in [lo, hi] (a float with no fraction counts).
result<std::optional<int64_t>> get_int(const json& o, const char* key, int64_t lo, int64_t hi) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::optional<int64_t>{};
    int64_t v = 0;
    if (it->is_number_integer()) {
        if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX)) {
            return error{std::string("'") + key + "' is " + it->dump() + "; it must be between " +
                         std::to_string(lo) + " and " + std::to_string(hi)};
        }
        v = it->get<int64_t>();
    } else if (it->is_number_float()) {
        const double d = it->get<double>();
        if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9e15) {
            return error{std::string("'") + key + "' must be an integer, not " + it->dump()};
        }
        v = int64_t(d);
    } else {
        return error{std::string("'") + key + "' must be an integer, not " + type_name(*it)};
    }
    if (v < lo || v > hi) {
        return error{std::string("'") + key + "' is " + std::to_string(v) + "; it must be between " +
                     std::to_string(lo) + " and " + std::to_string(hi)};
    }
    return std::optional<int64_t>{v};
}

result<std::optional<bool>> get_bool(const json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::optional<bool>{};
    if (!it->is_boolean()) return error{std::string("'") + key + "' must be true or false, not " + type_name(*it)};
    return std::optional<bool>{it->get<bool>()};
}

result<std::optional<std::string>> get_string(const json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::optional<std::string>{};
    if (!it->is_string()) return error{std::string("'") + key + "' must be a string, not " + type_name(*it)};
    return std::optional<std::string>{it->get<std::string>()};
}

#define HOLO_GET(var, expr)                          \
    auto var##_r = (expr);                           \
    if (!var##_r.ok()) return var##_r.err();         \
    auto var = std::move(var##_r.value())

result<std::vector<std::string>> parse_stop(const json& v) {
    std::vector<std::string> out;
    if (v.is_null()) return out;
    if (v.is_string()) {
        out.push_back(v.get<std::string>());
    } else if (v.is_array()) {
        if (v.size() > k_max_stop_strings) {
            return error{"'stop' has " + std::to_string(v.size()) + " entries; at most " +
                         std::to_string(k_max_stop_strings) + " are allowed"};
        }
        for (const auto& s : v) {
            if (!s.is_string()) return error{"'stop' entries must be strings, not " + type_name(s)};
            out.push_back(s.get<std::string>());
        }
    } else {
        return error{"'stop' must be a string or an array of strings, not " + type_name(v)};
    }
    for (const auto& s : out) {
        if (s.empty()) return error{"'stop' strings must not be empty"};
        if (s.size() > k_max_stop_bytes) {
            return error{"a 'stop' string is " + std::to_string(s.size()) + " bytes; at most " +
                         std::to_string(k_max_stop_bytes) + " are allowed"};
        }
    }
    return out;
}

// Message content: a string, null, or OpenAI's array of {type:"text", text} parts.
result<std::string> message_content(const json& c) {
    if (c.is_null()) return std::string();
    if (c.is_string()) return c.get<std::string>();
    if (c.is_array()) {
        std::string text;
        for (const auto& part : c) {
            if (!part.is_object()) return error{"message content parts must be objects"};
            auto t = part.find("type");
            if (t == part.end() || !t->is_string()) return error{"a message content part needs a string 'type'"};
            if (*t != "text") return error{"message content parts of type " + t->dump() + " are not supported (text only)"};
            auto tx = part.find("text");
            if (tx == part.end() || !tx->is_string()) return error{"a text content part needs a string 'text'"};
            text += tx->get<std::string>();
        }
        return text;
    }
    return error{"message 'content' must be a string, an array of text parts or null, not " + type_name(c)};
}

result<json> parse_messages(const json& body) {
    auto it = body.find("messages");
    if (it == body.end() || it->is_null()) return error{"'messages' is required"};
    if (!it->is_array()) return error{"'messages' must be an array, not " + type_name(*it)};
    if (it->empty()) return error{"'messages' must not be empty"};
    if (it->size() > k_max_messages) {
        return error{"'messages' has " + std::to_string(it->size()) + " entries; at most " +
                     std::to_string(k_max_messages) + " are allowed"};
    }
    json out = json::array();
    for (const auto& m : *it) {
        if (!m.is_object()) return error{"each message must be an object, not " + type_name(m)};
        auto role = m.find("role");
        if (role == m.end() || !role->is_string()) return error{"each message needs a string 'role'"};
        const std::string r = role->get<std::string>();
        if (r != "system" && r != "user" && r != "assistant" && r != "tool" && r != "developer") {
            return error{"message role \"" + r + "\" is not one of system, user, assistant, tool"};
        }
        json msg = {{"role", r == "developer" ? "system" : r}, {"content", ""}};
        if (auto c = m.find("content"); c != m.end()) {
            HOLO_GET(text, message_content(*c));
            msg["content"] = std::move(text);
        }
        if (auto img = m.find("images"); img != m.end() && !img->is_null() && !(img->is_array() && img->empty())) {
            return error{"images are not supported (text-only models)"};
        }
        if (auto tc = m.find("tool_calls"); tc != m.end() && !tc->is_null() && !(tc->is_array() && tc->empty())) {
            if (r != "assistant") return error{"only assistant messages carry 'tool_calls'"};
            HOLO_GET(calls, parse_message_tool_calls(*tc));
            msg["tool_calls"] = std::move(calls);
            // A turn that only calls tools has no content: none, as templates expect.
            if (auto c = m.find("content"); c == m.end() || c->is_null()) msg["content"] = nullptr;
        }
        for (const char* key : {"tool_call_id", "name"}) {
            if (auto f = m.find(key); f != m.end() && !f->is_null()) {
                if (!f->is_string()) return error{std::string("a message's '") + key + "' must be a string"};
                msg[key] = *f;
            }
        }
        out.push_back(std::move(msg));
    }
    return out;
}

result<void> reject_unsupported_openai(const json& body) {
    if (auto it = body.find("n"); it != body.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() != 1) return error{"'n' must be 1 (one choice per request)"};
    }
    if (auto it = body.find("parallel_tool_calls"); it != body.end() && !it->is_null() && !it->is_boolean()) {
        return error{"'parallel_tool_calls' must be true or false"};
    }
    if (auto it = body.find("logprobs"); it != body.end() && it->is_boolean() && it->get<bool>()) {
        return error{"'logprobs' is not supported"};
    }
    return ok();
}

result<void> parse_openai_common(const json& body, const nlohmann::ordered_json* ordered, gen_request& r) {
    HOLO_TRY(reject_unsupported_openai(body));
    HOLO_GET(constraint, parse_response_format(ordered_field(body, ordered, "response_format")));
    r.constraint = std::move(constraint);
    HOLO_GET(model, get_string(body, "model"));
    if (!model || model->empty()) return error{"'model' is required"};
    r.model = *model;
    HOLO_GET(temp, get_number(body, "temperature", 0.0, 2.0));
    r.sampling.temperature = temp ? float(*temp) : 1.0f;
    HOLO_GET(top_p, get_number(body, "top_p", 0.0, 1.0));
    r.sampling.top_p = top_p ? float(*top_p) : 1.0f;
    // OpenAI has no top_k / min_p: off unless the client sends ours.
    HOLO_GET(top_k, get_int(body, "top_k", 0, k_max_tokens_limit));
    r.sampling.top_k = top_k ? int32_t(*top_k) : 0;
    HOLO_GET(min_p, get_number(body, "min_p", 0.0, 1.0));
    r.sampling.min_p = min_p ? float(*min_p) : 0.0f;
    HOLO_GET(pres, get_number(body, "presence_penalty", -2.0, 2.0));
    r.sampling.presence_penalty = pres ? float(*pres) : 0.0f;
    HOLO_GET(freq, get_number(body, "frequency_penalty", -2.0, 2.0));
    r.sampling.frequency_penalty = freq ? float(*freq) : 0.0f;
    r.sampling.repeat_penalty = 1.0f;
    HOLO_GET(seed, get_int(body, "seed", INT64_MIN, INT64_MAX));
    if (seed) {
        r.seed_given = true;
        r.sampling.seed = uint64_t(*seed);
    }
    HOLO_GET(max_tokens, get_int(body, "max_tokens", 1, k_max_tokens_limit));
    HOLO_GET(max_completion, get_int(body, "max_completion_tokens", 1, k_max_tokens_limit));
    r.max_tokens = max_completion ? *max_completion : max_tokens ? *max_tokens : -1;
    if (auto it = body.find("stop"); it != body.end()) {
        HOLO_GET(stop, parse_stop(*it));
        r.stop = std::move(stop);
    }
    HOLO_GET(stream, get_bool(body, "stream"));
    r.stream = stream.value_or(false);
    if (auto it = body.find("stream_options"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) return error{"'stream_options' must be an object"};
        HOLO_GET(usage, get_bool(*it, "include_usage"));
        r.include_usage = usage.value_or(false);
    }
    if (auto it = body.find("logit_bias"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) return error{"'logit_bias' must be an object of token id → bias"};
        if (it->size() > 1024) return error{"'logit_bias' has more than 1024 entries"};
        for (auto kv = it->begin(); kv != it->end(); ++kv) {
            const std::string& key = kv.key();
            char* end = nullptr;
            const long long id = std::strtoll(key.c_str(), &end, 10);
            if (key.empty() || *end != '\0' || id < 0 || id > INT32_MAX) {
                return error{"'logit_bias' key \"" + key + "\" is not a token id"};
            }
            if (!kv.value().is_number()) return error{"'logit_bias' values must be numbers"};
            const double b = kv.value().get<double>();
            if (!std::isfinite(b) || b < -100 || b > 100) {
                return error{"'logit_bias' value for token " + key + " must be between -100 and 100"};
            }
            r.logit_bias.emplace_back(int32_t(id), float(b));
        }
    }
    return ok();
}

result<void> parse_ollama_common(const json& body, const nlohmann::ordered_json* ordered, gen_request& r) {
    HOLO_GET(model, get_string(body, "model"));
    if (!model || model->empty()) return error{"model is required"};
    r.model = *model;
    HOLO_GET(stream, get_bool(body, "stream"));
    r.stream = stream.value_or(true);  // Ollama streams unless told not to
    HOLO_GET(constraint, parse_ollama_format(ordered_field(body, ordered, "format")));
    r.constraint = std::move(constraint);
    HOLO_GET(tools, parse_tools(ordered_field(body, ordered, "tools")));
    r.tools = std::move(tools);
    if (auto it = body.find("images"); it != body.end() && !it->is_null() && !(it->is_array() && it->empty())) {
        return error{"images are not supported (text-only models)"};
    }
    if (auto it = body.find("keep_alive"); it != body.end() && !it->is_null()) {
        HOLO_GET(ka, parse_keep_alive(*it));
        r.keep_alive_s = ka;
    }
    // Ollama's defaults (its runner's): temperature 0.8, top_k 40, top_p 0.9, repeat_penalty 1.1.
    r.sampling.temperature = 0.8f;
    r.sampling.top_k = 40;
    r.sampling.top_p = 0.9f;
    r.sampling.min_p = 0.0f;
    r.sampling.repeat_penalty = 1.1f;
    r.max_tokens = -1;
    auto it = body.find("options");
    if (it == body.end() || it->is_null()) return ok();
    if (!it->is_object()) return error{"options must be an object, not " + type_name(*it)};
    const json& o = *it;
    HOLO_GET(num_ctx, get_int(o, "num_ctx", 1, k_max_tokens_limit));
    if (num_ctx) r.num_ctx = *num_ctx;
    HOLO_GET(num_predict, get_int(o, "num_predict", -2, k_max_tokens_limit));
    if (num_predict) r.max_tokens = *num_predict < 0 ? -1 : *num_predict;
    HOLO_GET(temp, get_number(o, "temperature", 0.0, 100.0));
    if (temp) r.sampling.temperature = float(*temp);
    HOLO_GET(top_k, get_int(o, "top_k", 0, k_max_tokens_limit));
    if (top_k) r.sampling.top_k = int32_t(*top_k);
    HOLO_GET(top_p, get_number(o, "top_p", 0.0, 1.0));
    if (top_p) r.sampling.top_p = float(*top_p);
    HOLO_GET(min_p, get_number(o, "min_p", 0.0, 1.0));
    if (min_p) r.sampling.min_p = float(*min_p);
    HOLO_GET(rp, get_number(o, "repeat_penalty", 0.0, 10.0));
    if (rp) {
        if (*rp <= 0) return error{"repeat_penalty must be greater than 0 (1 turns it off)"};
        r.sampling.repeat_penalty = float(*rp);
    }
    HOLO_GET(rln, get_int(o, "repeat_last_n", -1, k_max_tokens_limit));
    if (rln) r.sampling.penalty_last_n = int32_t(*rln < 0 ? 4096 : *rln);
    HOLO_GET(pres, get_number(o, "presence_penalty", -2.0, 2.0));
    if (pres) r.sampling.presence_penalty = float(*pres);
    HOLO_GET(freq, get_number(o, "frequency_penalty", -2.0, 2.0));
    if (freq) r.sampling.frequency_penalty = float(*freq);
    HOLO_GET(seed, get_int(o, "seed", INT64_MIN, INT64_MAX));
    if (seed && *seed >= 0) {
        r.seed_given = true;
        r.sampling.seed = uint64_t(*seed);
    }
    HOLO_GET(num_thread, get_int(o, "num_thread", 0, 1024));
    (void)num_thread;  // threads are fixed per slot at startup (--threads)
    if (auto s = o.find("stop"); s != o.end()) {
        HOLO_GET(stop, parse_stop(*s));
        r.stop = std::move(stop);
    }
    return ok();
}

}  // namespace

result<double> parse_keep_alive(const json& v) {
    if (v.is_number()) {
        const double d = v.get<double>();
        if (!std::isfinite(d) || d > 1e9) return error{"keep_alive must be a finite number of seconds"};
        return d;
    }
    if (!v.is_string()) return error{"keep_alive must be a number of seconds or a duration like \"5m\""};
    const std::string s = v.get<std::string>();
    if (s.empty() || s.size() > 32) return error{"keep_alive \"" + s + "\" is not a duration like \"5m\""};
    size_t pos = 0;
    bool negative = false;
    if (s[0] == '-') {
        negative = true;
        pos = 1;
    }
    double total = 0;
    bool any = false;
    while (pos < s.size()) {
        size_t start = pos;
        while (pos < s.size() && ((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '.')) ++pos;
        if (start == pos) return error{"keep_alive \"" + s + "\" is not a duration like \"5m\""};
        const double n = std::strtod(s.substr(start, pos - start).c_str(), nullptr);
        double unit = 1;  // a bare number is seconds
        if (pos < s.size()) {
            if (s.compare(pos, 2, "ms") == 0) { unit = 0.001; pos += 2; }
            else if (s[pos] == 'h') { unit = 3600; ++pos; }
            else if (s[pos] == 'm') { unit = 60; ++pos; }
            else if (s[pos] == 's') { unit = 1; ++pos; }
            else return error{"keep_alive \"" + s + "\" has an unknown unit (use h, m, s, ms)"};
        }
        total += n * unit;
        any = true;
    }
    if (!any || total > 1e9) return error{"keep_alive \"" + s + "\" is not a duration like \"5m\""};
    return negative ? -1.0 : total;
}

result<gen_request> parse_openai_chat(const json& body, const nlohmann::ordered_json* ordered) {
    gen_request r;
    r.chat = true;
    HOLO_TRY(parse_openai_common(body, ordered, r));
    HOLO_GET(tools, parse_tools(ordered_field(body, ordered, "tools")));
    r.tools = std::move(tools);
    HOLO_GET(choice, parse_tool_choice(body.value("tool_choice", json()), r.tools));
    r.tool_choice = choice.choice;
    r.tool_name = choice.name;
    if (r.constraint && r.tools_active() && r.tool_choice != "auto") {
        return error{"'response_format' and a forced 'tool_choice' cannot be combined: the reply is the tool call"};
    }
    HOLO_GET(messages, parse_messages(body));
    r.messages = std::move(messages);
    return r;
}

result<gen_request> parse_openai_completion(const json& body, const nlohmann::ordered_json* ordered) {
    gen_request r;
    if (auto it = body.find("tools"); it != body.end() && !it->is_null()) return error{"'tools' belong to /v1/chat/completions"};
    HOLO_TRY(parse_openai_common(body, ordered, r));
    auto it = body.find("prompt");
    if (it == body.end() || it->is_null()) return error{"'prompt' is required"};
    if (it->is_string()) {
        r.prompt = it->get<std::string>();
    } else if (it->is_array() && it->size() == 1 && (*it)[0].is_string()) {
        r.prompt = (*it)[0].get<std::string>();
    } else {
        return error{"'prompt' must be a string (or an array of one string)"};
    }
    if (r.max_tokens < 0) r.max_tokens = 16;  // OpenAI's default for completions
    return r;
}

result<gen_request> parse_ollama_chat(const json& body, const nlohmann::ordered_json* ordered) {
    gen_request r;
    r.chat = true;
    HOLO_TRY(parse_ollama_common(body, ordered, r));
    HOLO_GET(messages, parse_messages(body));
    r.messages = std::move(messages);
    return r;
}

result<gen_request> parse_embed_request(const json& body, bool openai) {
    gen_request r;
    HOLO_GET(model, get_string(body, "model"));
    if (!model || model->empty()) return error{openai ? "'model' is required" : "model is required"};
    r.model = *model;
    auto it = body.find("input");
    if (it == body.end() || it->is_null()) it = body.find("prompt");
    if (it == body.end() || it->is_null()) return error{"'input' is required (a string or an array of strings)"};
    if (it->is_string()) {
        r.embed_inputs.push_back(it->get<std::string>());
    } else if (it->is_array()) {
        if (it->empty() || it->size() > 256) return error{"'input' must hold 1 to 256 strings"};
        for (const auto& s : *it) {
            if (!s.is_string()) return error{"'input' entries must be strings (token arrays are not supported)"};
            r.embed_inputs.push_back(s.get<std::string>());
        }
    } else {
        return error{"'input' must be a string or an array of strings, not " + type_name(*it)};
    }
    for (const auto& s : r.embed_inputs) {
        if (s.empty()) return error{"'input' strings must not be empty"};
    }
    if (auto ka = body.find("keep_alive"); ka != body.end() && !ka->is_null()) {
        HOLO_GET(k, parse_keep_alive(*ka));
        r.keep_alive_s = k;
    }
    return r;
}

result<gen_request> parse_ollama_generate(const json& body, const nlohmann::ordered_json* ordered) {
    gen_request r;
    HOLO_TRY(parse_ollama_common(body, ordered, r));
    if (r.tools.is_array()) return error{"tools belong to /api/chat"};
    HOLO_GET(prompt, get_string(body, "prompt"));
    r.prompt = prompt.value_or("");
    HOLO_GET(system, get_string(body, "system"));
    r.system = system.value_or("");
    HOLO_GET(raw, get_bool(body, "raw"));
    r.raw = raw.value_or(false);
    r.use_template = !r.raw;
    if (auto it = body.find("context"); it != body.end() && !it->is_null()) {
        return error{"'context' (token arrays from earlier replies) is not supported; send the text instead"};
    }
    return r;
}

}  // namespace holo::server
