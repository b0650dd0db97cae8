// libFuzzer target for the HTTP request bodies: any bytes go through the depth-
// checked JSON parser, and an accepted object through every endpoint's parser
// (OpenAI chat/completions, Ollama chat/generate) and keep_alive. Never a crash,
// never an uncaught exception, and an accepted request has every value in range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/json_body.h"
#include "server/request.h"

namespace {

void require(bool ok) {
    if (!ok) std::abort();  // a finding
}

void check(const holo::result<holo::server::gen_request>& r) {
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
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto json = holo::server::parse_json_body(body);
    if (!json) {
        require(!json.message().empty());
        return 0;
    }
    const nlohmann::json& j = json.value();
    check(holo::server::parse_openai_chat(j));
    check(holo::server::parse_openai_completion(j));
    check(holo::server::parse_ollama_chat(j));
    check(holo::server::parse_ollama_generate(j));
    if (j.is_object() && j.contains("keep_alive")) (void)holo::server::parse_keep_alive(j["keep_alive"]);
    (void)holo::server::to_json_text(j);
    return 0;
}
