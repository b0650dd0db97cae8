// Ollama's API: /api/generate and /api/chat (NDJSON streaming, durations in
// nanoseconds), /api/tags, /api/show, /api/ps, /api/version, /api/delete,
// /api/pull (streamed progress). Errors as {"error": "..."}.
#include <thread>

#include "server/http_util.h"
#include "server/json_body.h"
#include "server/model_info.h"
#include "server/pull.h"
#include "server/request.h"
#include "server/routes.h"
#include "server/tool_call_stream.h"

namespace holo::server {

namespace {

using json = nlohmann::json;

int64_t ns(double s) { return int64_t(s * 1e9); }

const char* done_reason(const std::string& f) {
    if (f == "length") return "length";
    if (f == "load") return "load";
    if (f == "unload") return "unload";
    return "stop";
}

json final_fields(const gen_stats& st) {
    return {{"done", true},
            {"done_reason", done_reason(st.finish)},
            {"total_duration", ns(st.total_s)},
            {"load_duration", ns(st.load_s)},
            {"prompt_eval_count", st.n_prompt - st.n_cached},
            {"prompt_eval_duration", ns(st.prompt_s)},
            {"eval_count", st.n_gen},
            {"eval_duration", ns(st.gen_s)}};
}

// Ollama's message.tool_calls: [{function: {name, arguments: object}}].
json ollama_tool_calls(const std::vector<tool_call>& calls) {
    json out = json::array();
    for (const auto& c : calls) {
        json args = json::parse(c.arguments, nullptr, false);
        if (args.is_discarded()) args = c.arguments;
        out.push_back({{"function", {{"name", c.name}, {"arguments", args}}}});
    }
    return out;
}

tool_format format_of(const gen_stats& st) { return tool_format_from_name(st.tool_format).value_or(tool_format::hermes); }

// tools: calls are parsed out of the reply. Streams hold back what may be one and
// send the calls whole at the end (Ollama's clients expect whole calls).
std::shared_ptr<generation_format> ollama_format(bool chat, const std::string& model, bool tools) {
    auto f = std::make_shared<generation_format>();
    f->content_type = "application/x-ndjson";
    auto calls = tools ? std::make_shared<tool_call_stream>() : nullptr;
    auto piece = [=](const std::string& text) {
        json j = {{"model", model}, {"created_at", iso8601_now()}};
        if (chat) j["message"] = {{"role", "assistant"}, {"content", text}};
        else j["response"] = text;
        return j;
    };
    auto line = [=](const std::string& text) {
        json j = piece(text);
        j["done"] = false;
        return to_json_text(j) + "\n";
    };
    if (calls) f->started = [=](const gen_stats& st) { calls->set_format(format_of(st)); };
    f->chunk = [=](const std::string& text) {
        if (!calls) return line(text);
        const std::string now = calls->push(text).content;
        return now.empty() ? std::string() : line(now);
    };
    f->stream_end = [=](const gen_stats& st) {
        std::string out;
        if (calls) {
            const std::string rest = calls->finish().content;
            if (!rest.empty()) out += line(rest);
            if (!calls->calls().empty()) {
                json j = piece("");
                j["message"]["tool_calls"] = ollama_tool_calls(calls->calls());
                j["done"] = false;
                out += to_json_text(j) + "\n";
            }
        }
        json j = piece("");
        j.update(final_fields(st));
        return out + to_json_text(j) + "\n";
    };
    f->stream_error = [](const std::string& msg) { return to_json_text(json{{"error", msg}}) + "\n"; };
    f->whole = [=](const std::string& text, const gen_stats& st) {
        json j = piece(text);
        if (calls) {
            parsed_reply r = parse_tool_calls(format_of(st), text);
            j = piece(r.content);
            if (!r.calls.empty()) j["message"]["tool_calls"] = ollama_tool_calls(r.calls);
        }
        j.update(final_fields(st));
        return j;
    };
    return f;
}

void handle_generation(server_context& ctx, const httplib::Request& req, httplib::Response& res, bool chat) {
    json body;
    if (!parse_body(req, res, api_style::ollama, body)) return;
    // Schemas generate properties in the order the client wrote them: parse again keeping it.
    nlohmann::ordered_json ordered;
    if (body.contains("format") || body.contains("tools")) ordered = nlohmann::ordered_json::parse(req.body, nullptr, false);
    auto r = chat ? parse_ollama_chat(body, &ordered) : parse_ollama_generate(body, &ordered);
    if (!r.ok()) return send_error(res, api_style::ollama, 400, r.message());
    if (ctx.route) ctx.route(r.value(), req, res);
    int status = 400;
    auto ref = ctx.resolve(r->model, &status);
    if (!ref.ok()) return send_error(res, api_style::ollama, status, ref.message());
    // Ollama: an empty prompt (or no messages) loads the model; with keep_alive 0 it unloads.
    const bool load_only = chat ? false : r->prompt.empty() && r->system.empty();
    const bool stream = r->stream;
    auto fmt = ollama_format(chat, ref->name, chat && r->tools_active());
    auto ch = ctx.eng.submit(std::move(r.value()), ref.value(), load_only);
    if (!ch.ok()) return send_error(res, api_style::ollama, 503, ch.message());
    run_generation(ctx, req, res, api_style::ollama, ch.value(), stream, fmt);
}

std::string request_model_name(const json& body) {
    // Ollama's clients send "model"; older ones "name".
    for (const char* key : {"model", "name"}) {
        auto it = body.find(key);
        if (it != body.end() && it->is_string()) return it->get<std::string>();
    }
    return {};
}

json tag_entry(const model_ref& m) {
    json j = {{"name", m.name}, {"model", m.name}, {"size", m.size}, {"digest", m.digest.size() > 7 ? m.digest.substr(7) : ""}};
    auto d = read_model_details(m.path);
    if (d.ok()) j["details"] = details_json(d.value());
    std::error_code ec;
    j["modified_at"] = iso8601(unix_now());
    return j;
}

void handle_pull(server_context& ctx, const httplib::Request& req, httplib::Response& res) {
    json body;
    if (!parse_body(req, res, api_style::ollama, body)) return;
    const std::string source = request_model_name(body);
    if (source.empty()) return send_error(res, api_style::ollama, 400, "model is required (an http:// or https:// URL of a GGUF file)");
    if (!is_url(source)) {
        return send_error(res, api_style::ollama, 400,
                          "pull takes an http:// or https:// URL of a GGUF file here (no registry is configured); "
                          "local files are added with `holo pull PATH` on the server");
    }
    bool stream = true;
    if (auto it = body.find("stream"); it != body.end() && it->is_boolean()) stream = it->get<bool>();
    pull_options po;
    po.allow_local_path = false;
    if (auto it = body.find("digest"); it != body.end() && it->is_string()) po.expected_digest = it->get<std::string>();
    // Ollama's client sends the source as "name"; "name" is a store name only next to "model".
    if (auto it = body.find("name"); it != body.end() && it->is_string() && body.contains("model") &&
                                     !is_url(it->get<std::string>())) {
        po.name = it->get<std::string>();
    }
    if (!po.name.empty()) {
        if (auto n = parse_model_name(po.name); !n.ok()) return send_error(res, api_style::ollama, 400, n.message());
    }
    if (!stream) {
        auto e = pull_model(ctx.store, source, po);
        if (!e.ok()) return send_error(res, api_style::ollama, 400, e.message());
        return send_json(res, 200, {{"status", "success"}, {"model", e->name.str()}});
    }
    // Streamed: the download runs on this connection thread and reports through a
    // channel the chunked provider drains; a client that leaves cancels it.
    auto ch = std::make_shared<task_channel>();
    auto worker = std::make_shared<std::thread>([store = ctx.store, ch, source, po]() mutable {
        po.on_progress = [ch](const pull_progress& p) {
            task_event e;
            e.kind = event_kind::text;
            json j = {{"status", p.status}};
            if (p.total) {
                j["total"] = p.total;
                j["completed"] = p.completed;
            }
            e.text = to_json_text(j) + "\n";
            ch->push(std::move(e));
            return !ch->cancelled();
        };
        auto r = pull_model(store, source, po);
        task_event e;
        if (r.ok()) {
            e.kind = event_kind::done;
        } else {
            e.kind = event_kind::error;
            e.text = r.message();
        }
        ch->push(std::move(e));
    });
    worker->detach();
    res.set_chunked_content_provider(
        "application/x-ndjson",
        [ch](size_t, httplib::DataSink& sink) -> bool {
            task_event e;
            if (!ch->pop(e, std::chrono::milliseconds(200))) return true;
            std::string out;
            if (e.kind == event_kind::text) {
                out = e.text;
            } else if (e.kind == event_kind::error) {
                out = to_json_text(json{{"error", e.text}}) + "\n";
            } else {
                sink.done();
                return true;
            }
            if (!sink.write(out.data(), out.size())) {
                ch->cancel();
                return false;
            }
            if (e.kind == event_kind::error) sink.done();
            return true;
        },
        [ch](bool success) {
            if (!success) ch->cancel();
        });
}

}  // namespace

void register_ollama_routes(httplib::Server& svr, server_context& ctx) {
    svr.Post("/api/generate", guarded(ctx, [&ctx](const httplib::Request& req, httplib::Response& res) {
        handle_generation(ctx, req, res, false);
    }));
    svr.Post("/api/chat", guarded(ctx, [&ctx](const httplib::Request& req, httplib::Response& res) {
        handle_generation(ctx, req, res, true);
    }));
    svr.Get("/api/version", guarded(ctx, [](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, {{"version", "0.6.0"}, {"server", "holobiont"}});
    }));
    svr.Get("/api/tags", guarded(ctx, [&ctx](const httplib::Request&, httplib::Response& res) {
        json models = json::array();
        for (const auto& m : ctx.all_models()) models.push_back(tag_entry(m));
        send_json(res, 200, {{"models", models}});
    }));
    svr.Get("/api/ps", guarded(ctx, [&ctx](const httplib::Request&, httplib::Response& res) {
        json models = json::array();
        for (const auto& lm : ctx.eng.loaded()) {
            json j = tag_entry(lm.ref);
            const auto far = std::chrono::system_clock::time_point::max();
            const int64_t exp = lm.expires_at == far
                                    ? int64_t(253402300799)  // 9999-12-31: never
                                    : std::chrono::duration_cast<std::chrono::seconds>(lm.expires_at.time_since_epoch()).count();
            j["expires_at"] = iso8601(exp);
            j["size_vram"] = 0;
            j["context_length"] = lm.n_ctx;
            j["slots"] = lm.n_slots;
            j["slots_busy"] = lm.n_busy;
            models.push_back(j);
        }
        send_json(res, 200, {{"models", models}});
    }));
    svr.Post("/api/show", guarded(ctx, [&ctx](const httplib::Request& req, httplib::Response& res) {
        json body;
        if (!parse_body(req, res, api_style::ollama, body)) return;
        int status = 400;
        auto ref = ctx.resolve(request_model_name(body), &status);
        if (!ref.ok()) return send_error(res, api_style::ollama, status, ref.message());
        auto d = read_model_details(ref->path);
        if (!d.ok()) return send_error(res, api_style::ollama, 500, "model '" + ref->name + "': " + d.message());
        send_json(res, 200,
                  {{"modelfile", "# Modelfile for " + ref->name + "\nFROM " + ref->name + "\n"},
                   {"parameters", ""},
                   {"template", d->chat_template},
                   {"details", details_json(d.value())},
                   {"model_info", d->model_info},
                   {"capabilities", json::array({"completion", "tools"})},  // tools: every template (described when it does not read them)
                   {"modified_at", iso8601(unix_now())}});
    }));
    svr.Delete("/api/delete", guarded(ctx, [&ctx](const httplib::Request& req, httplib::Response& res) {
        json body;
        if (!parse_body(req, res, api_style::ollama, body)) return;
        const std::string name = request_model_name(body);
        if (name.empty()) return send_error(res, api_style::ollama, 400, "model is required");
        auto n = parse_model_name(name);
        if (!n.ok()) return send_error(res, api_style::ollama, 400, n.message());
        auto r = ctx.store.remove(n->str());
        if (!r.ok()) return send_error(res, api_style::ollama, 404, "model '" + n->str() + "' not found");
        res.status = 200;
    }));
    svr.Post("/api/pull", guarded(ctx, [&ctx](const httplib::Request& req, httplib::Response& res) { handle_pull(ctx, req, res); }));
    // /api/embed (input: string or array → embeddings) and the older /api/embeddings
    // (prompt → embedding).
    for (const char* path : {"/api/embed", "/api/embeddings"}) {
        const bool legacy = std::string(path) == "/api/embeddings";
        svr.Post(path, guarded(ctx, [&ctx, legacy](const httplib::Request& req, httplib::Response& res) {
            json body;
            if (!parse_body(req, res, api_style::ollama, body)) return;
            auto r = parse_embed_request(body, false);
            if (!r.ok()) return send_error(res, api_style::ollama, 400, r.message());
            int status = 400;
            auto ref = ctx.resolve(r->model, &status);
            if (!ref.ok()) return send_error(res, api_style::ollama, status, ref.message());
            auto ch = ctx.eng.submit(std::move(r.value()), ref.value());
            if (!ch.ok()) return send_error(res, api_style::ollama, 503, ch.message());
            task_event done;
            if (!wait_done(ch.value(), res, api_style::ollama, done)) return;
            if (legacy) {
                return send_json(res, 200, {{"embedding", done.embeddings.empty() ? json::array() : json(done.embeddings[0])}});
            }
            send_json(res, 200, {{"model", ref->name},
                                 {"embeddings", done.embeddings},
                                 {"total_duration", ns(done.stats.total_s)},
                                 {"load_duration", ns(done.stats.load_s)},
                                 {"prompt_eval_count", done.stats.n_prompt}});
        }));
    }
}

}  // namespace holo::server
