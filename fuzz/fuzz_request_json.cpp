// libFuzzer target for the HTTP request bodies: any bytes go through the depth-
// checked JSON parser, and an accepted object through every endpoint's parser
// (OpenAI chat/completions, Ollama chat/generate) and keep_alive, with the
// key-ordered twin the routes use for schemas. A compiled response_format /
// format / forced-tool grammar then walks the body's own bytes. Any bytes also go
// through each family's tool-call parser and streaming reader, as model output.
// Never a crash, never an uncaught exception, an accepted request has every value
// in range, and a streamed call is one the client can rebuild.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runtime/json_matcher.h"
#include "server/json_body.h"
#include "server/request.h"
#include "server/tool_call_stream.h"
#include "server/tool_calls.h"

namespace {

void require(bool ok) {
    if (!ok) std::abort();  // a finding
}

// A grammar must take any bytes without crashing, and say consistent things.
void walk(const std::shared_ptr<const holo::json_grammar>& g, std::string_view bytes) {
    holo::json_matcher m(g);
    for (size_t i = 0; i < bytes.size() && i < 512; ++i) {
        const size_t before = m.min_remaining();
        if (!m.feed(bytes.substr(i, 1))) continue;
        require(!m.dead());
        (void)before;
        if (m.complete()) require(m.min_remaining() == 0);
    }
}

void check(const holo::result<holo::server::gen_request>& r, std::string_view body) {
    if (!r) {
        require(!r.message().empty());
        return;
    }
    const auto& g = r.value();
    require(g.max_tokens >= -1 && g.max_tokens <= holo::server::k_max_tokens_limit);
    require(g.stop.size() <= holo::server::k_max_stop_strings);
    for (const auto& s : g.stop) require(s.size() <= holo::server::k_max_stop_bytes);
    require(g.num_ctx >= 0);
    require(!g.chat || g.messages.size() <= holo::server::k_max_messages);
    (void)holo::server::to_json_text(g.messages);
    if (g.constraint) walk(g.constraint, body);
    if (g.tools_active()) {
        using holo::server::tool_format;
        for (tool_format f : {tool_format::hermes, tool_format::llama3, tool_format::mistral}) {
            auto forced = holo::server::forced_call_grammar(f, g.tools, g.tool_name);
            if (forced) walk(forced.value(), body);
        }
    }
}

// The bytes as a model's reply, whole and streamed in pieces of 7.
void check_tool_calls(std::string_view bytes) {
    using holo::server::tool_format;
    const std::string text(bytes);
    for (tool_format f : {tool_format::hermes, tool_format::llama3, tool_format::mistral}) {
        auto p = holo::server::parse_tool_calls(f, text);
        for (const auto& c : p.calls) require(!c.name.empty());
        holo::server::tool_call_stream stream(f);
        size_t n_calls = 0;
        auto take = [&](const holo::server::stream_piece& piece) {
            for (const auto& d : piece.calls) {
                const bool first = !d.name.empty();  // only a call's first piece names it
                require(d.index == (first ? n_calls : n_calls - 1));  // first pieces in order, then that call's
                n_calls += first;
            }
        };
        for (size_t i = 0; i < text.size(); i += 7) take(stream.push(text.substr(i, 7)));
        take(stream.finish());
        require(n_calls == stream.calls().size());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    check_tool_calls(body);
    auto json = holo::server::parse_json_body(body);
    if (!json) {
        require(!json.message().empty());
        return 0;
    }
    const nlohmann::json& j = json.value();
    const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(body, nullptr, false);
    check(holo::server::parse_openai_chat(j, &ordered), body);
    check(holo::server::parse_openai_completion(j, &ordered), body);
    check(holo::server::parse_ollama_chat(j, &ordered), body);
    check(holo::server::parse_ollama_generate(j, &ordered), body);
    if (j.is_object() && j.contains("keep_alive")) (void)holo::server::parse_keep_alive(j["keep_alive"]);
    (void)holo::server::to_json_text(j);
    return 0;
}
