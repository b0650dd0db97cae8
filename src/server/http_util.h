// Helpers the route files share: error bodies in each API's shape, JSON answers,
// parsing a body with the server's limits, and running one generation task to a
// response (waiting for the engine's verdict, then streaming or answering whole).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "server/server_context.h"
#include "server/task_channel.h"

namespace holo::server {

enum class api_style { openai, ollama };

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, api_style style, int status, const std::string& message);
// api_style for a path: /v1/* is OpenAI's, the rest Ollama's.
api_style style_for_path(const std::string& path);

// Host, Origin and API key checks: nullopt when the request may proceed, else the
// status and message to refuse it with (defined in http_server.cpp).
std::optional<std::pair<int, std::string>> access_refusal(const server_context& ctx, const httplib::Request& req,
                                                         bool check_key);

// Wraps a route handler with access_refusal(), for requests whose body had to be
// read before they could be refused (see the pre-routing handler).
template <class F>
auto guarded(server_context& ctx, F f) {
    return [&ctx, f](const httplib::Request& req, httplib::Response& res) {
        if (auto r = access_refusal(ctx, req, true)) return send_error(res, style_for_path(req.path), r->first, r->second);
        f(req, res);
    };
}

// Parses req.body as a JSON object; on error answers 400 and returns false.
bool parse_body(const httplib::Request& req, httplib::Response& res, api_style style, nlohmann::json& out);

// How one API turns a generation into bytes.
struct generation_format {
    std::string content_type;  // for streams
    std::function<void(const gen_stats& st)> started;                      // optional: the engine took the task
    std::function<std::string(const std::string& text)> chunk;            // a piece of text, streamed
    std::function<std::string(const gen_stats& st)> stream_end;           // the closing chunk(s)
    std::function<std::string(const std::string& msg)> stream_error;      // an error after the stream began
    std::function<nlohmann::json(const std::string& text, const gen_stats& st)> whole;  // non-streaming body
};

// Waits for the engine to accept or refuse the task (answering 4xx/5xx on refusal),
// then streams (stream = true) or collects the whole text. A client that stops
// reading cancels the task; the engine frees its slot at the next step.
void run_generation(server_context& ctx, const httplib::Request& req, httplib::Response& res, api_style style,
                    std::shared_ptr<task_channel> ch, bool stream, std::shared_ptr<generation_format> fmt);

// Waits (bounded: 10 minutes) for a task's final event; answers the error itself
// and returns false when there is no usable result.
bool wait_done(std::shared_ptr<task_channel> ch, httplib::Response& res, api_style style, task_event& out);

// ISO 8601 UTC with nanoseconds, as Ollama writes created_at.
std::string iso8601_now();
std::string iso8601(int64_t unix_seconds);
int64_t unix_now();

}  // namespace holo::server
