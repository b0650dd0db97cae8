// OpenAI's API: /v1/chat/completions, /v1/completions (both with SSE streaming),
// /v1/models. Errors in OpenAI's {"error": {message, type, param, code}} shape.
#include <atomic>
#include <cstring>
#include <random>

#include "server/http_util.h"
#include "server/json_body.h"
#include "server/request.h"
#include "server/routes.h"
#include "server/tool_call_stream.h"

namespace holo::server {

namespace {

using json = nlohmann::json;

std::string make_id(const char* prefix) {
    static const char* digits = "0123456789abcdef";
    std::random_device rd;
    std::string id = prefix;
    for (int i = 0; i < 24; ++i) id += digits[rd() & 15];
    return id;
}

// Little-endian float32 bytes in base64, as OpenAI's encoding_format "base64".
std::string base64_floats(const std::vector<float>& v) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes(v.size() * 4, '\0');
    for (size_t i = 0; i < v.size(); ++i) {
        uint32_t u;
        std::memcpy(&u, &v[i], 4);
        for (int b = 0; b < 4; ++b) bytes[i * 4 + size_t(b)] = char((u >> (8 * b)) & 0xff);
    }
    std::string out;
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
        out += abc[(n >> 18) & 63]; out += abc[(n >> 12) & 63]; out += abc[(n >> 6) & 63]; out += abc[n & 63];
    }
    if (i < bytes.size()) {
        uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
        if (i + 1 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
        out += abc[(n >> 18) & 63];
        out += abc[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? abc[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

const char* finish_reason(const std::string& f) { return f == "length" ? "length" : "stop"; }

json tool_calls_json(const std::vector<tool_call>& calls) {
    json out = json::array();
    for (const tool_call& c : calls) {
        out.push_back({{"id", make_id("call_")}, {"type", "function"},
                       {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    }
    return out;
}

// The model's call format, as the engine reported it (hermes when unsaid).
tool_format format_of(const gen_stats& st) { return tool_format_from_name(st.tool_format).value_or(tool_format::hermes); }

json usage_json(const gen_stats& st) {
    return {{"prompt_tokens", st.n_prompt},
            {"completion_tokens", st.n_gen},
            {"total_tokens", st.n_prompt + st.n_gen},
            {"prompt_tokens_details", {{"cached_tokens", st.n_cached}}}};
}

std::string sse(const json& j) { return "data: " + to_json_text(j) + "\n\n"; }

// tools: the reply may hold tool calls, parsed out of the text. Streams send each
// call as delta.tool_calls while it is written: id, name and the first piece of the
// arguments, then the rest of the arguments piece by piece.
std::shared_ptr<generation_format> openai_format(bool chat, const std::string& model, bool include_usage, bool tools) {
    auto f = std::make_shared<generation_format>();
    const std::string id = make_id(chat ? "chatcmpl-" : "cmpl-");
    const int64_t created = unix_now();
    const char* object = chat ? "chat.completion.chunk" : "text_completion";
    auto first = std::make_shared<bool>(true);
    auto calls = tools ? std::make_shared<tool_call_stream>() : nullptr;
    f->content_type = "text/event-stream";
    auto chunk_of = [=](json choice) {
        return sse({{"id", id}, {"object", object}, {"created", created}, {"model", model},
                    {"system_fingerprint", "holobiont"}, {"choices", json::array({std::move(choice)})}});
    };
    auto content_chunk = [=](const std::string& text) {
        json choice = {{"index", 0}, {"finish_reason", nullptr}, {"logprobs", nullptr}};
        if (chat) {
            choice["delta"] = *first ? json{{"role", "assistant"}, {"content", text}} : json{{"content", text}};
        } else {
            choice["text"] = text;
        }
        *first = false;
        return chunk_of(std::move(choice));
    };
    auto piece_chunks = [=](const stream_piece& p) {
        std::string out;
        if (!p.content.empty()) out += content_chunk(p.content);
        if (p.calls.empty()) return out;
        json deltas = json::array();
        for (const tool_call_delta& d : p.calls) {
            json c = {{"index", d.index}, {"function", {{"arguments", d.arguments}}}};
            if (!d.name.empty()) {  // the call's first piece
                c["id"] = make_id("call_");
                c["type"] = "function";
                c["function"]["name"] = d.name;
            }
            deltas.push_back(std::move(c));
        }
        json delta = {{"tool_calls", std::move(deltas)}};
        if (*first) delta["role"] = "assistant";
        *first = false;
        return out + chunk_of({{"index", 0}, {"finish_reason", nullptr}, {"logprobs", nullptr}, {"delta", delta}});
    };
    if (calls) f->started = [=](const gen_stats& st) { calls->set_format(format_of(st)); };
    f->chunk = [=](const std::string& text) { return calls ? piece_chunks(calls->push(text)) : content_chunk(text); };
    f->stream_end = [=](const gen_stats& st) {
        std::string out;
        const char* reason = finish_reason(st.finish);
        if (calls) {
            out += piece_chunks(calls->finish());
            // A call cut off by the token limit ends for "length", as OpenAI's do.
            if (!calls->calls().empty() && !calls->call_unfinished()) reason = "tool_calls";
        }
        json choice = {{"index", 0}, {"finish_reason", reason}, {"logprobs", nullptr}};
        if (chat) {
            choice["delta"] = *first ? json{{"role", "assistant"}, {"content", ""}} : json::object();
        } else {
            choice["text"] = "";
        }
        out += chunk_of(std::move(choice));
        if (include_usage) {
            out += sse({{"id", id}, {"object", object}, {"created", created}, {"model", model},
                        {"system_fingerprint", "holobiont"}, {"choices", json::array()}, {"usage", usage_json(st)}});
        }
        return out + "data: [DONE]\n\n";
    };
    f->stream_error = [](const std::string& msg) {
        return sse({{"error", {{"message", msg}, {"type", "server_error"}, {"param", nullptr}, {"code", nullptr}}}}) +
               "data: [DONE]\n\n";
    };
    f->whole = [=](const std::string& text, const gen_stats& st) {
        json choice = {{"index", 0}, {"finish_reason", finish_reason(st.finish)}, {"logprobs", nullptr}};
        if (chat && tools) {
            parsed_reply r = parse_tool_calls(format_of(st), text);
            choice["message"] = {{"role", "assistant"}, {"content", r.calls.empty() || !r.content.empty() ? json(r.content) : json(nullptr)}};
            if (!r.calls.empty()) {
                choice["message"]["tool_calls"] = tool_calls_json(r.calls);
                choice["finish_reason"] = "tool_calls";
            }
        } else if (chat) {
            choice["message"] = {{"role", "assistant"}, {"content", text}};
        } else {
            choice["text"] = text;
        }
        return json{{"id", id},
                    {"object", chat ? "chat.completion" : "text_completion"},
                    {"created", created},
                    {"model", model},
                    {"system_fingerprint", "holobiont"},
                    {"choices", json::array({choice})},
                    {"usage", usage_json(st)}};
    };
    return f;
}

void handle_generation(server_context& ctx, const httplib::Request& req, httplib::Response& res, bool chat) {
    json body;
    if (!parse_body(req, res, api_style::openai, body)) return;
    // Schemas generate properties in the order the client wrote them: parse again keeping it.
    nlohmann::ordered_json ordered;
    if (body.contains("response_format") || body.contains("tools")) ordered = nlohmann::ordered_json::parse(req.body, nullptr, false);
    auto r = chat ? parse_openai_chat(body, &ordered) : parse_openai_completion(body, &ordered);
    if (!r.ok()) return send_error(res, api_style::openai, 400, r.message());
    if (ctx.route) ctx.route(r.value(), req, res);
    int status = 400;
    auto ref = ctx.resolve(r->model, &status);
    if (!ref.ok()) return send_error(res, api_style::openai, status, ref.message());
    const bool stream = r->stream;
    auto fmt = openai_format(chat, r->model, r->include_usage, r->tools_active());
    auto ch = ctx.eng.submit(std::move(r.value()), ref.value());
    if (!ch.ok()) return send_error(res, api_style::openai, 503, ch.message());
    run_generation(ctx, req, res, api_style::openai, ch.value(), stream, fmt);
}

}  // namespace

void register_openai_routes(httplib::Server& svr, server_context& ctx) {
    svr.Post("/v1/chat/completions", guarded(ctx, [&ctx](const httplib::Request& req, httplib::Response& res) {
        handle_generation(ctx, req, res, true);
    }));
    svr.Post("/v1/completions", guarded(ctx, [&ctx](const httplib::Request& req, httplib::Response& res) {
        handle_generation(ctx, req, res, false);
    }));
    svr.Get("/v1/models", guarded(ctx, [&ctx](const httplib::Request&, httplib::Response& res) {
        json data = json::array();
        for (const auto& m : ctx.all_models()) {
            data.push_back({{"id", m.name}, {"object", "model"}, {"created", ctx.started_unix}, {"owned_by", "holobiont"}});
        }
        send_json(res, 200, {{"object", "list"}, {"data", data}});
    }));
    svr.Post("/v1/embeddings", guarded(ctx, [&ctx](const httplib::Request& req, httplib::Response& res) {
        json body;
        if (!parse_body(req, res, api_style::openai, body)) return;
        std::string format = "float";
        if (auto it = body.find("encoding_format"); it != body.end() && !it->is_null()) {
            if (!it->is_string() || (*it != "float" && *it != "base64")) {
                return send_error(res, api_style::openai, 400, "'encoding_format' must be \"float\" or \"base64\"");
            }
            format = it->get<std::string>();
        }
        if (auto it = body.find("dimensions"); it != body.end() && !it->is_null()) {
            return send_error(res, api_style::openai, 400, "'dimensions' is not supported (the model's width is used)");
        }
        auto r = parse_embed_request(body, true);
        if (!r.ok()) return send_error(res, api_style::openai, 400, r.message());
        int status = 400;
        auto ref = ctx.resolve(r->model, &status);
        if (!ref.ok()) return send_error(res, api_style::openai, status, ref.message());
        const std::string model = r->model;
        auto ch = ctx.eng.submit(std::move(r.value()), ref.value());
        if (!ch.ok()) return send_error(res, api_style::openai, 503, ch.message());
        task_event done;
        if (!wait_done(ch.value(), res, api_style::openai, done)) return;
        json data = json::array();
        for (size_t i = 0; i < done.embeddings.size(); ++i) {
            const auto& e = done.embeddings[i];
            json item = {{"object", "embedding"}, {"index", i}};
            if (format == "base64") {
                item["embedding"] = base64_floats(e);
            } else {
                item["embedding"] = e;
            }
            data.push_back(std::move(item));
        }
        send_json(res, 200, {{"object", "list"}, {"data", data}, {"model", model},
                             {"usage", {{"prompt_tokens", done.stats.n_prompt}, {"total_tokens", done.stats.n_prompt}}}});
    }));
}

}  // namespace holo::server
