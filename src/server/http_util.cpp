#include "server/http_util.h"

#include <chrono>
#include <ctime>

#include "server/client_socket.h"
#include "server/json_body.h"

namespace holo::server {

using json = nlohmann::json;

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(to_json_text(body), "application/json");
}

api_style style_for_path(const std::string& path) {
    return path.rfind("/v1/", 0) == 0 ? api_style::openai : api_style::ollama;
}

void send_error(httplib::Response& res, api_style style, int status, const std::string& message) {
    if (style == api_style::openai) {
        const char* type = status == 401 ? "authentication_error"
                           : status == 404 ? "not_found_error"
                           : status == 503 ? "server_overloaded"
                           : status >= 500 ? "server_error"
                                           : "invalid_request_error";
        send_json(res, status, json{{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}});
    } else {
        send_json(res, status, json{{"error", message}});
    }
}

bool parse_body(const httplib::Request& req, httplib::Response& res, api_style style, json& out) {
    auto j = parse_json_body(req.body);
    if (!j.ok()) {
        send_error(res, style, 400, j.message());
        return false;
    }
    out = std::move(j.value());
    return true;
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string iso8601(int64_t t) {
    std::time_t tt = std::time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string iso8601_now() {
    const auto now = std::chrono::system_clock::now();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    std::time_t tt = std::time_t(ns / 1000000000);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lldZ", (long long)(ns % 1000000000));
    return std::string(buf) + frac;
}

namespace {

// Waits up to 200 ms for the next event. `gone`: the channel is cancelled and
// empty, so nothing more will come (a task dropped while queued ends without an
// event). Events pushed before the cancellation are still delivered.
bool next_event(task_channel& ch, task_event& e, bool& gone) {
    gone = false;
    if (ch.pop(e, std::chrono::milliseconds(200))) return true;
    if (!ch.cancelled()) return false;
    if (ch.pop(e, std::chrono::milliseconds(0))) return true;
    gone = true;
    return false;
}

}  // namespace

bool wait_done(std::shared_ptr<task_channel> ch, httplib::Response& res, api_style style, task_event& out) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!ch->pop(out, std::chrono::milliseconds(200))) continue;
        if (out.kind == event_kind::error) {
            send_error(res, style, out.status, out.text);
            return false;
        }
        if (out.kind == event_kind::done) return true;
    }
    ch->cancel();
    send_error(res, style, 503, "timed out waiting for the model");
    return false;
}

void run_generation(server_context& ctx, const httplib::Request& req, httplib::Response& res, api_style style,
                    std::shared_ptr<task_channel> ch, bool stream, std::shared_ptr<generation_format> fmt) {
    // 0. Let the engine watch the client between steps: a client that leaves frees
    //    its slot (or its place in the queue) at once, not at the next failed write.
    //    The probe is cleared before this connection can close (the guard here; the
    //    stream's releaser below).
    const int fd = find_client_socket(req.remote_addr, req.remote_port, req.local_port);
    if (fd >= 0) ch->set_client_probe([fd] { return client_has_left(fd); });
    struct probe_guard {
        std::shared_ptr<task_channel> ch;
        ~probe_guard() {
            if (ch) ch->clear_client_probe();
        }
    } guard{ch};

    // 1. The engine's verdict: started (prompt accepted) or an error. Loading a big
    //    model can take a while; bounded at 10 minutes. A task whose client left
    //    while queued is dropped without a word.
    task_event ev;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    bool got = false;
    bool gone = false;
    while (std::chrono::steady_clock::now() < deadline) {
        if (next_event(*ch, ev, gone)) {
            got = true;
            break;
        }
        if (gone) return;  // nobody to answer
    }
    if (!got) {
        ch->cancel();
        return send_error(res, style, 503, "timed out waiting for the model");
    }
    if (ev.kind == event_kind::error) return send_error(res, style, ev.status, ev.text);
    if (ev.kind == event_kind::done) {  // load-only tasks finish at once
        return send_json(res, 200, fmt->whole("", ev.stats));
    }
    if (fmt->started) fmt->started(ev.stats);

    if (!stream) {
        // 2a. Collect everything. A client gone mid-way is noticed by httplib only at
        //     write time; bounded by the generation limits.
        // httplib 0.11 cannot tell that a client left before the answer is written,
        // so this waits for the generation's own limits (bounded at one hour).
        std::string text;
        const auto gen_deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
        while (true) {
            if (!next_event(*ch, ev, gone)) {
                if (gone) return;  // the client left and its task was dropped
                if (std::chrono::steady_clock::now() < gen_deadline) continue;
                ch->cancel();
                return send_error(res, style, 503, "the generation took longer than an hour");
            }
            if (ev.kind == event_kind::text) {
                text += ev.text;
            } else if (ev.kind == event_kind::done) {
                return send_json(res, 200, fmt->whole(text, ev.stats));
            } else if (ev.kind == event_kind::error) {
                return send_error(res, style, ev.status, ev.text);
            }
        }
    }

    // 2b. Stream: httplib calls the provider until it signals done; a failed write
    //     (client gone) cancels the task.
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    guard.ch = nullptr;  // the stream outlives this function: its releaser clears the probe
    res.set_chunked_content_provider(
        fmt->content_type,
        [ch, fmt](size_t, httplib::DataSink& sink) -> bool {
            task_event e;
            // At most ~200 ms per call, so httplib's loop can notice shutdown.
            bool gone = false;
            if (!next_event(*ch, e, gone)) return !gone;
            std::string out;
            bool end = false;
            if (e.kind == event_kind::text) {
                out = fmt->chunk(e.text);
            } else if (e.kind == event_kind::done) {
                out = fmt->stream_end(e.stats);
                end = true;
            } else if (e.kind == event_kind::error) {
                out = fmt->stream_error(e.text);
                end = true;
            } else {
                return true;
            }
            if (!out.empty() && !sink.write(out.data(), out.size())) {
                ch->cancel();
                return false;
            }
            if (end) sink.done();
            return true;
        },
        [ch](bool success) {
            ch->clear_client_probe();
            if (!success) ch->cancel();
        });
}

}  // namespace holo::server
